//! One export consumer's loop (ops/adr/0024): take the consumer's lease, read the page of events
//! after its checkpoint in position order, deliver the ones its filter wants, and move the
//! checkpoint only over what was acknowledged (or filtered out, or dead-lettered). A failure is
//! retried after a doubling wait; after `max_attempts` failures the event is dead-lettered and
//! the consumer moves on.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use store::export::{self, Advance, Checkpoint, DeadLetter};
use store::{EventStore, RecordedEvent};
use tokio::sync::watch;

use super::envelope::{envelope, event_id};
use super::nats::{JetStream, Outgoing};
use super::settings::{ConsumerKind, ConsumerSettings, Start};
use super::webhook::Webhook;
use crate::cas::iso_millis;
use crate::clock::Clock;

/// Where a consumer delivers, connected.
enum Sink {
    Webhook(Webhook),
    Nats(JetStream),
}

/// What the loop does after a round.
enum Next {
    /// More may be waiting: go on at once.
    Busy,
    /// Nothing new (or the lease is another server's): wait for the poll interval.
    Idle,
    /// A delivery failed: wait this long.
    Retry(Duration),
}

/// One consumer's worker.
pub(super) struct Worker {
    pub store: EventStore,
    pub settings: ConsumerSettings,
    pub source: String,
    pub page_size: i64,
    pub poll: Duration,
    /// How long the consumer's lease lasts without a renewal (each round and each move renews it).
    pub lease_ms: i64,
    pub clock: Arc<dyn Clock>,
    /// This process, as the lease's owner.
    pub owner: String,
    pub stop: watch::Receiver<bool>,
    sink: Option<Sink>,
    /// The position whose delivery is failing, and how many attempts failed.
    failing: Option<(i64, u32)>,
}

/// An event the consumer wants, ready to send.
struct Item {
    position: i64,
    id: String,
    tenant: String,
    event_type: String,
    body: Bytes,
}

