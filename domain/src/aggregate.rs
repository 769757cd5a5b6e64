//! The shape every aggregate takes: a state folded from its events, and a pure decision from a
//! command to new events (plus the unique claims those events take and release) or a typed error.

use serde::{de::DeserializeOwned, Serialize};

use crate::claim_kind::ClaimKind;

/// An event of one aggregate. Its stored name is a stable dotted `event_type` (`user.disabled`)
/// with a `schema_version`; the payload is the serde form of the variant's fields.
///
/// Event enums use `#[serde(tag = "event_type", content = "payload")]` with a dotted rename per
/// variant, so one serialisation gives both the stored name and the payload.
pub trait DomainEvent: Serialize + DeserializeOwned + Clone + std::fmt::Debug + PartialEq {
    /// The stable dotted name of this event, e.g. `user.created`.
    fn event_type(&self) -> &'static str;

    /// The schema version of this event's current shape, per event type. Older stored payloads
    /// are upcast to it before they are deserialised (see `upcast`, and the test there that
    /// the upcasters reach exactly this version).
    fn schema_version(&self) -> u32 {
        1
    }
}

/// A value that must be unique within a tenant (a username, an org code…), taken or released in
/// the same transaction as the events that decide it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Which uniqueness rule this is; also what a violation reports.
    pub kind: ClaimKind,
    /// The normalised value. The store keeps only a keyed hash of it.
    pub value: String,
    /// A claim across every tenant (a tenant's host name) rather than within one.
    pub global: bool,
}

impl Claim {
    pub fn new(kind: impl Into<ClaimKind>, value: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            value: value.into(),
            global: false,
        }
    }

    pub fn global(kind: impl Into<ClaimKind>, value: impl Into<String>) -> Self {
        Self {
            global: true,
            ..Self::new(kind, value)
        }
    }
}

/// What a decision makes the store forget in the append transaction of its events, so the
/// events and the forgetting commit together or not at all (ops/adr/0026).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forget {
    /// A subject's data key (its sealed personal data can no longer be opened) and the request
    /// metadata (client address, user agent) kept for it outside the hash chain.
    Subject(String),
    /// The tenant's request metadata of events up to and including this position.
    RequestMetadataUpTo(i64),
}

/// What a command decided: the events to append, the claims they take and release, and what
/// the store forgets with them.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision<E> {
    pub events: Vec<E>,
    pub claims: Vec<Claim>,
    pub releases: Vec<Claim>,
    pub forget: Vec<Forget>,
}

impl<E> Decision<E> {
    pub fn events(events: Vec<E>) -> Self {
        Self {
            events,
            claims: Vec::new(),
            releases: Vec::new(),
            forget: Vec::new(),
        }
    }

    pub fn event(event: E) -> Self {
        Self::events(vec![event])
    }

    pub fn none() -> Self {
        Self::events(Vec::new())
    }

    pub fn claim(mut self, claim: Claim) -> Self {
        self.claims.push(claim);
        self
    }

    pub fn release(mut self, claim: Claim) -> Self {
        self.releases.push(claim);
        self
    }
}

/// An event-sourced aggregate: `apply` folds events into state, `decide` turns a command into a
/// decision without any IO. Outside facts come in through `Services`.
pub trait Aggregate: Default + Clone + Send + Sync + 'static {
    type Command;
    type Event: DomainEvent;
    type Error: std::error::Error + Send + Sync + 'static;
    type Services: ?Sized;

    /// The stream type under which this aggregate's events are stored (`user`, `organization`…).
    const STREAM_TYPE: &'static str;

    /// Whether a decision may take long (hashing a password with argon2id, tens of
    /// milliseconds): the command bus then lets the runtime move other tasks off its thread
    /// while it decides. Every other decision is a few microseconds of pure code.
    const DECIDES_SLOWLY: bool = false;

    fn apply(&mut self, event: &Self::Event);

    fn decide(
        &self,
        command: Self::Command,
        services: &Self::Services,
    ) -> Result<Decision<Self::Event>, Self::Error>;

    /// Fold a history into a state.
    fn from_events<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Self
    where
        Self::Event: 'a,
    {
        let mut state = Self::default();
        for event in events {
            state.apply(event);
        }
        state
    }
}

/// Splits an event into its stored name and payload.
pub fn to_stored<E: DomainEvent>(event: &E) -> (String, serde_json::Value) {
    let mut value = serde_json::to_value(event).unwrap_or(serde_json::Value::Null);
    let payload = value
        .get_mut("payload")
        .map(serde_json::Value::take)
        .unwrap_or(serde_json::Value::Object(Default::default()));
    (event.event_type().to_string(), payload)
}

/// Rebuilds an event from its stored name and (already upcast) payload.
pub fn from_stored<E: DomainEvent>(
    event_type: &str,
    payload: serde_json::Value,
) -> Result<E, serde_json::Error> {
    serde_json::from_value(serde_json::json!({ "event_type": event_type, "payload": payload }))
}
