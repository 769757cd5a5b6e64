//! One CAS single-logout delivery (CAS Protocol 3.0 §2.3.3): when an SSO session ends, every
//! service that received a ticket in it is sent a `logoutRequest` naming that ticket. Each delivery
//! is its own stream and a durable outbox entry: queued, then attempted until the service answers
//! 2xx or the attempts run out, each attempt recorded.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};
use crate::cas_ticket::SealedTicket;

/// Attempts before a delivery is abandoned.
pub const MAX_ATTEMPTS: u32 = 6;

/// The wait before attempt `n + 1` after `n` failures: `base`, doubling, at most an hour.
pub fn backoff_ms(base_ms: i64, failures: u32) -> i64 {
    let factor = 1_i64 << failures.saturating_sub(1).min(20);
    (base_ms.max(1) * factor).min(3_600_000)
}

#[derive(Debug, Default, Clone)]
pub struct CasLogout {
    pub queued: bool,
    pub attempts: u32,
    pub done: bool,
    /// The ticket the request names (`SessionIndex`); empty once erased.
    pub session_index: Option<String>,
}

#[derive(Debug, Clone)]
pub enum CasLogoutCommand {
    Queue {
        session_id: String,
        ticket_id: String,
        application_id: String,
        service: String,
        /// The ticket the service was given, which the request names as `SessionIndex`.
        ticket: String,
        now: i64,
    },
    /// The outcome of one attempt: `Ok(status)` for a 2xx answer, `Err(what)` otherwise.
    Record {
        outcome: Result<u16, String>,
        retry_base_ms: i64,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum CasLogoutEvent {
    #[serde(rename = "cas_logout.queued")]
    Queued {
        session_id: String,
        ticket_id: String,
        application_id: String,
        service: String,
        at: i64,
        personal: SealedTicket,
    },
    #[serde(rename = "cas_logout.delivered")]
    Delivered { attempt: u32, status: u16, at: i64 },
    #[serde(rename = "cas_logout.attempt_failed")]
    AttemptFailed {
        attempt: u32,
        error: String,
        at: i64,
        next_attempt_at: i64,
    },
    #[serde(rename = "cas_logout.abandoned")]
    Abandoned {
        attempt: u32,
        error: String,
        at: i64,
    },
}

impl DomainEvent for CasLogoutEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Queued { .. } => "cas_logout.queued",
            Self::Delivered { .. } => "cas_logout.delivered",
            Self::AttemptFailed { .. } => "cas_logout.attempt_failed",
            Self::Abandoned { .. } => "cas_logout.abandoned",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CasLogoutError {
    #[error("logout already queued")]
    AlreadyQueued,
    #[error("unknown logout")]
    Unknown,
    #[error("the logout was delivered or abandoned")]
    Done,
}

impl Aggregate for CasLogout {
    type Command = CasLogoutCommand;
    type Event = CasLogoutEvent;
    type Error = CasLogoutError;
    type Services = ();
    const STREAM_TYPE: &'static str = "cas_logout";

    fn apply(&mut self, event: &CasLogoutEvent) {
        match event {
            CasLogoutEvent::Queued { personal, .. } => {
                self.queued = true;
                self.session_index = Some(personal.ticket.clone());
            }
            CasLogoutEvent::AttemptFailed { attempt, .. } => self.attempts = *attempt,
            CasLogoutEvent::Delivered { attempt, .. }
            | CasLogoutEvent::Abandoned { attempt, .. } => {
                self.attempts = *attempt;
                self.done = true;
            }
        }
    }

    fn decide(
        &self,
        command: CasLogoutCommand,
        _: &(),
    ) -> Result<Decision<CasLogoutEvent>, CasLogoutError> {
        match command {
            CasLogoutCommand::Queue {
                session_id,
                ticket_id,
                application_id,
                service,
                ticket,
                now,
            } => {
                if self.queued {
                    return Err(CasLogoutError::AlreadyQueued);
                }
                Ok(Decision::event(CasLogoutEvent::Queued {
                    session_id,
                    ticket_id,
                    application_id,
                    service,
                    at: now,
                    personal: SealedTicket { ticket },
                }))
            }
            CasLogoutCommand::Record {
                outcome,
                retry_base_ms,
                now,
            } => {
                if !self.queued {
                    return Err(CasLogoutError::Unknown);
                }
                if self.done {
                    return Err(CasLogoutError::Done);
                }
                let attempt = self.attempts + 1;
                Ok(Decision::event(match outcome {
                    Ok(status) => CasLogoutEvent::Delivered {
                        attempt,
                        status,
                        at: now,
                    },
                    Err(error) if attempt >= MAX_ATTEMPTS => CasLogoutEvent::Abandoned {
                        attempt,
                        error,
                        at: now,
                    },
                    Err(error) => CasLogoutEvent::AttemptFailed {
                        attempt,
                        error,
                        at: now,
                        next_attempt_at: now + backoff_ms(retry_base_ms, attempt),
                    },
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{given, given_no_events};

    fn queued() -> CasLogoutEvent {
        CasLogoutEvent::Queued {
            session_id: "s1".into(),
            ticket_id: "t1".into(),
            application_id: "a1".into(),
            service: "https://app.example.com/cb".into(),
            at: 0,
            personal: SealedTicket {
                ticket: "ST-x".into(),
            },
        }
    }

    fn record(outcome: Result<u16, String>, now: i64) -> CasLogoutCommand {
        CasLogoutCommand::Record {
            outcome,
            retry_base_ms: 1000,
            now,
        }
    }

    #[test]
    fn a_delivery_is_queued_once() {
        let queue = CasLogoutCommand::Queue {
            session_id: "s1".into(),
            ticket_id: "t1".into(),
            application_id: "a1".into(),
            service: "https://app.example.com/cb".into(),
            ticket: "ST-x".into(),
            now: 0,
        };
        given_no_events::<CasLogout>()
            .when(queue.clone(), &())
            .then_expect_events(&[queued()]);
        given::<CasLogout>(&[queued()])
            .when(queue, &())
            .then_expect_error(CasLogoutError::AlreadyQueued);
    }

    #[test]
    fn failed_attempts_are_retried_with_backoff_then_delivered() {
        let failed = CasLogoutEvent::AttemptFailed {
            attempt: 1,
            error: "HTTP 500".into(),
            at: 10,
            next_attempt_at: 1010,
        };
        given::<CasLogout>(&[queued()])
            .when(record(Err("HTTP 500".into()), 10), &())
            .then_expect_events(std::slice::from_ref(&failed));
        let delivered = CasLogoutEvent::Delivered {
            attempt: 2,
            status: 200,
            at: 1010,
        };
        given::<CasLogout>(&[queued(), failed.clone()])
            .when(record(Ok(200), 1010), &())
            .then_expect_events(std::slice::from_ref(&delivered));
        given::<CasLogout>(&[queued(), failed, delivered])
            .when(record(Ok(200), 2000), &())
            .then_expect_error(CasLogoutError::Done);
        assert_eq!(backoff_ms(1000, 1), 1000);
        assert_eq!(backoff_ms(1000, 3), 4000);
        assert_eq!(backoff_ms(1000, 60), 3_600_000);
    }

    #[test]
    fn a_delivery_is_abandoned_after_the_last_attempt() {
        let mut history = vec![queued()];
        for attempt in 1..MAX_ATTEMPTS {
            history.push(CasLogoutEvent::AttemptFailed {
                attempt,
                error: "refused".into(),
                at: 0,
                next_attempt_at: 0,
            });
        }
        given::<CasLogout>(&history)
            .when(record(Err("refused".into()), 99), &())
            .then_expect_events(&[CasLogoutEvent::Abandoned {
                attempt: MAX_ATTEMPTS,
                error: "refused".into(),
                at: 99,
            }]);
        given_no_events::<CasLogout>()
            .when(record(Ok(200), 0), &())
            .then_expect_error(CasLogoutError::Unknown);
    }
}
