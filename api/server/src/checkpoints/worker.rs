//! The checkpoint worker (ops/adr/0023): every half second it counts each tenant's new events
//! (one indexed read of the positions committed since its last look) and signs the chain head of
//! each tenant that is due — `every_events` events after its last checkpoint, or its oldest such
//! event `every_seconds` old by the server's clock. A graceful stop lets the round in progress
//! finish and then signs every tenant's head once more, so a cleanly stopped store is wholly
//! under checkpoints.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use store::checkpoints::{appended, checkpoint_tenant, last_position, pending, signer};
use store::EventStore;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use usecases::clock::Clock;
use usecases::config::CheckpointSettings;

/// How often the worker looks for new events.
const TICK: Duration = Duration::from_millis(500);
/// How long a stop waits for the last round.
const FINISH: Duration = Duration::from_secs(10);

/// The running worker; `finish` stops it gracefully, dropping it aborts it.
pub struct CheckpointWorker {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// A tenant's events after its last checkpoint, as far as the worker knows.
struct Unsigned {
    events: i64,
    /// When the worker first saw one of them (the server's clock).
    since_ms: i64,
}

struct Worker {
    store: EventStore,
    settings: CheckpointSettings,
    clock: Arc<dyn Clock>,
    /// The last position counted.
    seen: Option<i64>,
    tenants: HashMap<String, Unsigned>,
}

impl CheckpointWorker {
    /// Starts the worker, unless both triggers are off.
    pub fn spawn(
        store: EventStore,
        settings: CheckpointSettings,
        clock: Arc<dyn Clock>,
    ) -> Option<Self> {
        if !settings.enabled() {
            return None;
        }
        let (stop, mut stopped) = oneshot::channel::<()>();
        let mut worker = Worker {
            store,
            settings,
            clock,
            seen: None,
            tenants: HashMap::new(),
        };
        let task = tokio::spawn(async move {
            loop {
                if let Err(error) = worker.round(false).await {
                    tracing::warn!(error = %format!("{error:#}"), "a checkpoint round failed");
                }
                tokio::select! {
                    _ = &mut stopped => break,
                    _ = tokio::time::sleep(TICK) => {}
                }
            }
            if let Err(error) = worker.round(true).await {
                tracing::warn!(error = %format!("{error:#}"), "the checkpoints at the stop failed");
            }
        });
        Some(Self {
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Lets the round in progress finish, signs every tenant's head once more, and returns
    /// (bounded: a database that does not answer does not hold the stop up).
    pub async fn finish(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(FINISH, &mut task).await.is_err() {
                tracing::warn!("the checkpoint worker did not finish in time");
                task.abort();
            }
        }
    }
}

impl Drop for CheckpointWorker {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl Worker {
    /// Counts the new events and signs the heads that are due (with `last`, every head with
    /// events after its last checkpoint).
    async fn round(&mut self, last: bool) -> anyhow::Result<()> {
        let db = self.store.database();
        let upto = last_position(db).await?;
        let now = self.clock.now_millis();
        let new = match self.seen {
            // The first round: what each tenant has after its last checkpoint; the key is made
            // now if there is none, so that it is published from the start.
            None => {
                signer(db, self.store.keys(), now).await?;
                pending(db, upto).await?
            }
            Some(seen) if upto > seen => appended(db, seen, upto).await?,
            Some(_) => Vec::new(),
        };
        self.seen = Some(upto);
        for counted in new {
            let unsigned = self.tenants.entry(counted.tenant_id).or_insert(Unsigned {
                events: 0,
                since_ms: now,
            });
            unsigned.events += counted.events;
        }
        let due = self.due(now, last);
        if due.is_empty() {
            return Ok(());
        }
        // Read for each round: a key rotated by `idaas audit rotate-key` signs from the next one.
        let signer = signer(db, self.store.keys(), now).await?;
        for (tenant, min_events) in due {
            let status = checkpoint_tenant(db, &signer, &tenant, upto, min_events, now).await?;
            if let Some(written) = &status.written {
                metrics::counter!("idaas_checkpoints_total").increment(1);
                tracing::debug!(
                    tenant = %written.tenant_id,
                    position = written.position,
                    events = written.events,
                    "checkpoint signed"
                );
            }
            if status.unsigned == 0 {
                self.tenants.remove(&tenant);
            } else if let Some(unsigned) = self.tenants.get_mut(&tenant) {
                // Another process signed a head meanwhile: fewer are unsigned than counted.
                unsigned.events = status.unsigned;
            }
        }
        Ok(())
    }

    /// The tenants whose heads are due, with the fewest events after their last checkpoint that
    /// still make them due.
    fn due(&self, now: i64, last: bool) -> Vec<(String, i64)> {
        let every_events = i64::try_from(self.settings.every_events).unwrap_or(i64::MAX);
        let every_ms =
            i64::try_from(self.settings.every_seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
        self.tenants
            .iter()
            .filter(|(_, unsigned)| unsigned.events > 0)
            .filter_map(|(tenant, unsigned)| {
                let by_count = every_events > 0 && unsigned.events >= every_events;
                let by_time = every_ms > 0 && now - unsigned.since_ms >= every_ms;
                let min_events = if last || by_time {
                    1
                } else if by_count {
                    every_events
                } else {
                    return None;
                };
                Some((tenant.clone(), min_events))
            })
            .collect()
    }
}
