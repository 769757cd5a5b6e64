//! Group commit: one writer task takes every queued append, writes them in ONE transaction (a
//! conflict or claim violation fails that append alone: see `write_batch`), commits, and only
//! then answers the callers.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context;
use futures::FutureExt;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool};
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

use super::batch::write_batch;
use super::read::StoredRow;
use super::request_metadata;
use super::sync::Deferred;
use super::types::{AppendError, AppendRequest, Appended, RecordedEvent};
use super::Shared;
use crate::changes::Change;
use crate::crypto::KEY_LEN;
use crate::statements::Statements;

pub const MAX_BATCH: usize = 256;

/// Prepared statements the writer's PostgreSQL connection keeps, unless the database URL sets
/// `statement-cache-capacity`: a shape per row count (64 at most) of each of the eight tables the
/// batches insert many rows into, and its other statements.
const WRITER_STATEMENTS: usize = 1024;

/// How long the writer keeps its connection without a batch to write.
const KEEP_IDLE_CONNECTION: std::time::Duration = std::time::Duration::from_secs(1);

pub(super) struct Job {
    pub request: AppendRequest,
    pub reply: oneshot::Sender<Result<Appended, AppendError>>,
    /// The span the append was asked for in (a request's use case): the batch's span links to
    /// it (an OpenTelemetry span link), since one batch serves several requests.
    pub caller: tracing::Span,
}

/// Starts the writer on a thread and a runtime of its own (ops/adr/0030, 0033). The writer waits
/// for the answer to each statement in turn, so on the shared runtime every step of every batch
/// would first wait behind the requests ready to run there, and every append would wait for all
/// of them. SQLite answers from a thread of its own; PostgreSQL answers on a socket, so there the
/// writer has a connection of its own (`source`), opened on its runtime.
pub(super) fn start(shared: Arc<Shared>, jobs: mpsc::Receiver<Job>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::warn!(%error, "the writer runs on the shared runtime");
            let source = Source {
                pool: shared.db.pool.clone(),
                own: false,
            };
            tokio::spawn(run(shared, source, None, jobs));
            return;
        }
    };
    // The write probe runs on the shared runtime, where the connections it opens belong.
    let shared_runtime = tokio::runtime::Handle::try_current().ok();
    let thread = std::thread::Builder::new().name("idaas-writer".into());
    // The thread ends when the store (every sender of jobs) is dropped.
    let started = thread.spawn(move || {
        runtime.block_on(async move {
            let source = source(&shared.db);
            let pool = source.pool.clone();
            run(shared, source, shared_runtime, jobs).await;
            pool.close().await;
        })
    });
    if let Err(error) = started {
        panic!("starting the event store's writer thread: {error}");
    }
}

/// Where the writer takes its connection from.
struct Source {
    pool: AnyPool,
    /// A pool of its own (PostgreSQL), closed when the store's pool closes.
    own: bool,
}

/// On PostgreSQL, a pool of one connection of the writer's own, made on the writer's runtime (a
/// socket is driven by the runtime it was opened on), with the store pool's options and acquire
/// timeout; on SQLite the store's pool (its connections are threads, and sharing them keeps the
/// limit on connections to the file).
fn source(db: &crate::db::Database) -> Source {
    if db.engine == crate::db::Engine::Sqlite {
        return Source {
            pool: db.pool.clone(),
            own: false,
        };
    }
    let mut options = (*db.pool.connect_options()).clone();
    // Its multi-row inserts have a shape per row count (`rows::insert_all`), each kept prepared.
    let url = &mut options.database_url;
    if !url
        .query_pairs()
        .any(|(name, _)| name == "statement-cache-capacity")
    {
        url.query_pairs_mut()
            .append_pair("statement-cache-capacity", &WRITER_STATEMENTS.to_string());
    }
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .acquire_timeout(db.pool.options().get_acquire_timeout())
        .connect_lazy_with(options);
    Source { pool, own: true }
}

