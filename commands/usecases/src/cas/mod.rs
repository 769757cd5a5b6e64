//! The CAS server (CAS Protocol 3.0; specs/oneaccess.md §2.8, §3.1): service tickets for
//! registered services, validation (service and proxy tickets, `renew`, proxy callbacks), proxy
//! tickets from proxy-granting tickets, and what a session's end means for its tickets. Every
//! ticket is its own event stream; tickets are found by their keyed hash.

mod logout;
mod proxy;
mod validate;

pub use logout::*;
pub use proxy::*;
pub use validate::*;

use crate::state::AppState;
use crate::ServiceError;
use chrono::{TimeZone, Utc};
use domain::cas_ticket::{CasTicket, CasTicketCommand, Issue, TicketKind};
use domain::Aggregate;
use projections::applications::ApplicationRow;
use projections::sessions::SessionRow;
use serde_json::{Map, Value};
use std::time::Duration;
use store::Context;

/// Random characters after a service or proxy ticket's prefix (`ST-` + 32, as OneAccess issues).
const TICKET_RANDOM_LEN: usize = 32;

/// Random characters of a PGT and of its IOU.
const PGT_RANDOM_LEN: usize = 64;

/// The longest ticket looked up (CAS Protocol 3.0 §3.1.1 and §3.3.1 allow 256).
const MAX_TICKET_LEN: usize = 256;

/// How long a proxy callback may take.
const CALLBACK_TIMEOUT: Duration = Duration::from_secs(5);

/// A CAS failure: the code and the text every response format carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasFailure {
    pub code: &'static str,
    pub message: String,
    /// The JSON description where it differs from the XML text (an unrecognised ticket).
    pub json_message: Option<String>,
}

impl CasFailure {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            json_message: None,
        }
    }

    pub fn invalid_request(message: &str) -> Self {
        Self::new("INVALID_REQUEST", message)
    }

    /// `INVALID_TICKET` in the documented wording (specs/oneaccess.md §3.1).
    pub fn unrecognised(ticket: &str) -> Self {
        Self {
            code: "INVALID_TICKET",
            message: format!("Ticket {ticket} not recognized"),
            json_message: Some(format!(
                "the ticket provided was not valid, ticket is {ticket}"
            )),
        }
    }

    fn internal() -> Self {
        Self::new(
            "INTERNAL_ERROR",
            "An internal error occurred during ticket validation",
        )
    }

    pub fn json_description(&self) -> &str {
        self.json_message.as_deref().unwrap_or(&self.message)
    }
}

impl From<ServiceError> for CasFailure {
    fn from(error: ServiceError) -> Self {
        tracing::error!(%error, "CAS request failed");
        Self::internal()
    }
}

impl From<anyhow::Error> for CasFailure {
    fn from(error: anyhow::Error) -> Self {
        tracing::error!(%error, "CAS request failed");
        Self::internal()
    }
}

/// What a successful validation tells the service.
#[derive(Debug, Clone)]
pub struct Validated {
    pub user: String,
    /// Attribute name → value (`null` for an attribute the account lacks).
    pub attributes: Map<String, Value>,
    /// The proxy callbacks a proxy ticket passed through, most recent first.
    pub proxies: Vec<String>,
    /// The IOU of a PGT delivered to the request's `pgtUrl`.
    pub pgt_iou: Option<String>,
}

/// A validation request, as any of the validation endpoints receives it.
#[derive(Debug, Clone, Default)]
pub struct ValidateRequest {
    pub ticket: Option<String>,
    pub service: Option<String>,
    pub renew: bool,
    pub pgt_url: Option<String>,
    /// `proxyValidate` accepts proxy tickets; `validate` and `serviceValidate` do not.
    pub proxy_tickets_accepted: bool,
}

fn new_ticket(state: &AppState, prefix: &str, random_len: usize) -> String {
    format!("{prefix}{}", state.ids.base62(random_len))
}

/// Whether a presented ticket could be one of ours: a known prefix, `[A-Za-z0-9-]`, at most 256.
fn well_formed(ticket: &str) -> bool {
    ticket.len() <= MAX_TICKET_LEN
        && ticket
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The enabled application a service belongs to: the first whose CAS services match it.
pub async fn application_for_service(
    state: &AppState,
    tenant: &str,
    service: &str,
) -> anyhow::Result<Option<ApplicationRow>> {
    let apps = projections::applications::list(state.pool(), tenant).await?;
    Ok(apps
        .into_iter()
        .find(|app| app.protocols.cas_service_allowed(service)))
}

fn ticket_lifetime_ms(state: &AppState) -> i64 {
    i64::from(state.config.cas_ticket_seconds) * 1000
}

/// A service ticket for `service`, from a signed-in session. `from_new_login` when the user signed
/// in for this very request.
pub async fn issue_service_ticket(
    state: &AppState,
    ctx: &Context,
    app: &ApplicationRow,
    session: &SessionRow,
    service: &str,
    from_new_login: bool,
) -> Result<String, ServiceError> {
    let ticket = new_ticket(state, TicketKind::Service.prefix(), TICKET_RANDOM_LEN);
    let now = state.now();
    let issue = Issue {
        kind: TicketKind::Service,
        ticket_hash: state.keys().secret_hash(&ticket),
        application_id: app.application_id.clone(),
        service: service.to_string(),
        user_id: session.user_id.clone(),
        session_id: session.session_id.clone(),
        from_new_login,
        remember_me: session.remember_me,
        auth_time: session.auth_time,
        proxies: Vec::new(),
        granted_by: None,
        issued_at: now,
        expires_at: now + ticket_lifetime_ms(state),
    };
    let ctx = crate::acting(ctx, "user", &session.user_id);
    record_issue(
        state,
        &ctx,
        &state.ids.ordered_uuid(),
        issue,
        Some(ticket.clone()),
    )
    .await?;
    Ok(ticket)
}

async fn record_issue(
    state: &AppState,
    ctx: &Context,
    ticket_id: &str,
    issue: Issue,
    ticket: Option<String>,
) -> Result<(), ServiceError> {
    let command = CasTicketCommand::Issue { issue, ticket };
    state
        .bus
        .execute::<CasTicket, _>(ctx, ticket_id, |t| t.decide(command.clone(), &()))
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("issuing a CAS ticket: {e}")))?;
    Ok(())
}

/// ISO-8601 UTC with milliseconds, as the documented attributes show.
pub fn iso_millis(millis: i64) -> String {
    Utc.timestamp_millis_opt(millis)
        .single()
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}
