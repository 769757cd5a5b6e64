//! One SAML single logout through the browser (SAML 2.0 profiles §4.4): the SSO session ended
//! (at the IdP, or at a service provider that sent a LogoutRequest), and every other service
//! provider holding a session index from it is sent a LogoutRequest in turn, each answering with
//! a LogoutResponse; then the initiating service provider gets its LogoutResponse, or the browser
//! goes where the logout was headed. The stream's id is the RelayState that carries the chain.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};

/// A service provider to notify, with the session index its assertion carried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub application_id: String,
    pub session_index: String,
    /// The sign-in stream whose assertion this was (it holds the NameID, sealed).
    pub login_id: String,
}

/// The service provider whose LogoutRequest started the logout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Initiator {
    pub application_id: String,
    pub request_id: String,
    /// `redirect` or `post`: how its LogoutResponse goes back.
    pub binding: String,
    pub relay_state: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct SamlLogout {
    pub started: bool,
    pub session_id: String,
    pub initiator: Option<Initiator>,
    pub participants: Vec<Participant>,
    /// Requests sent so far: (participant index, request id, answered).
    pub sent: Vec<(usize, String, bool)>,
    pub return_to: String,
    pub completed: bool,
}

#[derive(Debug, Clone)]
pub enum SamlLogoutCommand {
    Start {
        session_id: String,
        initiator: Option<Initiator>,
        participants: Vec<Participant>,
        return_to: String,
        now: i64,
    },
    /// A LogoutRequest to the next participant.
    SendNext {
        request_id: String,
        now: i64,
    },
    /// A participant's LogoutResponse to the request in flight.
    Receive {
        in_response_to: String,
        status: String,
        now: i64,
    },
    Complete {
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum SamlLogoutEvent {
    #[serde(rename = "saml_logout.started")]
    Started {
        session_id: String,
        initiator: Option<Initiator>,
        participants: Vec<Participant>,
        return_to: String,
        at: i64,
    },
    #[serde(rename = "saml_logout.request_sent")]
    RequestSent {
        application_id: String,
        request_id: String,
        at: i64,
    },
    #[serde(rename = "saml_logout.response_received")]
    ResponseReceived {
        application_id: String,
        request_id: String,
        status: String,
        at: i64,
    },
    #[serde(rename = "saml_logout.completed")]
    Completed { at: i64 },
}

impl DomainEvent for SamlLogoutEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Started { .. } => "saml_logout.started",
            Self::RequestSent { .. } => "saml_logout.request_sent",
            Self::ResponseReceived { .. } => "saml_logout.response_received",
            Self::Completed { .. } => "saml_logout.completed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SamlLogoutError {
    #[error("logout already started")]
    AlreadyStarted,
    #[error("no such logout")]
    Unknown,
    #[error("the logout is complete")]
    Completed,
    #[error("a LogoutRequest is still waiting for its response")]
    Waiting,
    #[error("every service provider has been sent its LogoutRequest")]
    NobodyLeft,
    #[error("the LogoutResponse answers no request of this logout")]
    UnexpectedResponse,
}

impl SamlLogout {
    /// The participant to notify next, if any.
    pub fn next_participant(&self) -> Option<&Participant> {
        self.participants.get(self.sent.len())
    }

    /// The request in flight: sent, not yet answered.
    pub fn in_flight(&self) -> Option<&(usize, String, bool)> {
        self.sent.last().filter(|(_, _, answered)| !answered)
    }

    fn live(&self) -> Result<(), SamlLogoutError> {
        if !self.started {
            return Err(SamlLogoutError::Unknown);
        }
        if self.completed {
            return Err(SamlLogoutError::Completed);
        }
        Ok(())
    }
}

impl Aggregate for SamlLogout {
    type Command = SamlLogoutCommand;
    type Event = SamlLogoutEvent;
    type Error = SamlLogoutError;
    type Services = ();
    const STREAM_TYPE: &'static str = "saml_logout";

    fn apply(&mut self, event: &SamlLogoutEvent) {
        match event {
            SamlLogoutEvent::Started {
                session_id,
                initiator,
                participants,
                return_to,
                ..
            } => {
                self.started = true;
                self.session_id = session_id.clone();
                self.initiator = initiator.clone();
                self.participants = participants.clone();
                self.return_to = return_to.clone();
            }
            SamlLogoutEvent::RequestSent { request_id, .. } => {
                self.sent.push((self.sent.len(), request_id.clone(), false));
            }
            SamlLogoutEvent::ResponseReceived { .. } => {
                if let Some(last) = self.sent.last_mut() {
                    last.2 = true;
                }
            }
            SamlLogoutEvent::Completed { .. } => self.completed = true,
        }
    }

