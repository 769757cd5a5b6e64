//! A one-time `sso_ticket` (seed 002 A9/A10): minted from an SDK session's `session_token` by a
//! management caller, redeemed once for the user's information, from the device the session is
//! bound to, within its lifetime (300 s). Its own stream (issued → redeemed); the ticket is kept
//! only as a keyed hash.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};

#[derive(Debug, Default, Clone)]
pub struct SsoTicket {
    pub issued: bool,
    pub user_id: String,
    pub session_id: String,
    pub device_hash: String,
    pub expires_at: i64,
    pub redeemed: bool,
}

#[derive(Debug, Clone)]
pub enum SsoTicketCommand {
    Issue {
        ticket_hash: String,
        session_id: String,
        user_id: String,
        /// The application whose user information is asked for (`client_id`), if one was named.
        application_id: Option<String>,
        /// The management application that asked for the ticket.
        issued_to: String,
        device_hash: String,
        now: i64,
        expires_at: i64,
    },
    Redeem {
        device_hash: String,
        redeemed_by: String,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum SsoTicketEvent {
    #[serde(rename = "sso_ticket.issued")]
    Issued {
        ticket_hash: String,
        session_id: String,
        user_id: String,
        application_id: Option<String>,
        issued_to: String,
        device_hash: String,
        issued_at: i64,
        expires_at: i64,
    },
    #[serde(rename = "sso_ticket.redeemed")]
    Redeemed { redeemed_by: String, at: i64 },
}

impl DomainEvent for SsoTicketEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Issued { .. } => "sso_ticket.issued",
            Self::Redeemed { .. } => "sso_ticket.redeemed",
        }
    }
}

/// Why a ticket cannot be redeemed (PARAM.0032 on the wire, whatever the reason).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsoTicketError {
    #[error("ticket already issued")]
    AlreadyIssued,
    #[error("unknown ticket")]
    Unknown,
    #[error("the ticket was already redeemed")]
    Redeemed,
    #[error("the ticket has expired")]
    Expired,
    #[error("the ticket belongs to another device")]
    OtherDevice,
}

impl Aggregate for SsoTicket {
    type Command = SsoTicketCommand;
    type Event = SsoTicketEvent;
    type Error = SsoTicketError;
    type Services = ();
    const STREAM_TYPE: &'static str = "sso_ticket";

    fn apply(&mut self, event: &SsoTicketEvent) {
        match event {
            SsoTicketEvent::Issued {
                session_id,
                user_id,
                device_hash,
                expires_at,
                ..
            } => {
                self.issued = true;
                self.user_id = user_id.clone();
                self.session_id = session_id.clone();
                self.device_hash = device_hash.clone();
                self.expires_at = *expires_at;
            }
            SsoTicketEvent::Redeemed { .. } => self.redeemed = true,
        }
    }

    fn decide(
        &self,
        command: SsoTicketCommand,
        _: &(),
    ) -> Result<Decision<SsoTicketEvent>, SsoTicketError> {
        match command {
            SsoTicketCommand::Issue {
                ticket_hash,
                session_id,
                user_id,
                application_id,
                issued_to,
                device_hash,
                now,
                expires_at,
            } => {
                if self.issued {
                    return Err(SsoTicketError::AlreadyIssued);
                }
                Ok(Decision::event(SsoTicketEvent::Issued {
                    ticket_hash,
                    session_id,
                    user_id,
                    application_id,
                    issued_to,
                    device_hash,
                    issued_at: now,
                    expires_at,
                }))
            }
            SsoTicketCommand::Redeem {
                device_hash,
                redeemed_by,
                now,
            } => {
                if !self.issued {
                    return Err(SsoTicketError::Unknown);
                }
                if self.redeemed {
                    return Err(SsoTicketError::Redeemed);
                }
                if now >= self.expires_at {
                    return Err(SsoTicketError::Expired);
                }
                if !crate::pkce::constant_time_eq(
                    self.device_hash.as_bytes(),
                    device_hash.as_bytes(),
                ) {
                    return Err(SsoTicketError::OtherDevice);
                }
                Ok(Decision::event(SsoTicketEvent::Redeemed {
                    redeemed_by,
                    at: now,
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{given, given_no_events};

    fn issued() -> SsoTicketEvent {
        SsoTicketEvent::Issued {
            ticket_hash: "t".into(),
            session_id: "s1".into(),
            user_id: "u1".into(),
            application_id: None,
            issued_to: "m1".into(),
            device_hash: "d1".into(),
            issued_at: 0,
            expires_at: 300,
        }
    }

    fn redeem(device: &str, now: i64) -> SsoTicketCommand {
        SsoTicketCommand::Redeem {
            device_hash: device.into(),
            redeemed_by: "m1".into(),
            now,
        }
    }

    #[test]
    fn a_ticket_is_issued_once() {
        let issue = SsoTicketCommand::Issue {
            ticket_hash: "t".into(),
            session_id: "s1".into(),
            user_id: "u1".into(),
            application_id: None,
            issued_to: "m1".into(),
            device_hash: "d1".into(),
            now: 0,
            expires_at: 300,
        };
        given_no_events::<SsoTicket>()
            .when(issue.clone(), &())
            .then_expect_events(&[issued()]);
        given::<SsoTicket>(&[issued()])
            .when(issue, &())
            .then_expect_error(SsoTicketError::AlreadyIssued);
    }

    #[test]
    fn a_ticket_is_redeemed_once_from_its_device_before_it_expires() {
        let redeemed = SsoTicketEvent::Redeemed {
            redeemed_by: "m1".into(),
            at: 10,
        };
        given::<SsoTicket>(&[issued()])
            .when(redeem("d1", 10), &())
            .then_expect_events(std::slice::from_ref(&redeemed));
        given::<SsoTicket>(&[issued(), redeemed])
            .when(redeem("d1", 20), &())
            .then_expect_error(SsoTicketError::Redeemed);
        given::<SsoTicket>(&[issued()])
            .when(redeem("d2", 10), &())
            .then_expect_error(SsoTicketError::OtherDevice);
        given::<SsoTicket>(&[issued()])
            .when(redeem("d1", 300), &())
            .then_expect_error(SsoTicketError::Expired);
        given_no_events::<SsoTicket>()
            .when(redeem("d1", 10), &())
            .then_expect_error(SsoTicketError::Unknown);
    }
}
