//! The audit API's event search (ops/adr/0022): a tenant's audit trail rows that match every
//! filter given, in position order after a position, one page at a time. Each filter has its own
//! index in position order (migration 0031), so a page reads about as many rows as it returns.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::support::escape_like;

/// What to look for; every filter given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// The actor's id (an application, a user, `cli`, `system`…).
    pub actor: Option<String>,
    /// The actor's kind (`application`, `user`, `admin`, `system`).
    pub actor_kind: Option<String>,
    /// An entity the event names: its stream or an id in its payload (`audit_trail::subjects`).
    pub subject: Option<String>,
    pub stream_type: Option<String>,
    pub stream_id: Option<String>,
    /// An event type, or a prefix of one when it ends in `*` (`user.*`).
    pub event_type: Option<String>,
    pub surface: Option<String>,
    /// Recorded at or after this instant (the store's `recorded_at` form, UTC).
    pub from: Option<String>,
    /// Recorded before this instant.
    pub to: Option<String>,
    pub correlation_id: Option<String>,
}

/// One audit trail row: where the event is, who did it through what, and its summary.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailRow {
    pub position: i64,
    pub stream_type: String,
    pub stream_id: String,
    pub version: i64,
    pub event_type: String,
    pub actor_id: Option<String>,
    pub actor_kind: Option<String>,
    pub surface: Option<String>,
    pub request_id: Option<String>,
    pub correlation_id: Option<String>,
    pub causation_id: Option<String>,
    pub summary: String,
    pub recorded_at: String,
}

const COLUMNS: &str = "position, stream_type, stream_id, version, event_type, actor_id, \
                       actor_kind, surface, request_id, correlation_id, causation_id, summary, \
                       recorded_at";

fn trail_row(row: &AnyRow) -> Result<TrailRow, sqlx::Error> {
    Ok(TrailRow {
        position: row.try_get("position")?,
        stream_type: row.try_get("stream_type")?,
        stream_id: row.try_get("stream_id")?,
        version: row.try_get("version")?,
        event_type: row.try_get("event_type")?,
        actor_id: row.try_get("actor_id")?,
        actor_kind: row.try_get("actor_kind")?,
        surface: row.try_get("surface")?,
        request_id: row.try_get("request_id")?,
        correlation_id: row.try_get("correlation_id")?,
        causation_id: row.try_get("causation_id")?,
        summary: row.try_get("summary")?,
        recorded_at: row.try_get("recorded_at")?,
    })
}

/// The condition and its text arguments (numbered from `$4`: `$1` is the tenant, `$2` the
/// position to start after, `$3` the row limit).
fn condition(filter: &EventFilter) -> (String, Vec<String>) {
    let mut parts = vec!["tenant_id = $1".to_string(), "position > $2".to_string()];
    let mut args = Vec::new();
    let mut equal = |column: &str, value: &Option<String>, op: &str| {
        if let Some(value) = value {
            args.push(value.clone());
            parts.push(format!("{column} {op} ${}", args.len() + 3));
        }
    };
    equal("actor_id", &filter.actor, "=");
    equal("actor_kind", &filter.actor_kind, "=");
    equal("stream_type", &filter.stream_type, "=");
    equal("stream_id", &filter.stream_id, "=");
    equal("surface", &filter.surface, "=");
    equal("recorded_at", &filter.from, ">=");
    equal("recorded_at", &filter.to, "<");
    equal("correlation_id", &filter.correlation_id, "=");
    match filter
        .event_type
        .as_deref()
        .map(|t| (t, t.strip_suffix('*')))
    {
        Some((_, Some(prefix))) => {
            args.push(format!("{}%", escape_like(prefix)));
            parts.push(format!("event_type LIKE ${} ESCAPE '\\'", args.len() + 3));
        }
        Some((exact, None)) => {
            args.push(exact.to_string());
            parts.push(format!("event_type = ${}", args.len() + 3));
        }
        None => {}
    }
    if let Some(subject) = &filter.subject {
        args.push(subject.clone());
        parts.push(format!(
            "position IN (SELECT position FROM proj_audit_subjects WHERE tenant_id = $1 \
             AND subject_id = ${} AND position > $2)",
            args.len() + 3
        ));
    }
    (parts.join(" AND "), args)
}

/// Up to `limit` rows of the tenant matching `filter` with a position after `after`, in
/// position order.
pub async fn search(
    pool: &AnyPool,
    tenant: &str,
    filter: &EventFilter,
    after: i64,
    limit: i64,
) -> anyhow::Result<Vec<TrailRow>> {
    let (condition, args) = condition(filter);
    let sql = format!(
        "SELECT {COLUMNS} FROM proj_audit_trail WHERE {condition} ORDER BY position LIMIT $3"
    );
    let mut query = sqlx::query(&sql).bind(tenant).bind(after).bind(limit);
    for arg in args {
        query = query.bind(arg);
    }
    let rows = query.fetch_all(pool).await?;
    Ok(rows.iter().map(trail_row).collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_filter_is_one_numbered_condition() {
        let filter = EventFilter {
            actor: Some("app1".into()),
            event_type: Some("user.*".into()),
            subject: Some("u1".into()),
            from: Some("2026-01-01T00:00:00.000Z".into()),
            ..EventFilter::default()
        };
        let (sql, args) = condition(&filter);
        assert_eq!(
            sql,
            "tenant_id = $1 AND position > $2 AND actor_id = $4 AND recorded_at >= $5 AND \
             event_type LIKE $6 ESCAPE '\\' AND position IN (SELECT position FROM \
             proj_audit_subjects WHERE tenant_id = $1 AND subject_id = $7 AND position > $2)"
        );
        assert_eq!(args, ["app1", "2026-01-01T00:00:00.000Z", "user.%", "u1"]);
        let exact = EventFilter {
            event_type: Some("user_type.created".into()),
            ..EventFilter::default()
        };
        assert_eq!(condition(&exact).1, ["user_type.created"]);
    }
}
