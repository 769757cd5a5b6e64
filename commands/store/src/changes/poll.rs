//! What other processes commit (DESIGN.md "Hot paths, caches and several nodes", ops/adr/0028):
//! every interval the poller reads the global position, one row; only when it moved past what
//! this process has told does it read the new events' tenant, stream and type, and tell them.
//! Positions follow commit order across processes (every batch first locks the position row), so
//! reading `position > seen` up to the position read never skips a commit.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::Row;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{Change, ChangeFeed};
use crate::db::Database;
use crate::EventStore;

/// Farther behind than this many events, the poller tells its subscribers to drop everything
/// rather than read them all.
pub const MAX_CATCH_UP: i64 = 10_000;

/// How many intervals the last successful poll may be old before the caches stop answering.
const INTERVALS_BEFORE_STALE: u32 = 4;

/// The running poller; stopped by `finish` or when dropped.
pub struct ChangePoller {
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    feed: Arc<ChangeFeed>,
}

impl ChangePoller {
    /// Polls the store's database every `every` and tells the store's subscribers what other
    /// processes committed. The caches answer from memory only while a poll has succeeded within
    /// four intervals.
    pub fn spawn(store: &EventStore, every: Duration) -> Self {
        let feed = store.changes().clone();
        feed.watched(every * INTERVALS_BEFORE_STALE);
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(feed.clone(), store.database().clone(), every, stopped));
        Self {
            stop,
            task: Some(task),
            feed,
        }
    }

    /// Stops polling and waits for a poll in progress.
    pub async fn finish(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.feed.unwatched();
    }
}

impl Drop for ChangePoller {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            self.feed.unwatched();
        }
    }
}

async fn run(
    feed: Arc<ChangeFeed>,
    db: Database,
    every: Duration,
    mut stopped: watch::Receiver<bool>,
) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stopped.changed() => return,
        }
        let began = Instant::now();
        match poll(&feed, &db).await {
            Ok(()) => {
                feed.polled(began);
                if failing {
                    tracing::info!("the change feed reads the database again");
                    failing = false;
                }
            }
            Err(error) => {
                if !failing {
                    tracing::warn!(error = %format!("{error:#}"), "the change feed cannot read the database: caches dropped until it can");
                    failing = true;
                }
                feed.reset_to(None);
            }
        }
    }
}

/// One poll: the position, and the events after what was told when it moved.
async fn poll(feed: &ChangeFeed, db: &Database) -> anyhow::Result<()> {
    // What was told, before the position is read: this process's writer may tell more meanwhile,
    // and the position read must not look like a step back from it.
    let told = feed.seen();
    let (last,): (i64,) = sqlx::query_as("SELECT last_position FROM event_position WHERE id = 1")
        .fetch_one(&db.pool)
        .await
        .context("reading the last position")?;
    let seen = match told {
        Some(seen) if last == seen => return Ok(()),
        Some(seen) if seen < last && last - seen <= MAX_CATCH_UP => seen,
        // The first poll (what was cached before the feed knew where it stood goes), too far
        // behind, or a store restored to an earlier position under this process.
        _ => {
            feed.reset_to(Some(last));
            return Ok(());
        }
    };
    let rows = sqlx::query(
        "SELECT position, tenant_id, stream_type, stream_id, event_type FROM events \
         WHERE position > $1 AND position <= $2 ORDER BY position",
    )
    .bind(seen)
    .bind(last)
    .fetch_all(&db.pool)
    .await
    .context("reading what other processes committed")?;
    let changes = rows
        .iter()
        .map(|row| {
            Ok(Change {
                position: row.try_get(0)?,
                tenant_id: row.try_get(1)?,
                stream_type: row.try_get(2)?,
                stream_id: row.try_get(3)?,
                event_type: row.try_get(4)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    metrics::counter!("idaas_change_feed_polled_events_total").increment(changes.len() as u64);
    feed.committed(seen, last, &changes);
    Ok(())
}
