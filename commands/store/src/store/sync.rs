//! Durable SQLite commits without the writer waiting for the disk (ops/adr/0036). With
//! `synchronous = FULL` SQLite syncs the write-ahead log inside every `COMMIT`, and the writer
//! could begin no batch meanwhile. Here the writer's connection commits with
//! `synchronous = NORMAL` (the log is written, not synced), and a thread of its own syncs the
//! log before the batch's appenders are answered, while the writer already writes the next
//! batch. An answered append is as durable as before; one sync covers every batch committed
//! before it began, so batches waiting together share one.
//!
//! What changes: other connections may read a batch in the moment between its commit and its
//! sync; a power loss (not a crash of the process: the log is in the operating system's
//! hands) in that moment loses that batch, whose appenders were never answered. A failed sync
//! stops the process (`sync_or_stop`).

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;

use anyhow::Context;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Executor};
use tokio::sync::{oneshot, watch};

use super::types::{AppendError, Appended};

/// An appender's answer, held until the log holding its events is synced.
pub(super) type Answer = (
    oneshot::Sender<Result<Appended, AppendError>>,
    Result<Appended, AppendError>,
);

/// A committed batch's answers and the log file its commit wrote; `number` counts the batches
/// given to the syncer.
struct Committed {
    number: u64,
    log: Arc<Path>,
    answers: Vec<Answer>,
}

/// The handle the writer gives committed batches to; dropping it ends the thread once the
/// batches given to it are synced and answered.
pub(super) struct Syncer {
    batches: mpsc::Sender<Committed>,
    /// The number of the last batch synced.
    synced: watch::Receiver<u64>,
    given: u64,
    location: String,
}

impl Syncer {
    /// Starts the thread; `location` names the database in logs.
    pub(super) fn start(location: String) -> std::io::Result<Self> {
        let (batches, committed) = mpsc::channel();
        let (done, synced) = watch::channel(0);
        let named = location.clone();
        std::thread::Builder::new()
            .name("idaas-log-sync".into())
            .spawn(move || run(&committed, &done, &named))?;
        Ok(Self {
            batches,
            synced,
            given: 0,
            location,
        })
    }

    /// Answers the batch once `log` (its commit's write-ahead log) is synced.
    pub(super) fn after_sync(&mut self, log: Arc<Path>, answers: Vec<Answer>) {
        self.given += 1;
        let number = self.given;
        let batch = Committed {
            number,
            log,
            answers,
        };
        if let Err(mpsc::SendError(batch)) = self.batches.send(batch) {
            // The thread is gone (it never panics, but if it did): sync here.
            sync_or_stop(&batch.log, &self.location);
            answer(batch.answers);
            self.given -= 1;
        }
    }

    /// Waits until at most one batch given is not yet synced: the writer writes the next batch
    /// while the last one is synced, and what readers may see before it is durable stays at
    /// most two batches, however slow the disk.
    pub(super) async fn keep_up(&mut self) {
        let given = self.given;
        let _ = self.synced.wait_for(|synced| synced + 1 >= given).await;
    }
}

fn run(committed: &mpsc::Receiver<Committed>, done: &watch::Sender<u64>, location: &str) {
    while let Ok(first) = committed.recv() {
        let mut batches = vec![first];
        batches.extend(committed.try_iter());
        let started = std::time::Instant::now();
        // Every batch here was committed before this sync began: one sync covers them all.
        sync_or_stop(&batches[0].log, location);
        metrics::histogram!("idaas_event_store_log_sync_seconds")
            .record(started.elapsed().as_secs_f64());
        let last = batches.last().map_or(0, |batch| batch.number);
        for batch in batches {
            answer(batch.answers);
        }
        done.send_replace(last);
    }
}

/// Syncs `log`, or stops the process. After a failed sync the operating system may have marked
/// the pages it could not write as clean: a later sync would succeed without them, and the
/// commits after them would be answered and then lost on a power loss (SQLite's recovery stops
/// at the first missing frame). A restart recovers the log as the disk holds it, and nothing
/// answered is lost (PostgreSQL stops on a failed sync too).
fn sync_or_stop(log: &Path, location: &str) {
    if let Err(error) = sync(log) {
        tracing::error!(
            database = location,
            %error,
            "syncing the write-ahead log failed: stopping; a restart recovers what the disk holds"
        );
        std::process::exit(70);
    }
}

/// Syncs the log file's data (and its length). No log file means none is needed: SQLite
/// removes it only after copying it into the database file and syncing that.
fn sync(log: &Path) -> std::io::Result<()> {
    match std::fs::File::open(log) {
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(()),
        opened => opened?.sync_data(),
    }
}

