//! The signing keys as stored (DESIGN.md "Protocols"; "Hot paths, caches and several nodes"): a
//! new key appended with its successor claim, so that of two nodes creating the same key at once
//! one wins; the tenant's keys read back and parsed.

use std::sync::Arc;

use anyhow::Context as _;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::signing_key::{
    SigningKey, SigningKeyCommand, SigningKeyError, SigningKeyEvent, Superseded,
};
use domain::{Aggregate, Claim, ClaimKind};
use serde_json::{json, Value};
use store::{BusError, CommandBus, Context};

use super::material::{encoding_key, generate, verifier};
use super::{ActiveKey, PublicKey, RotationError, TenantKeys, SUCCESSOR};
use crate::clock::{IdSource, RandomIds};

pub(super) async fn create(
    bus: &CommandBus,
    context: &Context,
    algorithm: &str,
    supersedes: Option<Superseded>,
    retired_until: Vec<i64>,
    now: i64,
) -> Result<String, RotationError> {
    let (private, jwk) = generate(algorithm)?;
    let key_id = RandomIds.base62(16);
    let predecessor = supersedes.as_ref().map_or("", |s| s.key_id.as_str());
    let successor = Claim::new(
        ClaimKind::Other(SUCCESSOR.into()),
        format!("{algorithm}:{predecessor}"),
    );
    let command = SigningKeyCommand::Create {
        key_id: key_id.clone(),
        algorithm: algorithm.to_string(),
        public_key: jwk.to_string(),
        private_key: STANDARD.encode(private),
        supersedes,
        retired_until,
        now,
    };
    let decide = |k: &SigningKey| {
        let decision = k.decide(command.clone(), &())?;
        Ok(decision.claim(successor.clone()))
    };
    match bus.execute::<SigningKey, _>(context, &key_id, decide).await {
        Ok(_) => Ok(key_id),
        Err(BusError::Domain(refusal @ SigningKeyError::TooManyPublished { .. })) => {
            Err(RotationError::Refused(refusal))
        }
        Err(BusError::Claimed(_)) => Err(RotationError::Concurrent(algorithm.to_string())),
        Err(e) => Err(anyhow::anyhow!("creating a signing key: {e}").into()),
    }
}

/// Creates the tenant's missing keys (RS256 and ES256) on first use; whether any was created
/// (here, or by another node at the same moment: its claim won and its key is there now).
pub(super) async fn create_missing(
    bus: &CommandBus,
    tenant: &str,
    rows: &[projections::sessions::KeyRow],
    now: i64,
) -> anyhow::Result<bool> {
    let mut created = false;
    for algorithm in domain::signing_key::ALGORITHMS {
        if rows.iter().any(|k| k.algorithm == *algorithm) {
            continue;
        }
        let context = Context {
            tenant_id: tenant.to_string(),
            metadata: store::Metadata {
                actor_kind: Some("system".into()),
                actor_id: Some("key-ring".into()),
                surface: Some("oidc".into()),
                ..Default::default()
            },
        };
        match create(bus, &context, algorithm, None, vec![], now).await {
            Ok(_) | Err(RotationError::Concurrent(_)) => created = true,
            Err(RotationError::Failed(e)) => return Err(e),
            Err(RotationError::Refused(e)) => return Err(e.into()),
        }
    }
    Ok(created)
}

/// The tenant's keys as read: the published ones, and the signing half of each current one.
pub(super) async fn parse(
    bus: &CommandBus,
    tenant: &str,
    rows: Vec<projections::sessions::KeyRow>,
    now: i64,
) -> anyhow::Result<TenantKeys> {
    let mut keys = TenantKeys::default();
    for row in rows {
        if row.publish_until.is_some_and(|until| until <= now) {
            continue;
        }
        let mut published = public_key(&row.key_id, &row.algorithm, &row.public_key)?;
        published.publish_until = row.publish_until;
        keys.published.push(published);
        let is_current = row.publish_until.is_none()
            && !keys.active.iter().any(|k| k.algorithm == row.algorithm);
        if is_current {
            keys.active
                .push(Arc::new(private_key(bus, tenant, &row.key_id).await?));
        }
    }
    Ok(keys)
}

/// A published key from its stored public JWK.
pub(super) fn public_key(
    key_id: &str,
    algorithm: &str,
    public_jwk: &str,
) -> anyhow::Result<PublicKey> {
    let mut jwk: Value = serde_json::from_str(public_jwk)?;
    jwk["kid"] = json!(key_id);
    jwk["alg"] = json!(algorithm);
    jwk["use"] = json!("sig");
    Ok(PublicKey {
        key_id: key_id.to_string(),
        verifier: verifier(algorithm, &jwk),
        jwk,
        publish_until: None,
    })
}

async fn private_key(bus: &CommandBus, tenant: &str, key_id: &str) -> anyhow::Result<ActiveKey> {
    let events = bus
        .store()
        .load(tenant, SigningKey::STREAM_TYPE, key_id)
        .await?;
    let event = events.first().context("signing key stream is empty")?;
    let SigningKeyEvent::Created {
        algorithm,
        personal,
        ..
    } = domain::aggregate::from_stored(&event.event_type, event.payload.clone())?;
    let der = STANDARD.decode(personal.private_key)?;
    active_key(key_id, &algorithm, &der)
}

pub(super) fn active_key(key_id: &str, algorithm: &str, pkcs8: &[u8]) -> anyhow::Result<ActiveKey> {
    let (alg, key) = encoding_key(algorithm, pkcs8)?;
    Ok(ActiveKey {
        key_id: key_id.to_string(),
        algorithm: algorithm.to_string(),
        alg,
        key,
        repeated: Default::default(),
    })
}
