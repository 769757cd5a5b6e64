//! Signed checkpoints of each tenant's hash chain (DESIGN.md "Audit and compliance",
//! ops/adr/0023): at an interval the chain head of a tenant (the position of its last event, the
//! number of its events so far, the event's hash) is signed with an Ed25519 key. An export of
//! the events with its checkpoints and the public keys then verifies without the database, and a
//! history rewritten afterwards (every hash recomputed) no longer passes through the signed heads.
//!
//! The signature covers the canonical bytes of `signed_bytes`: the fields below, in this order,
//! each as its length (8 bytes, big-endian) followed by its UTF-8 bytes, as the chain's own hash
//! does (`store::chain_hash`):
//! `"idaas-checkpoint-v1"`, tenant id, position (decimal), events (decimal), head hash (64
//! lower-case hex digits), signed at (RFC 3339 UTC with milliseconds), key id.

mod export;
mod keys;
mod offline;
mod stream;
mod write;

use aws_lc_rs::signature::{UnparsedPublicKey, ED25519};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use export::{export, ExportSummary, Line, FORMAT, FORMAT_VERSION};
pub use keys::{published, rotate, signer, Signer};
pub use offline::{verify_export, verify_stored, Problem, Report, TenantSummary, Verifier};
pub use stream::{chain_holds_request_metadata, export_stream};
pub use write::{
    appended, checkpoint_all, checkpoint_tenant, last_position, pending, Pending, Status,
};

/// The signature algorithm of every checkpoint key.
pub const ALGORITHM: &str = "Ed25519";

/// What the first field of the signed bytes says: the version of this scheme.
pub const SCHEME: &str = "idaas-checkpoint-v1";

/// The migration that creates the checkpoint tables.
pub const MIGRATION: i64 = 32;

/// Refuses a store migrated by an older release, before the checkpoint tables existed.
pub async fn require_tables(db: &crate::Database) -> anyhow::Result<()> {
    let level: Result<(i64,), _> =
        sqlx::query_as("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            .fetch_one(&db.pool)
            .await;
    let level = level.map_or(0, |(level,)| level);
    if level < MIGRATION {
        anyhow::bail!(
            "the store is at migration level {level}, before signed checkpoints ({MIGRATION}): \
             start this release's server on it once, or run `idaas migrate`"
        );
    }
    Ok(())
}

/// A signed chain head, as stored and exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub tenant_id: String,
    /// The global position of the tenant's last event at the checkpoint.
    pub position: i64,
    /// How many events the tenant's chain holds up to and including that one.
    pub events: i64,
    /// That event's hash: the chain head.
    pub head_hash: String,
    /// RFC 3339 UTC with milliseconds.
    pub signed_at: String,
    /// The signing key's id (its RFC 7638 thumbprint).
    pub key_id: String,
    /// The Ed25519 signature of `signed_bytes`, base64url without padding.
    pub signature: String,
}

impl Checkpoint {
    /// The bytes the signature covers.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let position = self.position.to_string();
        let events = self.events.to_string();
        let parts: [&str; 7] = [
            SCHEME,
            &self.tenant_id,
            &position,
            &events,
            &self.head_hash,
            &self.signed_at,
            &self.key_id,
        ];
        let mut bytes = Vec::new();
        for part in parts {
            bytes.extend_from_slice(&(part.len() as u64).to_be_bytes());
            bytes.extend_from_slice(part.as_bytes());
        }
        bytes
    }
}

/// A published checkpoint key: an Ed25519 JSON Web Key (RFC 8037), with when it started signing
/// and, once a newer key took over, when it stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedKey {
    pub kid: String,
    pub kty: String,
    pub crv: String,
    pub alg: String,
    #[serde(rename = "use")]
    pub usage: String,
    /// The raw 32-byte public key, base64url without padding.
    pub x: String,
    /// Absent from a key list written by another tool.
    #[serde(default)]
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<String>,
}

