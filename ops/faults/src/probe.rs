//! Probes run beside the load while a fault is in place: `/readyz` polled one request at a time,
//! reads of acknowledged users, and a writer that measures how long it takes until a write is
//! acknowledged again after the fault is lifted.

use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use crate::client::Api;
use crate::ledger::SharedLedger;
use crate::load::{self, Target};

/// What a series of probes saw: each answer's status (`none` without one) and latency.
#[derive(Debug, Default, Clone)]
pub struct Series {
    pub statuses: Vec<String>,
    pub latencies: Vec<Duration>,
}

impl Series {
    fn push(&mut self, status: Option<u16>, latency: Duration) {
        self.statuses
            .push(status.map_or_else(|| "none".to_string(), |s| s.to_string()));
        self.latencies.push(latency);
    }

    /// Whether every probe answered `status`.
    pub fn all(&self, status: &str) -> bool {
        !self.statuses.is_empty() && self.statuses.iter().all(|s| s == status)
    }
}

/// Polls `/readyz` every `every` until `until`, one request at a time (a hanging probe holds up
/// the next, as a load balancer's would).
pub fn readyz(api: &Api, base: &str, until: Instant, every: Duration) -> JoinHandle<Series> {
    let (api, base) = (api.clone(), base.to_string());
    tokio::spawn(async move {
        let mut series = Series::default();
        while Instant::now() < until {
            let (status, latency) = api.readyz(&base).await;
            series.push(status, latency);
            tokio::time::sleep(every.saturating_sub(latency)).await;
        }
        series
    })
}

/// Reads the given users by id (`GET /users/{id}`) one after another, once each.
pub fn read_users(api: &Api, target: &Target, ids: Vec<String>) -> JoinHandle<Series> {
    let (api, target) = (api.clone(), target.clone());
    tokio::spawn(async move {
        let mut series = Series::default();
        for id in ids {
            let started = Instant::now();
            let path = format!("/api/v2/tenant/users/{id}");
            let status = match api.get(&target.base, &target.token, &path).await {
                Ok((status, _)) => Some(status.as_u16()),
                Err(_) => None,
            };
            series.push(status, started.elapsed());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        series
    })
}

/// Creates a user every `every` until one is acknowledged; how long that took from now, or
/// `None` after `within`. The users go into the ledger like the load's.
pub async fn until_write_acked(
    api: &Api,
    target: &Target,
    ledger: &SharedLedger,
    every: Duration,
    within: Duration,
) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < within {
        let (_, call) = load::create_user(api, target, ledger, "probe").await;
        if call.answer.acked() {
            return Some(started.elapsed());
        }
        tokio::time::sleep(every).await;
    }
    None
}

/// A fresh management token through `base` (retried for a few seconds while the server warms).
pub async fn management_token(
    api: &Api,
    base: &str,
    id: &str,
    secret: &str,
) -> anyhow::Result<String> {
    let started = Instant::now();
    loop {
        let call = api.token(base, id, secret).await;
        match call.answer {
            crate::client::Answer::Acked(token) => return Ok(token),
            other if started.elapsed() > Duration::from_secs(10) => {
                anyhow::bail!("no management token from {base}: {}", other.status_text())
            }
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}