impl Worker {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        store: EventStore,
        settings: ConsumerSettings,
        source: String,
        page_size: i64,
        poll: Duration,
        lease_ms: i64,
        clock: Arc<dyn Clock>,
        owner: String,
        stop: watch::Receiver<bool>,
    ) -> Self {
        Self {
            store,
            settings,
            source,
            page_size,
            poll,
            lease_ms,
            clock,
            owner,
            stop,
            sink: None,
            failing: None,
        }
    }

    fn stopped(&self) -> bool {
        *self.stop.borrow()
    }

    /// Waits `duration`, or less if the server stops meanwhile.
    async fn wait(&mut self, duration: Duration) {
        let mut stop = self.stop.clone();
        tokio::select! {
            _ = tokio::time::sleep(duration) => {}
            _ = stop.wait_for(|stopped| *stopped) => {}
        }
    }

    /// Runs until the server stops, then gives the lease up.
    pub async fn run(mut self) {
        let name = self.settings.name.clone();
        while !self.stopped() {
            let next = match self.round().await {
                Ok(next) => next,
                Err(error) => {
                    tracing::warn!(consumer = %name, error = %format!("{error:#}"), "an export round failed");
                    Next::Retry(self.poll.max(Duration::from_secs(1)))
                }
            };
            match next {
                Next::Busy => {}
                Next::Idle => self.wait(self.poll).await,
                Next::Retry(wait) => self.wait(wait).await,
            }
        }
        if let Err(error) = export::release(self.store.database(), &name, &self.owner).await {
            tracing::warn!(consumer = %name, error = %format!("{error:#}"), "releasing an export consumer");
        }
    }

    /// Registers the consumer's checkpoint if it has none (where its `start` says).
    pub async fn register(&self) -> anyhow::Result<()> {
        let db = self.store.database();
        let start = match self.settings.start {
            Start::Beginning => 0,
            Start::Latest => export::last_position(db).await?,
        };
        let now = iso_millis(self.clock.now_millis());
        let kind = self.settings.kind.as_str();
        export::register(db, &self.settings.name, kind, start, &now).await
    }

    async fn round(&mut self) -> anyhow::Result<Next> {
        let now = self.clock.now_millis();
        let db = self.store.database();
        let claimed = export::claim(
            db,
            &self.settings.name,
            &self.owner,
            now,
            now + self.lease_ms,
        )
        .await?;
        let Some(checkpoint) = claimed else {
            return Ok(Next::Idle);
        };
        metrics::gauge!("idaas_export_position", "consumer" => self.settings.name.clone())
            .set(checkpoint.position as f64);
        let events = {
            let mut conn = db.pool.acquire().await?;
            self.store
                .read_from(&mut conn, checkpoint.position, self.page_size)
                .await?
        };
        let Some(last) = events.last().map(|e| e.position) else {
            return Ok(Next::Idle);
        };
        let items: Vec<Item> = events
            .iter()
            .filter(|e| self.settings.wants(&e.tenant_id, &e.event_type))
            .map(|e| self.item(e))
            .collect::<anyhow::Result<_>>()?;
        if self.sink.is_none() && !items.is_empty() {
            match self.connect().await {
                Ok(sink) => self.sink = Some(sink),
                Err(error) => {
                    let reason = format!("{error:#}");
                    return self.failed(&checkpoint, &items[0], reason).await;
                }
            }
        }
        let chunk = match self.settings.kind {
            ConsumerKind::Webhook => 1,
            ConsumerKind::Nats => items.len().max(1),
        };
        let mut at = checkpoint.position;
        for (index, group) in items.chunks(chunk).enumerate() {
            let (acked, failure) = self.deliver(group).await;
            if acked > 0 {
                self.failing = None;
            }
            let to = match (&failure, items.get((index + 1) * chunk)) {
                (Some(_), _) => group[acked].position - 1,
                (None, Some(next)) => next.position - 1,
                (None, None) => last,
            };
            let counted = acked as u64;
            metrics::counter!("idaas_export_deliveries_total", "consumer" => self.settings.name.clone(), "outcome" => "ok")
                .increment(counted);
            if to > at && !self.advance(&checkpoint, at, to, acked as i64).await? {
                return Ok(Next::Busy);
            }
            at = to.max(at);
            if let Some(reason) = failure {
                let current = Checkpoint {
                    position: at,
                    ..checkpoint.clone()
                };
                return self.failed(&current, &group[acked], reason).await;
            }
            if self.stopped() {
                return Ok(Next::Idle);
            }
        }
        if items.is_empty() && !self.advance(&checkpoint, at, last, 0).await? {
            return Ok(Next::Busy);
        }
        Ok(Next::Busy)
    }

    fn item(&self, event: &RecordedEvent) -> anyhow::Result<Item> {
        Ok(Item {
            position: event.position,
            id: event_id(event),
            tenant: event.tenant_id.clone(),
            event_type: event.event_type.clone(),
            body: Bytes::from(serde_json::to_vec(&envelope(&self.source, event))?),
        })
    }

    async fn connect(&self) -> anyhow::Result<Sink> {
        let settings = &self.settings;
        let timeout = Duration::from_millis(settings.timeout_ms);
        match settings.kind {
            ConsumerKind::Webhook => {
                let secret = settings
                    .secret
                    .clone()
                    .ok_or_else(|| anyhow::anyhow!("the webhook has no secret"))?;
                Ok(Sink::Webhook(Webhook::new(&settings.url, secret, timeout)?))
            }
            ConsumerKind::Nats => {
                let connecting =
                    JetStream::connect(&settings.url, &settings.stream, &settings.subject_prefix);
                let nats = tokio::time::timeout(timeout, connecting)
                    .await
                    .map_err(|_| anyhow::anyhow!("connecting to NATS timed out"))??;
                Ok(Sink::Nats(nats))
            }
        }
    }

    /// Sends `group`: how many were acknowledged, in order, and why the next one was not.
    async fn deliver(&self, group: &[Item]) -> (usize, Option<String>) {
        match &self.sink {
            None => (0, Some("not connected".into())),
            Some(Sink::Webhook(webhook)) => {
                let mut acked = 0;
                for item in group {
                    let attempt = match self.failing {
                        Some((position, failed)) if position == item.position => failed + 1,
                        _ => 1,
                    };
                    let timestamp = self.clock.now_millis().div_euclid(1000);
                    let sent = webhook.deliver(&item.id, &item.body, timestamp, attempt);
                    if let Err(reason) = sent.await {
                        return (acked, Some(reason));
                    }
                    acked += 1;
                }
                (acked, None)
            }
            Some(Sink::Nats(nats)) => {
                let outgoing: Vec<Outgoing> = group
                    .iter()
                    .map(|item| Outgoing {
                        subject: nats.subject(&item.tenant, &item.event_type),
                        id: item.id.clone(),
                        body: item.body.clone(),
                    })
                    .collect();
                nats.publish(&outgoing).await
            }
        }
    }

    async fn advance(
        &self,
        checkpoint: &Checkpoint,
        from: i64,
        to: i64,
        delivered: i64,
    ) -> anyhow::Result<bool> {
        let now = self.clock.now_millis();
        let step = Advance {
            name: &self.settings.name,
            owner: &self.owner,
            epoch: checkpoint.epoch,
            from,
            to,
            delivered,
            lease_until_ms: now + self.lease_ms,
            now: &iso_millis(now),
        };
        export::advance(self.store.database(), &step).await
    }

    /// Counts a failed attempt at `item`: waits before the next one, or, after the last one,
    /// dead-letters it and moves past it.
    async fn failed(
        &mut self,
        checkpoint: &Checkpoint,
        item: &Item,
        reason: String,
    ) -> anyhow::Result<Next> {
        let name = self.settings.name.clone();
        let attempts = match self.failing {
            Some((position, failed)) if position == item.position => failed + 1,
            _ => 1,
        };
        metrics::counter!("idaas_export_deliveries_total", "consumer" => name.clone(), "outcome" => "failed")
            .increment(1);
        // A NATS connection that failed is made again; a webhook's client reconnects itself.
        if matches!(self.sink, Some(Sink::Nats(_))) && attempts >= 2 {
            self.sink = None;
        }
        let max = self.settings.max_attempts();
        if max > 0 && attempts >= max {
            tracing::warn!(consumer = %name, position = item.position, attempts, reason = %reason, "export event dead-lettered");
            let now = iso_millis(self.clock.now_millis());
            let letter = DeadLetter {
                consumer: name.clone(),
                position: item.position,
                event_id: item.id.clone(),
                event_type: item.event_type.clone(),
                attempts: i64::from(attempts),
                last_error: reason,
                dead_at: now,
            };
            export::dead_letter(self.store.database(), &letter).await?;
            metrics::counter!("idaas_export_deliveries_total", "consumer" => name, "outcome" => "dead_lettered")
                .increment(1);
            self.failing = None;
            let from = checkpoint.position;
            self.advance(checkpoint, from, item.position, 0).await?;
            return Ok(Next::Busy);
        }
        tracing::info!(consumer = %name, position = item.position, attempts, reason = %reason, "export delivery failed; retrying");
        self.failing = Some((item.position, attempts));
        let doubled = self
            .settings
            .retry_first_ms
            .saturating_mul(1u64 << (attempts - 1).min(30));
        Ok(Next::Retry(Duration::from_millis(
            doubled.min(self.settings.retry_max_ms),
        )))
    }
}
