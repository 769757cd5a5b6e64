//! The checkpoints of the export consumers and their dead letters (ops/adr/0024, migration
//! 0033). A consumer's `position` is the last global position it has finished with; it moves
//! forward only through [`advance`], a conditional update on the consumer's `epoch`, which a
//! replay increments: a worker still delivering the run before the replay cannot move the
//! checkpoint again, it re-reads it instead.

use anyhow::Context;
use serde::Serialize;
use sqlx::Row;

use crate::db::Database;

/// A consumer's checkpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checkpoint {
    pub name: String,
    pub kind: String,
    /// The last position the consumer has finished with.
    pub position: i64,
    /// Incremented by each replay.
    pub epoch: i64,
    /// Acknowledged deliveries so far.
    pub delivered: i64,
    /// The process holding the consumer's lease, if any.
    pub owner: Option<String>,
    pub lease_until_ms: i64,
    pub updated_at: String,
}

/// An event a consumer gave up on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadLetter {
    pub consumer: String,
    pub position: i64,
    /// The CloudEvents id, which is also the delivery's idempotency key.
    pub event_id: String,
    pub event_type: String,
    pub attempts: i64,
    /// A status or a transport error: never a body or a secret.
    pub last_error: String,
    pub dead_at: String,
}

const COLUMNS: &str = "name, kind, position, epoch, delivered, owner, lease_until_ms, updated_at";

fn checkpoint_of(row: &sqlx::any::AnyRow) -> anyhow::Result<Checkpoint> {
    Ok(Checkpoint {
        name: row.try_get(0)?,
        kind: row.try_get(1)?,
        position: row.try_get(2)?,
        epoch: row.try_get(3)?,
        delivered: row.try_get(4)?,
        owner: row.try_get(5)?,
        lease_until_ms: row.try_get(6)?,
        updated_at: row.try_get(7)?,
    })
}

/// Records the consumer `name` if it has no checkpoint yet, starting after `start` (0: from the
/// first event; the last position: only new events).
pub async fn register(
    db: &Database,
    name: &str,
    kind: &str,
    start: i64,
    now: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO export_consumers (name, kind, position, epoch, delivered, owner, \
         lease_until_ms, updated_at) VALUES ($1, $2, $3, 0, 0, NULL, 0, $4) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(kind)
    .bind(start)
    .bind(now)
    .execute(&db.pool)
    .await
    .context("registering an export consumer")?;
    Ok(())
}

/// The last position of the whole log (0 when it is empty).
pub async fn last_position(db: &Database) -> anyhow::Result<i64> {
    let (last,): (i64,) = sqlx::query_as("SELECT last_position FROM event_position WHERE id = 1")
        .fetch_one(&db.pool)
        .await
        .context("reading the last position")?;
    Ok(last)
}

/// Takes or renews the consumer's lease for `owner` until `until_ms`, unless another owner holds
/// it beyond `now_ms`; the checkpoint when the lease is this owner's.
pub async fn claim(
    db: &Database,
    name: &str,
    owner: &str,
    now_ms: i64,
    until_ms: i64,
) -> anyhow::Result<Option<Checkpoint>> {
    let row = sqlx::query(&format!(
        "UPDATE export_consumers SET owner = $2, lease_until_ms = $3 \
         WHERE name = $1 AND (owner IS NULL OR owner = $2 OR lease_until_ms < $4) \
         RETURNING {COLUMNS}"
    ))
    .bind(name)
    .bind(owner)
    .bind(until_ms)
    .bind(now_ms)
    .fetch_optional(&db.pool)
    .await
    .context("claiming an export consumer")?;
    row.as_ref().map(checkpoint_of).transpose()
}

/// Gives the lease up (a graceful stop), so another server may take the consumer at once.
pub async fn release(db: &Database, name: &str, owner: &str) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE export_consumers SET owner = NULL, lease_until_ms = 0 WHERE name = $1 AND owner = $2",
    )
    .bind(name)
    .bind(owner)
    .execute(&db.pool)
    .await
    .context("releasing an export consumer")?;
    Ok(())
}

