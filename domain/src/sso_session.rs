//! A browser single sign-on session (DESIGN.md "Protocols"): one per login, one stream each, serving
//! every protocol. The cookie that carries it is stored only as a keyed hash. A session that still
//! waits for its second factor serves no protocol. A session started by the SDK login (seed 002 A2)
//! is bound to the device it was started from: the keyed hash of its fingerprint is recorded, and
//! its `session_token` (also kept only as a keyed hash) is refused from any other device.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};

#[derive(Debug, Default, Clone)]
pub struct SsoSession {
    pub started: bool,
    pub user_id: String,
    pub needs_second_factor: bool,
    pub expires_at: i64,
    pub ended: bool,
    /// The keyed hash of the device fingerprint an SDK session is bound to.
    pub device_hash: Option<String>,
}

#[derive(Debug, Clone)]
pub enum SsoSessionCommand {
    Start {
        session_id: String,
        user_id: String,
        cookie_hash: String,
        /// Authentication methods used so far (`pwd`, `otp`), as in OIDC `amr`.
        methods: Vec<String>,
        needs_second_factor: bool,
        remember_me: bool,
        now: i64,
        expires_at: i64,
        /// The keyed hash of the device fingerprint, for a session bound to one device (SDK).
        device_hash: Option<String>,
    },
    PassSecondFactor {
        method: String,
        now: i64,
    },
    /// A new cookie for the same session (after the second factor, so a cookie seen before
    /// authentication completed is worthless afterwards).
    Rotate {
        cookie_hash: String,
        now: i64,
    },
    /// Extends a live session that is in use (sliding expiry).
    Refresh {
        now: i64,
        expires_at: i64,
    },
    End {
        reason: String,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum SsoSessionEvent {
    #[serde(rename = "sso_session.started")]
    Started {
        session_id: String,
        user_id: String,
        cookie_hash: String,
        methods: Vec<String>,
        needs_second_factor: bool,
        remember_me: bool,
        auth_time: i64,
        expires_at: i64,
        /// Absent for browser sessions (and in events recorded before SDK sessions existed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        device_hash: Option<String>,
    },
    #[serde(rename = "sso_session.second_factor_passed")]
    SecondFactorPassed { method: String, at: i64 },
    #[serde(rename = "sso_session.cookie_rotated")]
    CookieRotated { cookie_hash: String, at: i64 },
    #[serde(rename = "sso_session.refreshed")]
    Refreshed { at: i64, expires_at: i64 },
    #[serde(rename = "sso_session.ended")]
    Ended { reason: String, at: i64 },
}

impl DomainEvent for SsoSessionEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Started { .. } => "sso_session.started",
            Self::SecondFactorPassed { .. } => "sso_session.second_factor_passed",
            Self::CookieRotated { .. } => "sso_session.cookie_rotated",
            Self::Refreshed { .. } => "sso_session.refreshed",
            Self::Ended { .. } => "sso_session.ended",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsoSessionError {
    #[error("session already started")]
    AlreadyStarted,
    #[error("no such session")]
    Unknown,
    #[error("the session has ended")]
    Ended,
    #[error("no second factor is pending")]
    NothingPending,
}

impl Aggregate for SsoSession {
    type Command = SsoSessionCommand;
    type Event = SsoSessionEvent;
    type Error = SsoSessionError;
    type Services = ();
    const STREAM_TYPE: &'static str = "sso_session";

    fn apply(&mut self, event: &SsoSessionEvent) {
        match event {
            SsoSessionEvent::Started {
                user_id,
                needs_second_factor,
                expires_at,
                device_hash,
                ..
            } => {
                self.started = true;
                self.user_id = user_id.clone();
                self.needs_second_factor = *needs_second_factor;
                self.expires_at = *expires_at;
                self.device_hash = device_hash.clone();
            }
            SsoSessionEvent::SecondFactorPassed { .. } => self.needs_second_factor = false,
            SsoSessionEvent::CookieRotated { .. } => {}
            SsoSessionEvent::Refreshed { expires_at, .. } => self.expires_at = *expires_at,
            SsoSessionEvent::Ended { .. } => self.ended = true,
        }
    }

    fn decide(
        &self,
        command: SsoSessionCommand,
        _: &(),
    ) -> Result<Decision<SsoSessionEvent>, SsoSessionError> {
        match command {
            SsoSessionCommand::Start {
                session_id,
                user_id,
                cookie_hash,
                methods,
                needs_second_factor,
                remember_me,
                now,
                expires_at,
                device_hash,
            } => {
                if self.started {
                    return Err(SsoSessionError::AlreadyStarted);
                }
                Ok(Decision::event(SsoSessionEvent::Started {
                    session_id,
                    user_id,
                    cookie_hash,
                    methods,
                    needs_second_factor,
                    remember_me,
                    auth_time: now,
                    expires_at,
                    device_hash,
                }))
            }
            SsoSessionCommand::PassSecondFactor { method, now } => {
                self.live(now)?;
                if !self.needs_second_factor {
                    return Err(SsoSessionError::NothingPending);
                }
                Ok(Decision::event(SsoSessionEvent::SecondFactorPassed {
                    method,
                    at: now,
                }))
            }
            SsoSessionCommand::Rotate { cookie_hash, now } => {
                self.live(now)?;
                Ok(Decision::event(SsoSessionEvent::CookieRotated {
                    cookie_hash,
                    at: now,
                }))
            }
            SsoSessionCommand::Refresh { now, expires_at } => {
                self.live(now)?;
                if expires_at <= self.expires_at {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(SsoSessionEvent::Refreshed {
                    at: now,
                    expires_at,
                }))
            }
            SsoSessionCommand::End { reason, now } => {
                if !self.started {
                    return Err(SsoSessionError::Unknown);
                }
                if self.ended {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(SsoSessionEvent::Ended { reason, at: now }))
            }
        }
    }
}

impl SsoSession {
    fn live(&self, now: i64) -> Result<(), SsoSessionError> {
        if !self.started {
            return Err(SsoSessionError::Unknown);
        }
        if self.ended || now >= self.expires_at {
            return Err(SsoSessionError::Ended);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{given, given_no_events};

    fn started(needs_second_factor: bool) -> SsoSessionEvent {
        SsoSessionEvent::Started {
            session_id: "s1".into(),
            user_id: "u1".into(),
            cookie_hash: "c1".into(),
            methods: vec!["pwd".into()],
            needs_second_factor,
            remember_me: false,
            auth_time: 1_000,
            expires_at: 10_000,
            device_hash: None,
        }
    }

    #[test]
    fn a_login_starts_a_session() {
        given_no_events::<SsoSession>()
            .when(
                SsoSessionCommand::Start {
                    session_id: "s1".into(),
                    user_id: "u1".into(),
                    cookie_hash: "c1".into(),
                    methods: vec!["pwd".into()],
                    needs_second_factor: false,
                    remember_me: false,
                    now: 1_000,
                    expires_at: 10_000,
                    device_hash: None,
                },
                &(),
            )
            .then_expect_events(&[started(false)]);
    }

    #[test]
    fn a_session_started_from_a_device_remembers_the_device_and_old_events_have_none() {
        let decision = given_no_events::<SsoSession>()
            .when(
                SsoSessionCommand::Start {
                    session_id: "s1".into(),
                    user_id: "u1".into(),
                    cookie_hash: "c1".into(),
                    methods: vec!["pwd".into()],
                    needs_second_factor: false,
                    remember_me: false,
                    now: 1_000,
                    expires_at: 10_000,
                    device_hash: Some("d1".into()),
                },
                &(),
            )
            .decision();
        let state = SsoSession::from_events(&decision.events);
        assert_eq!(state.device_hash.as_deref(), Some("d1"));
        // A browser session's payload is unchanged: no `device_hash` key at all.
        let (_, payload) = crate::aggregate::to_stored(&started(false));
        assert!(payload.get("device_hash").is_none());
        let old: SsoSessionEvent =
            crate::aggregate::from_stored("sso_session.started", payload).unwrap();
        assert_eq!(old, started(false));
    }

    #[test]
    fn a_second_factor_passes_only_when_pending_and_before_expiry() {
        given::<SsoSession>(&[started(true)])
            .when(
                SsoSessionCommand::PassSecondFactor {
                    method: "otp".into(),
                    now: 2_000,
                },
                &(),
            )
            .then_expect_events(&[SsoSessionEvent::SecondFactorPassed {
                method: "otp".into(),
                at: 2_000,
            }]);
        given::<SsoSession>(&[started(false)])
            .when(
                SsoSessionCommand::PassSecondFactor {
                    method: "otp".into(),
                    now: 2_000,
                },
                &(),
            )
            .then_expect_error(SsoSessionError::NothingPending);
        given::<SsoSession>(&[started(true)])
            .when(
                SsoSessionCommand::PassSecondFactor {
                    method: "otp".into(),
                    now: 10_000,
                },
                &(),
            )
            .then_expect_error(SsoSessionError::Ended);
    }

    #[test]
    fn a_live_session_is_extended_and_never_shortened() {
        let refresh = |now, expires_at| SsoSessionCommand::Refresh { now, expires_at };
        given::<SsoSession>(&[started(false)])
            .when(refresh(5_000, 15_000), &())
            .then_expect_events(&[SsoSessionEvent::Refreshed {
                at: 5_000,
                expires_at: 15_000,
            }]);
        given::<SsoSession>(&[started(false)])
            .when(refresh(5_000, 9_000), &())
            .then_expect_events(&[]);
        given::<SsoSession>(&[started(false)])
            .when(refresh(10_000, 20_000), &())
            .then_expect_error(SsoSessionError::Ended);
    }

    #[test]
    fn ending_twice_records_one_end() {
        let ended = SsoSessionEvent::Ended {
            reason: "logout".into(),
            at: 3_000,
        };
        let end = SsoSessionCommand::End {
            reason: "logout".into(),
            now: 3_000,
        };
        given::<SsoSession>(&[started(false)])
            .when(end.clone(), &())
            .then_expect_events(std::slice::from_ref(&ended));
        given::<SsoSession>(&[started(false), ended])
            .when(end, &())
            .then_expect_events(&[]);
    }
}
