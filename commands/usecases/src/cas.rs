//! The CAS server (CAS Protocol 3.0; specs/oneaccess.md §2.8, §3.1): service tickets for
//! registered services, validation (service and proxy tickets, `renew`, proxy callbacks), proxy
//! tickets from proxy-granting tickets, and what a session's end means for its tickets. Every
//! ticket is its own event stream; tickets are found by their keyed hash.

use crate::clock::{IdSource, RandomIds};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use domain::cas_logout::{CasLogout, CasLogoutCommand};
use domain::cas_ticket::{CasTicket, CasTicketCommand, CasTicketEvent, Issue, Refusal, TicketKind};
use domain::Aggregate;
use projections::applications::ApplicationRow;
use projections::cas::TicketRow;
use projections::sessions::SessionRow;
use serde_json::{Map, Value};
use store::{BusError, Context};

use crate::state::AppState;
use crate::ServiceError;

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

fn new_ticket(prefix: &str, random_len: usize) -> String {
    format!("{prefix}{}", RandomIds.base62(random_len))
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
    let ticket = new_ticket(TicketKind::Service.prefix(), TICKET_RANDOM_LEN);
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
    record_issue(state, &ctx, &state.ids.uuid(), issue, Some(ticket.clone())).await?;
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

/// An enabled user's enabled account in an enabled application.
struct Usable {
    account: projections::app_accounts::AccountRow,
    app: ApplicationRow,
    user: projections::users::UserRow,
}

/// The user's enabled account in an enabled application, if the user is enabled too.
async fn usable_account(
    state: &AppState,
    tenant: &str,
    user_id: &str,
    application_id: &str,
) -> anyhow::Result<Option<Usable>> {
    let Some(app) = projections::applications::get(state.pool(), tenant, application_id).await?
    else {
        return Ok(None);
    };
    let user = projections::users::get(state.pool(), tenant, user_id).await?;
    let Some(user) = user.filter(|u| !u.disabled && app.enabled) else {
        return Ok(None);
    };
    let accounts = projections::app_accounts::list_for_user(state.pool(), tenant, user_id).await?;
    Ok(accounts
        .into_iter()
        .find(|a| a.application_id == application_id && !a.disabled)
        .map(|account| Usable { account, app, user }))
}

/// Validates a service (or, where accepted, proxy) ticket. The ticket is spent whatever the
/// outcome; a `pgtUrl` gets a PGT only from a validation that succeeds.
pub async fn validate(
    state: &AppState,
    ctx: &Context,
    request: ValidateRequest,
) -> Result<Validated, CasFailure> {
    let (Some(ticket), Some(service)) = (
        request.ticket.as_deref().filter(|t| !t.is_empty()),
        request.service.as_deref().filter(|s| !s.is_empty()),
    ) else {
        return Err(CasFailure::invalid_request(
            "'service' and 'ticket' parameters are both required",
        ));
    };
    let tenant = &ctx.tenant_id;
    if !well_formed(ticket) {
        return Err(CasFailure::unrecognised(ticket));
    }
    let hash = state.keys().secret_hash(ticket);
    let Some(row) = projections::cas::ticket_by_hash(state.pool(), tenant, &hash).await? else {
        return Err(CasFailure::unrecognised(ticket));
    };
    if row.kind == TicketKind::ProxyGranting {
        return Err(CasFailure::unrecognised(ticket));
    }
    let (current, _) = state.bus.load::<CasTicket>(tenant, &row.ticket_id).await?;
    let Some(issue) = current.issued.clone() else {
        return Err(CasFailure::unrecognised(ticket));
    };
    let account = usable_account(state, tenant, &issue.user_id, &issue.application_id).await?;
    let mut outside = account.is_none().then_some(Refusal::AccountUnavailable);
    let command = |outside: Option<Refusal>| CasTicketCommand::Validate {
        service: service.to_string(),
        renew: request.renew,
        proxy_tickets_accepted: request.proxy_tickets_accepted,
        outside,
        now: state.now(),
    };
    // The PGT goes to its callback only if the ticket itself would validate.
    let mut pgt = None;
    if let (Some(pgt_url), Some(usable)) = (request.pgt_url.as_deref(), account.as_ref()) {
        let would_pass = matches!(
            current.decide(command(outside), &()),
            Ok(ref d) if matches!(d.events.first(), Some(CasTicketEvent::Validated { .. }))
        );
        if would_pass {
            match deliver_pgt(state, &usable.app, pgt_url).await {
                Ok(delivered) => pgt = Some(delivered),
                Err(refusal) => outside = Some(refusal),
            }
        }
    }
    let user_ctx = crate::acting(ctx, "application", &issue.application_id);
    let decision = state
        .bus
        .execute::<CasTicket, _>(&user_ctx, &row.ticket_id, |t| {
            t.decide(command(outside), &())
        })
        .await
        .map_err(|e| anyhow::anyhow!("validating a CAS ticket: {e}"))?;
    let refusal = decision.events.iter().find_map(|e| match e {
        CasTicketEvent::Refused { reason, .. } => Some(*reason),
        _ => None,
    });
    if let Some(reason) = refusal {
        return Err(failure(reason, ticket, &issue.service, service, &request));
    }
    let Some(usable) = account else {
        return Err(CasFailure::internal());
    };
    let mut pgt_iou = None;
    if let Some(delivered) = pgt {
        let pgt_issue = Issue {
            kind: TicketKind::ProxyGranting,
            ticket_hash: state.keys().secret_hash(&delivered.pgt),
            application_id: issue.application_id.clone(),
            service: delivered.url.clone(),
            proxies: std::iter::once(delivered.url.clone())
                .chain(issue.proxies.iter().cloned())
                .collect(),
            granted_by: Some(row.ticket_id.clone()),
            issued_at: state.now(),
            expires_at: session_expiry(state, tenant, &issue.session_id).await?,
            ..issue.clone()
        };
        record_issue(state, &user_ctx, &state.ids.uuid(), pgt_issue, None).await?;
        pgt_iou = Some(delivered.iou);
    }
    Ok(Validated {
        user: usable.account.account_name.clone(),
        attributes: attributes(&issue, &usable.app, &usable.account, Some(&usable.user)),
        proxies: issue.proxies.clone(),
        pgt_iou,
    })
}

/// When the session behind a ticket ends at the latest: a PGT lives no longer.
async fn session_expiry(state: &AppState, tenant: &str, session_id: &str) -> anyhow::Result<i64> {
    let session = projections::sessions::session_by_id(state.pool(), tenant, session_id).await?;
    Ok(session.map(|s| s.expires_at).unwrap_or_else(|| state.now()))
}

fn failure(
    reason: Refusal,
    ticket: &str,
    issued_for: &str,
    presented: &str,
    request: &ValidateRequest,
) -> CasFailure {
    match reason {
        Refusal::AlreadyUsed | Refusal::Expired => CasFailure::unrecognised(ticket),
        Refusal::AccountUnavailable => CasFailure::new(
            "INVALID_TICKET",
            format!("Ticket {ticket} was issued to a user who may no longer use this service"),
        ),
        Refusal::WrongService => CasFailure::new(
            "INVALID_SERVICE",
            format!(
                "Ticket {ticket} does not match supplied service. The original service was \
                 '{issued_for}' and the supplied service was '{presented}'."
            ),
        ),
        Refusal::NotFromNewLogin => CasFailure::new(
            "INVALID_TICKET_SPEC",
            format!(
                "Ticket {ticket} does not satisfy renew=true: it was issued from an existing \
                 single sign-on session"
            ),
        ),
        Refusal::ProxyTicketNotAccepted => CasFailure::new(
            "INVALID_TICKET_SPEC",
            format!("Ticket {ticket} is a proxy ticket; use proxyValidate to validate it"),
        ),
        Refusal::ProxyNotAllowed => CasFailure::new(
            "UNAUTHORIZED_SERVICE_PROXY",
            format!(
                "The supplied service '{presented}' is not authorized to use CAS proxy \
                 authentication."
            ),
        ),
        Refusal::ProxyCallbackRefused => CasFailure::new(
            "INVALID_PROXY_CALLBACK",
            format!(
                "The supplied proxy callback url '{}' could not be authenticated.",
                request.pgt_url.as_deref().unwrap_or_default()
            ),
        ),
    }
}

/// A PGT and its IOU, handed to a proxy callback that answered 200.
struct DeliveredPgt {
    url: String,
    pgt: String,
    iou: String,
}

/// CAS Protocol 3.0 §2.5.4: the callback must be registered for the application and HTTPS; it is
/// called with `pgtId` and `pgtIou`, without following redirects, and must answer 200.
async fn deliver_pgt(
    state: &AppState,
    app: &ApplicationRow,
    pgt_url: &str,
) -> Result<DeliveredPgt, Refusal> {
    if app.protocols.cas_proxy_callbacks.is_empty() {
        return Err(Refusal::ProxyNotAllowed);
    }
    let https = pgt_url.starts_with("https://");
    let scheme_ok = https || (state.config.cas_http_callbacks && pgt_url.starts_with("http://"));
    if !scheme_ok || !app.protocols.cas_proxy_callback_allowed(pgt_url) {
        return Err(Refusal::ProxyCallbackRefused);
    }
    let pgt = new_ticket(TicketKind::ProxyGranting.prefix(), PGT_RANDOM_LEN);
    let iou = new_ticket("PGTIOU-", PGT_RANDOM_LEN);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(CALLBACK_TIMEOUT)
        .build()
        .map_err(|_| Refusal::ProxyCallbackRefused)?;
    let response = client
        .get(pgt_url)
        .query(&[("pgtId", pgt.as_str()), ("pgtIou", iou.as_str())])
        .send()
        .await;
    match response {
        Ok(r) if r.status() == reqwest::StatusCode::OK => Ok(DeliveredPgt {
            url: pgt_url.to_string(),
            pgt,
            iou,
        }),
        Ok(r) => {
            tracing::warn!(status = %r.status(), "a CAS proxy callback refused its PGT");
            Err(Refusal::ProxyCallbackRefused)
        }
        Err(error) => {
            tracing::warn!(error = %error.without_url(), "a CAS proxy callback failed");
            Err(Refusal::ProxyCallbackRefused)
        }
    }
}

/// ISO-8601 UTC with milliseconds, as the documented attributes show.
pub fn iso_millis(millis: i64) -> String {
    Utc.timestamp_millis_opt(millis)
        .single()
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

/// The protocol attributes of a validation, then the application's released attributes (`null`
/// when the account and user have none).
fn attributes(
    issue: &Issue,
    app: &ApplicationRow,
    account: &projections::app_accounts::AccountRow,
    user: Option<&projections::users::UserRow>,
) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert(
        "authenticationDate".into(),
        Value::String(iso_millis(issue.auth_time)),
    );
    out.insert(
        "longTermAuthenticationRequestTokenUsed".into(),
        Value::Bool(issue.remember_me),
    );
    out.insert("isFromNewLogin".into(), Value::Bool(issue.from_new_login));
    let source = crate::attributes::Source::new(account, user);
    for name in &app.protocols.cas_released_attributes {
        out.insert(name.clone(), source.get(name));
    }
    out
}

/// `/proxy`: a proxy ticket for `target_service` from a live PGT.
pub async fn proxy(
    state: &AppState,
    ctx: &Context,
    pgt: Option<&str>,
    target_service: Option<&str>,
) -> Result<String, CasFailure> {
    let (Some(pgt), Some(target)) = (
        pgt.filter(|p| !p.is_empty()),
        target_service.filter(|t| !t.is_empty()),
    ) else {
        return Err(CasFailure::invalid_request(
            "'pgt' and 'targetService' parameters are both required",
        ));
    };
    let tenant = &ctx.tenant_id;
    let bad_pgt = || CasFailure::new("INVALID_TICKET", format!("Ticket {pgt} not recognized"));
    if !well_formed(pgt) {
        return Err(bad_pgt());
    }
    let hash = state.keys().secret_hash(pgt);
    let row = projections::cas::ticket_by_hash(state.pool(), tenant, &hash).await?;
    let Some(row) = row.filter(|r| r.kind == TicketKind::ProxyGranting && r.status == "open")
    else {
        return Err(bad_pgt());
    };
    let (current, _) = state.bus.load::<CasTicket>(tenant, &row.ticket_id).await?;
    let Some(pgt_issue) = current.issued.clone() else {
        return Err(bad_pgt());
    };
    let unauthorized = || {
        CasFailure::new(
            "UNAUTHORIZED_SERVICE",
            format!("The service '{target}' is not authorized to receive a proxy ticket"),
        )
    };
    let Some(target_app) = application_for_service(state, tenant, target).await? else {
        return Err(unauthorized());
    };
    let usable = usable_account(
        state,
        tenant,
        &pgt_issue.user_id,
        &target_app.application_id,
    )
    .await?;
    if usable.is_none() {
        return Err(unauthorized());
    }
    let ticket = new_ticket(TicketKind::Proxy.prefix(), TICKET_RANDOM_LEN);
    let ticket_id = state.ids.uuid();
    let now = state.now();
    let grant = CasTicketCommand::GrantProxy {
        target_service: target.to_string(),
        proxy_ticket_id: ticket_id.clone(),
        now,
    };
    let app_ctx = crate::acting(ctx, "application", &pgt_issue.application_id);
    match state
        .bus
        .execute::<CasTicket, _>(&app_ctx, &row.ticket_id, |t| t.decide(grant.clone(), &()))
        .await
    {
        Ok(_) => {}
        Err(BusError::Domain(_)) => return Err(bad_pgt()),
        Err(e) => return Err(anyhow::anyhow!("granting a proxy ticket: {e}").into()),
    }
    let issue = Issue {
        kind: TicketKind::Proxy,
        ticket_hash: state.keys().secret_hash(&ticket),
        application_id: target_app.application_id.clone(),
        service: target.to_string(),
        from_new_login: false,
        granted_by: Some(row.ticket_id.clone()),
        issued_at: now,
        expires_at: now + ticket_lifetime_ms(state),
        ..pgt_issue
    };
    record_issue(state, &app_ctx, &ticket_id, issue, Some(ticket.clone())).await?;
    Ok(ticket)
}

/// What a session's end means for CAS: its live PGTs end, and every service that validated a
/// ticket from it is queued a single-logout request naming that ticket.
pub async fn session_ended(
    state: &AppState,
    ctx: &Context,
    session_id: &str,
) -> Result<(), ServiceError> {
    let tenant = &ctx.tenant_id;
    let tickets = projections::cas::tickets_of_session(state.pool(), tenant, session_id).await?;
    let mut queued = false;
    for row in tickets {
        match (row.kind, row.status.as_str()) {
            (TicketKind::ProxyGranting, "open") => end_pgt(state, ctx, &row).await?,
            (TicketKind::Service | TicketKind::Proxy, "validated") => {
                queue_logout(state, ctx, &row).await?;
                queued = true;
            }
            _ => {}
        }
    }
    if queued {
        state.cas_outbox.notify_one();
    }
    Ok(())
}

async fn end_pgt(state: &AppState, ctx: &Context, row: &TicketRow) -> Result<(), ServiceError> {
    let command = CasTicketCommand::End {
        reason: "session_ended".into(),
        now: state.now(),
    };
    match state
        .bus
        .execute::<CasTicket, _>(ctx, &row.ticket_id, |t| t.decide(command.clone(), &()))
        .await
    {
        Ok(_) | Err(BusError::Domain(_)) => Ok(()),
        Err(e) => Err(ServiceError::Internal(anyhow::anyhow!("ending a PGT: {e}"))),
    }
}

async fn queue_logout(
    state: &AppState,
    ctx: &Context,
    row: &TicketRow,
) -> Result<(), ServiceError> {
    let (ticket, _) = state
        .bus
        .load::<CasTicket>(&ctx.tenant_id, &row.ticket_id)
        .await?;
    let Some(value) = ticket.ticket.filter(|t| !t.is_empty()) else {
        return Ok(());
    };
    let command = CasLogoutCommand::Queue {
        session_id: row.session_id.clone(),
        ticket_id: row.ticket_id.clone(),
        application_id: row.application_id.clone(),
        service: row.service.clone(),
        ticket: value,
        now: state.now(),
    };
    state
        .bus
        .execute::<CasLogout, _>(ctx, &state.ids.uuid(), |l| l.decide(command.clone(), &()))
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("queueing a CAS logout: {e}")))?;
    Ok(())
}
