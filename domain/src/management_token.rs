//! A management API access token (specs/oneaccess.md §2.1 #1). Each issuance is its own short
//! stream; the token itself is never stored, only its keyed hash.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};

#[derive(Debug, Default, Clone)]
pub struct ManagementToken {
    pub issued: bool,
}

#[derive(Debug, Clone)]
pub enum ManagementTokenCommand {
    Issue {
        token_id: String,
        application_id: String,
        token_hash: String,
        scope: String,
        now: i64,
        lifetime_secs: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum ManagementTokenEvent {
    #[serde(rename = "management_token.issued")]
    ManagementTokenIssued {
        token_id: String,
        application_id: String,
        token_hash: String,
        scope: String,
        issued_at: i64,
        expires_at: i64,
    },
}

impl DomainEvent for ManagementTokenEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::ManagementTokenIssued { .. } => "management_token.issued",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManagementTokenError {
    #[error("token already issued")]
    AlreadyIssued,
}

impl Aggregate for ManagementToken {
    type Command = ManagementTokenCommand;
    type Event = ManagementTokenEvent;
    type Error = ManagementTokenError;
    type Services = ();
    const STREAM_TYPE: &'static str = "management_token";

    fn apply(&mut self, event: &ManagementTokenEvent) {
        match event {
            ManagementTokenEvent::ManagementTokenIssued { .. } => self.issued = true,
        }
    }

    fn decide(
        &self,
        command: ManagementTokenCommand,
        _: &(),
    ) -> Result<Decision<ManagementTokenEvent>, ManagementTokenError> {
        match command {
            ManagementTokenCommand::Issue {
                token_id,
                application_id,
                token_hash,
                scope,
                now,
                lifetime_secs,
            } => {
                if self.issued {
                    return Err(ManagementTokenError::AlreadyIssued);
                }
                Ok(Decision::event(
                    ManagementTokenEvent::ManagementTokenIssued {
                        token_id,
                        application_id,
                        token_hash,
                        scope,
                        issued_at: now,
                        expires_at: now + i64::from(lifetime_secs) * 1000,
                    },
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{given, given_no_events};

    fn issue() -> ManagementTokenCommand {
        ManagementTokenCommand::Issue {
            token_id: "t1".into(),
            application_id: "a1".into(),
            token_hash: "h".into(),
            scope: "all".into(),
            now: 1_000,
            lifetime_secs: 1800,
        }
    }

    fn issued() -> ManagementTokenEvent {
        ManagementTokenEvent::ManagementTokenIssued {
            token_id: "t1".into(),
            application_id: "a1".into(),
            token_hash: "h".into(),
            scope: "all".into(),
            issued_at: 1_000,
            expires_at: 1_801_000,
        }
    }

    #[test]
    fn a_token_expires_after_its_lifetime() {
        given_no_events::<ManagementToken>()
            .when(issue(), &())
            .then_expect_events(&[issued()]);
    }

    #[test]
    fn a_token_is_issued_once() {
        given::<ManagementToken>(&[issued()])
            .when(issue(), &())
            .then_expect_error(ManagementTokenError::AlreadyIssued);
    }
}
