//! The command bus: load the stream → decide (pure, in `domain`) → append the events, claims and
//! inline projections in one transaction. On a version conflict the decision is run again on the
//! fresh state (bounded), never the stale events pushed again.

use domain::aggregate::{from_stored, to_stored};
use domain::{Aggregate, ClaimKind, Decision, DomainEvent};

use std::sync::Arc;

use crate::store::{AppendError, AppendRequest, EventStore, Guard, Metadata, NewEvent};

const MAX_ATTEMPTS: usize = 5;

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
}

/// Decisions may hash passwords (argon2id, tens of milliseconds): on a multi-threaded runtime
/// they run with `block_in_place` so other tasks move to another worker meanwhile.
fn run_blocking<T>(f: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

#[derive(Clone)]
pub struct CommandBus {
    store: EventStore,
}

impl CommandBus {
    pub fn new(store: EventStore) -> Self {
        Self { store }
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
        let recorded = self
            .store
            .load(tenant_id, A::STREAM_TYPE, stream_id)
            .await?;
        let mut state = A::default();
        let mut version = 0;
        for event in recorded {
            let typed: A::Event = from_stored(&event.event_type, event.payload).map_err(|e| {
                anyhow::anyhow!(
                    "event {} at position {}: {e}",
                    event.event_type,
                    event.position
                )
            })?;
            state.apply(&typed);
            version = event.version;
        }
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
        mut decide: F,
    ) -> Result<Executed<A::Event>, BusError<A::Error>>
    where
        A: Aggregate,
        F: FnMut(&A) -> Result<Decision<A::Event>, A::Error>,
    {
        for _ in 0..MAX_ATTEMPTS {
            let (state, version) = self.load::<A>(&context.tenant_id, stream_id).await?;
            let decision = run_blocking(|| decide(&state)).map_err(BusError::Domain)?;
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
                    return Ok(Executed {
                        events: decision.events,
                        position,
                    })
                }
                Err(AppendError::Conflict { .. }) => continue,
                Err(AppendError::Claimed { kind }) => return Err(BusError::Claimed(kind)),
                Err(AppendError::GuardFailed(name)) => return Err(BusError::GuardFailed(name)),
                Err(AppendError::Internal(e)) => return Err(BusError::Internal(e)),
            }
        }
        Err(BusError::Conflict)
    }
}
