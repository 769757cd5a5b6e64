//! SQLite's write-ahead log moved into the database file beside the writer, not by it
//! (ops/adr/0035). SQLite checkpoints on the connection that commits once the log passes a
//! threshold: the writer's, where copying the log's pages into the database file (reading
//! each, writing it, syncing the file) held up every append waiting behind that batch. Here a
//! task on the shared runtime runs a passive checkpoint on a pooled connection after every
//! `COMMITS` commits, at most every `SPACING` (an idle server opens no connection for it); it
//! waits for no reader or writer, so the writer keeps appending meanwhile. The committing
//! connection's own threshold is raised from SQLite's 1,000 pages to 10,000 (about 40 MB of log
//! at 4 KiB pages; `db::connect_with`) and stays as the safety net: the log restarts from its
//! beginning only at a write that finds it wholly copied, which is the writer's own checkpoint
//! under steady load.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::AnyPool;
use tokio::sync::mpsc;

/// The least time between two checkpoints.
const SPACING: Duration = Duration::from_millis(100);

/// Commits between two checkpoints: about a thousand pages of log under load.
const COMMITS: u64 = 16;

/// Told of commits; dropped with the store, which ends the task.
pub(crate) struct Checkpoints {
    due: mpsc::Sender<()>,
    commits: AtomicU64,
}

impl Checkpoints {
    /// Starts the task on the current runtime (none outside one: SQLite then checkpoints on
    /// the committing connection, as by default).
    pub(crate) fn start(pool: AnyPool) -> Option<Self> {
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let (due, mut commits) = mpsc::channel(1);
        runtime.spawn(async move {
            while commits.recv().await.is_some() {
                if pool.is_closed() {
                    break;
                }
                // A failure (a full disk, a reader in the way) leaves the pages in the log,
                // where they are safe; the next checkpoint or the writer's copies them.
                if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&pool)
                    .await
                {
                    tracing::debug!(%error, "a checkpoint of the write-ahead log failed");
                }
                tokio::time::sleep(SPACING).await;
            }
        });
        Some(Self {
            due,
            commits: AtomicU64::new(0),
        })
    }

    /// A batch committed: every `COMMITS` a checkpoint is due (one pending covers any number).
    pub(crate) fn committed(&self) {
        if self.commits.fetch_add(1, Ordering::Relaxed) % COMMITS == COMMITS - 1 {
            let _ = self.due.try_send(());
        }
    }
}
