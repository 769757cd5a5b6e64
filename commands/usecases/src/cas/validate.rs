//! Service and proxy ticket validation (CAS Protocol 3.0 §2.5–§2.6): single use, `renew`,
//! proxy callbacks that receive a PGT.

use super::*;

use crate::state::AppState;
use domain::cas_ticket::{CasTicket, CasTicketCommand, CasTicketEvent, Issue, Refusal, TicketKind};
use domain::Aggregate;
use projections::applications::ApplicationRow;
use serde_json::{Map, Value};
use store::Context;

/// An enabled user's enabled account in an enabled application.
pub(super) struct Usable {
    account: projections::app_accounts::AccountRow,
    app: ApplicationRow,
    user: projections::users::UserRow,
}

/// The user's enabled account in an enabled application, if the user is enabled too.
pub(super) async fn usable_account(
    state: &AppState,
    tenant: &str,
    user_id: &str,
    application_id: &str,
) -> anyhow::Result<Option<Usable>> {
    let Some(app) = projections::applications::get(state.pool(), tenant, application_id).await?
    else {
        return Ok(None);
    };
    let user = crate::cache::lookups::user(state, tenant, user_id).await?;
    let Some(user) = user.filter(|u| u.can_sign_in(state.now()) && app.enabled) else {
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
    // A replay after the first recorded one: the same answer, no event (ops/adr/0027).
    if current.used && current.replay_recorded {
        return Err(CasFailure::unrecognised(ticket));
    }
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
        .map_err(|e| match e {
            store::BusError::Domain(domain::cas_ticket::CasTicketError::Replayed) => {
                CasFailure::unrecognised(ticket)
            }
            e => anyhow::anyhow!("validating a CAS ticket: {e}").into(),
        })?;
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
        record_issue(state, &user_ctx, &state.ids.ordered_uuid(), pgt_issue, None).await?;
        pgt_iou = Some(delivered.iou);
    }
    let released =
        crate::oauth::released_authorization(state, tenant, &usable.app, &issue.user_id).await?;
    let attributes = attributes(&issue, &usable.app, &usable.account, Some(&usable.user));
    Ok(Validated {
        user: usable.account.account_name.clone(),
        attributes: with_authorization(attributes, &released),
        proxies: issue.proxies.clone(),
        pgt_iou,
    })
}

/// When the session behind a ticket ends at the latest: a PGT lives no longer.
pub(super) async fn session_expiry(
    state: &AppState,
    tenant: &str,
    session_id: &str,
) -> anyhow::Result<i64> {
    let session = projections::sessions::session_by_id(state.pool(), tenant, session_id).await?;
    Ok(session.map(|s| s.expires_at).unwrap_or_else(|| state.now()))
}

pub(super) fn failure(
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
pub(super) struct DeliveredPgt {
    url: String,
    pgt: String,
    iou: String,
}

/// CAS Protocol 3.0 §2.5.4: the callback must be registered for the application and HTTPS; it is
/// called with `pgtId` and `pgtIou`, without following redirects, and must answer 200.
pub(super) async fn deliver_pgt(
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
    let pgt = new_ticket(state, TicketKind::ProxyGranting.prefix(), PGT_RANDOM_LEN);
    let iou = new_ticket(state, "PGTIOU-", PGT_RANDOM_LEN);
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

/// The protocol attributes of a validation, then the application's released attributes; one the
/// account and user have no value for is left out (stock CAS clients would store `"null"`).
pub(super) fn attributes(
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
        let value = source.get(name);
        if !value.is_null() {
            out.insert(name.clone(), value);
        }
    }
    out
}

/// The released `roles` and `permissions` as multi-valued attributes (CAS Protocol 3.0 §2.5.7:
/// a JSON array, one XML element per value; ops/adr/0018 "Releasing roles and permissions to
/// applications"). While the application releases them, a released account attribute of the
/// same name is not sent; an empty list is left out.
pub(super) fn with_authorization(
    mut attributes: Map<String, Value>,
    released: &crate::oauth::ReleasedAuthorization,
) -> Map<String, Value> {
    attributes.retain(|name, _| !released.reserves(name));
    attributes.extend(released.claims());
    attributes
}
