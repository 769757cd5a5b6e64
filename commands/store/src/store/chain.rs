//! The per-tenant hash chain: hash = SHA-256(prev_hash ‖ canonical event bytes).

use sha2::{Digest, Sha256};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The stored columns of an event, as the chain hashes them.
pub struct ChainedFields<'a> {
    pub position: i64,
    pub tenant_id: &'a str,
    pub stream_type: &'a str,
    pub stream_id: &'a str,
    pub version: i64,
    pub event_type: &'a str,
    pub schema_version: i64,
    pub payload: &'a str,
    pub metadata: &'a str,
    pub recorded_at: &'a str,
}

/// Canonical bytes: every field length-prefixed, in a fixed order, so no two events share them.
pub fn hash(prev_hash: &str, fields: &ChainedFields<'_>) -> String {
    let mut digest = Sha256::new();
    let position = fields.position.to_string();
    let version = fields.version.to_string();
    let schema = fields.schema_version.to_string();
    let parts: [&str; 11] = [
        prev_hash,
        &position,
        fields.tenant_id,
        fields.stream_type,
        fields.stream_id,
        &version,
        fields.event_type,
        &schema,
        fields.payload,
        fields.metadata,
        fields.recorded_at,
    ];
    for part in parts {
        digest.update((part.len() as u64).to_be_bytes());
        digest.update(part.as_bytes());
    }
    hex::encode(digest.finalize())
}
