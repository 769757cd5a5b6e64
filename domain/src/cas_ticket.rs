//! A CAS ticket (CAS Protocol 3.0; specs/oneaccess.md §2.8, §3.1): a service ticket (`ST-`), a
//! proxy ticket (`PT-`) or a proxy-granting ticket (`PGT-`), each in its own stream. The ticket
//! itself is kept only as a keyed hash; a service or proxy ticket is also kept sealed, because
//! single logout must name it to the service (`SessionIndex`).
//!
//! Service and proxy tickets are used once, whatever the outcome: the first validation either
//! succeeds or is refused with its reason, and every later one is refused as a replay. A
//! proxy-granting ticket grants proxy tickets until its session ends or it expires.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TicketKind {
    #[default]
    #[serde(rename = "ST")]
    Service,
    #[serde(rename = "PT")]
    Proxy,
    #[serde(rename = "PGT")]
    ProxyGranting,
}

impl TicketKind {
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Service => "ST-",
            Self::Proxy => "PT-",
            Self::ProxyGranting => "PGT-",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Service => "ST",
            Self::Proxy => "PT",
            Self::ProxyGranting => "PGT",
        }
    }
}

/// Why a validation was refused. The ticket is spent either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Validated or refused before: a replay.
    AlreadyUsed,
    Expired,
    /// Presented with another service than it was issued for.
    WrongService,
    /// `renew=true` at validation, but the ticket came from an existing SSO session.
    NotFromNewLogin,
    /// A proxy ticket presented where only service tickets are accepted (`serviceValidate`).
    ProxyTicketNotAccepted,
    /// The user or their account in the application was disabled or removed since issuance.
    AccountUnavailable,
    /// A `pgtUrl` came from a service that may not proxy (`UNAUTHORIZED_SERVICE_PROXY`).
    ProxyNotAllowed,
    /// The `pgtUrl` is not a registered HTTPS callback, or did not answer 200
    /// (`INVALID_PROXY_CALLBACK`).
    ProxyCallbackRefused,
}

/// What a ticket was issued for and to whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub kind: TicketKind,
    pub ticket_hash: String,
    pub application_id: String,
    /// The service a service or proxy ticket is bound to; the callback URL of a PGT.
    pub service: String,
    pub user_id: String,
    pub session_id: String,
    /// Issued right after the user signed in (not from an existing session): `isFromNewLogin`.
    pub from_new_login: bool,
    /// The session was started with "remember me": `longTermAuthenticationRequestTokenUsed`.
    pub remember_me: bool,
    /// When the user signed in (milliseconds): `authenticationDate`.
    pub auth_time: i64,
    /// Proxy callback URLs, most recent first (empty for a service ticket).
    pub proxies: Vec<String>,
    /// The ticket stream this one came from: the PGT of a proxy ticket, the validated ticket of
    /// a PGT.
    pub granted_by: Option<String>,
    pub issued_at: i64,
    pub expires_at: i64,
}

/// The ticket as the service saw it, sealed in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedTicket {
    /// Empty once the stream's personal data is erased.
    #[serde(default)]
    pub ticket: String,
}

#[derive(Debug, Default, Clone)]
pub struct CasTicket {
    pub issued: Option<Issue>,
    /// The ticket itself (service and proxy tickets), for single logout.
    pub ticket: Option<String>,
    /// A service or proxy ticket was presented (whatever the outcome).
    pub used: bool,
    /// A replay of the spent ticket was refused and recorded: later replays are answered the
    /// same way without an event (ops/adr/0027).
    pub replay_recorded: bool,
    /// Expired, or (a PGT) ended with its session.
    pub ended: bool,
}

