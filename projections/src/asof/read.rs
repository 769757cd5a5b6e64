//! Reading the temporal rows (ops/adr/0025): the open facts of a scope, the facts valid at a
//! position with the events that opened them, and the instant → position mapping.

use sqlx::{AnyConnection, AnyPool};

use super::facts::{Columns, Fact, Kind, Side};

/// An end of a fact's validity: the event that opened or closed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub position: i64,
    /// RFC 3339 UTC with milliseconds.
    pub at: String,
    pub event_type: String,
    pub actor_kind: Option<String>,
    pub actor_id: Option<String>,
}

/// A fact and its validity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid {
    pub kind: String,
    pub fact: Fact,
    pub from: Mark,
    /// `None` while the fact holds.
    pub to: Option<Mark>,
}

/// The sixteen columns of a temporal row, in `COLUMNS` order.
type Row = (
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn valid(r: Row) -> Valid {
    let (kind, subject_id, object_id, via_id, state, until_ms) = (r.0, r.1, r.2, r.3, r.4, r.5);
    let to = match (r.11, r.12, r.13) {
        (Some(position), Some(at), Some(event_type)) => Some(Mark {
            position,
            at,
            event_type,
            actor_kind: r.14,
            actor_id: r.15,
        }),
        _ => None,
    };
    Valid {
        kind,
        fact: Fact {
            subject_id,
            object_id,
            via_id,
            state,
            until_ms,
        },
        from: Mark {
            position: r.6,
            at: r.7,
            event_type: r.8,
            actor_kind: r.9,
            actor_id: r.10,
        },
        to,
    }
}

const COLUMNS: &str = "kind, subject_id, object_id, via_id, state, until_ms, from_position, \
    from_at, from_event, from_actor_kind, from_actor_id, to_position, to_at, to_event, \
    to_actor_kind, to_actor_id";

/// The facts of `kind` whose `side` is `id` that hold now.
pub async fn open(
    conn: &mut AnyConnection,
    tenant: &str,
    kind: Kind,
    side: Side,
    id: &str,
) -> anyhow::Result<Vec<Fact>> {
    let rows: Vec<Columns> = sqlx::query_as(&format!(
        "SELECT subject_id, object_id, via_id, state, until_ms FROM proj_asof \
         WHERE tenant_id = $1 AND kind = $2 AND {} = $3 AND to_position IS NULL",
        side.column()
    ))
    .bind(tenant)
    .bind(kind.name())
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(Fact::from).collect())
}

/// The facts of `kind` whose `side` is `id` that held just after the event at `position`, in
/// the order they were opened.
pub async fn valid_at(
    pool: &AnyPool,
    tenant: &str,
    kind: Kind,
    side: Side,
    id: &str,
    position: i64,
) -> anyhow::Result<Vec<Valid>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM proj_asof WHERE tenant_id = $1 AND kind = $2 AND {} = $3 \
         AND from_position <= $4 AND (to_position IS NULL OR to_position > $4) \
         ORDER BY from_position, via_id, object_id",
        side.column()
    ))
    .bind(tenant)
    .bind(kind.name())
    .bind(id)
    .bind(position)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(valid).collect())
}

/// Every fact of `kind` in the tenant that held just after the event at `position`.
pub async fn all_valid_at(
    pool: &AnyPool,
    tenant: &str,
    kind: Kind,
    position: i64,
) -> anyhow::Result<Vec<Valid>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM proj_asof WHERE tenant_id = $1 AND kind = $2 \
         AND from_position <= $3 AND (to_position IS NULL OR to_position > $3) \
         ORDER BY from_position, subject_id"
    ))
    .bind(tenant)
    .bind(kind.name())
    .bind(position)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(valid).collect())
}

/// The positions in `(after, until]` at which a fact of `kind` whose `side` is `id` opened or
/// closed: the instants at which an answer about it can change.
pub async fn changes(
    pool: &AnyPool,
    tenant: &str,
    kind: Kind,
    side: Side,
    id: &str,
    after: i64,
    until: i64,
) -> anyhow::Result<Vec<i64>> {
    let rows: Vec<(i64, Option<i64>)> = sqlx::query_as(&format!(
        "SELECT from_position, to_position FROM proj_asof WHERE tenant_id = $1 AND kind = $2 \
         AND {} = $3 AND (to_position IS NULL OR to_position > $4) AND from_position <= $5",
        side.column()
    ))
    .bind(tenant)
    .bind(kind.name())
    .bind(id)
    .bind(after)
    .bind(until)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .flat_map(|(from, to)| [Some(from), to])
        .flatten()
        .filter(|p| *p > after && *p <= until)
        .collect())
}

/// The tenant's last position recorded at or before `at` (RFC 3339 UTC with milliseconds, as
/// the store writes it), 0 when the tenant had no event yet.
pub async fn position_at(pool: &AnyPool, tenant: &str, at: &str) -> anyhow::Result<i64> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT position FROM proj_audit_trail WHERE tenant_id = $1 AND recorded_at <= $2 \
         ORDER BY recorded_at DESC, position DESC LIMIT 1",
    )
    .bind(tenant)
    .bind(at)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(p,)| p).unwrap_or(0))
}

/// The tenant's last position, 0 when it has no event.
pub async fn last_position(pool: &AnyPool, tenant: &str) -> anyhow::Result<i64> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT position FROM proj_audit_trail WHERE tenant_id = $1 \
         ORDER BY position DESC LIMIT 1",
    )
    .bind(tenant)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(p,)| p).unwrap_or(0))
}