fn answer(answers: Vec<Answer>) {
    for (reply, outcome) in answers {
        let _ = reply.send(outcome);
    }
}

/// The writer's side: its syncer and the log its connection writes to.
pub(super) struct Deferred {
    syncer: Syncer,
    log: Option<Arc<Path>>,
}

impl Deferred {
    /// For a SQLite store configured `synchronous = FULL`; `None` elsewhere (PostgreSQL syncs
    /// in its commit; `NORMAL` asks for no sync), or if the thread cannot start (SQLite then
    /// syncs in each commit, as before).
    pub(super) fn start(db: &crate::db::Database) -> Option<Self> {
        let wanted = db.engine == crate::db::Engine::Sqlite
            && db.synchronous == crate::db::Synchronous::Full;
        if !wanted {
            return None;
        }
        match Syncer::start(db.location.clone()) {
            Ok(syncer) => Some(Self { syncer, log: None }),
            Err(error) => {
                tracing::warn!(%error, "the log sync thread did not start: SQLite syncs each commit");
                None
            }
        }
    }

    /// Readies a connection the writer just took: its commits leave the sync to the syncer. A
    /// database without a log file (in memory) keeps its commits as they are.
    pub(super) async fn take(&mut self, conn: &mut AnyConnection) -> anyhow::Result<()> {
        if self.log.is_none() {
            let rows: Vec<(i64, String, String)> = sqlx::query_as("PRAGMA database_list")
                .fetch_all(&mut *conn)
                .await
                .context("finding the database file")?;
            let file = rows.into_iter().find(|(_, name, _)| name == "main");
            match file {
                Some((_, _, file)) if !file.is_empty() => self.log = Some(log_of(&file)),
                _ => return Ok(()),
            }
        }
        conn.execute("PRAGMA synchronous = NORMAL")
            .await
            .context("leaving the log's sync to the syncer")?;
        Ok(())
    }

    /// Gives a connection back as the pool's others are, syncing each commit; closed instead
    /// if that fails, so no other connection commits without a sync.
    pub(super) async fn give_back(mut conn: PoolConnection<Any>) {
        if let Err(error) = conn.execute("PRAGMA synchronous = FULL").await {
            tracing::warn!(%error, "closing the writer's connection");
            conn.close_on_drop();
        }
    }

    /// Answers a committed batch once its log is synced; at once for a database without a
    /// log file.
    pub(super) fn answer(&mut self, answers: Vec<Answer>) {
        match &self.log {
            Some(log) => self.syncer.after_sync(log.clone(), answers),
            None => answer(answers),
        }
    }

    /// Before the writer takes its next batch (`Syncer::keep_up`).
    pub(super) async fn keep_up(&mut self) {
        self.syncer.keep_up().await;
    }
}

/// The write-ahead log of the SQLite database file `database` (its `-wal` file).
pub(super) fn log_of(database: &str) -> Arc<Path> {
    let mut log = PathBuf::from(database).into_os_string();
    log.push("-wal");
    Arc::from(PathBuf::from(log))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("idaas-sync-{}-{name}", std::process::id()))
    }

    #[test]
    fn the_log_is_the_database_file_with_wal_appended() {
        assert_eq!(
            &*log_of("/var/lib/idaas/idaas.db"),
            Path::new("/var/lib/idaas/idaas.db-wal")
        );
    }

    #[test]
    fn a_missing_log_needs_no_sync_and_an_existing_one_is_synced() {
        assert!(sync(&temp("missing-wal")).is_ok());
        let log = temp("present-wal");
        std::fs::write(&log, b"frames").unwrap();
        assert!(sync(&log).is_ok());
        std::fs::remove_file(&log).unwrap();
    }

    #[test]
    fn answers_wait_for_the_sync_and_arrive_in_order() {
        let mut syncer = Syncer::start("test".into()).unwrap();
        let log = temp("ordered-wal");
        std::fs::write(&log, b"frames").unwrap();
        let log: Arc<Path> = Arc::from(log);
        let mut waiting = Vec::new();
        for _ in 0..3 {
            let (tx, rx) = oneshot::channel();
            syncer.after_sync(log.clone(), vec![(tx, Ok(None))]);
            waiting.push(rx);
        }
        drop(syncer);
        for rx in waiting {
            assert!(matches!(rx.blocking_recv().unwrap(), Ok(None)));
        }
        std::fs::remove_file(&log).unwrap();
    }
}
