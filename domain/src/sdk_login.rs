//! One SDK password login (seed 002 A2–A6, specs/oneaccess-sdk-and-hainan-uaa.md §1.4): started
//! once the password is right and the user may use the application, then either completed at once
//! or taken through the challenges still due, in order (password first, then the second factor).
//! Each challenge is a step with its own short-lived `state_token`, which names the login (the
//! stream id), the step and the challenge; only the current step's token is accepted, by the
//! endpoints its challenge allows, before it expires. A step is passed once: the token that
//! passed it is worthless afterwards. The tokens themselves are never stored.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};

/// A challenge of the login state machine, named as on the wire (`status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SdkChallenge {
    /// The password expires soon: change it or skip the change.
    PasswordWarn,
    /// The password has expired (or an administrator asked for a change): change it.
    PasswordExpired,
    /// The second factor: a TOTP code, or an SMS code to the user's mobile.
    MfaAuth,
}

impl SdkChallenge {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PasswordWarn => "PASSWORD_WARN",
            Self::PasswordExpired => "PASSWORD_EXPIRED",
            Self::MfaAuth => "MFA_AUTH",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::PasswordWarn, Self::PasswordExpired, Self::MfaAuth]
            .into_iter()
            .find(|c| c.as_str() == text)
    }

    /// Whether this challenge is passed by `by`.
    pub fn passed_by(self, by: PassedBy) -> bool {
        matches!(
            (self, by),
            (Self::PasswordWarn, PassedBy::Skip)
                | (
                    Self::PasswordWarn | Self::PasswordExpired,
                    PassedBy::PasswordChange
                )
                | (Self::MfaAuth, PassedBy::Totp | PassedBy::Sms)
        )
    }
}

/// How a step was passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PassedBy {
    Skip,
    PasswordChange,
    Totp,
    Sms,
}

impl PassedBy {
    /// The OIDC `amr` value this adds to the session, if any.
    pub fn method(self) -> Option<&'static str> {
        match self {
            Self::Totp => Some("otp"),
            Self::Sms => Some("sms"),
            Self::Skip | Self::PasswordChange => None,
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct SdkLogin {
    pub started: bool,
    pub user_id: String,
    pub application_id: String,
    pub device_hash: String,
    /// The current step (1 for the first challenge); 0 before any.
    pub step: u32,
    pub challenge: Option<SdkChallenge>,
    pub expires_at: i64,
    pub completed: bool,
    /// Authentication methods used so far (`pwd`, `otp`, `sms`), as in OIDC `amr`.
    pub methods: Vec<String>,
    pub skipped_warning: bool,
    pub password_changed: bool,
}

#[derive(Debug, Clone)]
pub enum SdkLoginCommand {
    /// The password was right. `due` is every challenge the user has now, in order; the login
    /// completes with `session_id` when none is.
    Start {
        user_id: String,
        application_id: String,
        device_hash: String,
        due: Vec<SdkChallenge>,
        session_id: String,
        now: i64,
        expires_at: i64,
    },
    /// Passes the current step (`step`, `challenge` as the state token names them). `due` is every
    /// challenge the user has after it, before those already passed in this login are removed.
    Pass {
        step: u32,
        challenge: SdkChallenge,
        by: PassedBy,
        due: Vec<SdkChallenge>,
        session_id: String,
        now: i64,
        expires_at: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum SdkLoginEvent {
    #[serde(rename = "sdk_login.started")]
    Started {
        user_id: String,
        application_id: String,
        /// The keyed hash of the device fingerprint; the fingerprint itself is not kept.
        device_hash: String,
        at: i64,
    },
    /// A state token was issued for this step and challenge.
    #[serde(rename = "sdk_login.challenged")]
    Challenged {
        step: u32,
        challenge: SdkChallenge,
        issued_at: i64,
        expires_at: i64,
    },
    #[serde(rename = "sdk_login.step_passed")]
    StepPassed {
        step: u32,
        challenge: SdkChallenge,
        by: PassedBy,
        at: i64,
    },
    /// Every challenge is passed: the session (and its `session_token`) is `session_id`.
    #[serde(rename = "sdk_login.completed")]
    Completed {
        session_id: String,
        methods: Vec<String>,
        at: i64,
    },
}

impl DomainEvent for SdkLoginEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Started { .. } => "sdk_login.started",
            Self::Challenged { .. } => "sdk_login.challenged",
            Self::StepPassed { .. } => "sdk_login.step_passed",
            Self::Completed { .. } => "sdk_login.completed",
        }
    }
}

/// Why a state token is refused (PARAM.0014 on the wire, whatever the reason).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdkLoginError {
    #[error("login already started")]
    AlreadyStarted,
    #[error("no such login")]
    Unknown,
    #[error("the login is already complete")]
    Completed,
    #[error("the state token is not for the current step")]
    StaleStep,
    #[error("the state token is not for this challenge")]
    WrongChallenge,
    #[error("the state token has expired")]
    Expired,
}

