//! Durable export consumers (DESIGN.md "Audit and compliance", ops/adr/0024): signed webhooks
//! and NATS JetStream, fed from the event log in position order, each with its own checkpoint on
//! `position` (`store::export`), delivering CloudEvents whose `id` is the idempotency key. At
//! least once: the checkpoint moves only after the delivery was acknowledged, so a crash repeats
//! at most the deliveries after the last move, with the same ids.

pub mod envelope;
pub mod nats;
pub mod settings;
pub mod webhook;
mod worker;

use std::sync::Arc;
use std::time::Duration;

use store::EventStore;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::clock::Clock;
pub use settings::{ConsumerKind, ConsumerSettings, ExportSettings, Start};

/// How long a stop waits for the deliveries in flight.
const FINISH: Duration = Duration::from_secs(15);

/// The running consumers; `finish` stops them gracefully, dropping them aborts them.
pub struct ExportWorkers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl ExportWorkers {
    /// Registers every configured consumer's checkpoint (from where its `start` says, if it has
    /// none) and starts one worker per consumer; `None` when none is configured.
    pub async fn spawn(
        store: &EventStore,
        settings: &ExportSettings,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Option<Self>> {
        if settings.consumers.is_empty() {
            return Ok(None);
        }
        let (stop, stopped) = watch::channel(false);
        let owner = uuid::Uuid::new_v4().simple().to_string();
        let mut workers = Vec::new();
        for consumer in &settings.consumers {
            let worker = worker::Worker::new(
                store.clone(),
                consumer.clone(),
                settings.source.clone(),
                i64::from(settings.page_size),
                Duration::from_millis(settings.poll_ms),
                i64::try_from(settings.lease_ms).unwrap_or(i64::MAX),
                clock.clone(),
                owner.clone(),
                stopped.clone(),
            );
            worker.register().await?;
            workers.push(worker);
        }
        let tasks = workers
            .into_iter()
            .map(|worker| tokio::spawn(worker.run()))
            .collect();
        Ok(Some(Self { stop, tasks }))
    }

    /// Lets each consumer finish the delivery in flight and record its checkpoint, gives the
    /// leases up, and returns (bounded: a receiver that does not answer does not hold the stop
    /// up beyond its timeout).
    pub async fn finish(mut self) {
        let _ = self.stop.send(true);
        let deadline = tokio::time::Instant::now() + FINISH;
        for mut task in std::mem::take(&mut self.tasks) {
            if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
                tracing::warn!("an export consumer did not finish in time");
                task.abort();
            }
        }
    }
}

impl Drop for ExportWorkers {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}
