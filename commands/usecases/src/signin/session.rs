//! SSO sessions: started after sign-in, found by their cookie's keyed hash, sliding while in use,
//! ended with their grants and tickets; a user's access to an application.

use super::*;

use crate::state::AppState;
use crate::ServiceError;
use domain::sso_session::{SsoSession, SsoSessionCommand};
use domain::Aggregate;
use projections::sessions::SessionRow;
use store::Context;

/// A started session and the cookie value that carries it (returned once, stored as a hash).
pub struct StartedSession {
    pub session_id: String,
    pub cookie: String,
    pub expires_at: i64,
}

#[tracing::instrument(target = "idaas::trace", skip_all, fields(tenant = %ctx.tenant_id))]
pub async fn start_session(
    state: &AppState,
    ctx: &Context,
    user_id: &str,
    methods: &[&str],
    remember_me: bool,
) -> Result<StartedSession, ServiceError> {
    let session_id = state.ids.ordered_uuid();
    let cookie = state.ids.base62(43);
    let now = state.now();
    let lifetime = if remember_me {
        REMEMBERED_SESSION_LIFETIME_MS
    } else {
        SESSION_LIFETIME_MS
    };
    let command = SsoSessionCommand::Start {
        session_id: session_id.clone(),
        user_id: user_id.to_string(),
        cookie_hash: state.keys().secret_hash(&cookie),
        methods: methods.iter().map(|m| m.to_string()).collect(),
        needs_second_factor: false,
        remember_me,
        now,
        expires_at: now + lifetime,
        device_hash: None,
    };
    let ctx = crate::acting(ctx, "user", user_id);
    state
        .bus
        .execute::<SsoSession, _>(&ctx, &session_id, |s| s.decide(command.clone(), &()))
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("starting a session: {e}")))?;
    Ok(StartedSession {
        session_id,
        cookie,
        expires_at: now + lifetime,
    })
}

/// The live session a cookie carries (not ended, not expired), complete or waiting for its
/// second factor.
pub async fn session_of_cookie(
    state: &AppState,
    tenant: &str,
    cookie: &str,
) -> anyhow::Result<Option<SessionRow>> {
    let hash = state.keys().secret_hash(cookie);
    let session = crate::cache::lookups::session_by_cookie(state, tenant, &hash).await?;
    Ok(session.filter(|s| !s.ended && s.expires_at > state.now()))
}

/// The longest a session lives from sign-in, however often it is refreshed.
pub const SESSION_MAX_AGE_MS: i64 = 24 * 3600 * 1000;

pub const REMEMBERED_SESSION_MAX_AGE_MS: i64 = 90 * 24 * 3600 * 1000;

/// Slides a session in use: once less than half its lifetime is left, it gets a full lifetime
/// again (never past its maximum age from sign-in). At most one event per half lifetime.
pub async fn refresh_if_due(
    state: &AppState,
    ctx: &Context,
    session: &SessionRow,
) -> Result<(), ServiceError> {
    let now = state.now();
    let (lifetime, max_age) = if session.remember_me {
        (
            REMEMBERED_SESSION_LIFETIME_MS,
            REMEMBERED_SESSION_MAX_AGE_MS,
        )
    } else {
        (SESSION_LIFETIME_MS, SESSION_MAX_AGE_MS)
    };
    let expires_at = (now + lifetime).min(session.auth_time + max_age);
    if session.expires_at - now >= lifetime / 2 || expires_at <= session.expires_at {
        return Ok(());
    }
    let command = SsoSessionCommand::Refresh { now, expires_at };
    let ctx = crate::acting(ctx, "user", &session.user_id);
    state
        .bus
        .execute::<SsoSession, _>(&ctx, &session.session_id, |s| {
            s.decide(command.clone(), &())
        })
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("refreshing a session: {e}")))?;
    Ok(())
}

/// Ends a session; its OAuth grants are revoked with it, its PGTs end and the CAS services it
/// gave tickets to are sent single-logout requests.
pub async fn end_session(
    state: &AppState,
    ctx: &Context,
    session_id: &str,
    reason: &str,
) -> Result<(), ServiceError> {
    let command = SsoSessionCommand::End {
        reason: reason.to_string(),
        now: state.now(),
    };
    state
        .bus
        .execute::<SsoSession, _>(ctx, session_id, |s| s.decide(command.clone(), &()))
        .await
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("ending a session: {e}")))?;
    for (grant_id, _) in
        projections::oauth::grants_of_session(state.pool(), &ctx.tenant_id, session_id).await?
    {
        crate::oauth::revoke_grant(state, ctx, &grant_id, "session_ended").await?;
    }
    crate::cas::session_ended(state, ctx, session_id).await?;
    Ok(())
}

/// Whether the user may use the application: an enabled account in it (OneAccess), or, without
/// any account in it, a grant of it to the user or to one of the user's organisations (Inspur
/// USR-07, ORG-08, APP-02) — or to an ancestor of one, when the tenant lets grants reach
/// sub-organisations. A disabled account refuses whatever is granted.
pub async fn may_use(
    state: &AppState,
    tenant: &str,
    user_id: &str,
    application_id: &str,
) -> anyhow::Result<bool> {
    may_use_by(
        state,
        tenant,
        user_id,
        application_id,
        Reach::AccountOrGrant,
    )
    .await
}

/// What lets a user use an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// An enabled account in it: CAS and SAML answer with the account's name.
    Account,
    /// An enabled account, or a grant when the user has no account in it (OIDC, the SDKs).
    AccountOrGrant,
}

async fn may_use_by(
    state: &AppState,
    tenant: &str,
    user_id: &str,
    application_id: &str,
    reach: Reach,
) -> anyhow::Result<bool> {
    let question = (tenant, user_id, application_id, reach == Reach::Account);
    let decide = reaches(state, tenant, user_id, application_id, reach);
    crate::cache::lookups::reach(state, question, decide).await
}

/// `may_use_by`, read from the projections.
async fn reaches(
    state: &AppState,
    tenant: &str,
    user_id: &str,
    application_id: &str,
    reach: Reach,
) -> anyhow::Result<bool> {
    let accounts = projections::app_accounts::list_for_user(state.pool(), tenant, user_id).await?;
    let mut has_account = false;
    for account in accounts
        .iter()
        .filter(|a| a.application_id == application_id)
    {
        if !account.disabled {
            return Ok(true);
        }
        has_account = true;
    }
    if has_account {
        return Ok(false);
    }
    if reach == Reach::Account {
        return Ok(false);
    }
    let inherit = crate::settings(state, tenant)
        .await
        .map_err(|e| anyhow::anyhow!("reading the tenant's settings: {e}"))?
        .organizations
        .grants_reach_sub_organizations;
    projections::app_grants::user_granted(state.pool(), tenant, user_id, application_id, inherit)
        .await
}

/// Whether a signed-in user may use an application now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Allowed,
    /// No enabled account in the application, and no grant of it.
    NoAccount,
    /// The user was disabled (or removed) since signing in.
    UserDisabled,
}

/// A signed-in user's access to an application: what `reach` asks for, and still enabled.
pub async fn access(
    state: &AppState,
    tenant: &str,
    user_id: &str,
    application_id: &str,
    reach: Reach,
) -> anyhow::Result<Access> {
    if !may_use_by(state, tenant, user_id, application_id, reach).await? {
        return Ok(Access::NoAccount);
    }
    let user = crate::cache::lookups::user(state, tenant, user_id).await?;
    Ok(match user {
        Some(user) if user.can_sign_in(state.now()) => Access::Allowed,
        _ => Access::UserDisabled,
    })
}
