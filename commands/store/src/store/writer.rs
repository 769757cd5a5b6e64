//! Group commit: one writer task takes every queued append, writes them in ONE transaction, each
//! under its own savepoint (a conflict or claim violation fails that append alone), commits, and
//! only then answers the callers.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context;
use futures::FutureExt;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Connection, Executor};
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

use super::chain::{self, ChainedFields};
use super::request_metadata;
use super::seal::{has_personal, seal_payload};
use super::types::{AppendError, AppendRequest, Appended, RecordedEvent};
use super::Shared;
use crate::changes::Change;
use crate::crypto::KEY_LEN;
use domain::Forget;

pub const MAX_BATCH: usize = 256;

pub(super) struct Job {
    pub request: AppendRequest,
    pub reply: oneshot::Sender<Result<Appended, AppendError>>,
    /// The span the append was asked for in (a request's use case): the batch's span links to
    /// it (an OpenTelemetry span link), since one batch serves several requests.
    pub caller: tracing::Span,
}

pub(super) async fn run(shared: Arc<Shared>, mut jobs: mpsc::Receiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let requests: Vec<&AppendRequest> = batch.iter().map(|j| &j.request).collect();
        // What is still queued once this batch is taken: a queue that stays full means appends
        // arrive faster than batches commit (docs/operations.md "Metrics").
        metrics::gauge!("idaas_event_store_writer_queue").set(jobs.len() as f64);
        metrics::histogram!("idaas_event_store_batch_appends").record(requests.len() as f64);
        let events: usize = requests.iter().map(|r| r.events.len()).sum();
        let span = tracing::info_span!(
            target: "idaas::trace",
            "append batch",
            appends = requests.len(),
            events
        );
        for job in &batch {
            span.follows_from(job.caller.id());
        }
        let started = std::time::Instant::now();
        let written = write_batch_on_own_connection(&shared, &requests)
            .instrument(span)
            .await;
        metrics::histogram!("idaas_event_store_append_batch_seconds")
            .record(started.elapsed().as_secs_f64());
        count_outcomes(&written, requests.len());
        let db = &shared.db;
        match written {
            Ok(outcomes) => {
                if db.health.is_failing() {
                    // Whether storage has room again is the write probe's to say.
                    let db = db.clone();
                    tokio::spawn(async move { db.probe_write().await });
                }
                for (job, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = job.reply.send(outcome);
                }
            }
            Err(error) => {
                let fault = crate::fault::unavailable(&error);
                match &fault {
                    Some(fault) => db.health.failed(fault, &db.location),
                    None => {
                        tracing::error!(error = %format!("{error:#}"), "append batch failed")
                    }
                }
                for job in batch {
                    let answer = match &fault {
                        Some(fault) => anyhow::Error::new(fault.clone()),
                        None => anyhow::anyhow!("the append failed"),
                    };
                    let _ = job.reply.send(Err(AppendError::Internal(answer)));
                }
            }
        }
    }
}

/// Counts each append of a batch by its outcome.
fn count_outcomes(written: &anyhow::Result<Vec<Result<Appended, AppendError>>>, appends: usize) {
    let count = |outcome: &'static str, n: usize| {
        metrics::counter!("idaas_event_store_appends_total", "outcome" => outcome)
            .increment(n as u64);
    };
    let Ok(outcomes) = written else {
        // The whole batch failed: every append in it was answered with an error.
        return count("error", appends);
    };
    for outcome in outcomes {
        let outcome = match outcome {
            Ok(_) => "ok",
            Err(AppendError::Conflict { .. }) => "conflict",
            Err(AppendError::Claimed { .. }) => "claimed",
            Err(AppendError::GuardFailed(_)) => "guard",
            Err(AppendError::Internal(_)) => "error",
        };
        count(outcome, 1);
    }
}

/// Writes one batch on a pooled connection of its own. If anything fails after the batch began
/// (a statement, the commit itself: a full disk, an I/O error, a lost server) the connection is
/// closed instead of going back to the pool, so no connection can keep a dead or half-finished
/// transaction (and SQLite's write lock) alive; closing it rolls back whatever was begun. Nothing
/// of a failed batch was acknowledged.
async fn write_batch_on_own_connection(
    shared: &Shared,
    requests: &[&AppendRequest],
) -> anyhow::Result<Vec<Result<Appended, AppendError>>> {
    let mut conn = shared
        .db
        .pool
        .acquire()
        .await
        .context("acquiring a connection for an append batch")?;
    // A panic in a projection or decision must not take the writer (and every later append)
    // down with it: the batch fails, its connection is closed, the writer goes on.
    let written = std::panic::AssertUnwindSafe(write_batch(shared, &mut conn, requests))
        .catch_unwind()
        .await
        .unwrap_or_else(|_| Err(anyhow::anyhow!("an append batch panicked")));
    if written.is_err() {
        conn.close_on_drop();
    }
    written
}