impl SdkLogin {
    /// Whether a state token for `step` and `challenge` may be used at `now`.
    pub fn accepts(
        &self,
        step: u32,
        challenge: SdkChallenge,
        now: i64,
    ) -> Result<(), SdkLoginError> {
        if !self.started {
            return Err(SdkLoginError::Unknown);
        }
        if self.completed {
            return Err(SdkLoginError::Completed);
        }
        if step != self.step {
            return Err(SdkLoginError::StaleStep);
        }
        if self.challenge != Some(challenge) {
            return Err(SdkLoginError::WrongChallenge);
        }
        if now >= self.expires_at {
            return Err(SdkLoginError::Expired);
        }
        Ok(())
    }

    /// The first challenge of `due` this login still has to pass, given what it passed so far
    /// (and `by`, passed now).
    fn next(&self, due: &[SdkChallenge], by: Option<PassedBy>) -> Option<SdkChallenge> {
        let skipped = self.skipped_warning || by == Some(PassedBy::Skip);
        let changed = self.password_changed || by == Some(PassedBy::PasswordChange);
        let second_factor = by.and_then(PassedBy::method).is_some()
            || self.methods.iter().any(|m| m == "otp" || m == "sms");
        due.iter().copied().find(|c| match c {
            SdkChallenge::PasswordWarn => !skipped && !changed,
            SdkChallenge::PasswordExpired => !changed,
            SdkChallenge::MfaAuth => !second_factor,
        })
    }

    fn step_or_completion(
        &self,
        next: Option<SdkChallenge>,
        methods: Vec<String>,
        session_id: String,
        now: i64,
        expires_at: i64,
    ) -> SdkLoginEvent {
        match next {
            Some(challenge) => SdkLoginEvent::Challenged {
                step: self.step + 1,
                challenge,
                issued_at: now,
                expires_at,
            },
            None => SdkLoginEvent::Completed {
                session_id,
                methods,
                at: now,
            },
        }
    }
}

impl Aggregate for SdkLogin {
    type Command = SdkLoginCommand;
    type Event = SdkLoginEvent;
    type Error = SdkLoginError;
    type Services = ();
    const STREAM_TYPE: &'static str = "sdk_login";

    fn apply(&mut self, event: &SdkLoginEvent) {
        match event {
            SdkLoginEvent::Started {
                user_id,
                application_id,
                device_hash,
                ..
            } => {
                self.started = true;
                self.user_id = user_id.clone();
                self.application_id = application_id.clone();
                self.device_hash = device_hash.clone();
                self.methods = vec!["pwd".to_string()];
            }
            SdkLoginEvent::Challenged {
                step,
                challenge,
                expires_at,
                ..
            } => {
                self.step = *step;
                self.challenge = Some(*challenge);
                self.expires_at = *expires_at;
            }
            SdkLoginEvent::StepPassed { by, .. } => {
                self.challenge = None;
                match by {
                    PassedBy::Skip => self.skipped_warning = true,
                    PassedBy::PasswordChange => self.password_changed = true,
                    PassedBy::Totp | PassedBy::Sms => {}
                }
                if let Some(method) = by.method() {
                    self.methods.push(method.to_string());
                }
            }
            SdkLoginEvent::Completed { .. } => self.completed = true,
        }
    }

    fn decide(
        &self,
        command: SdkLoginCommand,
        _: &(),
    ) -> Result<Decision<SdkLoginEvent>, SdkLoginError> {
        match command {
            SdkLoginCommand::Start {
                user_id,
                application_id,
                device_hash,
                due,
                session_id,
                now,
                expires_at,
            } => {
                if self.started {
                    return Err(SdkLoginError::AlreadyStarted);
                }
                let started = SdkLoginEvent::Started {
                    user_id,
                    application_id,
                    device_hash,
                    at: now,
                };
                let next = due.first().copied();
                let then = self.step_or_completion(
                    next,
                    vec!["pwd".to_string()],
                    session_id,
                    now,
                    expires_at,
                );
                Ok(Decision::events(vec![started, then]))
            }
            SdkLoginCommand::Pass {
                step,
                challenge,
                by,
                due,
                session_id,
                now,
                expires_at,
            } => {
                self.accepts(step, challenge, now)?;
                if !challenge.passed_by(by) {
                    return Err(SdkLoginError::WrongChallenge);
                }
                let passed = SdkLoginEvent::StepPassed {
                    step,
                    challenge,
                    by,
                    at: now,
                };
                let mut methods = self.methods.clone();
                methods.extend(by.method().map(str::to_string));
                let next = self.next(&due, Some(by));
                let then = self.step_or_completion(next, methods, session_id, now, expires_at);
                Ok(Decision::events(vec![passed, then]))
            }
        }
    }
}

#[cfg(test)]
#[path = "sdk_login_tests.rs"]
mod tests;
