//! What the load did and what the server answered: every user and organisation with each value
//! written to it in order (the create first) and whether that write was acknowledged, every
//! acknowledged management token, and the timing and answer of every write request (for the
//! scenarios' latency figures).
//!
//! One worker owns each entity and writes it one request at a time, so the writes of an entity
//! are totally ordered. After a write whose outcome is unknown (sent, no answer) the entity is
//! retired: nothing is written to it again, so a late-applied write cannot be mistaken for a
//! lost one.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::client::{Answer, Call};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    User,
    Org,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    Create(Kind),
    Update(Kind),
    Token,
}

/// One write to an entity: the value it set and how it was answered.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub value: String,
    pub answer: Answer,
    /// When the answer came.
    pub at: Instant,
}

#[derive(Debug, Clone)]
pub struct Entity {
    pub kind: Kind,
    /// The user name or organisation code (unique, chosen by the load).
    pub key: String,
    /// The id the create's acknowledgement carried.
    pub id: Option<String>,
    /// The create, then each update, in order.
    pub attempts: Vec<Attempt>,
    /// No more writes go to it (its last write has an unknown outcome).
    pub retired: bool,
}

impl Entity {
    /// Whether the load may write to it again.
    pub fn writable(&self) -> bool {
        self.id.is_some() && !self.retired
    }
}

/// The timing and answer of one write request.
#[derive(Debug, Clone)]
pub struct Request {
    pub kind: WriteKind,
    pub started: Instant,
    pub elapsed: Duration,
    pub answer: Answer,
}

#[derive(Debug, Clone)]
pub struct Ledger {
    /// When the ledger was made (times in messages are counted from here).
    pub began: Instant,
    pub entities: Vec<Entity>,
    /// Acknowledged management tokens.
    pub tokens: Vec<String>,
    pub requests: Vec<Request>,
}

impl Default for Ledger {
    fn default() -> Self {
        Self {
            began: Instant::now(),
            entities: Vec::new(),
            tokens: Vec::new(),
            requests: Vec::new(),
        }
    }
}

/// The ledger shared by the load's workers and the probes.
#[derive(Clone, Default)]
pub struct SharedLedger(Arc<Mutex<Ledger>>);

impl SharedLedger {
    pub fn lock(&self) -> MutexGuard<'_, Ledger> {
        // A worker that panicked while holding the lock left whole records behind.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn snapshot(&self) -> Ledger {
        self.lock().clone()
    }

    /// Records a create of `key` with `value`; returns the new entity's index.
    pub fn created(&self, kind: Kind, key: &str, value: &str, call: &Call) -> usize {
        let mut ledger = self.lock();
        ledger.request(WriteKind::Create(kind), call);
        let id = match &call.answer {
            Answer::Acked(id) => Some(id.clone()),
            _ => None,
        };
        ledger.entities.push(Entity {
            kind,
            key: key.to_string(),
            id,
            attempts: vec![Attempt {
                value: value.to_string(),
                answer: call.answer.clone(),
                at: call.started + call.elapsed,
            }],
            retired: false,
        });
        ledger.entities.len() - 1
    }

    /// Records an update of entity `index` to `value`.
    pub fn updated(&self, index: usize, value: &str, call: &Call) {
        let mut ledger = self.lock();
        let Some(kind) = ledger.entities.get(index).map(|e| e.kind) else {
            return;
        };
        ledger.request(WriteKind::Update(kind), call);
        let entity = &mut ledger.entities[index];
        entity.attempts.push(Attempt {
            value: value.to_string(),
            answer: call.answer.clone(),
            at: call.started + call.elapsed,
        });
        if matches!(call.answer, Answer::NoAnswer { sent: true }) {
            entity.retired = true;
        }
    }

    /// Records a token request.
    pub fn token(&self, call: &Call) {
        let mut ledger = self.lock();
        ledger.request(WriteKind::Token, call);
        if let Answer::Acked(token) = &call.answer {
            ledger.tokens.push(token.clone());
        }
    }

    /// The ids of up to `n` users whose create was acknowledged.
    pub fn acked_users(&self, n: usize) -> Vec<String> {
        let ledger = self.lock();
        ledger
            .entities
            .iter()
            .filter(|e| e.kind == Kind::User)
            .filter_map(|e| e.id.clone())
            .take(n)
            .collect()
    }

    /// When the first write answered with something other than success after `since`.
    pub fn first_refusal_since(&self, since: Instant) -> Option<Instant> {
        self.lock()
            .requests
            .iter()
            .filter(|r| r.started >= since && matches!(r.answer, Answer::Refused { .. }))
            .map(|r| r.started)
            .min()
    }

    /// Acknowledged writes since `since`.
    pub fn acked_since(&self, since: Instant) -> usize {
        self.lock()
            .requests
            .iter()
            .filter(|r| r.started >= since && r.answer.acked())
            .count()
    }
}

impl Ledger {
    /// Milliseconds from the ledger's start to `at`, for messages.
    pub fn offset_ms(&self, at: Instant) -> u128 {
        at.saturating_duration_since(self.began).as_millis()
    }

    fn request(&mut self, kind: WriteKind, call: &Call) {
        self.requests.push(Request {
            kind,
            started: call.started,
            elapsed: call.elapsed,
            answer: call.answer.clone(),
        });
    }

    /// The write requests (tokens too) in flight at some moment of `[from, to)`.
    pub fn requests_overlapping(&self, from: Instant, to: Instant) -> Vec<&Request> {
        self.requests
            .iter()
            .filter(|r| r.started < to && r.started + r.elapsed > from)
            .collect()
    }

    /// The write requests started in `[from, to)`, management writes only (no tokens) unless
    /// `tokens`.
    pub fn requests_between(&self, from: Instant, to: Instant, tokens: bool) -> Vec<&Request> {
        self.requests
            .iter()
            .filter(|r| r.started >= from && r.started < to)
            .filter(|r| tokens || r.kind != WriteKind::Token)
            .collect()
    }
}
