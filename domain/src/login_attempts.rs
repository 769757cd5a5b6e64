//! Failed logins of one user and the lockout they cause (LOGIN.0001/LOGIN.0002): a stream of its own
//! per user, so the audit trail holds every failure with its reason without touching the user's
//! stream. Lockout cannot be turned against the user (ops/adr/0012): failures from devices the
//! user has signed in from count and lock only that device; failures from anywhere else count
//! towards the account's lock, which such devices ignore. Before a lock, each failure past the
//! second makes the next attempt wait longer (1 s, 2 s, 4 s, … at most a minute). A success
//! clears the count it came through; an administrator's unlock clears every count.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};
use crate::tenant::LockoutPolicy;

/// The most devices remembered per user; the least recently used is forgotten first.
pub const MAX_DEVICES: usize = 16;

/// One failure count and lock: the account's (for unfamiliar devices) or a device's.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Count {
    /// Consecutive failures since the last success or lock.
    pub failures: u32,
    pub locked_until: Option<i64>,
    pub last_failure_at: Option<i64>,
}

impl Count {
    /// Milliseconds until the lock ends, if locked at `now`.
    pub fn locked_for(&self, now: i64) -> Option<i64> {
        self.locked_until
            .filter(|&until| until > now)
            .map(|until| until - now)
    }

    /// Milliseconds the next attempt must still wait after the last failure (the progressive
    /// delay before the lock): none for the first two failures, then 1 s doubling to 60 s.
    pub fn delay_for(&self, now: i64) -> Option<i64> {
        let last = self.last_failure_at?;
        let wait = match self.failures {
            0..=2 => return None,
            n => (1_000i64 << (n - 3).min(6)).min(60_000),
        };
        let left = last + wait - now;
        (left > 0).then_some(left)
    }

    /// Failures left before the lock, after the current count.
    pub fn remaining(&self, policy: &LockoutPolicy) -> u32 {
        policy.max_failures.saturating_sub(self.failures)
    }

    fn fail(&self, counts: bool, policy: &LockoutPolicy, now: i64) -> (u32, Option<i64>) {
        let locked = self.locked_for(now).is_some();
        // A lock that has run out starts a fresh count.
        let base = match self.locked_until {
            Some(until) if until <= now => 0,
            _ => self.failures,
        };
        let failures = if counts && !locked { base + 1 } else { base };
        let locked_until = (counts && !locked && failures >= policy.max_failures)
            .then(|| now + i64::from(policy.lock_minutes) * 60_000);
        let failures = if locked_until.is_some() { 0 } else { failures };
        (failures, locked_until)
    }

    fn apply_failure(&mut self, failures: u32, locked_until: Option<i64>, at: i64) {
        if locked_until.is_some() || self.locked_until.is_some_and(|u| u <= at) {
            self.locked_until = locked_until;
        }
        // Only a counted failure starts the delay again: waiting it out is never extended by
        // refused attempts.
        if failures != self.failures || locked_until.is_some() {
            self.last_failure_at = Some(at);
        }
        self.failures = failures;
    }
}

/// A device the user has signed in from, with its own count.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Device {
    pub count: Count,
    pub last_used_at: i64,
}

