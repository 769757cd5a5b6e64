//! The login state machine (seed 002 A2–A4): the password login, skipping an expiring password's
//! change, changing the password, and what follows each step — the next challenge with a new
//! state token, or the session with its session token and id token.

use domain::sdk_login::{PassedBy, SdkChallenge, SdkLogin, SdkLoginCommand, SdkLoginEvent};
use domain::sso_session::{SsoSession, SsoSessionCommand};
use domain::Aggregate;
use projections::applications::ApplicationRow;
use projections::users::UserRow;
use serde_json::Value;
use store::Context;

use super::tokens::{self, StateClaims};
use super::{
    as_user, due, internal, LoginOutcome, SdkError, SESSION_LIFETIME_MS, STATE_TOKEN_LIFETIME_MS,
};
use crate::oauth::Issuer;
use crate::signin::{self, CaptchaAnswer, SignInRefusal};
use crate::state::AppState;

/// Who asks: the request's context and issuer, the client application, the device.
pub struct Caller<'a> {
    pub ctx: &'a Context,
    pub issuer: &'a Issuer,
    pub app: &'a ApplicationRow,
    pub device_hash: &'a str,
}

/// `POST /api/v2/sdk/login`: checks the password (lockout and CAPTCHA as on the hosted page) and
/// the user's account in the client application, then starts the login.
pub async fn login(
    state: &AppState,
    caller: &Caller<'_>,
    user_name: &str,
    password: &str,
    captcha: Option<CaptchaAnswer>,
) -> Result<LoginOutcome, SdkError> {
    let attempt = signin::Attempt {
        captcha,
        device: Some(caller.device_hash.to_string()),
    };
    let user = signin::check_password(state, caller.ctx, user_name, password, attempt).await?;
    if !may_use(state, caller, &user).await? {
        return Ok(LoginOutcome::AccessDenied);
    }
    let due = due(state, &caller.ctx.tenant_id, &user).await?;
    let login_id = state.ids.ordered_uuid();
    let now = state.now();
    let command = SdkLoginCommand::Start {
        user_id: user.user_id.clone(),
        application_id: caller.app.application_id.clone(),
        device_hash: caller.device_hash.to_string(),
        due: due.iter().map(|(c, _)| *c).collect(),
        session_id: state.ids.ordered_uuid(),
        now,
        expires_at: now + STATE_TOKEN_LIFETIME_MS,
    };
    let ctx = as_user(caller.ctx, &user.user_id);
    let executed = state
        .bus
        .execute::<SdkLogin, _>(&ctx, &login_id, |l| l.decide(command.clone(), &()))
        .await
        .map_err(|e| internal("starting an SDK login", e))?;
    let caller = Caller {
        ctx: &ctx,
        ..*caller
    };
    outcome(state, &caller, &user, &login_id, &executed.events, &due).await
}

/// Whether the user may sign in to the client application: an enabled account in it. A refusal
/// is recorded like the hosted page's.
async fn may_use(state: &AppState, caller: &Caller<'_>, user: &UserRow) -> Result<bool, SdkError> {
    let tenant = &caller.ctx.tenant_id;
    if signin::may_use(state, tenant, &user.user_id, &caller.app.application_id).await? {
        return Ok(true);
    }
    signin::record_failure(state, caller.ctx, &user.user_id, "no_account", false).await?;
    Ok(false)
}

/// `GET /api/v2/sdk/pwd/skip-update`: the expiring password stays as it is.
pub async fn skip_password_change(
    state: &AppState,
    caller: &Caller<'_>,
    claims: &StateClaims,
) -> Result<LoginOutcome, SdkError> {
    advance(state, caller, claims, PassedBy::Skip).await
}

/// `POST /api/v2/sdk/pwd/update`: the password is changed (proving the old one, under the
/// tenant's password policy).
pub async fn change_password(
    state: &AppState,
    caller: &Caller<'_>,
    claims: &StateClaims,
    old_password: Option<String>,
    new_password: Option<String>,
) -> Result<LoginOutcome, SdkError> {
    let ctx = as_user(caller.ctx, &claims.user_id);
    crate::users::change_password_verified(
        state,
        &ctx,
        &claims.user_id,
        old_password,
        new_password,
    )
    .await?;
    advance(state, caller, claims, PassedBy::PasswordChange).await
}

