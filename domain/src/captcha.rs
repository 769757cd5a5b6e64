//! An image CAPTCHA challenge (LOGIN after repeated failures; SDK `GET /api/v2/sdk/captcha`): issued
//! with the keyed hash of its answer, answered once — right or wrong, a challenge cannot be tried
//! twice — before it expires.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};

#[derive(Debug, Default)]
pub struct Captcha {
    pub answer_hash: Option<String>,
    pub expires_at: i64,
    pub answered: bool,
}

#[derive(Debug, Clone)]
pub enum CaptchaCommand {
    Issue {
        captcha_id: String,
        answer_hash: String,
        now: i64,
        expires_at: i64,
    },
    /// `answer_hash` is the keyed hash of the answer given, normalised like the issued one.
    Answer { answer_hash: String, now: i64 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum CaptchaEvent {
    #[serde(rename = "captcha.issued")]
    Issued {
        captcha_id: String,
        answer_hash: String,
        issued_at: i64,
        expires_at: i64,
    },
    #[serde(rename = "captcha.answered")]
    Answered { correct: bool, at: i64 },
}

impl DomainEvent for CaptchaEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Issued { .. } => "captcha.issued",
            Self::Answered { .. } => "captcha.answered",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptchaError {
    #[error("captcha already issued")]
    AlreadyIssued,
    #[error("unknown captcha")]
    Unknown,
    #[error("the captcha was already answered")]
    Used,
    #[error("the captcha has expired")]
    Expired,
}

impl Aggregate for Captcha {
    type Command = CaptchaCommand;
    type Event = CaptchaEvent;
    type Error = CaptchaError;
    type Services = ();
    const STREAM_TYPE: &'static str = "captcha";

    fn apply(&mut self, event: &CaptchaEvent) {
        match event {
            CaptchaEvent::Issued {
                answer_hash,
                expires_at,
                ..
            } => {
                self.answer_hash = Some(answer_hash.clone());
                self.expires_at = *expires_at;
            }
            CaptchaEvent::Answered { .. } => self.answered = true,
        }
    }

    fn decide(
        &self,
        command: CaptchaCommand,
        _: &(),
    ) -> Result<Decision<CaptchaEvent>, CaptchaError> {
        match command {
            CaptchaCommand::Issue {
                captcha_id,
                answer_hash,
                now,
                expires_at,
            } => {
                if self.answer_hash.is_some() {
                    return Err(CaptchaError::AlreadyIssued);
                }
                Ok(Decision::event(CaptchaEvent::Issued {
                    captcha_id,
                    answer_hash,
                    issued_at: now,
                    expires_at,
                }))
            }
            CaptchaCommand::Answer { answer_hash, now } => {
                let expected = self.answer_hash.as_ref().ok_or(CaptchaError::Unknown)?;
                if self.answered {
                    return Err(CaptchaError::Used);
                }
                if now >= self.expires_at {
                    return Err(CaptchaError::Expired);
                }
                let correct =
                    crate::pkce::constant_time_eq(expected.as_bytes(), answer_hash.as_bytes());
                Ok(Decision::event(CaptchaEvent::Answered { correct, at: now }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::given;

    fn issued() -> CaptchaEvent {
        CaptchaEvent::Issued {
            captcha_id: "c1".into(),
            answer_hash: "h".into(),
            issued_at: 0,
            expires_at: 100,
        }
    }

    #[test]
    fn a_captcha_is_answered_once_before_it_expires() {
        let answer = |hash: &str, now| CaptchaCommand::Answer {
            answer_hash: hash.into(),
            now,
        };
        given::<Captcha>(&[issued()])
            .when(answer("h", 10), &())
            .then_expect_events(&[CaptchaEvent::Answered {
                correct: true,
                at: 10,
            }]);
        given::<Captcha>(&[issued()])
            .when(answer("x", 10), &())
            .then_expect_events(&[CaptchaEvent::Answered {
                correct: false,
                at: 10,
            }]);
        given::<Captcha>(&[
            issued(),
            CaptchaEvent::Answered {
                correct: false,
                at: 10,
            },
        ])
        .when(answer("h", 20), &())
        .then_expect_error(CaptchaError::Used);
        given::<Captcha>(&[issued()])
            .when(answer("h", 100), &())
            .then_expect_error(CaptchaError::Expired);
        given::<Captcha>(&[])
            .when(answer("h", 1), &())
            .then_expect_error(CaptchaError::Unknown);
    }
}
