//! What goes into the store and what comes out of it.

use std::sync::Arc;

use domain::{Claim, ClaimKind, Forget};
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::AnyConnection;

/// Who did it, through what, and as part of which request (DESIGN.md "The event store").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Metadata {
    pub actor_id: Option<String>,
    /// `application`, `user`, `admin`, `system`.
    pub actor_kind: Option<String>,
    /// The surface or dialect the command came through (`oneaccess`, `cli`, …).
    pub surface: Option<String>,
    pub request_id: Option<String>,
    pub correlation_id: Option<String>,
    pub causation_id: Option<String>,
    /// Personal: kept outside the hashed bytes, in `request_metadata` (ops/adr/0026); events
    /// appended before that carry it in their metadata.
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    /// The person the calling application says it acts for (Hainan's `operator`); left out when
    /// absent, so earlier events keep their exact bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event_type: String,
    pub schema_version: u32,
    /// The plain payload. A top-level `personal` object is sealed before it is stored.
    pub payload: Value,
}

/// A fact about other aggregates that a decision relied on (the parent organisation exists, the
/// organisation has no members…). It is checked again inside the append's savepoint, after every
/// earlier append has been applied, so no concurrent command can slip between check and write.
pub trait Guard: Send + Sync + std::fmt::Debug {
    /// A stable name, reported when the guard fails.
    fn name(&self) -> &'static str;

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant_id: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>>;
}

#[derive(Debug, Clone)]
pub struct AppendRequest {
    pub tenant_id: String,
    pub stream_type: String,
    pub stream_id: String,
    /// The stream's version the decision was made on (0 for a new stream).
    pub expected_version: i64,
    pub events: Vec<NewEvent>,
    pub claims: Vec<Claim>,
    pub releases: Vec<Claim>,
    pub guards: Vec<Arc<dyn Guard>>,
    pub metadata: Metadata,
    /// What the store forgets in the same transaction, after the events (ops/adr/0026).
    pub forget: Vec<Forget>,
}

/// An event as stored, with its payload opened (and upcast, when loaded).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    pub position: i64,
    pub tenant_id: String,
    pub stream_type: String,
    pub stream_id: String,
    pub version: i64,
    pub event_type: String,
    pub schema_version: u32,
    pub payload: Value,
    pub metadata: Metadata,
    /// RFC 3339 UTC with milliseconds.
    pub recorded_at: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error("stream version conflict: expected {expected}, found {actual}")]
    Conflict { expected: i64, actual: i64 },
    #[error("unique value already claimed: {kind}")]
    Claimed { kind: ClaimKind },
    #[error("a fact the decision relied on no longer holds: {0}")]
    GuardFailed(&'static str),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The last position an append wrote, or `None` when it had no events.
pub type Appended = Option<i64>;
