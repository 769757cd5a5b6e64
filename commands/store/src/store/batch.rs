//! One batch of appends in one transaction (see `writer`). The transaction is begun and ended by
//! the writer's own statements rather than sqlx's `Transaction`: on SQLite its beginning travels
//! with the position counter's update, and its commit with the batch's held rows, each in one
//! hand-off to SQLite's thread (ops/adr/0035). Every path ends the transaction, or fails the
//! batch, whose connection is then closed (which rolls back whatever was begun).

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Executor};

use super::append::append_one;
use super::types::{AppendError, AppendRequest, Appended};
use super::writer::{flush, gather, Held, KnownHeads, Pending};
use super::Shared;
use crate::statements::Statements;

/// More tenants than this and the known heads start again from none.
const KNOWN_TENANTS: usize = 10_000;

/// Writes a batch. Nearly every batch fails none of its appends, so it is first written without
/// savepoints (a round trip less per append); if an append fails, that transaction is rolled
/// back and the batch is written again with a savepoint around each append, so the failure
/// fails that append alone. A batch of one append is written again only when its failure may
/// hide a conflict (`attempt`).
pub(super) async fn write_batch(
    shared: &Shared,
    conn: &mut PoolConnection<Any>,
    heads: &mut Option<KnownHeads>,
    requests: &[&AppendRequest],
) -> anyhow::Result<Vec<Result<Appended, AppendError>>> {
    let conn: &mut AnyConnection = conn;
    if let Some(outcomes) = attempt(shared, conn, heads, requests, false).await? {
        return Ok(outcomes);
    }
    attempt(shared, conn, heads, requests, true)
        .await?
        .context("a batch written with savepoints kept every outcome")
}

/// Begins the batch's transaction and moves the position counter past its `events` (touching
/// the counter row first takes the write lock on SQLite, the row lock on PostgreSQL, so batches
/// from every process are serialised and positions follow commit order). Answers where the
/// counter stood and the hash of the event there: the known heads hold only if that is still
/// the last event this writer wrote (not merely the same position, as after a failover to a
/// replica that lost it and took as many events from others). On SQLite the two statements are
/// one hand-off.
async fn begin(conn: &mut AnyConnection, events: i64) -> anyhow::Result<(i64, Option<String>)> {
    const MOVE: &str = "UPDATE event_position SET last_position = last_position + $1 WHERE id = 1 \
         RETURNING last_position, \
         (SELECT hash FROM events WHERE position = event_position.last_position - $1)";
    let sqlite = conn.backend_name() == "SQLite";
    if !sqlite {
        conn.execute("BEGIN")
            .await
            .context("beginning an append batch")?;
    }
    // `$1` names the first value of the whole string on SQLite too.
    let sql = match sqlite {
        true => format!("BEGIN IMMEDIATE; {MOVE}"),
        false => MOVE.to_string(),
    };
    // All rows: sqlx's single-row fetch on SQLite reads only the string's first statement.
    let rows: Vec<(i64, Option<String>)> = sqlx::query_as(&sql)
        .bind(events)
        .fetch_all(&mut *conn)
        .await
        .context("locking the position counter")?;
    let Some((moved, last_hash)) = rows.into_iter().next() else {
        anyhow::bail!("the position counter has no row");
    };
    Ok((moved - events, last_hash))
}

async fn rollback(conn: &mut AnyConnection) -> anyhow::Result<()> {
    conn.execute("ROLLBACK")
        .await
        .context("rolling back an append batch")?;
    Ok(())
}

