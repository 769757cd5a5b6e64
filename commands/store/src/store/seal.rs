//! Sealing of personal data in payloads: the top-level `personal` object of a payload is stored as
//! `{"sealed": …}` under the data key of its subject (the stream). Deleting the subject's key row
//! erases the data; the events and their hashes stay intact.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use anyhow::Context;
use serde_json::{json, Value};
use sqlx::AnyConnection;

use crate::crypto::{open_bytes, random_key, seal_bytes, Keys, KEY_LEN};

pub const PERSONAL: &str = "personal";

type SubjectId = (String, String);

/// Unwrapped data keys, cached once their rows are committed.
#[derive(Default)]
pub struct SubjectKeys {
    cache: Mutex<Cache>,
}

#[derive(Default)]
struct Cache {
    keys: HashMap<SubjectId, [u8; KEY_LEN]>,
    /// Subjects whose keys this process destroyed (ops/adr/0026): never cached again, so that a
    /// read that fetched the key row just before the erasure committed cannot put it back.
    forgotten: HashSet<SubjectId>,
}

impl SubjectKeys {
    fn cached(&self, subject: &SubjectId) -> Option<[u8; KEY_LEN]> {
        self.cache.lock().ok()?.keys.get(subject).copied()
    }

    pub fn remember(&self, subject: SubjectId, key: [u8; KEY_LEN]) {
        if let Ok(mut cache) = self.cache.lock() {
            if !cache.forgotten.contains(&subject) {
                cache.keys.insert(subject, key);
            }
        }
    }

    /// Drops a cached key without a tombstone: the append batch that destroys it has not
    /// committed yet, and a later append in it must not seal under it.
    pub fn drop_cached(&self, tenant_id: &str, subject_id: &str) {
        if let Ok(mut cache) = self.cache.lock() {
            cache
                .keys
                .remove(&(tenant_id.to_string(), subject_id.to_string()));
        }
    }

    pub fn forget(&self, tenant_id: &str, subject_id: &str) {
        if let Ok(mut cache) = self.cache.lock() {
            let subject = (tenant_id.to_string(), subject_id.to_string());
            cache.keys.remove(&subject);
            cache.forgotten.insert(subject);
        }
    }

    /// The subject's key for reading, or `None` when it was erased.
    pub async fn for_reading(
        &self,
        conn: &mut AnyConnection,
        keys: &Keys,
        tenant_id: &str,
        subject_id: &str,
    ) -> anyhow::Result<Option<[u8; KEY_LEN]>> {
        let subject = (tenant_id.to_string(), subject_id.to_string());
        if let Some(key) = self.cached(&subject) {
            return Ok(Some(key));
        }
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT wrapped_key FROM subject_keys WHERE tenant_id = $1 AND subject_id = $2",
        )
        .bind(tenant_id)
        .bind(subject_id)
        .fetch_optional(&mut *conn)
        .await?;
        let Some((wrapped,)) = row else {
            return Ok(None);
        };
        let key = keys.unwrap_key(&wrapped)?;
        self.remember(subject, key);
        Ok(Some(key))
    }

    /// The subject's key for writing, creating (and recording in `created`) a new one if needed.
    /// New keys are remembered by the caller only once their transaction commits.
    pub async fn for_writing(
        &self,
        conn: &mut AnyConnection,
        keys: &Keys,
        tenant_id: &str,
        subject_id: &str,
        created: &mut Vec<(SubjectId, [u8; KEY_LEN])>,
    ) -> anyhow::Result<[u8; KEY_LEN]> {
        let subject = (tenant_id.to_string(), subject_id.to_string());
        if let Some((_, key)) = created.iter().find(|(s, _)| *s == subject) {
            return Ok(*key);
        }
        if let Some(key) = self.for_reading(conn, keys, tenant_id, subject_id).await? {
            return Ok(key);
        }
        let key = random_key();
        sqlx::query(
            "INSERT INTO subject_keys (tenant_id, subject_id, wrapped_key) VALUES ($1, $2, $3)",
        )
        .bind(tenant_id)
        .bind(subject_id)
        .bind(keys.wrap_key(&key)?)
        .execute(&mut *conn)
        .await
        .context("storing a subject key")?;
        created.push((subject, key));
        Ok(key)
    }
}

/// Whether a payload carries personal data to seal.
pub fn has_personal(payload: &Value) -> bool {
    payload.get(PERSONAL).is_some_and(Value::is_object)
}

/// The payload with its `personal` object sealed under `key`.
pub fn seal_payload(payload: &Value, key: &[u8; KEY_LEN]) -> anyhow::Result<Value> {
    let mut sealed = payload.clone();
    if let Some(personal) = sealed.get_mut(PERSONAL) {
        let plain = serde_json::to_vec(personal)?;
        *personal = json!({ "sealed": seal_bytes(key, &plain)? });
    }
    Ok(sealed)
}

/// The payload with its `personal` object opened; with no key (erased) it becomes
/// `{"erased": true}`.
pub fn open_payload(payload: &mut Value, key: Option<&[u8; KEY_LEN]>) -> anyhow::Result<()> {
    let Some(personal) = payload.get_mut(PERSONAL) else {
        return Ok(());
    };
    let Some(sealed) = personal.get("sealed").and_then(Value::as_str) else {
        return Ok(());
    };
    *personal = match key {
        Some(key) => serde_json::from_slice(&open_bytes(key, sealed)?)?,
        None => json!({ "erased": true }),
    };
    Ok(())
}

pub fn is_sealed(payload: &Value) -> bool {
    payload
        .get(PERSONAL)
        .is_some_and(|p| p.get("sealed").is_some())
}