/// Passes the current step (its own check already done: password changed, code verified) and
/// answers what comes next. The user must still be enabled and hold the account.
pub(super) async fn advance(
    state: &AppState,
    caller: &Caller<'_>,
    claims: &StateClaims,
    by: PassedBy,
) -> Result<LoginOutcome, SdkError> {
    let tenant = &caller.ctx.tenant_id;
    let user = projections::users::get(state.pool(), tenant, &claims.user_id)
        .await?
        .ok_or(SdkError::InvalidStateToken)?;
    if !user.can_sign_in(state.now()) {
        signin::record_failure(state, caller.ctx, &user.user_id, "user_disabled", false).await?;
        return Err(SdkError::Refused(SignInRefusal::Disabled));
    }
    if !may_use(state, caller, &user).await? {
        return Ok(LoginOutcome::AccessDenied);
    }
    let due = due(state, tenant, &user).await?;
    let now = state.now();
    let command = SdkLoginCommand::Pass {
        step: claims.step,
        challenge: claims.challenge,
        by,
        due: due.iter().map(|(c, _)| *c).collect(),
        session_id: state.ids.ordered_uuid(),
        now,
        expires_at: now + STATE_TOKEN_LIFETIME_MS,
    };
    let ctx = as_user(caller.ctx, &user.user_id);
    let executed = state
        .bus
        .execute::<SdkLogin, _>(&ctx, &claims.login_id, |l| l.decide(command.clone(), &()))
        .await;
    let executed = match executed {
        Ok(executed) => executed,
        // The step was passed meanwhile, or the token expired: the token is spent.
        Err(store::BusError::Domain(_)) => return Err(SdkError::InvalidStateToken),
        Err(e) => return Err(internal("passing an SDK login step", e)),
    };
    let caller = Caller {
        ctx: &ctx,
        ..*caller
    };
    outcome(
        state,
        &caller,
        &user,
        &claims.login_id,
        &executed.events,
        &due,
    )
    .await
}

/// The answer to a decision of the login: a state token for the next challenge, or the session.
async fn outcome(
    state: &AppState,
    caller: &Caller<'_>,
    user: &UserRow,
    login_id: &str,
    events: &[SdkLoginEvent],
    due: &[(SdkChallenge, Option<Value>)],
) -> Result<LoginOutcome, SdkError> {
    let tenant = &caller.ctx.tenant_id;
    for event in events {
        match event {
            SdkLoginEvent::Challenged {
                step,
                challenge,
                expires_at,
                ..
            } => {
                let state_token = tokens::sign_state_token(
                    state,
                    tenant,
                    caller.issuer,
                    caller.app,
                    login_id,
                    &user.user_id,
                    caller.device_hash,
                    *step,
                    *challenge,
                    *expires_at,
                )
                .await?;
                let data = due
                    .iter()
                    .find(|(c, _)| c == challenge)
                    .and_then(|(_, data)| data.clone());
                return Ok(LoginOutcome::Challenge {
                    challenge: *challenge,
                    state_token,
                    data,
                });
            }
            SdkLoginEvent::Completed {
                session_id,
                methods,
                ..
            } => return success(state, caller, user, session_id, methods).await,
            SdkLoginEvent::Started { .. } | SdkLoginEvent::StepPassed { .. } => {}
        }
    }
    Err(internal(
        "an SDK login step",
        "decided neither a challenge nor completion",
    ))
}

/// Starts the session, bound to the device, and signs the id token.
async fn success(
    state: &AppState,
    caller: &Caller<'_>,
    user: &UserRow,
    session_id: &str,
    methods: &[String],
) -> Result<LoginOutcome, SdkError> {
    let (session_token, token_hash) = tokens::new_session_token(state);
    let now = state.now();
    let command = SsoSessionCommand::Start {
        session_id: session_id.to_string(),
        user_id: user.user_id.clone(),
        cookie_hash: token_hash,
        methods: methods.to_vec(),
        needs_second_factor: false,
        remember_me: false,
        now,
        expires_at: now + SESSION_LIFETIME_MS,
        device_hash: Some(caller.device_hash.to_string()),
    };
    state
        .bus
        .execute::<SsoSession, _>(caller.ctx, session_id, |s| s.decide(command.clone(), &()))
        .await
        .map_err(|e| internal("starting an SDK session", e))?;
    let tenant = &caller.ctx.tenant_id;
    let id_token = tokens::sign_id_token(
        state,
        tenant,
        caller.issuer,
        caller.app,
        user,
        session_id,
        methods,
        now,
    )
    .await?;
    Ok(LoginOutcome::Success {
        session_token,
        id_token,
        expire: SESSION_LIFETIME_MS / 1000,
    })
}
