//! The command bus: load the stream → decide (pure, in `domain`) → append the events, claims and
//! inline projections in one transaction. On a version conflict the decision is run again on the
//! fresh state (bounded), never the stale events pushed again.

use domain::aggregate::{from_stored, to_stored};
use domain::{Aggregate, ClaimKind, Decision, DomainEvent};

use std::sync::Arc;
use std::time::Duration;

use crate::states::{Key, States};
use crate::store::{AppendError, AppendRequest, EventStore, Guard, Metadata, NewEvent};

/// How long a command keeps retrying before it gives up with `Conflict`. In one process a
/// stream's commands take turns, so only writes from other nodes conflict; while another node
/// works through its own queue for the stream this node's command may lose several times in a
/// row, so the bound is a time, not a count.
const RETRY_FOR: Duration = Duration::from_secs(10);

/// Who is asking, in which tenant: part of every command.
#[derive(Debug, Clone)]
pub struct Context {
    pub tenant_id: String,
    pub metadata: Metadata,
}

#[derive(Debug, thiserror::Error)]
pub enum BusError<E: std::error::Error> {
    #[error(transparent)]
    Domain(E),
    /// A unique value of this kind is held by another owner.
    #[error("unique value already claimed: {0}")]
    Claimed(ClaimKind),
    /// A fact about another aggregate no longer held when the events were written.
    #[error("a fact the decision relied on no longer holds: {0}")]
    GuardFailed(&'static str),
    #[error("the stream kept changing; try again")]
    Conflict,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What a command did.
#[derive(Debug, Clone)]
pub struct Executed<E> {
    pub events: Vec<E>,
    /// The position of the last event appended, if any.
    pub position: Option<i64>,
    /// The stream's version once the events were appended.
    pub version: i64,
}

/// Decisions that may hash passwords (argon2id, tens of milliseconds: `DECIDES_SLOWLY`) run
/// with `block_in_place` on a multi-threaded runtime, so other tasks move to another worker
/// meanwhile. Others run in place: handing the worker over costs more than they do.
fn decide_on<A: Aggregate, T>(f: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    if !A::DECIDES_SLOWLY {
        return f();
    }
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// Waits before retrying after a conflict with another node: 1, 2, 4… ms up to 64 ms, with
/// jitter, so nodes retrying together drift apart.
async fn back_off(attempt: u32) {
    let ceiling = 1u64 << attempt.min(6);
    let jitter = u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0),
    );
    let micros = ceiling * 500 + jitter % (ceiling * 500 + 1);
    tokio::time::sleep(Duration::from_micros(micros)).await;
}

#[derive(Clone)]
pub struct CommandBus {
    store: EventStore,
    states: Arc<States>,
}

impl CommandBus {
    pub fn new(store: EventStore) -> Self {
        Self {
            store,
            states: Arc::default(),
        }
    }

    pub fn store(&self) -> &EventStore {
        &self.store
    }

    /// The current state of an aggregate and its version.
    pub async fn load<A: Aggregate>(
        &self,
        tenant_id: &str,
        stream_id: &str,
    ) -> anyhow::Result<(A, i64)> {
        let key = (tenant_id.to_string(), A::STREAM_TYPE, stream_id.to_string());
        let (state, version) = self.current::<A>(&key).await?;
        Ok((Arc::unwrap_or_clone(state), version))
    }

    /// The state this process kept of an aggregate, without a read, or else `load`'s. A kept
    /// state may be behind another node's writes: for what never changes once written (a
    /// grant's client and subject), or a decision whose append's version check catches that.
    pub async fn kept_or_load<A: Aggregate>(
        &self,
        tenant_id: &str,
        stream_id: &str,
    ) -> anyhow::Result<(A, i64)> {
        let key = (tenant_id.to_string(), A::STREAM_TYPE, stream_id.to_string());
        if let Some((state, version)) = self.states.get::<A>(&key) {
            return Ok((Arc::unwrap_or_clone(state), version));
        }
        self.load(tenant_id, stream_id).await
    }

    /// The kept state brought up to date with the stream's tail (the whole stream when none is
    /// kept): one read, whatever the stream's length.
    async fn current<A: Aggregate>(&self, key: &Key) -> anyhow::Result<(Arc<A>, i64)> {
        let (mut state, mut version) = self
            .states
            .get::<A>(key)
            .unwrap_or_else(|| (Arc::new(A::default()), 0));
        let tail = self
            .store
            .load_after(&key.0, A::STREAM_TYPE, &key.2, version)
            .await?;
        if tail.is_empty() {
            return Ok((state, version));
        }
        let folded = Arc::make_mut(&mut state);
        for event in tail {
            let typed: A::Event = from_stored(&event.event_type, event.payload).map_err(|e| {
                anyhow::anyhow!(
                    "event {} at position {}: {e}",
                    event.event_type,
                    event.position
                )
            })?;
            folded.apply(&typed);
            version = event.version;
        }
        self.states.put(key.clone(), state.clone(), version);
        Ok((state, version))
    }

