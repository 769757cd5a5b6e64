//! The purge worker (ops/adr/0027, DESIGN.md "Audit and compliance": short-lived protocol records
//! must not grow the store without bound): every `[retention] purge_every_seconds` it deletes the
//! short-lived projection rows that expired more than a day ago (`projections::expiry`), in one
//! transaction under the append lock, and stores the cutoff so that replay and verify apply the
//! same one. The log is not touched. A stop waits for the round in progress.

use std::sync::Arc;
use std::time::Duration;

use store::EventStore;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use usecases::clock::Clock;
use usecases::config::RetentionSettings;

/// How long a stop waits for the round in progress.
const FINISH: Duration = Duration::from_secs(10);

/// The running worker; `finish` stops it gracefully, dropping it aborts it.
pub struct PurgeWorker {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl PurgeWorker {
    /// Starts the worker, unless the purge is off (`purge_every_seconds = 0`). The first round
    /// runs at once.
    pub fn spawn(
        store: EventStore,
        settings: &RetentionSettings,
        clock: Arc<dyn Clock>,
    ) -> Option<Self> {
        if settings.purge_every_seconds == 0 {
            return None;
        }
        let every = Duration::from_secs(settings.purge_every_seconds);
        let (stop, mut stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            loop {
                round(&store, clock.now_millis()).await;
                tokio::select! {
                    _ = &mut stopped => break,
                    _ = tokio::time::sleep(every) => {}
                }
            }
        });
        Some(Self {
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Lets the round in progress finish and returns (bounded).
    pub async fn finish(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(FINISH, &mut task).await.is_err() {
                tracing::warn!("the purge worker did not finish in time");
                task.abort();
            }
        }
    }
}

impl Drop for PurgeWorker {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// One purge; counts only in the log.
async fn round(store: &EventStore, now: i64) {
    match projections::expiry::purge_now(&store.database().pool, now).await {
        Ok((cutoff, rows)) if rows > 0 => {
            tracing::info!(rows, cutoff, "purged expired short-lived rows")
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(error = %format!("{error:#}"), "a purge round failed"),
    }
}
