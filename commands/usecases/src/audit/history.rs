//! One entity's history (ops/adr/0022): every event of its stream with the fields it changed,
//! before → after, computed by folding the stream's events in order. A payload is flattened into
//! dotted field paths (`personal.email`, `protocols.redirect_uris`); an event changes a field when
//! it carries a value other than the one the fold holds. Lifecycle events that carry no value say
//! what they change by their type (`*.enabled`, `*.disabled`, `*.deleted`, `*.left`). Personal
//! values are masked unless the reader is granted them; secrets are shown as `[secret]` when they
//! changed, never their values.

use std::collections::BTreeMap;

use serde_json::Value;

use super::redact;
use super::Reader;
use crate::state::AppState;
use crate::ServiceError;

/// Fields that say when or how an event was made rather than what the entity is.
const BOOKKEEPING: [&str; 6] = [
    "at",
    "changed",
    "claimed",
    "updated_at",
    "changed_at",
    "deleted_at",
];

/// How deep a payload is flattened; deeper values are compared as a whole.
const MAX_DEPTH: usize = 4;

/// A field an event changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The dotted path of the field (`personal.email`, `enabled`).
    pub field: String,
    /// Null when the field was not set before.
    pub before: Value,
    pub after: Value,
}

/// One event of an entity's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub position: i64,
    pub version: i64,
    pub recorded_at: String,
    pub event_type: String,
    pub actor_kind: Option<String>,
    pub actor_id: Option<String>,
    pub surface: Option<String>,
    pub correlation_id: Option<String>,
    pub changes: Vec<Change>,
}

/// A page of an entity's history; `next_after` is the position to continue after.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPage {
    pub entries: Vec<HistoryEntry>,
    pub next_after: Option<i64>,
}

/// The history of the entity `stream_type`/`stream_id` of the tenant, up to `limit` events after
/// position `after`; `None` when the tenant has no such entity.
pub async fn history(
    state: &AppState,
    reader: &Reader,
    tenant: &str,
    stream_type: &str,
    stream_id: &str,
    after: i64,
    limit: i64,
) -> Result<Option<HistoryPage>, ServiceError> {
    let events = state
        .bus
        .store()
        .load(tenant, stream_type, stream_id)
        .await?;
    if events.is_empty() {
        return Ok(None);
    }
    let limit = limit.clamp(1, super::search::MAX_LIMIT) as usize;
    let mut fold = BTreeMap::new();
    let mut entries = Vec::new();
    let mut more = false;
    for event in &events {
        let changes = changes(&mut fold, &event.event_type, &event.payload);
        if event.position <= after {
            continue;
        }
        if entries.len() == limit {
            more = true;
            break;
        }
        let meta = &event.metadata;
        entries.push(HistoryEntry {
            position: event.position,
            version: event.version,
            recorded_at: event.recorded_at.clone(),
            event_type: event.event_type.clone(),
            actor_kind: meta.actor_kind.clone(),
            actor_id: meta.actor_id.clone(),
            surface: meta.surface.clone(),
            correlation_id: meta.correlation_id.clone(),
            changes: changes.into_iter().map(|c| shown(c, reader)).collect(),
        });
    }
    let next_after = more.then(|| entries.last().map(|e| e.position)).flatten();
    Ok(Some(HistoryPage {
        entries,
        next_after,
    }))
}

/// The fields `payload` changes against `fold`, which it then updates.
pub fn changes(
    fold: &mut BTreeMap<String, Value>,
    event_type: &str,
    payload: &Value,
) -> Vec<Change> {
    let mut fields = BTreeMap::new();
    flatten("", payload, 0, &mut fields);
    let lifecycle = match event_type.rsplit_once('.').map(|(_, action)| action) {
        Some("enabled") => Some(("enabled", Value::Bool(true))),
        Some("disabled") => Some(("enabled", Value::Bool(false))),
        Some("deleted") => Some(("deleted", Value::Bool(true))),
        Some("left") => Some(("left", Value::Bool(true))),
        _ => None,
    };
    if let Some((field, value)) = lifecycle {
        fields.entry(field.to_string()).or_insert(value);
    }
    let mut changed = Vec::new();
    for (field, after) in fields {
        let before = fold.get(&field).cloned().unwrap_or(Value::Null);
        if before != after {
            fold.insert(field.clone(), after.clone());
            changed.push(Change {
                field,
                before,
                after,
            });
        }
    }
    changed
}

