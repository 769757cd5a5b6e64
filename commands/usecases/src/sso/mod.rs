//! The one single sign-on pipeline every protocol runs (DESIGN.md "Workspace layout"): the
//! browser's session → is it fresh enough for this request → may its user use this application
//! → proceed. OIDC authorize, CAS login, SAML SSO and the OneAccess SDK's sso ticket all ask it;
//! each protocol only says what it asks for (`Ask`) and words the outcome in its own wire.

use projections::applications::ApplicationRow;
use projections::sessions::SessionRow;

pub mod authorize;

use crate::signin::{self, Access, Reach};
use crate::{AppState, Context, ServiceError};

/// How long after a sign-in was asked for its return still counts as that sign-in.
pub const RETURN_WINDOW_MS: i64 = 10 * 60 * 1000;

/// How recent the sign-in behind the session must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Any live session will do.
    Any,
    /// Back from the sign-in this request asked for: only a session started since counts.
    SignedInSince(i64),
    /// A new sign-in is wanted (OIDC `prompt=login`, CAS `renew`, SAML `ForceAuthn`).
    New,
    /// The sign-in may be at most this many seconds old (OIDC `max_age`).
    MaxAge(i64),
}

/// What a protocol request asks of the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ask {
    pub freshness: Freshness,
    /// No page may be shown: without a fresh session the answer is `Passive` (OIDC
    /// `prompt=none`, CAS `gateway`, SAML `IsPassive`).
    pub passive: bool,
    /// A session in use slides its expiry (browser sessions); SDK sessions do not.
    pub slide: bool,
    /// What lets the user in: CAS and SAML answer with an account, so they ask for one.
    pub reach: Reach,
}

impl Ask {
    /// A browser request with this freshness, showing pages if it must; an account or a grant
    /// lets the user in.
    pub fn browser(freshness: Freshness, passive: bool) -> Self {
        Self {
            freshness,
            passive,
            slide: true,
            reach: Reach::AccountOrGrant,
        }
    }

    /// The same, for a protocol that answers with the user's account in the application.
    pub fn with_account(self) -> Self {
        Self {
            reach: Reach::Account,
            ..self
        }
    }
}

/// Why a signed-in user may not use the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    ApplicationDisabled,
    /// No enabled account in the application.
    NoAccount,
    /// The user was disabled (or removed) since signing in.
    UserDisabled,
}

/// What the protocol does next.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Signed in, fresh enough and allowed: answer with this session's user.
    Proceed(SessionRow),
    /// Send the browser to the sign-in page, to come back with `return_marker` as the moment the
    /// sign-in was asked for; `signed_in` says a session exists but is too old (ask again).
    SignIn { signed_in: bool, return_marker: i64 },
    /// Not signed in (freshly enough), and the request must not show a page.
    Passive,
    /// Signed in, but not to this application.
    Denied(Denial),
}

/// The live, complete (second factor passed) session a browser's cookie carries.
pub async fn session_of_browser(
    state: &AppState,
    tenant: &str,
    cookie: Option<&str>,
) -> anyhow::Result<Option<SessionRow>> {
    let Some(cookie) = cookie else {
        return Ok(None);
    };
    let session = signin::session_of_cookie(state, tenant, cookie).await?;
    Ok(session.filter(|s| !s.needs_second_factor))
}

/// A request's return marker (the moment its sign-in was asked for), if it is genuine enough to
/// count: within the return window and not from the future, so a forged old marker cannot pass
/// off an old session as a new sign-in.
pub fn return_marker(state: &AppState, value: Option<&str>) -> Option<i64> {
    let now = state.now();
    value
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|after| *after <= now && now - after <= RETURN_WINDOW_MS)
}

/// Whether a sign-in at `auth_time` is fresh enough.
pub fn fresh_enough(state: &AppState, freshness: Freshness, auth_time: i64) -> bool {
    match freshness {
        Freshness::Any => true,
        Freshness::SignedInSince(after) => auth_time >= after,
        Freshness::New => false,
        Freshness::MaxAge(seconds) => auth_time + seconds.max(0) * 1000 >= state.now(),
    }
}

/// Runs the pipeline for `session` (already read from the request) and `app`.
pub async fn run(
    state: &AppState,
    ctx: &Context,
    session: Option<SessionRow>,
    ask: Ask,
    app: &ApplicationRow,
) -> Result<Outcome, ServiceError> {
    let signed_in = session.is_some();
    let session = match session {
        Some(s) if fresh_enough(state, ask.freshness, s.auth_time) => s,
        _ if ask.passive => return Ok(Outcome::Passive),
        _ => {
            return Ok(Outcome::SignIn {
                signed_in,
                return_marker: state.now(),
            })
        }
    };
    let user = &session.user_id;
    if let Some(denial) = denial(state, &ctx.tenant_id, user, app, ask.reach).await? {
        return Ok(Outcome::Denied(denial));
    }
    if ask.slide {
        signin::refresh_if_due(state, ctx, &session).await?;
    }
    Ok(Outcome::Proceed(session))
}

/// Why `user_id` may not use `app` now, if anything stops it.
pub async fn denial(
    state: &AppState,
    tenant: &str,
    user_id: &str,
    app: &ApplicationRow,
    reach: Reach,
) -> anyhow::Result<Option<Denial>> {
    if !app.enabled {
        return Ok(Some(Denial::ApplicationDisabled));
    }
    Ok(
        match signin::access(state, tenant, user_id, &app.application_id, reach).await? {
            Access::Allowed => None,
            Access::NoAccount => Some(Denial::NoAccount),
            Access::UserDisabled => Some(Denial::UserDisabled),
        },
    )
}