#[derive(Debug, Default, Clone)]
pub struct LoginAttempts {
    /// Failures from devices the user has not signed in from.
    pub account: Count,
    /// Devices the user has signed in from (keyed hashes of their device tokens).
    pub devices: BTreeMap<String, Device>,
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
        /// The keyed hash of the device token the attempt came with, if any.
        device: Option<String>,
    },
    Succeed {
        now: i64,
        device: Option<String>,
    },
    /// An administrator lifts every lock and count.
    Unlock {
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum LoginAttemptsEvent {
    /// A refused sign-in. `failures` and `locked_until` are the count after it: the account's,
    /// or, when `device` is set, that familiar device's.
    #[serde(rename = "login.failed")]
    Failed {
        user_id: String,
        reason: String,
        failures: u32,
        locked_until: Option<i64>,
        at: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        device: Option<String>,
    },
    /// A success: clears the count of the familiar `device` it came through, or else the
    /// account's, and remembers `registered` as a familiar device.
    #[serde(rename = "login.failures_cleared")]
    FailuresCleared {
        at: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        device: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        registered: Option<String>,
    },
    #[serde(rename = "login.unlocked")]
    Unlocked { at: i64 },
}

impl DomainEvent for LoginAttemptsEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Failed { .. } => "login.failed",
            Self::FailuresCleared { .. } => "login.failures_cleared",
            Self::Unlocked { .. } => "login.unlocked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginAttemptsError {}

impl LoginAttempts {
    /// The count an attempt with `device` goes against: the device's if it is familiar.
    pub fn count_for(&self, device: Option<&str>) -> &Count {
        device
            .and_then(|d| self.devices.get(d))
            .map_or(&self.account, |d| &d.count)
    }

    /// Whether the account is locked for unfamiliar devices at `now` (the user detail's `locked`).
    pub fn locked_for(&self, now: i64) -> Option<i64> {
        self.account.locked_for(now)
    }

    fn familiar(&self, device: &Option<String>) -> Option<String> {
        device.clone().filter(|d| self.devices.contains_key(d))
    }

    fn remember(&mut self, device: &str, at: i64) {
        if !self.devices.contains_key(device) && self.devices.len() >= MAX_DEVICES {
            let oldest = self
                .devices
                .iter()
                .min_by_key(|(key, d)| (d.last_used_at, (*key).clone()))
                .map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                self.devices.remove(&oldest);
            }
        }
        let entry = self.devices.entry(device.to_string()).or_default();
        entry.count = Count::default();
        entry.last_used_at = at;
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
                at,
                device,
                ..
            } => {
                let count = match device.as_ref().and_then(|d| self.devices.get_mut(d)) {
                    Some(d) => &mut d.count,
                    None => &mut self.account,
                };
                count.apply_failure(*failures, *locked_until, *at);
            }
            LoginAttemptsEvent::FailuresCleared {
                at,
                device,
                registered,
            } => {
                match device.as_ref().and_then(|d| self.devices.get_mut(d)) {
                    Some(d) => {
                        d.count = Count::default();
                        d.last_used_at = *at;
                    }
                    None => self.account = Count::default(),
                }
                if let Some(registered) = registered {
                    self.remember(registered, *at);
                }
            }
            LoginAttemptsEvent::Unlocked { .. } => {
                self.account = Count::default();
                for device in self.devices.values_mut() {
                    device.count = Count::default();
                }
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
                device,
            } => {
                let device = self.familiar(&device);
                let (failures, locked_until) =
                    self.count_for(device.as_deref()).fail(counts, &policy, now);
                Ok(Decision::event(LoginAttemptsEvent::Failed {
                    user_id,
                    reason,
                    failures,
                    locked_until,
                    at: now,
                    device,
                }))
            }
            LoginAttemptsCommand::Succeed { now, device } => {
                let familiar = self.familiar(&device);
                let count = self.count_for(familiar.as_deref());
                let registered = device.filter(|_| familiar.is_none());
                let clean = count.failures == 0 && count.locked_until.is_none();
                if clean && registered.is_none() {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(LoginAttemptsEvent::FailuresCleared {
                    at: now,
                    device: familiar,
                    registered,
                }))
            }
            LoginAttemptsCommand::Unlock { now } => {
                let locked = self.account.locked_until.is_some()
                    || self.account.failures > 0
                    || self
                        .devices
                        .values()
                        .any(|d| d.count.failures > 0 || d.count.locked_until.is_some());
                if !locked {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(LoginAttemptsEvent::Unlocked { at: now }))
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
            device: None,
        }
    }

    fn failed(failures: u32, locked_until: Option<i64>, at: i64) -> LoginAttemptsEvent {
        LoginAttemptsEvent::Failed {
            user_id: "u1".into(),
            reason: "bad_password".into(),
            failures,
            locked_until,
            at,
            device: None,
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
            .when(
                LoginAttemptsCommand::Succeed {
                    now: 11,
                    device: None,
                },
                &(),
            )
            .then_expect_events(&[LoginAttemptsEvent::FailuresCleared {
                at: 11,
                device: None,
                registered: None,
            }]);
        given::<LoginAttempts>(&[])
            .when(
                LoginAttemptsCommand::Succeed {
                    now: 11,
                    device: None,
                },
                &(),
            )
            .then_expect_events(&[]);
    }

    fn from(device: &str, now: i64) -> LoginAttemptsCommand {
        match fail(now) {
            LoginAttemptsCommand::Fail {
                user_id,
                reason,
                counts,
                policy,
                now,
                ..
            } => LoginAttemptsCommand::Fail {
                user_id,
                reason,
                counts,
                policy,
                now,
                device: Some(device.into()),
            },
            other => other,
        }
    }

    fn run(events: &mut Vec<LoginAttemptsEvent>, command: LoginAttemptsCommand) {
        let state = LoginAttempts::from_events(events.iter());
        events.extend(state.decide(command, &()).unwrap().events);
    }

    #[test]
    fn a_familiar_device_keeps_signing_in_while_strangers_have_locked_the_account() {
        let mut events = Vec::new();
        run(
            &mut events,
            LoginAttemptsCommand::Succeed {
                now: 1,
                device: Some("mine".into()),
            },
        );
        // An attacker without the device token locks the account for everyone else.
        run(&mut events, from("theirs", 10));
        run(&mut events, fail(20));
        let state = LoginAttempts::from_events(&events);
        assert_eq!(state.locked_for(30), Some(59_990));
        assert_eq!(state.count_for(Some("theirs")).locked_for(30), Some(59_990));
        // The user's own device is not locked, and its failures are its own.
        assert_eq!(state.count_for(Some("mine")).locked_for(30), None);
        run(&mut events, from("mine", 40));
        let state = LoginAttempts::from_events(&events);
        assert_eq!(state.count_for(Some("mine")).failures, 1);
        assert_eq!(state.account.failures, 0);
        run(
            &mut events,
            LoginAttemptsCommand::Succeed {
                now: 50,
                device: Some("mine".into()),
            },
        );
        let state = LoginAttempts::from_events(&events);
        assert_eq!(state.count_for(Some("mine")).failures, 0);
        assert_eq!(
            state.locked_for(50),
            Some(59_970),
            "the account's lock stays"
        );
    }

    #[test]
    fn each_failure_past_the_second_makes_the_next_attempt_wait_longer() {
        let policy = LockoutPolicy {
            max_failures: 10,
            lock_minutes: 1,
        };
        let mut state = LoginAttempts::default();
        let mut waits = Vec::new();
        let mut now = 0;
        for _ in 0..9 {
            let command = LoginAttemptsCommand::Fail {
                user_id: "u1".into(),
                reason: "bad_password".into(),
                counts: true,
                policy,
                now,
                device: None,
            };
            for e in state.decide(command, &()).unwrap().events {
                state.apply(&e);
            }
            waits.push(state.account.delay_for(now).unwrap_or(0));
            now += 100_000;
        }
        assert_eq!(
            waits,
            [0, 0, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000]
        );
        // A refused attempt during the wait does not extend it.
        let refused = LoginAttemptsCommand::Fail {
            user_id: "u1".into(),
            reason: "delayed".into(),
            counts: false,
            policy,
            now: now - 99_000,
            device: None,
        };
        let before = state.account.delay_for(now - 99_000);
        for e in state.decide(refused, &()).unwrap().events {
            state.apply(&e);
        }
        assert_eq!(state.account.delay_for(now - 99_000), before);
    }

    #[test]
    fn an_unlock_clears_every_count_and_keeps_the_devices() {
        let mut events = Vec::new();
        run(
            &mut events,
            LoginAttemptsCommand::Succeed {
                now: 1,
                device: Some("d".into()),
            },
        );
        run(&mut events, fail(10));
        run(&mut events, fail(20));
        run(&mut events, from("d", 30));
        run(&mut events, LoginAttemptsCommand::Unlock { now: 40 });
        assert_eq!(
            events.last(),
            Some(&LoginAttemptsEvent::Unlocked { at: 40 })
        );
        let state = LoginAttempts::from_events(&events);
        assert_eq!(state.locked_for(41), None);
        assert_eq!(state.count_for(Some("d")).failures, 0);
        assert!(state.devices.contains_key("d"));
        let clean = state
            .decide(LoginAttemptsCommand::Unlock { now: 50 }, &())
            .unwrap();
        assert!(clean.events.is_empty(), "nothing to unlock: no event");
    }

    #[test]
    fn at_most_sixteen_devices_are_remembered() {
        let mut events = Vec::new();
        for i in 0..20 {
            let device = Some(format!("d{i:02}"));
            run(
                &mut events,
                LoginAttemptsCommand::Succeed { now: i, device },
            );
        }
        let state = LoginAttempts::from_events(&events);
        assert_eq!(state.devices.len(), MAX_DEVICES);
        assert!(!state.devices.contains_key("d00") && state.devices.contains_key("d19"));
    }
}
