//! The audit trail: one row per event with its actor, surface, request, correlation and
//! causation ids and a readable summary that names ids and changed fields, never personal data
//! or secrets; and the subjects each event names (ops/adr/0022), which the audit API searches by.

use std::collections::BTreeSet;

use futures::future::BoxFuture;
use futures::TryStreamExt;
use serde_json::{Map, Value};
use sqlx::{AnyConnection, AnyPool};
use store::statements::Statements;
use store::{Projector, RecordedEvent};

pub struct AuditTrailProjection;

pub const TABLES: &[&str] = &["proj_audit_trail", "proj_audit_subjects"];

/// The most subjects one event is filed under, and the longest id kept as one.
const MAX_SUBJECTS: usize = 64;
const MAX_SUBJECT_LEN: usize = 256;

/// The entities an event names: its stream, and every id its payload carries outside the sealed
/// personal data (a field named `…_id` holding text, or `…_ids` holding a list of text, at any
/// depth up to four), in the order found, without repeats.
pub fn subjects(event: &RecordedEvent) -> Vec<String> {
    fn walk(value: &Value, depth: usize, found: &mut Vec<String>, seen: &mut BTreeSet<String>) {
        let Value::Object(fields) = value else {
            if let (Value::Array(items), true) = (value, depth < 4) {
                for item in items {
                    walk(item, depth + 1, found, seen);
                }
            }
            return;
        };
        for (name, value) in fields {
            if name == store::store::PERSONAL {
                continue;
            }
            let ids: Vec<&str> = match value {
                Value::String(id) if name.ends_with("_id") => vec![id],
                Value::Array(items) if name.ends_with("_ids") => {
                    items.iter().filter_map(Value::as_str).collect()
                }
                _ => Vec::new(),
            };
            for id in ids {
                if !id.is_empty() && id.len() <= MAX_SUBJECT_LEN && seen.insert(id.to_string()) {
                    found.push(id.to_string());
                }
            }
            if depth < 4 && (value.is_object() || value.is_array()) {
                walk(value, depth + 1, found, seen);
            }
        }
    }
    let mut found = vec![event.stream_id.clone()];
    let mut seen = BTreeSet::from([event.stream_id.clone()]);
    walk(&event.payload, 0, &mut found, &mut seen);
    found.truncate(MAX_SUBJECTS);
    found
}

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
            let mut out = Statements::on(conn);
            write(&mut out, std::slice::from_ref(event)).await?;
            out.send().await
        })
    }

    /// Nothing in the writer reads the trail but the guard `NoOtherAccounts`, before which the
    /// writer applies what it holds.
    fn batched(&self) -> bool {
        true
    }

    fn apply_all<'a, 'c: 'a>(
        &'a self,
        out: &'a mut Statements<'c>,
        events: &'a [RecordedEvent],
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(write(out, events))
    }
}

const TRAIL_COLUMNS: [&str; 14] = [
    "position",
    "tenant_id",
    "stream_type",
    "stream_id",
    "version",
    "event_type",
    "actor_id",
    "actor_kind",
    "surface",
    "request_id",
    "summary",
    "recorded_at",
    "correlation_id",
    "causation_id",
];

const SUBJECT_COLUMNS: [&str; 3] = ["tenant_id", "subject_id", "position"];

/// The trail's rows and subjects of `events`, many to a statement.
async fn write(out: &mut Statements<'_>, events: &[RecordedEvent]) -> anyhow::Result<()> {
    let mut summaries = Vec::with_capacity(events.len());
    for event in events {
        let before = previous_values(out, event).await?;
        summaries.push(summary(event, &before));
    }
    let trail: Vec<(&RecordedEvent, String)> = events.iter().zip(summaries).collect();
    store::rows::insert_all(
        out,
        "proj_audit_trail",
        &TRAIL_COLUMNS,
        &trail,
        |insert, row| {
            let (event, summary) = row;
            let meta = &event.metadata;
            insert
                .bind(event.position)
                .bind(event.tenant_id.clone())
                .bind(event.stream_type.clone())
                .bind(event.stream_id.clone())
                .bind(event.version)
                .bind(event.event_type.clone())
                .bind(meta.actor_id.clone())
                .bind(meta.actor_kind.clone())
                .bind(meta.surface.clone())
                .bind(meta.request_id.clone())
                .bind(summary.clone())
                .bind(event.recorded_at.clone())
                .bind(meta.correlation_id.clone())
                .bind(meta.causation_id.clone())
        },
    )
    .await?;
    let filed: Vec<(&RecordedEvent, String)> = events
        .iter()
        .flat_map(|event| subjects(event).into_iter().map(move |s| (event, s)))
        .collect();
    let table = "proj_audit_subjects";
    store::rows::insert_all(out, table, &SUBJECT_COLUMNS, &filed, |insert, row| {
        let (event, subject) = row;
        insert
            .bind(event.tenant_id.clone())
            .bind(subject.clone())
            .bind(event.position)
    })
    .await
}

/// For each changed top-level field, its value in the latest earlier event of the stream that
/// carried it (events are immutable, so replay finds the same values).
async fn previous_values(
    out: &mut Statements<'_>,
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
    // Newest first, read one row at a time: the previous values are nearly always in the event
    // just before, so a long stream is not read whole for each of its events.
    let mut rows = sqlx::query_as::<_, (String,)>(
        "SELECT payload FROM events WHERE tenant_id = $1 AND stream_type = $2 AND stream_id = $3 \
         AND version < $4 ORDER BY version DESC",
    )
    .bind(&event.tenant_id)
    .bind(&event.stream_type)
    .bind(&event.stream_id)
    .bind(event.version)
    .fetch(out.conn().await?);
    while let Some((payload,)) = rows.try_next().await? {
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

#[cfg(test)]
mod tests {
    use serde_json::json;
    use store::{Metadata, RecordedEvent};

    use super::subjects;

    fn event(payload: serde_json::Value) -> RecordedEvent {
        RecordedEvent {
            position: 7,
            tenant_id: "t".into(),
            stream_type: "app_account".into(),
            stream_id: "acc1".into(),
            version: 1,
            event_type: "app_account.created".into(),
            schema_version: 1,
            payload,
            metadata: Metadata::default(),
            recorded_at: "2026-01-01T00:00:00.000Z".into(),
        }
    }

    #[test]
    fn an_event_is_filed_under_its_stream_and_the_ids_it_names_outside_personal_data() {
        let named = subjects(&event(json!({
            "account_id": "acc1",
            "application_id": "app1",
            "user_id": "u1",
            "org_relations": [{"org_id": "o1"}, {"org_id": "o2"}],
            "role_ids": ["r1", "r2", 3],
            "code": "not-an-id",
            "personal": {"manager_id": "secret-person"},
        })));
        assert_eq!(named, ["acc1", "app1", "u1", "o1", "o2", "r1", "r2"]);
    }
}