/// What one append changes in the batch, merged only when its savepoint is released.
#[derive(Default)]
struct Pending {
    last_position: i64,
    heads: HashMap<String, String>,
    new_keys: Vec<((String, String), [u8; KEY_LEN])>,
    /// Subjects whose data keys were deleted: dropped from the key cache after the commit.
    forgotten: Vec<(String, String)>,
    /// What the appended events touched, told to the change feed after the commit.
    changes: Vec<Change>,
}

async fn write_batch(
    shared: &Shared,
    conn: &mut PoolConnection<Any>,
    requests: &[&AppendRequest],
) -> anyhow::Result<Vec<Result<Appended, AppendError>>> {
    let mut tx = conn.begin().await.context("beginning an append batch")?;
    // Touching the counter row first takes the write lock (SQLite) or the row lock (PostgreSQL),
    // so batches from every process are serialised and positions follow commit order.
    let (start,): (i64,) = sqlx::query_as(
        "UPDATE event_position SET last_position = last_position WHERE id = 1 RETURNING last_position",
    )
    .fetch_one(&mut *tx)
    .await
    .context("locking the position counter")?;
    let mut batch = Pending {
        last_position: start,
        ..Default::default()
    };
    let mut outcomes = Vec::with_capacity(requests.len());
    // Savepoint statements travel together in one round trip: closing one append's savepoint and
    // opening the next one's is a single simple-query call.
    tx.execute("SAVEPOINT append").await?;
    for (index, request) in requests.iter().enumerate() {
        let mut pending = Pending {
            last_position: batch.last_position,
            ..Default::default()
        };
        let outcome = append_one(shared, &mut tx, request, &batch, &mut pending).await;
        let last = index + 1 == requests.len();
        let savepoints = match (outcome.is_ok(), last) {
            (true, true) => "RELEASE SAVEPOINT append",
            (true, false) => "RELEASE SAVEPOINT append; SAVEPOINT append",
            (false, true) => "ROLLBACK TO SAVEPOINT append; RELEASE SAVEPOINT append",
            (false, false) => {
                "ROLLBACK TO SAVEPOINT append; RELEASE SAVEPOINT append; SAVEPOINT append"
            }
        };
        tx.execute(savepoints).await?;
        match outcome {
            Ok(appended) => {
                batch.last_position = pending.last_position;
                batch.heads.extend(pending.heads);
                batch.new_keys.extend(pending.new_keys);
                batch.forgotten.extend(pending.forgotten);
                batch.changes.extend(pending.changes);
                outcomes.push(Ok(appended));
            }
            Err(AppendError::Internal(e)) => match crate::fault::unavailable(&e) {
                Some(fault) => {
                    shared.db.health.failed(&fault, &shared.db.location);
                    outcomes.push(Err(AppendError::Internal(anyhow::Error::new(fault))));
                }
                None => {
                    tracing::error!(error = %format!("{e:#}"), "an append failed");
                    outcomes.push(Err(AppendError::Internal(e)));
                }
            },
            Err(error) => outcomes.push(Err(error)),
        }
    }
    // Chain heads move once per tenant per batch, after every append in it has been decided.
    for (tenant, hash) in &batch.heads {
        sqlx::query(
            "INSERT INTO chain_heads (tenant_id, last_hash) VALUES ($1, $2) \
             ON CONFLICT (tenant_id) DO UPDATE SET last_hash = excluded.last_hash",
        )
        .bind(tenant)
        .bind(hash)
        .execute(&mut *tx)
        .await
        .context("moving a chain head")?;
    }
    if batch.last_position != start {
        sqlx::query("UPDATE event_position SET last_position = $1 WHERE id = 1")
            .bind(batch.last_position)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await.context("committing an append batch")?;
    for (subject, key) in batch.new_keys {
        if !batch.forgotten.contains(&subject) {
            shared.subject_keys.remember(subject, key);
        }
    }
    for (tenant, subject) in &batch.forgotten {
        shared.subject_keys.forget(tenant, subject);
    }
    // Before any appender is answered: a read after a write on this node sees no stale cache.
    shared
        .changes
        .committed(start, batch.last_position, &batch.changes);
    Ok(outcomes)
}

async fn append_one(
    shared: &Shared,
    conn: &mut AnyConnection,
    request: &AppendRequest,
    batch: &Pending,
    pending: &mut Pending,
) -> Result<Appended, AppendError> {
    for guard in &request.guards {
        let holds = guard
            .holds(conn, &request.tenant_id)
            .await
            .with_context(|| format!("checking {}", guard.name()))?;
        if !holds {
            return Err(AppendError::GuardFailed(guard.name()));
        }
    }
    if request.events.is_empty() {
        check_version(conn, request).await?;
        write_claims(shared, conn, request).await?;
        forget(conn, request, pending).await?;
        return Ok(None);
    }
    write_claims(shared, conn, request).await?;
    let tenant = &request.tenant_id;
    let mut prev_hash = match batch.heads.get(tenant) {
        Some(hash) => hash.clone(),
        None => chain_head(conn, tenant).await?,
    };
    // The client address and user agent stay out of the hashed bytes (ops/adr/0026).
    let personal = request_metadata::personal(&request.metadata);
    let chained = request_metadata::chained(&request.metadata);
    let metadata = serde_json::to_string(&chained).context("metadata")?;
    let recorded_at = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    for (index, event) in request.events.iter().enumerate() {
        let version = request.expected_version + index as i64 + 1;
        let position = pending.last_position + 1;
        let stored = if has_personal(&event.payload) {
            // A subject whose key an earlier append of this batch destroyed gets a new key, not
            // the cached one (the cache forgets only once the batch commits).
            let subject = (tenant.clone(), request.stream_id.clone());
            if batch.forgotten.contains(&subject) || pending.forgotten.contains(&subject) {
                shared.subject_keys.drop_cached(tenant, &request.stream_id);
            }
            let key = shared
                .subject_keys
                .for_writing(
                    conn,
                    &shared.keys,
                    tenant,
                    &request.stream_id,
                    &mut pending.new_keys,
                )
                .await?;
            seal_payload(&event.payload, &key)?
        } else {
            event.payload.clone()
        };
        let payload = serde_json::to_string(&stored).context("payload")?;
        let fields = ChainedFields {
            position,
            tenant_id: tenant,
            stream_type: &request.stream_type,
            stream_id: &request.stream_id,
            version,
            event_type: &event.event_type,
            schema_version: i64::from(event.schema_version),
            payload: &payload,
            metadata: &metadata,
            recorded_at: &recorded_at,
        };
        let hash = chain::hash(&prev_hash, &fields);
        // The first insert carries the expected-version check, saving a round trip per append.
        let sql = if index == 0 {
            "INSERT INTO events (position, tenant_id, stream_type, stream_id, version, event_type, \
             schema_version, payload, metadata, recorded_at, prev_hash, hash) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 \
             WHERE (SELECT COALESCE(MAX(version), 0) FROM events \
                    WHERE tenant_id = $2 AND stream_type = $3 AND stream_id = $4) = $13"
        } else {
            "INSERT INTO events (position, tenant_id, stream_type, stream_id, version, event_type, \
             schema_version, payload, metadata, recorded_at, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        };
        let mut insert = sqlx::query(sql)
            .bind(position)
            .bind(tenant)
            .bind(&request.stream_type)
            .bind(&request.stream_id)
            .bind(version)
            .bind(&event.event_type)
            .bind(i64::from(event.schema_version))
            .bind(&payload)
            .bind(&metadata)
            .bind(&recorded_at)
            .bind(&prev_hash)
            .bind(&hash);
        if index == 0 {
            insert = insert.bind(request.expected_version);
        }
        let inserted = insert
            .execute(&mut *conn)
            .await
            .context("inserting an event")?;
        if inserted.rows_affected() == 0 {
            check_version(conn, request).await?;
            return Err(anyhow::anyhow!("the guarded insert wrote nothing").into());
        }
        // Projections see what a reader loading the event would see: an older shape appended
        // by a tool or an import is upcast first, so live rows equal a replay's.
        let (schema_version, payload) = domain::upcast::upcast(
            &shared.upcasters,
            &event.event_type,
            event.schema_version,
            event.payload.clone(),
        );
        let recorded = RecordedEvent {
            position,
            tenant_id: tenant.clone(),
            stream_type: request.stream_type.clone(),
            stream_id: request.stream_id.clone(),
            version,
            event_type: event.event_type.clone(),
            schema_version,
            payload,
            // What a replay will read: projections never see the request metadata kept beside.
            metadata: chained.clone(),
            recorded_at: recorded_at.clone(),
        };
        if let Some(personal) = &personal {
            request_metadata::keep(conn, &recorded, personal).await?;
        }
        project(shared, conn, &recorded).await?;
        pending.changes.push(Change {
            position,
            tenant_id: recorded.tenant_id,
            stream_type: recorded.stream_type,
            stream_id: recorded.stream_id,
            event_type: recorded.event_type,
        });
        prev_hash = hash;
        pending.last_position = position;
    }
    pending.heads.insert(tenant.clone(), prev_hash);
    forget(conn, request, pending).await?;
    Ok(Some(pending.last_position))
}

/// Applies one event to every inline projection, in the append's transaction: one span and one
/// latency sample per event (a span per projection would be a score of spans per event).
async fn project(
    shared: &Shared,
    conn: &mut AnyConnection,
    recorded: &RecordedEvent,
) -> anyhow::Result<()> {
    let span = tracing::info_span!(
        target: "idaas::trace",
        "projection",
        event_type = %recorded.event_type
    );
    let started = std::time::Instant::now();
    async {
        for projector in &shared.projectors {
            projector
                .apply(conn, recorded)
                .await
                .with_context(|| format!("projecting {}", recorded.event_type))?;
        }
        anyhow::Ok(())
    }
    .instrument(span)
    .await?;
    metrics::histogram!("idaas_projection_seconds").record(started.elapsed().as_secs_f64());
    Ok(())
}

/// Forgets what the request says, after its events (ops/adr/0026): a subject's data key and
/// request metadata, or the tenant's request metadata up to a position.
async fn forget(
    conn: &mut AnyConnection,
    request: &AppendRequest,
    pending: &mut Pending,
) -> anyhow::Result<()> {
    let tenant = &request.tenant_id;
    for forget in &request.forget {
        match forget {
            Forget::Subject(subject) => {
                sqlx::query("DELETE FROM subject_keys WHERE tenant_id = $1 AND subject_id = $2")
                    .bind(tenant)
                    .bind(subject)
                    .execute(&mut *conn)
                    .await
                    .context("destroying a subject key")?;
                request_metadata::forget_subject(conn, tenant, subject).await?;
                pending.forgotten.push((tenant.clone(), subject.clone()));
            }
            Forget::RequestMetadataUpTo(position) => {
                request_metadata::forget_up_to(conn, tenant, *position).await?;
            }
        }
    }
    Ok(())
}

/// A conflict unless the stream is at the version the decision was made on.
async fn check_version(
    conn: &mut AnyConnection,
    request: &AppendRequest,
) -> Result<(), AppendError> {
    let (actual,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(MAX(version), 0) FROM events \
         WHERE tenant_id = $1 AND stream_type = $2 AND stream_id = $3",
    )
    .bind(&request.tenant_id)
    .bind(&request.stream_type)
    .bind(&request.stream_id)
    .fetch_one(&mut *conn)
    .await
    .context("reading the stream version")?;
    if actual != request.expected_version {
        return Err(AppendError::Conflict {
            expected: request.expected_version,
            actual,
        });
    }
    Ok(())
}

async fn chain_head(conn: &mut AnyConnection, tenant: &str) -> anyhow::Result<String> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT last_hash FROM chain_heads WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row
        .map(|(h,)| h)
        .unwrap_or_else(|| chain::GENESIS.to_string()))
}

