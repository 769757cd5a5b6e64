//! An access key of an application (ops/adr/0019, "Signed calls"): the key id a caller sends
//! with an HMAC-SHA256 signature of its call (the Hainan gateway model of
//! specs/oneaccess-sdk-and-hainan-uaa.md §2.1, §4.1.4). The secret is never stored: the server
//! derives it from the master key and the key id whenever it checks a signature, and shows it
//! once, when the key is issued. A key is issued for one application and can be revoked; a
//! revoked key signs nothing any more.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};

/// The most keys an application holds at once (rotation needs two).
pub const MAX_ACTIVE_KEYS: usize = 5;

#[derive(Debug, Default, Clone)]
pub struct AccessKey {
    pub id: Option<String>,
    pub application_id: String,
    pub revoked: bool,
}

#[derive(Debug, Clone)]
pub enum AccessKeyCommand {
    /// `active`: how many unrevoked keys the application holds now.
    Issue {
        access_key_id: String,
        application_id: String,
        active: usize,
        now: i64,
    },
    Revoke {
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum AccessKeyEvent {
    #[serde(rename = "access_key.issued")]
    Issued {
        access_key_id: String,
        application_id: String,
        at: i64,
    },
    #[serde(rename = "access_key.revoked")]
    Revoked {
        access_key_id: String,
        application_id: String,
        at: i64,
    },
}

impl DomainEvent for AccessKeyEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Issued { .. } => "access_key.issued",
            Self::Revoked { .. } => "access_key.revoked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessKeyError {
    #[error("access key does not exist")]
    NotFound,
    #[error("access key already exists")]
    AlreadyExists,
    #[error("an application holds at most {MAX_ACTIVE_KEYS} access keys; revoke one first")]
    TooMany,
}

impl Aggregate for AccessKey {
    type Command = AccessKeyCommand;
    type Event = AccessKeyEvent;
    type Error = AccessKeyError;
    type Services = ();
    const STREAM_TYPE: &'static str = "access_key";

    fn apply(&mut self, event: &AccessKeyEvent) {
        match event {
            AccessKeyEvent::Issued {
                access_key_id,
                application_id,
                ..
            } => {
                self.id = Some(access_key_id.clone());
                self.application_id = application_id.clone();
            }
            AccessKeyEvent::Revoked { .. } => self.revoked = true,
        }
    }

    fn decide(
        &self,
        command: AccessKeyCommand,
        _: &(),
    ) -> Result<Decision<AccessKeyEvent>, AccessKeyError> {
        match command {
            AccessKeyCommand::Issue {
                access_key_id,
                application_id,
                active,
                now,
            } => {
                if self.id.is_some() {
                    return Err(AccessKeyError::AlreadyExists);
                }
                if active >= MAX_ACTIVE_KEYS {
                    return Err(AccessKeyError::TooMany);
                }
                Ok(Decision::event(AccessKeyEvent::Issued {
                    access_key_id,
                    application_id,
                    at: now,
                }))
            }
            AccessKeyCommand::Revoke { now } => {
                let Some(id) = &self.id else {
                    return Err(AccessKeyError::NotFound);
                };
                if self.revoked {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(AccessKeyEvent::Revoked {
                    access_key_id: id.clone(),
                    application_id: self.application_id.clone(),
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

    fn issue(active: usize) -> AccessKeyCommand {
        AccessKeyCommand::Issue {
            access_key_id: "AK1".into(),
            application_id: "app".into(),
            active,
            now: 1,
        }
    }

    #[test]
    fn a_key_is_issued_once_revoked_once_and_bounded_per_application() {
        given::<AccessKey>(&[])
            .when(issue(4), &())
            .then_expect_events(&[AccessKeyEvent::Issued {
                access_key_id: "AK1".into(),
                application_id: "app".into(),
                at: 1,
            }]);
        given::<AccessKey>(&[])
            .when(issue(MAX_ACTIVE_KEYS), &())
            .then_expect_error(AccessKeyError::TooMany);
        let issued = AccessKeyEvent::Issued {
            access_key_id: "AK1".into(),
            application_id: "app".into(),
            at: 1,
        };
        given::<AccessKey>(std::slice::from_ref(&issued))
            .when(issue(0), &())
            .then_expect_error(AccessKeyError::AlreadyExists);
        let revoked = AccessKeyEvent::Revoked {
            access_key_id: "AK1".into(),
            application_id: "app".into(),
            at: 2,
        };
        given::<AccessKey>(std::slice::from_ref(&issued))
            .when(AccessKeyCommand::Revoke { now: 2 }, &())
            .then_expect_events(std::slice::from_ref(&revoked));
        given::<AccessKey>(&[issued, revoked])
            .when(AccessKeyCommand::Revoke { now: 3 }, &())
            .then_expect_events(&[]);
        given::<AccessKey>(&[])
            .when(AccessKeyCommand::Revoke { now: 3 }, &())
            .then_expect_error(AccessKeyError::NotFound);
    }
}