/// `value`'s fields as dotted paths below `prefix`. An erased personal object is one field,
/// `personal`, shown as erased.
fn flatten(prefix: &str, value: &Value, depth: usize, out: &mut BTreeMap<String, Value>) {
    let Value::Object(fields) = value else {
        out.insert(prefix.to_string(), value.clone());
        return;
    };
    if depth > 0 && (depth >= MAX_DEPTH || fields.is_empty()) {
        out.insert(prefix.to_string(), value.clone());
        return;
    }
    for (name, value) in fields {
        if depth == 0 && BOOKKEEPING.contains(&name.as_str()) {
            continue;
        }
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        if depth == 0 && name == redact::PERSONAL && redact::is_erased(value) {
            out.insert(path, Value::String(redact::ERASED.into()));
            continue;
        }
        flatten(&path, value, depth + 1, out);
    }
}

/// A change as `reader` may see it.
fn shown(change: Change, reader: &Reader) -> Change {
    let secret = change.field.split('.').any(redact::is_secret);
    let personal = change.field == redact::PERSONAL
        || change.field.starts_with(&format!("{}.", redact::PERSONAL));
    let show = |value: Value| {
        if value.is_null() || value == Value::String(redact::ERASED.into()) {
            value
        } else if secret {
            Value::String(redact::SECRET.into())
        } else if personal && !reader.personal {
            redact::masked(&value)
        } else {
            redact::without_secrets(&value)
        }
    };
    Change {
        before: show(change.before),
        after: show(change.after),
        field: change.field,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn reader(personal: bool) -> Reader {
        Reader {
            application_id: "a".into(),
            personal,
        }
    }

    #[test]
    fn a_fold_names_each_changed_field_before_and_after() {
        let mut fold = BTreeMap::new();
        let created = json!({"user_id": "u1", "password_hash": "h1", "at": 1,
            "personal": {"email": "a@x.test", "mobile": null}});
        let first = changes(&mut fold, "user.created", &created);
        let names: Vec<&str> = first.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(names, ["password_hash", "personal.email", "user_id"]);
        let updated = json!({"user_id": "u1", "at": 2, "changed": ["email"],
            "personal": {"email": "b@x.test", "mobile": "130"}});
        let second = changes(&mut fold, "user.updated", &updated);
        assert_eq!(second.len(), 2);
        assert_eq!(second[0].before, json!("a@x.test"));
        assert_eq!(second[0].after, json!("b@x.test"));
        let masked = shown(second[0].clone(), &reader(false));
        assert_eq!(
            (masked.before, masked.after),
            (json!("[masked]"), json!("[masked]"))
        );
        let disabled = changes(
            &mut fold,
            "user.disabled",
            &json!({"user_id": "u1", "at": 3}),
        );
        assert_eq!(disabled[0].field, "enabled");
        assert_eq!(disabled[0].after, json!(false));
        let password = json!({"user_id": "u1", "password_hash": "h2", "changed_at": 4});
        let secret = shown(
            changes(&mut fold, "user.password_changed", &password)[0].clone(),
            &reader(true),
        );
        assert_eq!(
            (secret.before, secret.after),
            (json!("[secret]"), json!("[secret]"))
        );
        let erased = changes(
            &mut fold,
            "user.updated",
            &json!({"personal": {"erased": true}}),
        );
        assert_eq!(erased[0].field, "personal");
        assert_eq!(
            shown(erased[0].clone(), &reader(false)).after,
            json!("[erased]")
        );
    }
}