/// Releases first (so a value can move between attributes of one owner), then takes claims;
/// a claim held by another owner fails the append with the claim's kind.
async fn write_claims(
    shared: &Shared,
    conn: &mut AnyConnection,
    request: &AppendRequest,
) -> Result<(), AppendError> {
    let owner = &request.stream_id;
    for claim in &request.releases {
        let tenant = if claim.global {
            "*"
        } else {
            &request.tenant_id
        };
        let kind = claim.kind.as_str();
        sqlx::query(
            "DELETE FROM unique_claims WHERE tenant_id = $1 AND kind = $2 AND claim_key = $3 AND owner = $4",
        )
        .bind(tenant)
        .bind(kind.as_ref())
        .bind(shared.keys.claim_key(&kind, &claim.value))
        .bind(owner)
        .execute(&mut *conn)
        .await
        .context("releasing a claim")?;
    }
    for claim in &request.claims {
        let tenant = if claim.global {
            "*"
        } else {
            &request.tenant_id
        };
        let kind = claim.kind.as_str();
        let key = shared.keys.claim_key(&kind, &claim.value);
        let holder: Option<(String,)> = sqlx::query_as(
            "SELECT owner FROM unique_claims WHERE tenant_id = $1 AND kind = $2 AND claim_key = $3",
        )
        .bind(tenant)
        .bind(kind.as_ref())
        .bind(&key)
        .fetch_optional(&mut *conn)
        .await
        .context("reading a claim")?;
        match holder {
            Some((holder,)) if holder == *owner => {}
            Some(_) => {
                return Err(AppendError::Claimed {
                    kind: claim.kind.clone(),
                })
            }
            None => {
                sqlx::query(
                    "INSERT INTO unique_claims (tenant_id, kind, claim_key, owner) VALUES ($1, $2, $3, $4)",
                )
                .bind(tenant)
                .bind(kind.as_ref())
                .bind(&key)
                .bind(owner)
                .execute(&mut *conn)
                .await
                .context("taking a claim")?;
            }
        }
    }
    Ok(())
}