/// `probes`: the runtime the write probe is spawned on (the writer's own when `None`).
async fn run(
    shared: Arc<Shared>,
    source: Source,
    probes: Option<tokio::runtime::Handle>,
    mut jobs: mpsc::Receiver<Job>,
) {
    let pool = &source.pool;
    // The writer keeps its connection from batch to batch: on SQLite a connection's page cache
    // is dropped whenever another connection wrote, so a connection of its own keeps the pages
    // it writes to warm (ops/adr/0031).
    let mut conn: Option<PoolConnection<Any>> = None;
    let mut heads: Option<KnownHeads> = None;
    // SQLite with `synchronous = FULL`: each batch's log is synced beside the writer.
    let mut deferred = Deferred::start(&shared.db);
    loop {
        let first = tokio::select! {
            job = jobs.recv() => job,
            // A closed pool (shutting down, or storage given up) gets its connection back, or
            // closing it would wait for the writer's next batch; the writer's own pool closes
            // with it (the next batch fails as the store's pool is closed).
            _ = shared.db.pool.close_event(), if conn.is_some() || (source.own && !pool.is_closed()) => {
                conn = None;
                if source.own {
                    pool.close().await;
                }
                continue;
            }
            // Idle, it goes back to the pool, whose check on acquiring replaces a connection
            // the server closed meanwhile (a restart, an idle time-out).
            _ = tokio::time::sleep(KEEP_IDLE_CONNECTION), if conn.is_some() => {
                if let (Some(idle), Some(_)) = (conn.take(), &deferred) {
                    Deferred::give_back(idle).await;
                }
                continue;
            }
        };
        let Some(first) = first else {
            // The store is gone; a pool still open gets the connection back syncing its commits.
            if let (Some(last), Some(_)) = (conn.take(), &deferred) {
                Deferred::give_back(last).await;
            }
            break;
        };
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
        let written = write_batch_on_own_connection(
            &shared,
            pool,
            &mut conn,
            &mut deferred,
            &mut heads,
            &requests,
        )
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
                    let probe = async move { db.probe_write().await };
                    match &probes {
                        Some(runtime) => drop(runtime.spawn(probe)),
                        None => drop(tokio::spawn(probe)),
                    }
                }
                let answers = batch.into_iter().map(|job| job.reply).zip(outcomes);
                match &mut deferred {
                    // Answered once the log holding the batch is synced (ops/adr/0036).
                    Some(deferred) => {
                        deferred.answer(answers.collect());
                        deferred.keep_up().await;
                    }
                    None => {
                        for (reply, outcome) in answers {
                            let _ = reply.send(outcome);
                        }
                    }
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

/// Writes one batch on the writer's own pooled connection, acquired when it has none. If
/// anything fails after the batch began (a statement, the commit itself: a full disk, an I/O
/// error, a lost server) the connection is closed instead of going back to the pool, so no
/// connection can keep a dead or half-finished transaction (and SQLite's write lock) alive;
/// closing it rolls back whatever was begun, and the next batch acquires another. Nothing of a
/// failed batch was acknowledged.
async fn write_batch_on_own_connection(
    shared: &Shared,
    pool: &AnyPool,
    held: &mut Option<PoolConnection<Any>>,
    deferred: &mut Option<Deferred>,
    heads: &mut Option<KnownHeads>,
    requests: &[&AppendRequest],
) -> anyhow::Result<Vec<Result<Appended, AppendError>>> {
    if shared.db.pool.is_closed() {
        // The store's pool closed (shutting down, or storage given up): so is the writer.
        *held = None;
        return Err(sqlx::Error::PoolClosed).context("acquiring a connection for an append batch");
    }
    let mut conn = match held.take() {
        Some(conn) => conn,
        None => {
            let mut conn = pool
                .acquire()
                .await
                .context("acquiring a connection for an append batch")?;
            if let Some(deferred) = deferred {
                if let Err(error) = deferred.take(&mut conn).await {
                    conn.close_on_drop();
                    return Err(error);
                }
            }
            conn
        }
    };
    // A panic in a projection or decision must not take the writer (and every later append)
    // down with it: the batch fails, its connection is closed, the writer goes on.
    let written = std::panic::AssertUnwindSafe(write_batch(shared, &mut conn, heads, requests))
        .catch_unwind()
        .await
        .unwrap_or_else(|_| Err(anyhow::anyhow!("an append batch panicked")));
    if written.is_err() {
        conn.close_on_drop();
    } else {
        *held = Some(conn);
    }
    written
}

/// Rows held until the end of a batch and written there together (ops/adr/0030, 0034): the
/// events, events for the batched projections (the audit trail) and request metadata. Written earlier, before a guard, a forgetting or a read of a stream's
/// version, which may read them; a batch with savepoints holds no events and writes the other
/// rows at the end of each append.
#[derive(Default)]
pub(super) struct Held {
    pub inserts: Vec<StoredRow>,
    /// The held appends to streams that existed, each at the version it expected.
    pub follows: Vec<Follows>,
    pub events: Vec<RecordedEvent>,
    pub metadata: Vec<request_metadata::Kept>,
}

/// A stream's event an append expects to follow on from.
pub(super) struct Follows {
    pub tenant_id: String,
    pub stream_type: String,
    pub stream_id: String,
    pub version: i64,
}

impl Follows {
    /// Whether an event held in the same batch is the one this append follows on from: it is
    /// there once the batch's events are inserted (or the batch fails on the stream's key).
    fn held_in(&self, inserts: &[StoredRow]) -> bool {
        inserts.iter().any(|row| {
            row.version == self.version
                && row.stream_id == self.stream_id
                && row.stream_type == self.stream_type
                && row.tenant_id == self.tenant_id
        })
    }
}

impl Held {
    pub fn clear(&mut self) {
        self.inserts.clear();
        self.follows.clear();
        self.events.clear();
        self.metadata.clear();
    }
}

/// Writes what is held (on SQLite in one hand-off to its thread).
pub(super) async fn flush(
    shared: &Shared,
    conn: &mut AnyConnection,
    held: &mut Held,
) -> anyhow::Result<()> {
    let mut out = Statements::on(conn);
    gather(shared, &mut out, held).await?;
    out.send().await
}

/// Gathers what is held into `out` (ops/adr/0035): the events first (the audit trail reads a
/// stream's earlier events), after the check that each append follows on from its stream.
pub(super) async fn gather(
    shared: &Shared,
    out: &mut Statements<'_>,
    held: &mut Held,
) -> anyhow::Result<()> {
    let unmet: Vec<&Follows> = held
        .follows
        .iter()
        .filter(|follows| !follows.held_in(&held.inserts))
        .collect();
    if !unmet.is_empty() {
        check_follows(out.conn().await?, &unmet).await?;
    }
    if !held.inserts.is_empty() {
        crate::rows::insert_all(
            out,
            "events",
            &StoredRow::COLUMNS,
            &held.inserts,
            |insert, row| row.bind(insert),
        )
        .await
        .context("inserting events")?;
    }
    if !held.metadata.is_empty() {
        request_metadata::keep_all(out, &held.metadata).await?;
    }
    if !held.events.is_empty() {
        let started = std::time::Instant::now();
        for projector in shared.projectors.iter().filter(|p| p.batched()) {
            projector
                .apply_all(out, &held.events)
                .await
                .with_context(|| format!("projecting {} events", held.events.len()))?;
        }
        metrics::histogram!("idaas_projection_batch_seconds")
            .record(started.elapsed().as_secs_f64());
    }
    held.clear();
    Ok(())
}

/// The chain heads as this writer's last batch left them, and the position it left: while the
/// position counter still reads that position when a batch takes the counter's lock, nothing
/// was appended since (every append takes that lock first), so the heads need no read.
pub(super) struct KnownHeads {
    pub position: i64,
    /// The hash of the event at `position` (none before the first).
    pub last_hash: Option<String>,
    pub hashes: Arc<HashMap<String, String>>,
}

/// Each held append to a stream that existed follows on from the version it expected: that
/// version's event is there (its own, later, versions are refused by the stream's key if
/// another append wrote them first). One statement per `MOST_ROWS` appends, before the batch's
/// events are inserted.
async fn check_follows(conn: &mut AnyConnection, follows: &[&Follows]) -> anyhow::Result<()> {
    let anonymous = conn.backend_name() == "SQLite";
    for chunk in follows.chunks(crate::rows::MOST_ROWS) {
        // A join, not a row-value `IN`: older SQLite versions scan the whole key for the latter.
        let sql = format!(
            "SELECT COUNT(*) FROM (VALUES {}) AS v JOIN events e ON e.tenant_id = v.column1 \
             AND e.stream_type = v.column2 AND e.stream_id = v.column3 AND e.version = v.column4",
            crate::rows::tuples(4, chunk.len(), anonymous)
        );
        let mut query = sqlx::query_as::<_, (i64,)>(&sql).persistent(!anonymous);
        for follows in chunk {
            query = query
                .bind(&follows.tenant_id)
                .bind(&follows.stream_type)
                .bind(&follows.stream_id)
                .bind(follows.version);
        }
        let (found,) = query
            .fetch_one(&mut *conn)
            .await
            .context("checking the streams' versions")?;
        if found != chunk.len() as i64 {
            anyhow::bail!("a stream is not at the version an append expected");
        }
    }
    Ok(())
}

/// What one append changes in the batch, merged only when its savepoint is released.
#[derive(Default)]
pub(super) struct Pending {
    pub last_position: i64,
    /// The batch's: the hash of the event at `last_position`.
    pub last_hash: Option<String>,
    /// The chain heads this append (or batch) moved.
    pub heads: HashMap<String, String>,
    /// The batch's: chain heads known without a read (`KnownHeads`).
    pub known_heads: Arc<HashMap<String, String>>,
    pub new_keys: Vec<((String, String), [u8; KEY_LEN])>,
    /// Subjects whose data keys were deleted: dropped from the key cache after the commit.
    pub forgotten: Vec<(String, String)>,
    /// What the appended events touched, told to the change feed after the commit.
    pub changes: Vec<Change>,
}