/// A move of a consumer's checkpoint, made by the owner of its lease.
#[derive(Debug, Clone)]
pub struct Advance<'a> {
    pub name: &'a str,
    pub owner: &'a str,
    pub epoch: i64,
    pub from: i64,
    pub to: i64,
    /// Acknowledged deliveries in the move.
    pub delivered: i64,
    /// The lease is renewed until then.
    pub lease_until_ms: i64,
    pub now: &'a str,
}

/// Moves the checkpoint, only if it is still at `from` in `epoch` and the lease is still
/// `owner`'s, and renews the lease. `false`: a replay or another owner moved it; the caller
/// re-reads it.
pub async fn advance(db: &Database, step: &Advance<'_>) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE export_consumers SET position = $5, delivered = delivered + $6, \
         lease_until_ms = $7, updated_at = $8 \
         WHERE name = $1 AND owner = $2 AND epoch = $3 AND position = $4",
    )
    .bind(step.name)
    .bind(step.owner)
    .bind(step.epoch)
    .bind(step.from)
    .bind(step.to)
    .bind(step.delivered)
    .bind(step.lease_until_ms)
    .bind(step.now)
    .execute(&db.pool)
    .await
    .context("advancing an export checkpoint")?;
    Ok(done.rows_affected() == 1)
}

/// Records (or records again) a dead letter.
pub async fn dead_letter(db: &Database, letter: &DeadLetter) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO export_dead_letters (consumer, position, event_id, event_type, attempts, \
         last_error, dead_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (consumer, position) DO UPDATE SET attempts = excluded.attempts, \
         last_error = excluded.last_error, dead_at = excluded.dead_at",
    )
    .bind(&letter.consumer)
    .bind(letter.position)
    .bind(&letter.event_id)
    .bind(&letter.event_type)
    .bind(letter.attempts)
    .bind(&letter.last_error)
    .bind(&letter.dead_at)
    .execute(&db.pool)
    .await
    .context("recording a dead letter")?;
    Ok(())
}

/// Sets the consumer back so that its next delivery is the first event at or after `from`, and
/// removes its dead letters from there on (they are attempted again). The checkpoint before.
pub async fn replay(db: &Database, name: &str, from: i64, now: &str) -> anyhow::Result<i64> {
    anyhow::ensure!(from >= 1, "positions start at 1");
    let mut tx = db.pool.begin().await?;
    let before: Option<(i64,)> =
        sqlx::query_as("SELECT position FROM export_consumers WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((before,)) = before else {
        anyhow::bail!("no export consumer named {name:?} has run on this database");
    };
    sqlx::query(
        "UPDATE export_consumers SET position = $2, epoch = epoch + 1, updated_at = $3 \
         WHERE name = $1",
    )
    .bind(name)
    .bind(from - 1)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM export_dead_letters WHERE consumer = $1 AND position >= $2")
        .bind(name)
        .bind(from)
        .execute(&mut *tx)
        .await?;
    tx.commit().await.context("replaying an export consumer")?;
    Ok(before)
}

/// Every consumer's checkpoint, by name.
pub async fn checkpoints(db: &Database) -> anyhow::Result<Vec<Checkpoint>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM export_consumers ORDER BY name"
    ))
    .fetch_all(&db.pool)
    .await
    .context("reading the export checkpoints")?;
    rows.iter().map(checkpoint_of).collect()
}

/// The dead letters of one consumer (or of all), in position order.
pub async fn dead_letters(
    db: &Database,
    consumer: Option<&str>,
) -> anyhow::Result<Vec<DeadLetter>> {
    const SELECT: &str = "SELECT consumer, position, event_id, event_type, attempts, \
                          last_error, dead_at FROM export_dead_letters";
    let rows = match consumer {
        Some(name) => {
            sqlx::query(&format!("{SELECT} WHERE consumer = $1 ORDER BY position"))
                .bind(name)
                .fetch_all(&db.pool)
                .await
        }
        None => {
            sqlx::query(&format!("{SELECT} ORDER BY consumer, position"))
                .fetch_all(&db.pool)
                .await
        }
    }
    .context("reading the dead letters")?;
    rows.iter()
        .map(|row| {
            Ok(DeadLetter {
                consumer: row.try_get(0)?,
                position: row.try_get(1)?,
                event_id: row.try_get(2)?,
                event_type: row.try_get(3)?,
                attempts: row.try_get(4)?,
                last_error: row.try_get(5)?,
                dead_at: row.try_get(6)?,
            })
        })
        .collect()
}
