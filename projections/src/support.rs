//! Small helpers shared by the projections.

use domain::aggregate::from_stored;
use domain::DomainEvent;
use sqlx::AnyPool;
use store::RecordedEvent;

/// The typed event of a recorded one, or an error naming its position.
pub fn typed<E: DomainEvent>(event: &RecordedEvent) -> anyhow::Result<E> {
    from_stored(&event.event_type, event.payload.clone()).map_err(|e| {
        anyhow::anyhow!(
            "event {} at position {} does not parse: {e}",
            event.event_type,
            event.position
        )
    })
}

/// `$from, $from+1, …` placeholders for an IN list.
pub fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `text` as a literal inside a LIKE pattern (with `ESCAPE '\'`): `\`, `%` and `_` escaped.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// A LIKE pattern (with `ESCAPE '\'`) for values containing `text`.
pub fn contains(text: &str) -> String {
    format!("%{}%", escape_like(text))
}

pub fn flag(value: bool) -> i64 {
    i64::from(value)
}

/// The ids among `ids` that `select` finds: `select` takes `$1` the tenant and `$2` a scope id
/// (application or role) and ends in `IN`, to which the id list is appended.
pub async fn ids_among(
    pool: &AnyPool,
    select: &str,
    tenant: &str,
    scope: &str,
    ids: &[String],
) -> anyhow::Result<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{select} ({})", placeholders(3, ids.len()));
    let mut query = sqlx::query_as::<_, (String,)>(&sql)
        .bind(tenant)
        .bind(scope);
    for id in ids {
        query = query.bind(id.clone());
    }
    Ok(query
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect())
}
