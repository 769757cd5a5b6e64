//! SMS verification codes of one SDK login's second factor (seed 002 MFA_AUTH: "手机和短信验证码"),
//! in a stream of their own (the login's id): each code is kept only as a keyed hash, lives a few
//! minutes, is used once, and allows a few wrong guesses. A new code replaces the previous one;
//! a login gets a bounded number of codes.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};

/// Codes one login may be sent.
pub const MAX_SENDS: u32 = 5;
/// Wrong guesses one code allows.
pub const MAX_ATTEMPTS: u32 = 5;

#[derive(Debug, Default, Clone)]
pub struct SmsCode {
    pub sends: u32,
    /// The current code: its keyed hash and expiry, unused so far.
    pub code_hash: Option<String>,
    pub expires_at: i64,
    pub attempts: u32,
}

#[derive(Debug, Clone)]
pub enum SmsCodeCommand {
    Send {
        user_id: String,
        code_hash: String,
        now: i64,
        expires_at: i64,
    },
    /// `code_hash` is the keyed hash of the code given, computed like the sent one's.
    Verify { code_hash: String, now: i64 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum SmsCodeEvent {
    #[serde(rename = "sms_code.sent")]
    Sent {
        user_id: String,
        code_hash: String,
        sent_at: i64,
        expires_at: i64,
    },
    #[serde(rename = "sms_code.rejected")]
    Rejected { attempts: u32, at: i64 },
    #[serde(rename = "sms_code.used")]
    Used { at: i64 },
}

impl DomainEvent for SmsCodeEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Sent { .. } => "sms_code.sent",
            Self::Rejected { .. } => "sms_code.rejected",
            Self::Used { .. } => "sms_code.used",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsCodeError {
    #[error("too many codes sent for this login")]
    TooManySends,
    #[error("no code is waiting")]
    NoCode,
    #[error("the code has expired")]
    Expired,
    #[error("too many wrong codes")]
    TooManyAttempts,
}

impl Aggregate for SmsCode {
    type Command = SmsCodeCommand;
    type Event = SmsCodeEvent;
    type Error = SmsCodeError;
    type Services = ();
    const STREAM_TYPE: &'static str = "sms_code";

    fn apply(&mut self, event: &SmsCodeEvent) {
        match event {
            SmsCodeEvent::Sent {
                code_hash,
                expires_at,
                ..
            } => {
                self.sends += 1;
                self.code_hash = Some(code_hash.clone());
                self.expires_at = *expires_at;
                self.attempts = 0;
            }
            SmsCodeEvent::Rejected { attempts, .. } => self.attempts = *attempts,
            SmsCodeEvent::Used { .. } => self.code_hash = None,
        }
    }

    /// A wrong code is a decision too (`Rejected`, so the attempt is on the record and counts);
    /// the caller tells right from wrong by the event.
    fn decide(
        &self,
        command: SmsCodeCommand,
        _: &(),
    ) -> Result<Decision<SmsCodeEvent>, SmsCodeError> {
        match command {
            SmsCodeCommand::Send {
                user_id,
                code_hash,
                now,
                expires_at,
            } => {
                if self.sends >= MAX_SENDS {
                    return Err(SmsCodeError::TooManySends);
                }
                Ok(Decision::event(SmsCodeEvent::Sent {
                    user_id,
                    code_hash,
                    sent_at: now,
                    expires_at,
                }))
            }
            SmsCodeCommand::Verify { code_hash, now } => {
                let expected = self.code_hash.as_ref().ok_or(SmsCodeError::NoCode)?;
                if now >= self.expires_at {
                    return Err(SmsCodeError::Expired);
                }
                if self.attempts >= MAX_ATTEMPTS {
                    return Err(SmsCodeError::TooManyAttempts);
                }
                if crate::pkce::constant_time_eq(expected.as_bytes(), code_hash.as_bytes()) {
                    Ok(Decision::event(SmsCodeEvent::Used { at: now }))
                } else {
                    Ok(Decision::event(SmsCodeEvent::Rejected {
                        attempts: self.attempts + 1,
                        at: now,
                    }))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{given, given_no_events};

    fn send(hash: &str, now: i64) -> SmsCodeCommand {
        SmsCodeCommand::Send {
            user_id: "u1".into(),
            code_hash: hash.into(),
            now,
            expires_at: now + 100,
        }
    }

    fn sent(hash: &str, now: i64) -> SmsCodeEvent {
        SmsCodeEvent::Sent {
            user_id: "u1".into(),
            code_hash: hash.into(),
            sent_at: now,
            expires_at: now + 100,
        }
    }

    fn verify(hash: &str, now: i64) -> SmsCodeCommand {
        SmsCodeCommand::Verify {
            code_hash: hash.into(),
            now,
        }
    }

    #[test]
    fn a_code_is_used_once_before_it_expires() {
        given_no_events::<SmsCode>()
            .when(send("h1", 0), &())
            .then_expect_events(&[sent("h1", 0)]);
        given::<SmsCode>(&[sent("h1", 0)])
            .when(verify("h1", 10), &())
            .then_expect_events(&[SmsCodeEvent::Used { at: 10 }]);
        given::<SmsCode>(&[sent("h1", 0), SmsCodeEvent::Used { at: 10 }])
            .when(verify("h1", 20), &())
            .then_expect_error(SmsCodeError::NoCode);
        given::<SmsCode>(&[sent("h1", 0)])
            .when(verify("h1", 100), &())
            .then_expect_error(SmsCodeError::Expired);
        given_no_events::<SmsCode>()
            .when(verify("h1", 10), &())
            .then_expect_error(SmsCodeError::NoCode);
    }

    #[test]
    fn wrong_codes_are_recorded_and_limited() {
        given::<SmsCode>(&[sent("h1", 0)])
            .when(verify("x", 10), &())
            .then_expect_events(&[SmsCodeEvent::Rejected {
                attempts: 1,
                at: 10,
            }]);
        let mut history = vec![sent("h1", 0)];
        history
            .extend((1..=MAX_ATTEMPTS).map(|attempts| SmsCodeEvent::Rejected { attempts, at: 10 }));
        given::<SmsCode>(&history)
            .when(verify("h1", 20), &())
            .then_expect_error(SmsCodeError::TooManyAttempts);
        // A new code starts afresh and replaces the old one.
        history.push(sent("h2", 30));
        given::<SmsCode>(&history)
            .when(verify("h1", 40), &())
            .then_expect_events(&[SmsCodeEvent::Rejected {
                attempts: 1,
                at: 40,
            }]);
        given::<SmsCode>(&history)
            .when(verify("h2", 40), &())
            .then_expect_events(&[SmsCodeEvent::Used { at: 40 }]);
    }

    #[test]
    fn a_login_gets_a_bounded_number_of_codes() {
        let history: Vec<SmsCodeEvent> = (0..i64::from(MAX_SENDS)).map(|i| sent("h", i)).collect();
        given::<SmsCode>(&history)
            .when(send("h", 10), &())
            .then_expect_error(SmsCodeError::TooManySends);
    }
}
