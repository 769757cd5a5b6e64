//! Event search (ops/adr/0022): a tenant's events matching every filter given, in position order,
//! a page at a time after a position — positions are gap-free and follow commit order, so paging
//! by the last position seen neither skips nor repeats an event, however many are appended
//! meanwhile. Each event comes with its attribution and its payload as the reader may see it.

use std::collections::HashMap;

use projections::audit_search::{self, EventFilter};
use serde_json::Value;

use super::redact;
use super::Reader;
use crate::state::AppState;
use crate::ServiceError;

/// The most events one page holds.
pub const MAX_LIMIT: i64 = 1000;

/// One event as an audit reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    pub position: i64,
    pub recorded_at: String,
    pub stream_type: String,
    pub stream_id: String,
    pub version: i64,
    pub event_type: String,
    pub schema_version: u32,
    pub actor_kind: Option<String>,
    pub actor_id: Option<String>,
    pub surface: Option<String>,
    pub request_id: Option<String>,
    pub correlation_id: Option<String>,
    pub causation_id: Option<String>,
    /// Personal: masked unless the reader is granted personal values.
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub on_behalf_of: Option<String>,
    /// What happened, in one line without personal data.
    pub summary: String,
    pub payload: Value,
}

/// A page of events; `next_after` is the position to continue after when more may follow.
#[derive(Debug, Clone, PartialEq)]
pub struct EventPage {
    pub events: Vec<EventRecord>,
    pub next_after: Option<i64>,
}

/// The time form the store records (`recorded_at`), for a time given in milliseconds.
pub fn recorded_form(millis: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}

/// Up to `limit` (1 to [`MAX_LIMIT`]) events of the tenant matching `filter` after position
/// `after`.
pub async fn search(
    state: &AppState,
    reader: &Reader,
    tenant: &str,
    filter: &EventFilter,
    after: i64,
    limit: i64,
) -> Result<EventPage, ServiceError> {
    let limit = limit.clamp(1, MAX_LIMIT);
    let mut rows =
        audit_search::search(state.pool(), tenant, filter, after.max(0), limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let positions: Vec<i64> = rows.iter().map(|r| r.position).collect();
    let mut events: HashMap<i64, store::RecordedEvent> = state
        .bus
        .store()
        .load_positions(tenant, &positions)
        .await?
        .into_iter()
        .map(|e| (e.position, e))
        .collect();
    let next_after = more.then(|| positions.last().copied()).flatten();
    let mut records = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(event) = events.remove(&row.position) else {
            return Err(anyhow::anyhow!("audit row {} has no event", row.position).into());
        };
        let meta = &event.metadata;
        records.push(EventRecord {
            position: row.position,
            recorded_at: event.recorded_at.clone(),
            stream_type: event.stream_type.clone(),
            stream_id: event.stream_id.clone(),
            version: event.version,
            event_type: event.event_type.clone(),
            schema_version: event.schema_version,
            actor_kind: meta.actor_kind.clone(),
            actor_id: meta.actor_id.clone(),
            surface: meta.surface.clone(),
            request_id: meta.request_id.clone(),
            correlation_id: meta.correlation_id.clone(),
            causation_id: meta.causation_id.clone(),
            client_ip: redact::personal_value(&meta.client_ip, reader.personal),
            user_agent: redact::personal_value(&meta.user_agent, reader.personal),
            on_behalf_of: redact::personal_value(&meta.on_behalf_of, reader.personal),
            summary: row.summary,
            payload: redact::payload(&event.payload, reader.personal),
        });
    }
    Ok(EventPage {
        events: records,
        next_after,
    })
}
