//! The retention worker (ops/adr/0026): applies every tenant's retention policy once at the start
//! and then every `interval_seconds` by the server's clock; a stop lets the run in progress
//! finish.

use std::sync::Arc;
use std::time::Duration;

use store::CommandBus;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::clock::Clock;
pub use crate::config::RetentionSettings;

/// How often the worker looks at the clock.
const TICK: Duration = Duration::from_secs(1);
/// How long a stop waits for the run in progress.
const FINISH: Duration = Duration::from_secs(10);

/// The running worker; `finish` stops it gracefully, dropping it aborts it.
pub struct RetentionWorker {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RetentionWorker {
    /// Starts the worker, unless its interval is 0.
    pub fn spawn(
        bus: CommandBus,
        settings: &RetentionSettings,
        clock: Arc<dyn Clock>,
    ) -> Option<Self> {
        if settings.interval_seconds == 0 {
            return None;
        }
        let interval_ms =
            i64::try_from(settings.interval_seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
        let (stop, mut stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut next = clock.now_millis();
            loop {
                let now = clock.now_millis();
                if now >= next {
                    if let Err(error) = super::run_all(&bus, now).await {
                        tracing::warn!(error = %error, "a retention run failed");
                    }
                    next = now.saturating_add(interval_ms);
                }
                tokio::select! {
                    _ = &mut stopped => break,
                    _ = tokio::time::sleep(TICK) => {}
                }
            }
        });
        Some(Self {
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Lets the run in progress finish and returns (bounded).
    pub async fn finish(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(FINISH, &mut task).await.is_err() {
                tracing::warn!("the retention worker did not finish in time");
                task.abort();
            }
        }
    }
}

impl Drop for RetentionWorker {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