/// One attempt at a batch, with or without savepoints. Without them, the first failing append
/// rolls everything back: `None` (unless it was the batch's only append, whose failure is the
/// answer). `heads`: taken, and put back only when the batch commits.
async fn attempt(
    shared: &Shared,
    conn: &mut AnyConnection,
    heads: &mut Option<KnownHeads>,
    requests: &[&AppendRequest],
    savepoints: bool,
) -> anyhow::Result<Option<Vec<Result<Appended, AppendError>>>> {
    // Without savepoints every append succeeds or the batch is rolled back, so the counter moves
    // past all of the batch's events at once; with them, once the outcomes are known.
    let events = if savepoints {
        0
    } else {
        requests.iter().map(|r| r.events.len() as i64).sum()
    };
    let (start, last_hash) = begin(conn, events).await?;
    let moved = start + events;
    let known = match heads.take() {
        Some(known) if known.position == start && known.last_hash == last_hash => known.hashes,
        _ => Arc::default(),
    };
    let mut batch = Pending {
        last_position: start,
        last_hash,
        known_heads: known.clone(),
        ..Default::default()
    };
    let mut outcomes = Vec::with_capacity(requests.len());
    let mut held = Held::default();
    // Savepoint statements travel together in one round trip: closing one append's savepoint and
    // opening the next one's is a single simple-query call.
    if savepoints {
        conn.execute("SAVEPOINT append").await?;
    }
    for (index, request) in requests.iter().enumerate() {
        let mut pending = Pending {
            last_position: batch.last_position,
            ..Default::default()
        };
        let mut outcome = append_one(
            shared,
            conn,
            request,
            &batch,
            &mut pending,
            &mut held,
            !savepoints,
        )
        .await;
        if savepoints {
            // The append's held rows are written inside its savepoint, or dropped with it.
            if outcome.is_ok() {
                if let Err(error) = flush(shared, conn, &mut held).await {
                    outcome = Err(error.into());
                }
            }
            held.clear();
        }
        if !savepoints && outcome.is_err() {
            rollback(conn).await?;
            // An append with events had its version checked by nothing yet (its events were
            // held): it is written again with its version checked first, so a stream at another
            // version is answered as a conflict; unless a guard or a claim, decided before its
            // events, refused an append to a stream that exists (answered so before, too).
            let answered = !starts_stream(request)
                && matches!(
                    outcome,
                    Err(AppendError::GuardFailed(_) | AppendError::Claimed { .. })
                );
            if requests.len() > 1 || (!request.events.is_empty() && !answered) {
                return Ok(None);
            }
            return Ok(Some(vec![settle(shared, outcome)]));
        }
        let last = index + 1 == requests.len();
        let statements = match (outcome.is_ok(), last) {
            _ if !savepoints => None,
            (true, true) => Some("RELEASE SAVEPOINT append"),
            (true, false) => Some("RELEASE SAVEPOINT append; SAVEPOINT append"),
            (false, true) => Some("ROLLBACK TO SAVEPOINT append; RELEASE SAVEPOINT append"),
            (false, false) => {
                Some("ROLLBACK TO SAVEPOINT append; RELEASE SAVEPOINT append; SAVEPOINT append")
            }
        };
        if let Some(statements) = statements {
            conn.execute(statements).await?;
        }
        if outcome.is_ok() {
            // An append's heads are of its one tenant, its last event's hash.
            if let Some(hash) = pending.heads.values().next() {
                batch.last_hash = Some(hash.clone());
            }
            batch.last_position = pending.last_position;
            batch.heads.extend(pending.heads);
            batch.new_keys.extend(pending.new_keys);
            batch.forgotten.extend(pending.forgotten);
            batch.changes.extend(pending.changes);
        }
        outcomes.push(settle(shared, outcome));
    }
    // Only a batch without savepoints holds rows here. If they fail (an event of a version
    // another append wrote first breaks the stream's key, or a stream is not at the version an
    // append expected), the batch, even of one append, is written again with savepoints, where
    // each append's version is checked on its own and a failure fails that append alone. A
    // storage fault fails the batch at once.
    if let Err(error) = finish(shared, conn, &mut held, &batch, moved).await {
        if savepoints || crate::fault::unavailable(&error).is_some() {
            return Err(error);
        }
        if let Err(rollback) = rollback(conn).await {
            return Err(error.context(format!("then rolling back failed: {rollback:#}")));
        }
        return Ok(None);
    }
    *heads = Some(KnownHeads {
        position: batch.last_position,
        last_hash: batch.last_hash.take(),
        hashes: known_after(known, &mut batch),
    });
    for (subject, key) in batch.new_keys {
        if !batch.forgotten.contains(&subject) {
            shared.subject_keys.remember(subject, key);
        }
    }
    for (tenant, subject) in &batch.forgotten {
        shared.subject_keys.forget(tenant, subject);
    }
    if let Some(checkpoints) = &shared.checkpoints {
        checkpoints.committed();
    }
    // Before any appender is answered: a read after a write on this node sees no stale cache.
    shared
        .changes
        .committed(start, batch.last_position, &batch.changes);
    Ok(Some(outcomes))
}