impl PublishedKey {
    /// The JWK of a raw Ed25519 public key (`x`, base64url), its id the RFC 7638 thumbprint.
    pub fn new(x: &str, created_at: &str, retired_at: Option<String>) -> Self {
        Self {
            kid: thumbprint(x),
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            alg: "EdDSA".into(),
            usage: "sig".into(),
            x: x.into(),
            created_at: created_at.into(),
            retired_at,
        }
    }

    /// An Ed25519 key whose id is the thumbprint of its public key: a key list cannot name one
    /// key's id with another key's bytes.
    pub fn is_well_formed(&self) -> bool {
        self.kty == "OKP"
            && self.crv == "Ed25519"
            && self.kid == thumbprint(&self.x)
            && URL_SAFE_NO_PAD.decode(&self.x).is_ok_and(|k| k.len() == 32)
    }

    /// Whether `checkpoint` names this key and its signature verifies with it.
    pub fn verifies(&self, checkpoint: &Checkpoint) -> bool {
        if checkpoint.key_id != self.kid {
            return false;
        }
        let (Ok(public), Ok(signature)) = (
            URL_SAFE_NO_PAD.decode(&self.x),
            URL_SAFE_NO_PAD.decode(&checkpoint.signature),
        ) else {
            return false;
        };
        UnparsedPublicKey::new(&ED25519, public)
            .verify(&checkpoint.signed_bytes(), &signature)
            .is_ok()
    }
}

/// The RFC 7638 thumbprint of an Ed25519 JWK (RFC 8037 §2: the members crv, kty and x).
pub fn thumbprint(x: &str) -> String {
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// The time format of `signed_at`, `created_at` and `retired_at` (that of `recorded_at`).
pub fn timestamp(millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint(signer: &Signer) -> Checkpoint {
        signer.sign(
            "default",
            120,
            57,
            &"ab".repeat(32),
            "2026-12-06T10:00:00.000Z",
        )
    }

    #[test]
    fn a_checkpoint_verifies_with_its_key_and_nothing_else() {
        let signer = Signer::generate();
        let other = Signer::generate();
        let signed = checkpoint(&signer);
        let key = signer.published("2026-12-06T09:00:00.000Z");
        assert!(key.is_well_formed());
        assert!(key.verifies(&signed));
        assert!(!other.published("x").verifies(&signed), "another key");

        let mut changed = signed.clone();
        changed.head_hash = "cd".repeat(32);
        assert!(!key.verifies(&changed), "a changed head hash");
        let mut changed = signed.clone();
        changed.events += 1;
        assert!(!key.verifies(&changed), "a changed count");
        let mut changed = signed.clone();
        changed.tenant_id = "other".into();
        assert!(!key.verifies(&changed), "another tenant");
        let mut forged = checkpoint(&other);
        forged.key_id = key.kid.clone();
        assert!(
            !key.verifies(&forged),
            "signed by another key under this key's id"
        );
    }

    #[test]
    fn the_signed_bytes_are_length_prefixed_fields() {
        let signed = Checkpoint {
            tenant_id: "t".into(),
            position: 7,
            events: 3,
            head_hash: "h".into(),
            signed_at: "s".into(),
            key_id: "k".into(),
            signature: String::new(),
        };
        let mut expected = Vec::new();
        for part in [SCHEME, "t", "7", "3", "h", "s", "k"] {
            expected.extend_from_slice(&(part.len() as u64).to_be_bytes());
            expected.extend_from_slice(part.as_bytes());
        }
        assert_eq!(signed.signed_bytes(), expected);
    }

    #[test]
    fn a_key_id_is_the_rfc_7638_thumbprint() {
        // RFC 8037 appendix A.3: the thumbprint of the example Ed25519 key.
        assert_eq!(
            thumbprint("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
        let mut key = Signer::generate().published("x");
        assert!(key.is_well_formed());
        key.x = Signer::generate().published("x").x;
        assert!(!key.is_well_formed(), "another key's bytes under this id");
    }
}
