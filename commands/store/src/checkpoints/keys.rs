//! The checkpoint keys: Ed25519, one installation-wide signing key at a time (the highest
//! generation), the private seed wrapped by the master key like the subject keys, every public
//! key kept and published so that old checkpoints stay verifiable after a rotation.

use anyhow::Context;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use super::{thumbprint, timestamp, Checkpoint, PublishedKey};
use crate::crypto::{random_key, Keys, KEY_LEN};
use crate::db::Database;

/// The key that signs checkpoints now.
pub struct Signer {
    key_id: String,
    x: String,
    pair: Ed25519KeyPair,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", self.key_id)
    }
}

impl Signer {
    fn from_seed(seed: &[u8; KEY_LEN]) -> anyhow::Result<Self> {
        let pair = Ed25519KeyPair::from_seed_unchecked(seed)
            .map_err(|e| anyhow::anyhow!("a checkpoint key: {e}"))?;
        let x = URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
        Ok(Self {
            key_id: thumbprint(&x),
            x,
            pair,
        })
    }

    /// A new key (an Ed25519 private key is 32 random bytes, its seed).
    pub fn generate() -> Self {
        let seed = random_key();
        // Any 32 bytes are an Ed25519 seed.
        Self::from_seed(&seed).expect("32 bytes are an Ed25519 seed")
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The public half, as published.
    pub fn published(&self, created_at: &str) -> PublishedKey {
        PublishedKey::new(&self.x, created_at, None)
    }

    /// The checkpoint of `tenant_id`'s chain head at `position`, signed now.
    pub fn sign(
        &self,
        tenant_id: &str,
        position: i64,
        events: i64,
        head_hash: &str,
        signed_at: &str,
    ) -> Checkpoint {
        let mut checkpoint = Checkpoint {
            tenant_id: tenant_id.into(),
            position,
            events,
            head_hash: head_hash.into(),
            signed_at: signed_at.into(),
            key_id: self.key_id.clone(),
            signature: String::new(),
        };
        let signature = self.pair.sign(&checkpoint.signed_bytes());
        checkpoint.signature = URL_SAFE_NO_PAD.encode(signature.as_ref());
        checkpoint
    }
}

/// The signing key: the newest one, created if there is none yet.
pub async fn signer(db: &Database, keys: &Keys, now_ms: i64) -> anyhow::Result<Signer> {
    if let Some(signer) = newest(db, keys).await? {
        return Ok(signer);
    }
    // The first key. Two processes starting at once both try: one insert wins (generation is
    // unique), the other reads the winner's key.
    let created = insert(db, keys, now_ms, true).await;
    match newest(db, keys).await? {
        Some(signer) => Ok(signer),
        None => Err(created
            .err()
            .unwrap_or_else(|| anyhow::anyhow!("no checkpoint key was stored"))),
    }
}

/// A new signing key; the previous ones are retired (they sign no more) but stay published.
pub async fn rotate(db: &Database, keys: &Keys, now_ms: i64) -> anyhow::Result<PublishedKey> {
    let key = insert(db, keys, now_ms, false)
        .await?
        .context("no checkpoint key was stored")?;
    tracing::info!(key_id = %key.kid, "a new checkpoint signing key; the previous ones are retired");
    Ok(key)
}

/// Inserts a new key of the next generation and retires the others, in one transaction whose
/// first statement writes (SQLite takes its write lock at once). With `only_first`, nothing is
/// inserted (`None`) if a key exists.
async fn insert(
    db: &Database,
    keys: &Keys,
    now_ms: i64,
    only_first: bool,
) -> anyhow::Result<Option<PublishedKey>> {
    let seed = random_key();
    let signer = Signer::from_seed(&seed)?;
    let now = timestamp(now_ms);
    let mut tx = db.pool.begin().await?;
    let condition = if only_first {
        "WHERE NOT EXISTS (SELECT 1 FROM checkpoint_keys)"
    } else {
        ""
    };
    let inserted = sqlx::query(&format!(
        "INSERT INTO checkpoint_keys \
         (key_id, generation, algorithm, public_key, wrapped_key, created_at) \
         SELECT $1, (SELECT COALESCE(MAX(generation), 0) + 1 FROM checkpoint_keys), $2, $3, $4, $5 \
         {condition}"
    ))
    .bind(&signer.key_id)
    .bind(super::ALGORITHM)
    .bind(&signer.x)
    .bind(keys.wrap_key(&seed)?)
    .bind(&now)
    .execute(&mut *tx)
    .await
    .context("storing a checkpoint key")?;
    if inserted.rows_affected() == 0 {
        tx.rollback().await?;
        return Ok(None);
    }
    sqlx::query(
        "UPDATE checkpoint_keys SET retired_at = $1 WHERE retired_at IS NULL AND key_id <> $2",
    )
    .bind(&now)
    .bind(&signer.key_id)
    .execute(&mut *tx)
    .await
    .context("retiring the previous checkpoint key")?;
    tx.commit().await?;
    Ok(Some(signer.published(&now)))
}

async fn newest(db: &Database, keys: &Keys) -> anyhow::Result<Option<Signer>> {
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT key_id, public_key, wrapped_key FROM checkpoint_keys \
         ORDER BY generation DESC LIMIT 1",
    )
    .fetch_optional(&db.pool)
    .await
    .context("reading the checkpoint signing key")?;
    let Some((key_id, x, wrapped)) = row else {
        return Ok(None);
    };
    let seed = keys
        .unwrap_key(&wrapped)
        .context("the checkpoint key does not open with this master key")?;
    let signer = Signer::from_seed(&seed)?;
    anyhow::ensure!(
        signer.x == x && signer.key_id == key_id,
        "the stored checkpoint key {key_id} does not match its public key"
    );
    Ok(Some(signer))
}

/// Every checkpoint key ever used, oldest first.
pub async fn published(db: &Database) -> anyhow::Result<Vec<PublishedKey>> {
    let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT public_key, created_at, retired_at FROM checkpoint_keys ORDER BY generation",
    )
    .fetch_all(&db.pool)
    .await
    .context("reading the checkpoint keys")?;
    Ok(rows
        .into_iter()
        .map(|(x, created_at, retired_at)| PublishedKey::new(&x, &created_at, retired_at))
        .collect())
}
