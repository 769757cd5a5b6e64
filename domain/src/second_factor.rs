//! A user's TOTP second factor: enrolled after the user proves a code from the new secret, then
//! verified at each sign-in. Its own stream per user (never the user's stream); the secret is
//! sealed under `personal`. A code's time step is used once: a code seen at one sign-in is refused
//! at the next.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};
use crate::totp;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TotpSecret {
    /// The shared secret, base32 (as shown to the user).
    pub secret: String,
}

#[derive(Debug, Default, Clone)]
pub struct SecondFactor {
    pub secret: Option<Vec<u8>>,
    pub last_step: i64,
}

#[derive(Debug, Clone)]
pub enum SecondFactorCommand {
    /// Enrols `secret` (raw bytes) if `code` is its current code.
    Enroll {
        user_id: String,
        secret: Vec<u8>,
        code: String,
        now: i64,
    },
    Verify {
        code: String,
        now: i64,
    },
    Remove {
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum SecondFactorEvent {
    #[serde(rename = "totp.enrolled")]
    Enrolled {
        user_id: String,
        step: i64,
        at: i64,
        personal: TotpSecret,
    },
    #[serde(rename = "totp.verified")]
    Verified { step: i64, at: i64 },
    #[serde(rename = "totp.removed")]
    Removed { at: i64 },
}

impl DomainEvent for SecondFactorEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Enrolled { .. } => "totp.enrolled",
            Self::Verified { .. } => "totp.verified",
            Self::Removed { .. } => "totp.removed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecondFactorError {
    #[error("a second factor is already enrolled")]
    AlreadyEnrolled,
    #[error("no second factor is enrolled")]
    NotEnrolled,
    #[error("incorrect verification code")]
    WrongCode,
    #[error("the secret must be at least 20 bytes")]
    WeakSecret,
}

impl SecondFactor {
    pub fn enrolled(&self) -> bool {
        self.secret.is_some()
    }
}

impl Aggregate for SecondFactor {
    type Command = SecondFactorCommand;
    type Event = SecondFactorEvent;
    type Error = SecondFactorError;
    type Services = ();
    const STREAM_TYPE: &'static str = "totp";

    fn apply(&mut self, event: &SecondFactorEvent) {
        match event {
            SecondFactorEvent::Enrolled { step, personal, .. } => {
                self.secret = totp::from_base32(&personal.secret);
                self.last_step = *step;
            }
            SecondFactorEvent::Verified { step, .. } => self.last_step = *step,
            SecondFactorEvent::Removed { .. } => self.secret = None,
        }
    }

    fn decide(
        &self,
        command: SecondFactorCommand,
        _: &(),
    ) -> Result<Decision<SecondFactorEvent>, SecondFactorError> {
        match command {
            SecondFactorCommand::Enroll {
                user_id,
                secret,
                code,
                now,
            } => {
                if self.enrolled() {
                    return Err(SecondFactorError::AlreadyEnrolled);
                }
                if secret.len() < 20 {
                    return Err(SecondFactorError::WeakSecret);
                }
                let step =
                    totp::matching_step(&secret, &code, now).ok_or(SecondFactorError::WrongCode)?;
                Ok(Decision::event(SecondFactorEvent::Enrolled {
                    user_id,
                    step,
                    at: now,
                    personal: TotpSecret {
                        secret: totp::base32(&secret),
                    },
                }))
            }
            SecondFactorCommand::Verify { code, now } => {
                let secret = self.secret.as_ref().ok_or(SecondFactorError::NotEnrolled)?;
                match totp::matching_step(secret, &code, now) {
                    Some(step) if step > self.last_step => {
                        Ok(Decision::event(SecondFactorEvent::Verified {
                            step,
                            at: now,
                        }))
                    }
                    _ => Err(SecondFactorError::WrongCode),
                }
            }
            SecondFactorCommand::Remove { now } => {
                if !self.enrolled() {
                    return Err(SecondFactorError::NotEnrolled);
                }
                Ok(Decision::event(SecondFactorEvent::Removed { at: now }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{given, given_no_events};

    const SECRET: &[u8] = b"12345678901234567890";
    const NOW: i64 = 1_111_111_109_000;

    fn enrolled() -> SecondFactorEvent {
        SecondFactorEvent::Enrolled {
            user_id: "u1".into(),
            step: totp::step_of(NOW),
            at: NOW,
            personal: TotpSecret {
                secret: totp::base32(SECRET),
            },
        }
    }

    #[test]
    fn enrolment_needs_a_current_code_of_the_new_secret() {
        let enroll = |code: &str| SecondFactorCommand::Enroll {
            user_id: "u1".into(),
            secret: SECRET.to_vec(),
            code: code.into(),
            now: NOW,
        };
        given_no_events::<SecondFactor>()
            .when(enroll("000000"), &())
            .then_expect_error(SecondFactorError::WrongCode);
        given_no_events::<SecondFactor>()
            .when(enroll(&totp::code_at(SECRET, totp::step_of(NOW))), &())
            .then_expect_events(&[enrolled()]);
        given::<SecondFactor>(&[enrolled()])
            .when(enroll(&totp::code_at(SECRET, totp::step_of(NOW))), &())
            .then_expect_error(SecondFactorError::AlreadyEnrolled);
    }

    #[test]
    fn a_code_is_accepted_once_and_only_from_a_later_step() {
        let later = NOW + 30_000;
        let code = totp::code_at(SECRET, totp::step_of(later));
        let verify = |code: &str, now| SecondFactorCommand::Verify {
            code: code.into(),
            now,
        };
        let verified = SecondFactorEvent::Verified {
            step: totp::step_of(later),
            at: later,
        };
        given::<SecondFactor>(&[enrolled()])
            .when(verify(&code, later), &())
            .then_expect_events(std::slice::from_ref(&verified));
        given::<SecondFactor>(&[enrolled(), verified])
            .when(verify(&code, later), &())
            .then_expect_error(SecondFactorError::WrongCode);
        // The enrolment code itself cannot sign in.
        given::<SecondFactor>(&[enrolled()])
            .when(verify(&totp::code_at(SECRET, totp::step_of(NOW)), NOW), &())
            .then_expect_error(SecondFactorError::WrongCode);
    }
}
