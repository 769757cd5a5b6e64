//! Failed logins of one user and the lockout they cause (LOGIN.0001/LOGIN.0002): a stream of its own
//! per user, so the audit trail holds every failure with its reason without touching the user's
//! stream. A successful login clears the count.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};
use crate::tenant::LockoutPolicy;

#[derive(Debug, Default)]
pub struct LoginAttempts {
    /// Consecutive failures since the last success or lock.
    pub failures: u32,
    pub locked_until: Option<i64>,
}

#[derive(Debug, Clone)]
pub enum LoginAttemptsCommand {
    Fail {
        user_id: String,
        reason: String,
        /// Whether the failure counts towards the lockout (a wrong password does; a disabled
        /// user or a missing application account does not).
        counts: bool,
        policy: LockoutPolicy,
        now: i64,
    },
    Succeed {
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum LoginAttemptsEvent {
    #[serde(rename = "login.failed")]
    Failed {
        user_id: String,
        reason: String,
        failures: u32,
        locked_until: Option<i64>,
        at: i64,
    },
    #[serde(rename = "login.failures_cleared")]
    FailuresCleared { at: i64 },
}

impl DomainEvent for LoginAttemptsEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Failed { .. } => "login.failed",
            Self::FailuresCleared { .. } => "login.failures_cleared",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginAttemptsError {}

impl LoginAttempts {
    /// Milliseconds until the lock ends, if the user is locked at `now`.
    pub fn locked_for(&self, now: i64) -> Option<i64> {
        self.locked_until
            .filter(|&until| until > now)
            .map(|until| until - now)
    }

    /// Failures left before the lock, after the current count.
    pub fn remaining(&self, policy: &LockoutPolicy) -> u32 {
        policy.max_failures.saturating_sub(self.failures)
    }
}

impl Aggregate for LoginAttempts {
    type Command = LoginAttemptsCommand;
    type Event = LoginAttemptsEvent;
    type Error = LoginAttemptsError;
    type Services = ();
    const STREAM_TYPE: &'static str = "login_attempts";

    fn apply(&mut self, event: &LoginAttemptsEvent) {
        match event {
            LoginAttemptsEvent::Failed {
                failures,
                locked_until,
                ..
            } => {
                self.failures = *failures;
                if locked_until.is_some() {
                    self.locked_until = *locked_until;
                }
            }
            LoginAttemptsEvent::FailuresCleared { .. } => {
                self.failures = 0;
                self.locked_until = None;
            }
        }
    }

    fn decide(
        &self,
        command: LoginAttemptsCommand,
        _: &(),
    ) -> Result<Decision<LoginAttemptsEvent>, LoginAttemptsError> {
        match command {
            LoginAttemptsCommand::Fail {
                user_id,
                reason,
                counts,
                policy,
                now,
            } => {
                // A lock that has run out starts a fresh count.
                let base = match self.locked_until {
                    Some(until) if until <= now => 0,
                    _ => self.failures,
                };
                let failures = if counts && self.locked_for(now).is_none() {
                    base + 1
                } else {
                    base
                };
                let locked_until =
                    (counts && self.locked_for(now).is_none() && failures >= policy.max_failures)
                        .then(|| now + i64::from(policy.lock_minutes) * 60_000);
                let failures = if locked_until.is_some() { 0 } else { failures };
                Ok(Decision::event(LoginAttemptsEvent::Failed {
                    user_id,
                    reason,
                    failures,
                    locked_until,
                    at: now,
                }))
            }
            LoginAttemptsCommand::Succeed { now } => {
                if self.failures == 0 && self.locked_until.is_none() {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(LoginAttemptsEvent::FailuresCleared {
                    at: now,
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::given;

    const POLICY: LockoutPolicy = LockoutPolicy {
        max_failures: 2,
        lock_minutes: 1,
    };

    fn fail(now: i64) -> LoginAttemptsCommand {
        LoginAttemptsCommand::Fail {
            user_id: "u1".into(),
            reason: "bad_password".into(),
            counts: true,
            policy: POLICY,
            now,
        }
    }

    fn failed(failures: u32, locked_until: Option<i64>, at: i64) -> LoginAttemptsEvent {
        LoginAttemptsEvent::Failed {
            user_id: "u1".into(),
            reason: "bad_password".into(),
            failures,
            locked_until,
            at,
        }
    }

    #[test]
    fn the_last_allowed_failure_locks_for_the_policy_time() {
        given::<LoginAttempts>(&[])
            .when(fail(10), &())
            .then_expect_events(&[failed(1, None, 10)]);
        given::<LoginAttempts>(&[failed(1, None, 10)])
            .when(fail(20), &())
            .then_expect_events(&[failed(0, Some(60_020), 20)]);
    }

    #[test]
    fn failures_while_locked_do_not_extend_the_lock_and_an_expired_lock_restarts_the_count() {
        let locked = [failed(1, None, 10), failed(0, Some(60_020), 20)];
        given::<LoginAttempts>(&locked)
            .when(fail(30), &())
            .then_expect_events(&[failed(0, None, 30)]);
        given::<LoginAttempts>(&locked)
            .when(fail(70_000), &())
            .then_expect_events(&[failed(1, None, 70_000)]);
        let state = LoginAttempts::from_events(&locked);
        assert_eq!(state.locked_for(30), Some(59_990));
        assert_eq!(state.locked_for(60_020), None);
    }

    #[test]
    fn a_success_clears_the_count() {
        given::<LoginAttempts>(&[failed(1, None, 10)])
            .when(LoginAttemptsCommand::Succeed { now: 11 }, &())
            .then_expect_events(&[LoginAttemptsEvent::FailuresCleared { at: 11 }]);
        given::<LoginAttempts>(&[])
            .when(LoginAttemptsCommand::Succeed { now: 11 }, &())
            .then_expect_events(&[]);
    }
}