#[derive(Debug, Clone)]
pub enum CasTicketCommand {
    Issue {
        issue: Issue,
        /// The ticket itself, for a service or proxy ticket (single logout names it).
        ticket: Option<String>,
    },
    /// A service or proxy ticket presented for validation.
    Validate {
        service: String,
        renew: bool,
        proxy_tickets_accepted: bool,
        /// A refusal found outside the ticket (the account, the proxy callback), applied once the
        /// ticket itself passes.
        outside: Option<Refusal>,
        now: i64,
    },
    /// A PGT grants a proxy ticket for `target_service`.
    GrantProxy {
        target_service: String,
        proxy_ticket_id: String,
        now: i64,
    },
    /// An unused ticket whose lifetime is over.
    Expire { now: i64 },
    /// A PGT ends with its session (or when its callback failed).
    End { reason: String, now: i64 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum CasTicketEvent {
    #[serde(rename = "cas_ticket.issued")]
    Issued {
        #[serde(flatten)]
        issue: Issue,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        personal: Option<SealedTicket>,
    },
    #[serde(rename = "cas_ticket.validated")]
    Validated { service: String, at: i64 },
    #[serde(rename = "cas_ticket.refused")]
    Refused {
        reason: Refusal,
        service: String,
        at: i64,
    },
    #[serde(rename = "cas_ticket.proxy_granted")]
    ProxyGranted {
        target_service: String,
        proxy_ticket_id: String,
        at: i64,
    },
    #[serde(rename = "cas_ticket.expired")]
    Expired { at: i64 },
    #[serde(rename = "cas_ticket.ended")]
    Ended { reason: String, at: i64 },
}

impl DomainEvent for CasTicketEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Issued { .. } => "cas_ticket.issued",
            Self::Validated { .. } => "cas_ticket.validated",
            Self::Refused { .. } => "cas_ticket.refused",
            Self::ProxyGranted { .. } => "cas_ticket.proxy_granted",
            Self::Expired { .. } => "cas_ticket.expired",
            Self::Ended { .. } => "cas_ticket.ended",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CasTicketError {
    #[error("ticket already issued")]
    AlreadyIssued,
    #[error("unknown ticket")]
    Unknown,
    #[error("a {0} ticket cannot do that")]
    WrongKind(&'static str),
    #[error("the ticket has ended")]
    Ended,
    #[error("the ticket is still live")]
    NotDue,
    /// A replay after the first one was recorded: refused, nothing appended (ops/adr/0027).
    #[error("the ticket was replayed before")]
    Replayed,
}

impl CasTicket {
    fn issued(&self) -> Result<&Issue, CasTicketError> {
        self.issued.as_ref().ok_or(CasTicketError::Unknown)
    }

    fn refuse(reason: Refusal, service: String, now: i64) -> Decision<CasTicketEvent> {
        Decision::event(CasTicketEvent::Refused {
            reason,
            service,
            at: now,
        })
    }
}

impl Aggregate for CasTicket {
    type Command = CasTicketCommand;
    type Event = CasTicketEvent;
    type Error = CasTicketError;
    type Services = ();
    const STREAM_TYPE: &'static str = "cas_ticket";

    fn apply(&mut self, event: &CasTicketEvent) {
        match event {
            CasTicketEvent::Issued { issue, personal } => {
                self.issued = Some(issue.clone());
                self.ticket = personal.as_ref().map(|p| p.ticket.clone());
            }
            CasTicketEvent::Validated { .. } => self.used = true,
            CasTicketEvent::Refused { reason, .. } => {
                self.replay_recorded |= self.used && *reason == Refusal::AlreadyUsed;
                self.used = true;
            }
            CasTicketEvent::ProxyGranted { .. } => {}
            CasTicketEvent::Expired { .. } | CasTicketEvent::Ended { .. } => self.ended = true,
        }
    }

    fn decide(
        &self,
        command: CasTicketCommand,
        _: &(),
    ) -> Result<Decision<CasTicketEvent>, CasTicketError> {
        match command {
            CasTicketCommand::Issue { issue, ticket } => {
                if self.issued.is_some() {
                    return Err(CasTicketError::AlreadyIssued);
                }
                let personal = match issue.kind {
                    TicketKind::ProxyGranting => None,
                    _ => ticket.map(|ticket| SealedTicket { ticket }),
                };
                Ok(Decision::event(CasTicketEvent::Issued { issue, personal }))
            }
            CasTicketCommand::Validate {
                service,
                renew,
                proxy_tickets_accepted,
                outside,
                now,
            } => {
                let issue = self.issued()?;
                if issue.kind == TicketKind::ProxyGranting {
                    return Err(CasTicketError::WrongKind("proxy-granting"));
                }
                let reason = if self.used && self.replay_recorded {
                    return Err(CasTicketError::Replayed);
                } else if self.used {
                    Some(Refusal::AlreadyUsed)
                } else if self.ended || now >= issue.expires_at {
                    Some(Refusal::Expired)
                } else if issue.kind == TicketKind::Proxy && !proxy_tickets_accepted {
                    Some(Refusal::ProxyTicketNotAccepted)
                } else if issue.service != service {
                    Some(Refusal::WrongService)
                } else if renew && !issue.from_new_login {
                    Some(Refusal::NotFromNewLogin)
                } else {
                    outside
                };
                Ok(match reason {
                    Some(reason) => Self::refuse(reason, service, now),
                    None => Decision::event(CasTicketEvent::Validated { service, at: now }),
                })
            }
            CasTicketCommand::GrantProxy {
                target_service,
                proxy_ticket_id,
                now,
            } => {
                let issue = self.issued()?;
                if issue.kind != TicketKind::ProxyGranting {
                    return Err(CasTicketError::WrongKind(issue.kind.code()));
                }
                if self.ended || now >= issue.expires_at {
                    return Err(CasTicketError::Ended);
                }
                Ok(Decision::event(CasTicketEvent::ProxyGranted {
                    target_service,
                    proxy_ticket_id,
                    at: now,
                }))
            }
            CasTicketCommand::Expire { now } => {
                let issue = self.issued()?;
                let spent = self.used && issue.kind != TicketKind::ProxyGranting;
                if self.ended || spent || now < issue.expires_at {
                    return Err(CasTicketError::NotDue);
                }
                Ok(Decision::event(CasTicketEvent::Expired { at: now }))
            }
            CasTicketCommand::End { reason, now } => {
                let issue = self.issued()?;
                if issue.kind != TicketKind::ProxyGranting {
                    return Err(CasTicketError::WrongKind(issue.kind.code()));
                }
                if self.ended {
                    return Err(CasTicketError::Ended);
                }
                Ok(Decision::event(CasTicketEvent::Ended { reason, at: now }))
            }
        }
    }
}

#[cfg(test)]
#[path = "cas_ticket_tests.rs"]
mod tests;
