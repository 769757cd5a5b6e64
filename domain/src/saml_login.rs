//! One SAML single sign-on exchange: an AuthnRequest received from a service provider (or an
//! IdP-initiated sign-in), then either the assertion issued for it or the SAML status it was
//! refused with. The assertion itself is not kept: its id, the subject and the session index are.
//!
//! An SP-initiated exchange's stream is named by the keyed hash of the SP and its request ID, so
//! a request ID is accepted once per SP: a replayed AuthnRequest finds its stream taken.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};

/// What the AuthnRequest asked for (or, IdP-initiated, what the IdP chose).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requested {
    pub application_id: String,
    /// The AuthnRequest's `ID`; none for IdP-initiated sign-in.
    pub request_id: Option<String>,
    /// `redirect`, `post` or `idp_initiated`.
    pub binding: String,
    pub acs_url: String,
    pub force_authn: bool,
    pub is_passive: bool,
    pub name_id_format: String,
    pub relay_state: Option<String>,
    pub signed: bool,
}

/// The subject's name as the service provider was told it (an email address can be personal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedNameId {
    #[serde(default)]
    pub name_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issued {
    pub assertion_id: String,
    pub response_id: String,
    pub user_id: String,
    pub session_id: String,
    pub session_index: String,
    pub name_id_format: String,
}

#[derive(Debug, Default, Clone)]
pub struct SamlLogin {
    pub requested: Option<Requested>,
    /// When the request was received (ms).
    pub requested_at: i64,
    pub issued: Option<Issued>,
    /// The NameID the assertion carried (single logout names it again).
    pub name_id: Option<String>,
    pub refused: bool,
}

#[derive(Debug, Clone)]
pub enum SamlLoginCommand {
    Request {
        requested: Requested,
        now: i64,
    },
    Issue {
        issued: Issued,
        name_id: String,
        now: i64,
    },
    Refuse {
        status: String,
        message: String,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum SamlLoginEvent {
    #[serde(rename = "saml_login.requested")]
    Requested {
        #[serde(flatten)]
        requested: Requested,
        at: i64,
    },
    #[serde(rename = "saml_login.assertion_issued")]
    AssertionIssued {
        #[serde(flatten)]
        issued: Issued,
        at: i64,
        personal: SealedNameId,
    },
    #[serde(rename = "saml_login.refused")]
    Refused {
        status: String,
        message: String,
        at: i64,
    },
}

impl DomainEvent for SamlLoginEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Requested { .. } => "saml_login.requested",
            Self::AssertionIssued { .. } => "saml_login.assertion_issued",
            Self::Refused { .. } => "saml_login.refused",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SamlLoginError {
    #[error("this request ID was already used by this service provider")]
    Replayed,
    #[error("no such sign-in request")]
    Unknown,
    #[error("the request was already answered")]
    Answered,
}

impl Aggregate for SamlLogin {
    type Command = SamlLoginCommand;
    type Event = SamlLoginEvent;
    type Error = SamlLoginError;
    type Services = ();
    const STREAM_TYPE: &'static str = "saml_login";

    fn apply(&mut self, event: &SamlLoginEvent) {
        match event {
            SamlLoginEvent::Requested { requested, at } => {
                self.requested = Some(requested.clone());
                self.requested_at = *at;
            }
            SamlLoginEvent::AssertionIssued {
                issued, personal, ..
            } => {
                self.issued = Some(issued.clone());
                self.name_id = Some(personal.name_id.clone());
            }
            SamlLoginEvent::Refused { .. } => self.refused = true,
        }
    }

    fn decide(
        &self,
        command: SamlLoginCommand,
        _: &(),
    ) -> Result<Decision<SamlLoginEvent>, SamlLoginError> {
        match command {
            SamlLoginCommand::Request { requested, now } => {
                if self.requested.is_some() {
                    return Err(SamlLoginError::Replayed);
                }
                Ok(Decision::event(SamlLoginEvent::Requested {
                    requested,
                    at: now,
                }))
            }
            SamlLoginCommand::Issue {
                issued,
                name_id,
                now,
            } => {
                self.open()?;
                Ok(Decision::event(SamlLoginEvent::AssertionIssued {
                    issued,
                    at: now,
                    personal: SealedNameId { name_id },
                }))
            }
            SamlLoginCommand::Refuse {
                status,
                message,
                now,
            } => {
                self.open()?;
                Ok(Decision::event(SamlLoginEvent::Refused {
                    status,
                    message,
                    at: now,
                }))
            }
        }
    }
}

impl SamlLogin {
    fn open(&self) -> Result<(), SamlLoginError> {
        if self.requested.is_none() {
            return Err(SamlLoginError::Unknown);
        }
        if self.issued.is_some() || self.refused {
            return Err(SamlLoginError::Answered);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{given, given_no_events};

    fn requested() -> Requested {
        Requested {
            application_id: "a1".into(),
            request_id: Some("_r1".into()),
            binding: "redirect".into(),
            acs_url: "https://sp.example.com/acs".into(),
            force_authn: false,
            is_passive: false,
            name_id_format: "unspecified".into(),
            relay_state: None,
            signed: true,
        }
    }

    fn issued() -> Issued {
        Issued {
            assertion_id: "_a1".into(),
            response_id: "_p1".into(),
            user_id: "u1".into(),
            session_id: "s1".into(),
            session_index: "_i1".into(),
            name_id_format: "unspecified".into(),
        }
    }

    #[test]
    fn a_request_id_is_accepted_once() {
        let request = SamlLoginCommand::Request {
            requested: requested(),
            now: 1,
        };
        let event = SamlLoginEvent::Requested {
            requested: requested(),
            at: 1,
        };
        given_no_events::<SamlLogin>()
            .when(request.clone(), &())
            .then_expect_events(std::slice::from_ref(&event));
        given::<SamlLogin>(&[event])
            .when(request, &())
            .then_expect_error(SamlLoginError::Replayed);
    }

    #[test]
    fn a_request_is_answered_once() {
        let asked = SamlLoginEvent::Requested {
            requested: requested(),
            at: 1,
        };
        let issue = SamlLoginCommand::Issue {
            issued: issued(),
            name_id: "alice".into(),
            now: 2,
        };
        let answered = SamlLoginEvent::AssertionIssued {
            issued: issued(),
            at: 2,
            personal: SealedNameId {
                name_id: "alice".into(),
            },
        };
        given::<SamlLogin>(std::slice::from_ref(&asked))
            .when(issue.clone(), &())
            .then_expect_events(std::slice::from_ref(&answered));
        given::<SamlLogin>(&[asked.clone(), answered])
            .when(issue.clone(), &())
            .then_expect_error(SamlLoginError::Answered);
        let refuse = SamlLoginCommand::Refuse {
            status: "RequestDenied".into(),
            message: "no account".into(),
            now: 2,
        };
        let refused = SamlLoginEvent::Refused {
            status: "RequestDenied".into(),
            message: "no account".into(),
            at: 2,
        };
        given::<SamlLogin>(std::slice::from_ref(&asked))
            .when(refuse.clone(), &())
            .then_expect_events(std::slice::from_ref(&refused));
        given::<SamlLogin>(&[asked, refused])
            .when(issue, &())
            .then_expect_error(SamlLoginError::Answered);
        given_no_events::<SamlLogin>()
            .when(refuse, &())
            .then_expect_error(SamlLoginError::Unknown);
    }
}
