//! Request metadata kept beside the log (DESIGN.md "Audit and compliance", ops/adr/0026): an
//! event's client address and user agent are personal, so since migration 0035 they are stored
//! in `request_metadata`, keyed by position, not in the event's hashed metadata. Erasure and
//! retention delete rows here; the chain never notices.

use std::collections::HashMap;

use anyhow::Context;
use sqlx::AnyConnection;

use super::types::{Metadata, RecordedEvent};
use crate::statements::Statements;

/// The personal part of a request's metadata: (client address, user agent), if any.
pub type Personal = (Option<String>, Option<String>);

pub fn personal(metadata: &Metadata) -> Option<Personal> {
    (metadata.client_ip.is_some() || metadata.user_agent.is_some())
        .then(|| (metadata.client_ip.clone(), metadata.user_agent.clone()))
}

/// The metadata as the chain hashes it: without the personal part.
pub fn chained(metadata: &Metadata) -> Metadata {
    Metadata {
        client_ip: None,
        user_agent: None,
        ..metadata.clone()
    }
}

/// Whose request this was: the person when a user acted, otherwise the stream's subject (an
/// administrator's call about a user is forgotten with the user).
fn subject(event: &RecordedEvent) -> &str {
    match (&event.metadata.actor_kind, &event.metadata.actor_id) {
        (Some(kind), Some(id)) if kind == "user" => id,
        _ => &event.stream_id,
    }
}

/// A row of `request_metadata`, written with the batch's others (`keep_all`).
pub struct Kept {
    tenant_id: String,
    position: i64,
    stream_id: String,
    subject_id: String,
    client_ip: Option<String>,
    user_agent: Option<String>,
    recorded_at: String,
}

impl Kept {
    pub fn of(event: &RecordedEvent, (client_ip, user_agent): &Personal) -> Self {
        Self {
            tenant_id: event.tenant_id.clone(),
            position: event.position,
            stream_id: event.stream_id.clone(),
            subject_id: subject(event).to_string(),
            client_ip: client_ip.clone(),
            user_agent: user_agent.clone(),
            recorded_at: event.recorded_at.clone(),
        }
    }
}

const COLUMNS: [&str; 7] = [
    "tenant_id",
    "position",
    "stream_id",
    "subject_id",
    "client_ip",
    "user_agent",
    "recorded_at",
];

/// Inserts the rows, many to a statement.
pub async fn keep_all(out: &mut Statements<'_>, rows: &[Kept]) -> anyhow::Result<()> {
    crate::rows::insert_all(out, "request_metadata", &COLUMNS, rows, |insert, row| {
        insert
            .bind(row.tenant_id.clone())
            .bind(row.position)
            .bind(row.stream_id.clone())
            .bind(row.subject_id.clone())
            .bind(row.client_ip.clone())
            .bind(row.user_agent.clone())
            .bind(row.recorded_at.clone())
    })
    .await
    .context("keeping request metadata")
}

/// Deletes the request metadata of a subject: its own requests and those about it.
pub async fn forget_subject(
    conn: &mut AnyConnection,
    tenant_id: &str,
    subject: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "DELETE FROM request_metadata WHERE tenant_id = $1 AND (subject_id = $2 OR stream_id = $2)",
    )
    .bind(tenant_id)
    .bind(subject)
    .execute(&mut *conn)
    .await
    .context("forgetting a subject's request metadata")?;
    Ok(())
}

pub async fn forget_up_to(
    conn: &mut AnyConnection,
    tenant_id: &str,
    position: i64,
) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM request_metadata WHERE tenant_id = $1 AND position <= $2")
        .bind(tenant_id)
        .bind(position)
        .execute(&mut *conn)
        .await
        .context("forgetting request metadata")?;
    Ok(())
}

/// Fills the client address and user agent of `events` (of one tenant) from the side table.
pub async fn attach(
    conn: &mut AnyConnection,
    tenant_id: &str,
    events: &mut [RecordedEvent],
) -> anyhow::Result<()> {
    for chunk in events.chunks_mut(500) {
        let list = (0..chunk.len())
            .map(|i| format!("${}", i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT position, client_ip, user_agent FROM request_metadata \
             WHERE tenant_id = $1 AND position IN ({list})"
        );
        let mut query =
            sqlx::query_as::<_, (i64, Option<String>, Option<String>)>(&sql).bind(tenant_id);
        for event in chunk.iter() {
            query = query.bind(event.position);
        }
        let rows: HashMap<i64, Personal> = query
            .fetch_all(&mut *conn)
            .await
            .context("reading request metadata")?
            .into_iter()
            .map(|(position, ip, agent)| (position, (ip, agent)))
            .collect();
        for event in chunk.iter_mut() {
            if let Some((ip, agent)) = rows.get(&event.position) {
                event.metadata.client_ip = ip.clone();
                event.metadata.user_agent = agent.clone();
            }
        }
    }
    Ok(())
}

/// What a retention run with `cutoff` (the store's `recorded_at` form) would forget of the
/// tenant's request metadata: the last position recorded before it and the number of rows up to
/// that position.
pub async fn due(
    conn: &mut AnyConnection,
    tenant_id: &str,
    cutoff: &str,
) -> anyhow::Result<Option<(i64, i64)>> {
    let (last,): (Option<i64>,) = sqlx::query_as(
        "SELECT MAX(position) FROM request_metadata WHERE tenant_id = $1 AND recorded_at < $2",
    )
    .bind(tenant_id)
    .bind(cutoff)
    .fetch_one(&mut *conn)
    .await
    .context("finding request metadata due")?;
    let Some(last) = last else {
        return Ok(None);
    };
    let (count,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM request_metadata WHERE tenant_id = $1 AND position <= $2",
    )
    .bind(tenant_id)
    .bind(last)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Some((last, count)))
}
