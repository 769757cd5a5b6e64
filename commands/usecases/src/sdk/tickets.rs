//! What a `session_token` is good for (seed 002 A8–A10): the user's own profile change, and the
//! one-time `sso_ticket` an application's server mints from it and redeems for the user's
//! information. Both only from the device the session is bound to.

use domain::sso_ticket::{SsoTicket, SsoTicketCommand};
use domain::Aggregate;
use projections::sessions::SessionRow;
use projections::users::UserRow;
use store::Context;

use super::tokens::session_token_hash;
use super::{as_user, internal, SdkError, SSO_TICKET_LIFETIME_MS};
use crate::signin::SignInRefusal;
use crate::sso::{self, Ask, Denial, Freshness, Outcome};
use crate::state::AppState;
use crate::users::{self, UserRequest};

/// The live SDK session a session token carries, presented from the device it is bound to.
pub async fn session_of_token(
    state: &AppState,
    tenant: &str,
    session_token: &str,
    device_hash: &str,
) -> Result<SessionRow, SdkError> {
    if session_token.is_empty() || session_token.len() > 256 {
        return Err(SdkError::InvalidSessionToken);
    }
    let hash = session_token_hash(state, session_token);
    let session = projections::sessions::by_cookie(state.pool(), tenant, &hash).await?;
    let live = |s: &SessionRow| {
        !s.ended
            && s.expires_at > state.now()
            && s.device_hash.as_deref().is_some_and(|bound| {
                domain::pkce::constant_time_eq(bound.as_bytes(), device_hash.as_bytes())
            })
    };
    session.filter(live).ok_or(SdkError::InvalidSessionToken)
}

/// What a profile change through the SDK may not change (seed 002 A8: "不支持修改个人密码、手机号、
/// 邮箱"): given values are refused unless they are the current ones (a password never is).
#[derive(Debug, Default)]
pub struct Unchangeable {
    pub password: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
}

/// `POST /api/v2/sdk/profile/update`: the session's user changes their own profile.
pub async fn update_profile(
    state: &AppState,
    ctx: &Context,
    session_token: &str,
    device_hash: &str,
    request: UserRequest,
    unchangeable: Unchangeable,
) -> Result<String, SdkError> {
    let session = session_of_token(state, &ctx.tenant_id, session_token, device_hash).await?;
    // A user who was disabled, left or expired since signing in changes nothing.
    let current = projections::users::get(state.pool(), &ctx.tenant_id, &session.user_id)
        .await?
        .filter(|u| u.can_sign_in(state.now()))
        .ok_or(SdkError::InvalidSessionToken)?;
    let differs = |given: &Option<String>, current: &Option<String>| {
        given.as_deref().is_some_and(|g| {
            !g.trim().is_empty() && Some(g.trim()) != current.as_deref().map(str::trim)
        })
    };
    if unchangeable.password.is_some_and(|p| !p.is_empty()) {
        return Err(SdkError::NotChangeable("password"));
    }
    if differs(&unchangeable.mobile, &current.profile.mobile) {
        return Err(SdkError::NotChangeable("mobile"));
    }
    if differs(&unchangeable.email, &current.profile.email) {
        return Err(SdkError::NotChangeable("email"));
    }
    let ctx = as_user(ctx, &session.user_id);
    users::update(state, &ctx, &session.user_id, request).await?;
    Ok(session.user_id)
}

/// An issued ticket: its value (returned once) and lifetime in seconds.
pub struct IssuedTicket {
    pub sso_ticket: String,
    pub expire: i64,
}