    fn decide(
        &self,
        command: SamlLogoutCommand,
        _: &(),
    ) -> Result<Decision<SamlLogoutEvent>, SamlLogoutError> {
        match command {
            SamlLogoutCommand::Start {
                session_id,
                initiator,
                participants,
                return_to,
                now,
            } => {
                if self.started {
                    return Err(SamlLogoutError::AlreadyStarted);
                }
                Ok(Decision::event(SamlLogoutEvent::Started {
                    session_id,
                    initiator,
                    participants,
                    return_to,
                    at: now,
                }))
            }
            SamlLogoutCommand::SendNext { request_id, now } => {
                self.live()?;
                if self.in_flight().is_some() {
                    return Err(SamlLogoutError::Waiting);
                }
                let next = self.next_participant().ok_or(SamlLogoutError::NobodyLeft)?;
                Ok(Decision::event(SamlLogoutEvent::RequestSent {
                    application_id: next.application_id.clone(),
                    request_id,
                    at: now,
                }))
            }
            SamlLogoutCommand::Receive {
                in_response_to,
                status,
                now,
            } => {
                self.live()?;
                let Some((index, request_id, _)) = self.in_flight() else {
                    return Err(SamlLogoutError::UnexpectedResponse);
                };
                if *request_id != in_response_to {
                    return Err(SamlLogoutError::UnexpectedResponse);
                }
                Ok(Decision::event(SamlLogoutEvent::ResponseReceived {
                    application_id: self.participants[*index].application_id.clone(),
                    request_id: request_id.clone(),
                    status,
                    at: now,
                }))
            }
            SamlLogoutCommand::Complete { now } => {
                self.live()?;
                if self.in_flight().is_some() {
                    return Err(SamlLogoutError::Waiting);
                }
                Ok(Decision::event(SamlLogoutEvent::Completed { at: now }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{given, given_no_events};

    fn started(count: usize) -> SamlLogoutEvent {
        SamlLogoutEvent::Started {
            session_id: "s1".into(),
            initiator: None,
            participants: (0..count)
                .map(|i| Participant {
                    application_id: format!("a{i}"),
                    session_index: format!("_i{i}"),
                    login_id: format!("l{i}"),
                })
                .collect(),
            return_to: "/api/v1/login".into(),
            at: 0,
        }
    }

    fn sent(app: &str, id: &str) -> SamlLogoutEvent {
        SamlLogoutEvent::RequestSent {
            application_id: app.into(),
            request_id: id.into(),
            at: 1,
        }
    }

    fn received(app: &str, id: &str) -> SamlLogoutEvent {
        SamlLogoutEvent::ResponseReceived {
            application_id: app.into(),
            request_id: id.into(),
            status: "Success".into(),
            at: 2,
        }
    }

    fn receive(id: &str) -> SamlLogoutCommand {
        SamlLogoutCommand::Receive {
            in_response_to: id.into(),
            status: "Success".into(),
            now: 2,
        }
    }

    fn send(id: &str) -> SamlLogoutCommand {
        SamlLogoutCommand::SendNext {
            request_id: id.into(),
            now: 1,
        }
    }

    #[test]
    fn participants_are_notified_one_after_the_other() {
        given::<SamlLogout>(&[started(2)])
            .when(send("_q0"), &())
            .then_expect_events(&[sent("a0", "_q0")]);
        given::<SamlLogout>(&[started(2), sent("a0", "_q0")])
            .when(send("_q1"), &())
            .then_expect_error(SamlLogoutError::Waiting);
        given::<SamlLogout>(&[started(2), sent("a0", "_q0")])
            .when(receive("_q0"), &())
            .then_expect_events(&[received("a0", "_q0")]);
        given::<SamlLogout>(&[started(2), sent("a0", "_q0"), received("a0", "_q0")])
            .when(send("_q1"), &())
            .then_expect_events(&[sent("a1", "_q1")]);
        let all = [started(1), sent("a0", "_q0"), received("a0", "_q0")];
        given::<SamlLogout>(&all)
            .when(send("_q1"), &())
            .then_expect_error(SamlLogoutError::NobodyLeft);
        given::<SamlLogout>(&all)
            .when(SamlLogoutCommand::Complete { now: 3 }, &())
            .then_expect_events(&[SamlLogoutEvent::Completed { at: 3 }]);
    }

    #[test]
    fn only_the_response_to_the_request_in_flight_is_taken() {
        given::<SamlLogout>(&[started(1), sent("a0", "_q0")])
            .when(receive("_forged"), &())
            .then_expect_error(SamlLogoutError::UnexpectedResponse);
        given::<SamlLogout>(&[started(1)])
            .when(receive("_q0"), &())
            .then_expect_error(SamlLogoutError::UnexpectedResponse);
        given_no_events::<SamlLogout>()
            .when(receive("_q0"), &())
            .then_expect_error(SamlLogoutError::Unknown);
        given::<SamlLogout>(&[started(0), SamlLogoutEvent::Completed { at: 1 }])
            .when(SamlLogoutCommand::Complete { now: 2 }, &())
            .then_expect_error(SamlLogoutError::Completed);
    }
}
