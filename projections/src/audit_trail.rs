//! The audit trail: one row per event with its actor and a readable summary that names ids and
//! changed fields, never personal data or secrets.

use futures::future::BoxFuture;
use serde_json::{Map, Value};
use sqlx::{AnyConnection, AnyPool};
use store::{Projector, RecordedEvent};

pub struct AuditTrailProjection;

pub const TABLES: &[&str] = &["proj_audit_trail"];

/// "organization 2024… updated (changed: code "10000" → "TestOrg", category "department" →
/// "company") by application 2024… via oneaccess". Personal data never appears: attributes kept
/// in the sealed `personal` object are named without values.
pub fn summary(event: &RecordedEvent, before: &Map<String, Value>) -> String {
    let action = event
        .event_type
        .split_once('.')
        .map(|(_, action)| action.replace('_', " "))
        .unwrap_or_else(|| event.event_type.clone());
    let mut text = format!(
        "{} {} {}",
        event.stream_type.replace('_', " "),
        event.stream_id,
        action
    );
    if let Some(Value::Array(changed)) = event.payload.get("changed") {
        let parts: Vec<String> = changed
            .iter()
            .filter_map(Value::as_str)
            .map(
                |field| match (before.get(field), event.payload.get(field)) {
                    (Some(old), Some(new)) => format!("{field} {old} → {new}"),
                    _ => field.to_string(),
                },
            )
            .collect();
        if !parts.is_empty() {
            text.push_str(&format!(" (changed: {})", parts.join(", ")));
        }
    }
    let meta = &event.metadata;
    if let (Some(kind), Some(id)) = (&meta.actor_kind, &meta.actor_id) {
        text.push_str(&format!(" by {kind} {id}"));
    }
    if let Some(surface) = &meta.surface {
        text.push_str(&format!(" via {surface}"));
    }
    text
}

impl Projector for AuditTrailProjection {
    fn name(&self) -> &'static str {
        "audit_trail"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let before = previous_values(conn, event).await?;
            let meta = &event.metadata;
            sqlx::query(
                "INSERT INTO proj_audit_trail (position, tenant_id, stream_type, stream_id, version, \
                 event_type, actor_id, actor_kind, surface, request_id, summary, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(event.position)
            .bind(&event.tenant_id)
            .bind(&event.stream_type)
            .bind(&event.stream_id)
            .bind(event.version)
            .bind(&event.event_type)
            .bind(&meta.actor_id)
            .bind(&meta.actor_kind)
            .bind(&meta.surface)
            .bind(&meta.request_id)
            .bind(summary(event, &before))
            .bind(&event.recorded_at)
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    }
}

/// For each changed top-level field, its value in the latest earlier event of the stream that
/// carried it (events are immutable, so replay finds the same values).
async fn previous_values(
    conn: &mut AnyConnection,
    event: &RecordedEvent,
) -> anyhow::Result<Map<String, Value>> {
    let mut found = Map::new();
    let Some(Value::Array(changed)) = event.payload.get("changed") else {
        return Ok(found);
    };
    let wanted: Vec<&str> = changed
        .iter()
        .filter_map(Value::as_str)
        .filter(|f| event.payload.get(*f).is_some())
        .collect();
    if wanted.is_empty() {
        return Ok(found);
    }
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT payload FROM events WHERE tenant_id = $1 AND stream_type = $2 AND stream_id = $3 \
         AND version < $4 ORDER BY version DESC",
    )
    .bind(&event.tenant_id)
    .bind(&event.stream_type)
    .bind(&event.stream_id)
    .bind(event.version)
    .fetch_all(&mut *conn)
    .await?;
    for (payload,) in rows {
        let payload: Value = serde_json::from_str(&payload)?;
        for field in &wanted {
            if !found.contains_key(*field) {
                if let Some(value) = payload.get(*field) {
                    found.insert(field.to_string(), value.clone());
                }
            }
        }
        if found.len() == wanted.len() {
            break;
        }
    }
    Ok(found)
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub position: i64,
    pub stream_type: String,
    pub stream_id: String,
    pub event_type: String,
    pub actor_id: Option<String>,
    pub actor_kind: Option<String>,
    pub summary: String,
    pub recorded_at: String,
}

type AuditTuple = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
);

/// The audit rows of one stream, oldest first.
pub async fn for_stream(
    pool: &AnyPool,
    tenant: &str,
    stream_type: &str,
    stream_id: &str,
) -> anyhow::Result<Vec<AuditRow>> {
    let rows: Vec<AuditTuple> = sqlx::query_as(
        "SELECT position, stream_type, stream_id, event_type, actor_id, actor_kind, summary, recorded_at \
         FROM proj_audit_trail WHERE tenant_id = $1 AND stream_type = $2 AND stream_id = $3 ORDER BY position",
    )
    .bind(tenant)
    .bind(stream_type)
    .bind(stream_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                position,
                stream_type,
                stream_id,
                event_type,
                actor_id,
                actor_kind,
                summary,
                recorded_at,
            )| AuditRow {
                position,
                stream_type,
                stream_id,
                event_type,
                actor_id,
                actor_kind,
                summary,
                recorded_at,
            },
        )
        .collect())
}
