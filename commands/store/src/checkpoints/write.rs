//! Writing checkpoints. The chain head is read in one read-only snapshot, signed outside any
//! transaction, and inserted with one short statement: appends never wait on a checkpoint beyond
//! that insert (SQLite's write lock for one row). Several processes over one database may
//! checkpoint the same head: the row is kept once.

use anyhow::Context;
use sqlx::Connection;

use super::{timestamp, Checkpoint, Signer};
use crate::db::{Database, Engine};

/// A tenant's events after its last checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub tenant_id: String,
    pub events: i64,
}

/// A tenant after `checkpoint_tenant`: the checkpoint written, if one was, and how many of its
/// events up to the bound are still after its last checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub written: Option<Checkpoint>,
    pub unsigned: i64,
}

/// The position of the last committed event.
pub async fn last_position(db: &Database) -> anyhow::Result<i64> {
    let (last,): (i64,) = sqlx::query_as("SELECT last_position FROM event_position WHERE id = 1")
        .fetch_one(&db.pool)
        .await
        .context("reading the last position")?;
    Ok(last)
}

/// Each tenant with events after its last checkpoint (up to position `upto`), and how many.
pub async fn pending(db: &Database, upto: i64) -> anyhow::Result<Vec<Pending>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT e.tenant_id, COUNT(*) FROM events e \
         LEFT JOIN (SELECT tenant_id, MAX(position) AS position FROM checkpoints \
                    GROUP BY tenant_id) c ON c.tenant_id = e.tenant_id \
         WHERE e.position > COALESCE(c.position, 0) AND e.position <= $1 \
         GROUP BY e.tenant_id ORDER BY e.tenant_id",
    )
    .bind(upto)
    .fetch_all(&db.pool)
    .await
    .context("counting the events after each tenant's last checkpoint")?;
    Ok(rows
        .into_iter()
        .map(|(tenant_id, events)| Pending { tenant_id, events })
        .collect())
}

/// How many events each tenant appended in positions `after + 1 ..= upto`.
pub async fn appended(db: &Database, after: i64, upto: i64) -> anyhow::Result<Vec<Pending>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT tenant_id, COUNT(*) FROM events WHERE position > $1 AND position <= $2 \
         GROUP BY tenant_id ORDER BY tenant_id",
    )
    .bind(after)
    .bind(upto)
    .fetch_all(&db.pool)
    .await
    .context("counting new events by tenant")?;
    Ok(rows
        .into_iter()
        .map(|(tenant_id, events)| Pending { tenant_id, events })
        .collect())
}

/// Signs the tenant's chain head as of position `upto` (its last event at or before it), if at
/// least `min_events` (at least one) of its events came after its last checkpoint.
pub async fn checkpoint_tenant(
    db: &Database,
    signer: &Signer,
    tenant_id: &str,
    upto: i64,
    min_events: i64,
    now_ms: i64,
) -> anyhow::Result<Status> {
    let head = {
        let mut conn = db.pool.acquire().await?;
        let mut tx = conn.begin().await?;
        if db.engine == Engine::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        let head = read_head(&mut tx, tenant_id, upto).await;
        tx.rollback().await?;
        head?
    };
    let Head {
        since,
        events,
        position,
        hash,
    } = head;
    if since < min_events.max(1) {
        return Ok(Status {
            written: None,
            unsigned: since,
        });
    }
    let checkpoint = signer.sign(tenant_id, position, events, &hash, &timestamp(now_ms));
    let inserted = sqlx::query(
        "INSERT INTO checkpoints \
         (tenant_id, position, events, head_hash, signed_at, key_id, signature) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, position) DO NOTHING",
    )
    .bind(&checkpoint.tenant_id)
    .bind(checkpoint.position)
    .bind(checkpoint.events)
    .bind(&checkpoint.head_hash)
    .bind(&checkpoint.signed_at)
    .bind(&checkpoint.key_id)
    .bind(&checkpoint.signature)
    .execute(&db.pool)
    .await
    .context("storing a checkpoint")?;
    Ok(Status {
        written: (inserted.rows_affected() > 0).then_some(checkpoint),
        unsigned: 0,
    })
}

/// Signs the chain head of every tenant with events after its last checkpoint.
pub async fn checkpoint_all(
    db: &Database,
    signer: &Signer,
    now_ms: i64,
) -> anyhow::Result<Vec<Checkpoint>> {
    let upto = last_position(db).await?;
    let mut written = Vec::new();
    for pending in pending(db, upto).await? {
        let status = checkpoint_tenant(db, signer, &pending.tenant_id, upto, 1, now_ms).await?;
        written.extend(status.written);
    }
    Ok(written)
}

/// A tenant's chain head at a bound, against its last checkpoint.
struct Head {
    /// Events after the last checkpoint.
    since: i64,
    /// Events of the tenant up to the head.
    events: i64,
    position: i64,
    hash: String,
}

async fn read_head(
    conn: &mut sqlx::AnyConnection,
    tenant_id: &str,
    upto: i64,
) -> anyhow::Result<Head> {
    let latest: Option<(i64, i64)> = sqlx::query_as(
        "SELECT position, events FROM checkpoints WHERE tenant_id = $1 \
         ORDER BY position DESC LIMIT 1",
    )
    .bind(tenant_id)
    .fetch_optional(&mut *conn)
    .await
    .context("reading the last checkpoint")?;
    let (after, before) = latest.unwrap_or((0, 0));
    let (since, head): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MAX(position) FROM events \
         WHERE tenant_id = $1 AND position > $2 AND position <= $3",
    )
    .bind(tenant_id)
    .bind(after)
    .bind(upto)
    .fetch_one(&mut *conn)
    .await
    .context("reading the chain head")?;
    let Some(position) = head else {
        return Ok(Head {
            since: 0,
            events: before,
            position: after,
            hash: String::new(),
        });
    };
    let (hash,): (String,) = sqlx::query_as("SELECT hash FROM events WHERE position = $1")
        .bind(position)
        .fetch_one(&mut *conn)
        .await
        .context("reading the chain head's hash")?;
    Ok(Head {
        since,
        events: before + since,
        position,
        hash,
    })
}