    /// Runs `decide` on the aggregate's current state and appends what it decides.
    pub async fn execute<A, F>(
        &self,
        context: &Context,
        stream_id: &str,
        decide: F,
    ) -> Result<Executed<A::Event>, BusError<A::Error>>
    where
        A: Aggregate,
        F: FnMut(&A) -> Result<Decision<A::Event>, A::Error>,
    {
        self.execute_guarded(context, stream_id, Vec::new(), decide)
            .await
    }

    /// Like `execute`, with guards: facts about other aggregates that must still hold when the
    /// events are written (checked in the append transaction).
    pub async fn execute_guarded<A, F>(
        &self,
        context: &Context,
        stream_id: &str,
        guards: Vec<Arc<dyn Guard>>,
        decide: F,
    ) -> Result<Executed<A::Event>, BusError<A::Error>>
    where
        A: Aggregate,
        F: FnMut(&A) -> Result<Decision<A::Event>, A::Error>,
    {
        self.run(context, stream_id, guards, false, decide).await
    }

    /// Like `execute`, on a stream the caller has just named (a new random id): decided on the
    /// empty state without reading; should the stream exist after all, its version check fails
    /// and it is read.
    pub async fn create<A, F>(
        &self,
        context: &Context,
        stream_id: &str,
        decide: F,
    ) -> Result<Executed<A::Event>, BusError<A::Error>>
    where
        A: Aggregate,
        F: FnMut(&A) -> Result<Decision<A::Event>, A::Error>,
    {
        self.run(context, stream_id, Vec::new(), true, decide).await
    }

    async fn run<A, F>(
        &self,
        context: &Context,
        stream_id: &str,
        guards: Vec<Arc<dyn Guard>>,
        new: bool,
        mut decide: F,
    ) -> Result<Executed<A::Event>, BusError<A::Error>>
    where
        A: Aggregate,
        F: FnMut(&A) -> Result<Decision<A::Event>, A::Error>,
    {
        let key = (
            context.tenant_id.clone(),
            A::STREAM_TYPE,
            stream_id.to_string(),
        );
        let _turn = self.states.turn(&key).await;
        let deadline = std::time::Instant::now() + RETRY_FOR;
        let mut attempt: u32 = 0;
        loop {
            // The kept state is decided on without a read: if another node wrote meanwhile, the
            // append's version check says so and the stream is read again.
            let kept = match (attempt, new) {
                (0, true) => Some((Arc::new(A::default()), 0)),
                (0, false) => self.states.get::<A>(&key),
                _ => None,
            };
            let (state, version) = match kept {
                Some(kept) => kept,
                None => self.current::<A>(&key).await?,
            };
            let decision = decide_on::<A, _>(|| decide(&state)).map_err(BusError::Domain)?;
            let events = decision
                .events
                .iter()
                .map(|event| {
                    let (event_type, payload) = to_stored(event);
                    NewEvent {
                        event_type,
                        schema_version: event.schema_version(),
                        payload,
                    }
                })
                .collect();
            let forgets = !decision.forget.is_empty();
            let request = AppendRequest {
                tenant_id: context.tenant_id.clone(),
                stream_type: A::STREAM_TYPE.to_string(),
                stream_id: stream_id.to_string(),
                expected_version: version,
                events,
                claims: decision.claims,
                releases: decision.releases,
                guards: guards.clone(),
                metadata: context.metadata.clone(),
                forget: decision.forget,
            };
            match self.store.append(request).await {
                Ok(position) => {
                    self.keep_after(key, state, version, &decision.events, forgets);
                    return Ok(Executed {
                        version: version + decision.events.len() as i64,
                        events: decision.events,
                        position,
                    });
                }
                Err(AppendError::Conflict { .. }) => {
                    self.states.forget(&key);
                    if std::time::Instant::now() >= deadline {
                        return Err(BusError::Conflict);
                    }
                    back_off(attempt).await;
                    attempt = attempt.saturating_add(1);
                }
                Err(AppendError::Claimed { kind }) => return Err(BusError::Claimed(kind)),
                Err(AppendError::GuardFailed(name)) => return Err(BusError::GuardFailed(name)),
                Err(AppendError::Internal(e)) => {
                    self.states.forget(&key);
                    return Err(BusError::Internal(e));
                }
            }
        }
    }

    /// Keeps the state a successful append leaves; after an erasure keeps nothing at all.
    fn keep_after<A: Aggregate>(
        &self,
        key: Key,
        state: Arc<A>,
        version: i64,
        events: &[A::Event],
        forgets: bool,
    ) {
        if forgets {
            self.states.clear();
            return;
        }
        if events.is_empty() {
            return;
        }
        let mut next = Arc::unwrap_or_clone(state);
        for event in events {
            next.apply(event);
        }
        self.states
            .put(key, Arc::new(next), version + events.len() as i64);
    }
}
