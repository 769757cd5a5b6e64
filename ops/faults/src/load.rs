//! Mixed concurrent load: each worker creates users and organisations, renames the ones it
//! created (one request at a time per entity), and issues management tokens, recording every
//! answer in the ledger. Workers keep going through faults (backing off a little when there is
//! no answer) until they are stopped.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::client::{Answer, Api, Call};
use crate::ledger::{Kind, SharedLedger};

/// Where the load goes and with which credentials.
#[derive(Debug, Clone)]
pub struct Target {
    pub base: String,
    /// A management token for the writes.
    pub token: String,
    pub client_id: String,
    pub client_secret: String,
}

/// A source of unique numbers for user names, codes and mobile numbers in this process.
static SERIAL: AtomicU64 = AtomicU64::new(1);

/// A tiny xorshift generator: the load needs variety, not quality.
pub struct Rng(u64);

impl Rng {
    pub fn seeded() -> Self {
        let seed = uuid::Uuid::new_v4().as_u64_pair().0 | 1;
        Self(seed)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Creates a user named after `prefix` and records it; returns its ledger index and the call.
pub async fn create_user(
    api: &Api,
    target: &Target,
    ledger: &SharedLedger,
    prefix: &str,
) -> (usize, Call) {
    let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
    let key = format!("{prefix}u{serial}");
    let mobile = format!("139{:08}", serial % 100_000_000);
    let value = format!("{key} v0");
    let call = api
        .create_user(&target.base, &target.token, &key, &mobile, &value)
        .await;
    (ledger.created(Kind::User, &key, &value, &call), call)
}

/// Creates a root organisation and records it; returns its ledger index and the call.
pub async fn create_org(
    api: &Api,
    target: &Target,
    ledger: &SharedLedger,
    prefix: &str,
) -> (usize, Call) {
    let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
    let key = format!("{prefix}o{serial}");
    let value = format!("{key} v0");
    let call = api
        .create_org(&target.base, &target.token, &key, &value)
        .await;
    (ledger.created(Kind::Org, &key, &value, &call), call)
}

/// Renames entity `index` to its next version and records it.
pub async fn rename(api: &Api, target: &Target, ledger: &SharedLedger, index: usize) -> Call {
    let (kind, id, value) = {
        let ledger = ledger.lock();
        let entity = &ledger.entities[index];
        let value = format!("{} v{}", entity.key, entity.attempts.len());
        (entity.kind, entity.id.clone().unwrap_or_default(), value)
    };
    let call = match kind {
        Kind::User => {
            api.rename_user(&target.base, &target.token, &id, &value)
                .await
        }
        Kind::Org => {
            api.rename_org(&target.base, &target.token, &id, &value)
                .await
        }
    };
    ledger.updated(index, &value, &call);
    call
}

/// Issues a management token and records it.
pub async fn issue_token(api: &Api, target: &Target, ledger: &SharedLedger) -> Call {
    let call = api
        .token(&target.base, &target.client_id, &target.client_secret)
        .await;
    ledger.token(&call);
    call
}

/// Running load; `stop` ends it.
pub struct Load {
    stop: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
}

impl Load {
    /// Starts `workers` workers against `target`; their user names and codes start with `prefix`.
    pub fn start(
        api: &Api,
        target: &Target,
        ledger: &SharedLedger,
        workers: usize,
        prefix: &str,
    ) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let workers = (0..workers)
            .map(|w| {
                let worker = Worker {
                    api: api.clone(),
                    target: target.clone(),
                    ledger: ledger.clone(),
                    prefix: format!("{prefix}w{w}"),
                    stop: stop.clone(),
                };
                tokio::spawn(worker.run())
            })
            .collect();
        Self { stop, workers }
    }

    /// Stops the workers and waits for their requests in flight.
    pub async fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for worker in std::mem::take(&mut self.workers) {
            // A worker that panicked has already left its records in the ledger.
            let _ = worker.await;
        }
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

struct Worker {
    api: Api,
    target: Target,
    ledger: SharedLedger,
    prefix: String,
    stop: Arc<AtomicBool>,
}

impl Worker {
    async fn run(self) {
        let mut rng = Rng::seeded();
        let mut users: Vec<usize> = Vec::new();
        let mut orgs: Vec<usize> = Vec::new();
        while !self.stop.load(Ordering::Relaxed) {
            let roll = rng.below(100);
            let call = if roll < 25 || (roll < 65 && users.is_empty()) {
                let (index, call) =
                    create_user(&self.api, &self.target, &self.ledger, &self.prefix).await;
                users.push(index);
                call
            } else if roll < 35 || (roll < 80 && orgs.is_empty()) {
                let (index, call) =
                    create_org(&self.api, &self.target, &self.ledger, &self.prefix).await;
                orgs.push(index);
                call
            } else if roll < 80 {
                let pool = if roll < 65 { &mut users } else { &mut orgs };
                self.keep_writable(pool);
                match pool.len() {
                    0 => continue,
                    n => {
                        let index = pool[rng.below(n as u64) as usize];
                        rename(&self.api, &self.target, &self.ledger, index).await
                    }
                }
            } else {
                issue_token(&self.api, &self.target, &self.ledger).await
            };
            let pause = match call.answer {
                Answer::Acked(_) => 5,
                Answer::Refused { .. } => 50,
                Answer::NoAnswer { .. } => 100,
            };
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
    }

    /// Drops the entities that may not be written to any more from `pool`.
    fn keep_writable(&self, pool: &mut Vec<usize>) {
        let ledger = self.ledger.lock();
        pool.retain(|&i| ledger.entities[i].writable());
    }
}