/// Writes what the batch holds, moves its chain heads (once per tenant, after every append in
/// it has been decided) and, where the batch's appends left it elsewhere, the position counter;
/// then commits. On SQLite all of it is one hand-off, the commit included (a failing statement
/// stops the script before it).
async fn finish(
    shared: &Shared,
    conn: &mut AnyConnection,
    held: &mut Held,
    batch: &Pending,
    moved: i64,
) -> anyhow::Result<()> {
    let mut out = Statements::on(conn);
    gather(shared, &mut out, held).await?;
    move_heads(&mut out, &batch.heads).await?;
    if batch.last_position != moved {
        let position = batch.last_position;
        out.push(
            "UPDATE event_position SET last_position = $1 WHERE id = 1",
            |v| {
                v.bind(position);
            },
        )
        .await?;
    }
    if out.gathers() {
        out.push("COMMIT", |_| {}).await?;
        return out.send().await.context("committing an append batch");
    }
    conn.execute("COMMIT")
        .await
        .context("committing an append batch")?;
    Ok(())
}

/// The batch's chain heads, in one statement.
async fn move_heads(
    out: &mut Statements<'_>,
    heads: &HashMap<String, String>,
) -> anyhow::Result<()> {
    if heads.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO chain_heads (tenant_id, last_hash) VALUES {} \
         ON CONFLICT (tenant_id) DO UPDATE SET last_hash = excluded.last_hash",
        crate::rows::tuples(2, heads.len(), out.gathers())
    );
    out.push_written(&sql, |values| {
        for (tenant, hash) in heads {
            values.bind(tenant.clone()).bind(hash.clone());
        }
    })
    .await
    .context("moving the chain heads")
}

/// Whether an append starts a stream.
fn starts_stream(request: &AppendRequest) -> bool {
    request.expected_version == 0 && !request.events.is_empty()
}

/// The heads known before a batch with those it moved (its own copy of the map is dropped
/// first, so the map is changed in place).
fn known_after(
    mut known: Arc<HashMap<String, String>>,
    batch: &mut Pending,
) -> Arc<HashMap<String, String>> {
    batch.known_heads = Arc::default();
    let hashes = Arc::make_mut(&mut known);
    if hashes.len() + batch.heads.len() > KNOWN_TENANTS {
        hashes.clear();
    }
    hashes.extend(batch.heads.drain());
    known
}

/// An append's outcome as answered: an internal error that is a storage fault marks the
/// database failing (and is answered as that fault); any other is logged.
fn settle(
    shared: &Shared,
    outcome: Result<Appended, AppendError>,
) -> Result<Appended, AppendError> {
    match outcome {
        Err(AppendError::Internal(e)) => match crate::fault::unavailable(&e) {
            Some(fault) => {
                shared.db.health.failed(&fault, &shared.db.location);
                Err(AppendError::Internal(anyhow::Error::new(fault)))
            }
            None => {
                tracing::error!(error = %format!("{e:#}"), "an append failed");
                Err(AppendError::Internal(e))
            }
        },
        outcome => outcome,
    }
}