/// `POST /api/v2/tenant/sso/session-token/sso-ticket`: a one-time ticket for the session's user,
/// for the management application `caller_app` (and, when `client_id` names one, for that
/// application, in which the user must hold an enabled account).
pub async fn issue_ticket(
    state: &AppState,
    ctx: &Context,
    caller_app: &str,
    session_token: &str,
    device_hash: &str,
    client_id: Option<&str>,
) -> Result<IssuedTicket, SdkError> {
    let tenant = &ctx.tenant_id;
    let session = session_of_token(state, tenant, session_token, device_hash).await?;
    let application_id = match client_id {
        None => None,
        Some(client_id) => {
            let app = projections::applications::by_client_id(state.pool(), tenant, client_id)
                .await?
                .ok_or(SdkError::UnknownClient)?;
            // The SSO pipeline with the device's session: no freshness asked, nothing to show.
            let ask = Ask {
                freshness: Freshness::Any,
                passive: true,
                slide: false,
                reach: crate::signin::Reach::AccountOrGrant,
            };
            match sso::run(state, ctx, Some(session.clone()), ask, &app).await {
                Ok(Outcome::Proceed(_)) => {}
                Ok(Outcome::Denied(Denial::ApplicationDisabled)) => {
                    return Err(SdkError::DisabledClient)
                }
                Ok(Outcome::Denied(Denial::NoAccount)) => return Err(SdkError::NoAccount),
                Ok(Outcome::Denied(Denial::UserDisabled)) => {
                    return Err(SdkError::Refused(SignInRefusal::Disabled))
                }
                Ok(Outcome::Passive | Outcome::SignIn { .. }) => {
                    return Err(SdkError::InvalidSessionToken)
                }
                Err(e) => return Err(internal("checking access for an sso ticket", e)),
            }
            Some(app.application_id)
        }
    };
    let ticket = state.ids.base62(43);
    let ticket_id = state.ids.ordered_uuid();
    let now = state.now();
    let command = SsoTicketCommand::Issue {
        ticket_hash: ticket_hash(state, &ticket),
        session_id: session.session_id.clone(),
        user_id: session.user_id.clone(),
        application_id,
        issued_to: caller_app.to_string(),
        device_hash: device_hash.to_string(),
        now,
        expires_at: now + SSO_TICKET_LIFETIME_MS,
    };
    state
        .bus
        .execute::<SsoTicket, _>(ctx, &ticket_id, |t| t.decide(command.clone(), &()))
        .await
        .map_err(|e| internal("issuing an sso ticket", e))?;
    Ok(IssuedTicket {
        sso_ticket: ticket,
        expire: SSO_TICKET_LIFETIME_MS / 1000,
    })
}

fn ticket_hash(state: &AppState, ticket: &str) -> String {
    state.keys().secret_hash(&format!("sso-ticket:{ticket}"))
}

/// `POST /api/v2/tenant/sso/sso-ticket/verify`: redeems a ticket once, from the device its
/// session is bound to, while the session lives; the user it names.
pub async fn redeem_ticket(
    state: &AppState,
    ctx: &Context,
    caller_app: &str,
    ticket: &str,
    device_hash: &str,
) -> Result<UserRow, SdkError> {
    let tenant = &ctx.tenant_id;
    if ticket.len() > 256 {
        return Err(SdkError::InvalidTicket);
    }
    let row = projections::sso_tickets::by_hash(state.pool(), tenant, &ticket_hash(state, ticket))
        .await?
        .ok_or(SdkError::InvalidTicket)?;
    let session = projections::sessions::session_by_id(state.pool(), tenant, &row.session_id)
        .await?
        .filter(|s| !s.ended && s.expires_at > state.now())
        .ok_or(SdkError::InvalidTicket)?;
    let command = SsoTicketCommand::Redeem {
        device_hash: device_hash.to_string(),
        redeemed_by: caller_app.to_string(),
        now: state.now(),
    };
    match state
        .bus
        .execute::<SsoTicket, _>(ctx, &row.ticket_id, |t| t.decide(command.clone(), &()))
        .await
    {
        Ok(_) => {}
        Err(store::BusError::Domain(_)) => return Err(SdkError::InvalidTicket),
        Err(e) => return Err(internal("redeeming an sso ticket", e)),
    }
    let user = projections::users::get(state.pool(), tenant, &session.user_id)
        .await?
        .ok_or(SdkError::InvalidTicket)?;
    if !user.can_sign_in(state.now()) {
        return Err(SdkError::Refused(SignInRefusal::Disabled));
    }
    Ok(user)
}
