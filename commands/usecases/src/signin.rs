//! Password sign-in and SSO sessions, shared by the hosted login pages and the SDK surface: the
//! password is checked against the user's current hash, failures are recorded (with their reason)
//! on the user's login-attempts stream and lock the account per the tenant's policy, and a
//! success starts a session stream whose cookie is stored only as a keyed hash.

use crate::clock::{IdSource, RandomIds};
use domain::login_attempts::{LoginAttempts, LoginAttemptsCommand};
use domain::password::PasswordAge;
use domain::second_factor::{SecondFactor, SecondFactorCommand, SecondFactorError};
use domain::sso_session::{SsoSession, SsoSessionCommand};
use domain::Aggregate;
use projections::sessions::SessionRow;
use projections::users::UserRow;
use store::Context;

use crate::state::AppState;
use crate::{settings, ServiceError};

/// Eight hours, or thirty days with "remember me".
pub const SESSION_LIFETIME_MS: i64 = 8 * 3600 * 1000;
pub const REMEMBERED_SESSION_LIFETIME_MS: i64 = 30 * 24 * 3600 * 1000;

/// Consecutive failures after which a user's sign-in needs a CAPTCHA answer.
pub const CAPTCHA_AFTER_FAILURES: u32 = 2;

/// Why a sign-in was refused.
#[derive(Debug)]
pub enum SignInRefusal {
    /// Unknown user or wrong password; attempts left before the lock (LOGIN.0002), and whether
    /// the next attempt needs a CAPTCHA.
    BadCredentials { remaining: u32, captcha: bool },
    /// This user's next attempt needs a CAPTCHA answer, and none or a wrong one came (CAPTCHA.0002).
    Captcha,
    /// Locked for this many more milliseconds (LOGIN.0001).
    Locked { remaining_ms: i64 },
    /// USER.0004.
    Disabled,
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("sign-in refused")]
    Refused(SignInRefusal),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<anyhow::Error> for SignInError {
    fn from(e: anyhow::Error) -> Self {
        Self::Service(e.into())
    }
}

/// A CAPTCHA challenge and the answer given.
#[derive(Debug, Clone)]
pub struct CaptchaAnswer {
    pub captcha_id: String,
    pub answer: String,
}

/// Checks a username and password. Every refusal of a known user is recorded with its reason.
/// After `CAPTCHA_AFTER_FAILURES` failures the password is not even tried without a right
/// CAPTCHA answer.
pub async fn check_password(
    state: &AppState,
    ctx: &Context,
    user_name: &str,
    password: &str,
    captcha: Option<CaptchaAnswer>,
) -> Result<UserRow, SignInError> {
    let tenant = &ctx.tenant_id;
    let policy = settings(state, tenant).await?.lockout;
    let user = projections::users::by_user_name(state.pool(), tenant, user_name).await?;
    let Some(user) = user else {
        return Err(unknown_user(state, ctx, user_name, captcha).await);
    };
    let (state_now, now) = (attempts(state, tenant, &user.user_id).await?, state.now());
    if let Some(remaining_ms) = state_now.locked_for(now) {
        record_failure(state, ctx, &user.user_id, "locked", false).await?;
        return Err(SignInError::Refused(SignInRefusal::Locked { remaining_ms }));
    }
    captcha_due(state, ctx, &user.user_id, &state_now, captcha).await?;
    let hash = user.password_hash.clone().unwrap_or_default();
    let hasher = state.hasher.clone();
    let supplied = password.to_string();
    let matches =
        tokio::task::spawn_blocking(move || !hash.is_empty() && hasher.verify(&supplied, &hash))
            .await
            .unwrap_or(false);
    if !matches {
        let after = record_failure(state, ctx, &user.user_id, "bad_password", true).await?;
        if let Some(remaining_ms) = after.locked_for(state.now()) {
            return Err(SignInError::Refused(SignInRefusal::Locked { remaining_ms }));
        }
        return Err(SignInError::Refused(SignInRefusal::BadCredentials {
            remaining: after.remaining(&policy),
            captcha: after.failures >= CAPTCHA_AFTER_FAILURES,
        }));
    }
    if user.disabled {
        record_failure(state, ctx, &user.user_id, "user_disabled", false).await?;
        return Err(SignInError::Refused(SignInRefusal::Disabled));
    }
    if state_now.failures > 0 {
        let command = LoginAttemptsCommand::Succeed { now: state.now() };
        state
            .bus
            .execute::<LoginAttempts, _>(ctx, &user.user_id, |a| a.decide(command.clone(), &()))
            .await
            .map_err(bus_error)?;
    }
    Ok(user)
}

/// A sign-in for a username nobody has: answered, timed, counted, locked and CAPTCHA'd exactly
/// as for a real user with a wrong password, so none of these reveals whether the name exists.
/// The failures go on a stream named by the keyed hash of the name (never the name itself).
async fn unknown_user(
    state: &AppState,
    ctx: &Context,
    user_name: &str,
    captcha: Option<CaptchaAnswer>,
) -> SignInError {
    let subject = format!(
        "unknown-{}",
        state
            .keys()
            .claim_key("login.user_name", &user_name.trim().to_lowercase())
    );
    let tenant = &ctx.tenant_id;
    let result: Result<SignInError, SignInError> = async {
        let policy = settings(state, tenant).await?.lockout;
        let before = attempts(state, tenant, &subject).await?;
        if let Some(remaining_ms) = before.locked_for(state.now()) {
            record_failure(state, ctx, &subject, "locked", false).await?;
            return Ok(SignInError::Refused(SignInRefusal::Locked { remaining_ms }));
        }
        if let Err(refused) = captcha_due(state, ctx, &subject, &before, captcha).await {
            return Ok(refused);
        }
        // Spend the time a real check takes, so response times do not reveal usernames.
        let hasher = state.hasher.clone();
        let _ = tokio::task::spawn_blocking(move || {
            let hash = dummy_hash(hasher.as_ref());
            hasher.verify("x", &hash)
        })
        .await;
        let after = record_failure(state, ctx, &subject, "unknown_user", true).await?;
        if let Some(remaining_ms) = after.locked_for(state.now()) {
            return Ok(SignInError::Refused(SignInRefusal::Locked { remaining_ms }));
        }
        Ok(SignInError::Refused(SignInRefusal::BadCredentials {
            remaining: after.remaining(&policy),
            captcha: after.failures >= CAPTCHA_AFTER_FAILURES,
        }))
    }
    .await;
    result.unwrap_or_else(|e| e)
}

/// After `CAPTCHA_AFTER_FAILURES` failures the next attempt needs a right CAPTCHA answer; a
/// missing or wrong one is recorded (without counting towards the lock) and refuses the attempt.
async fn captcha_due(
    state: &AppState,
    ctx: &Context,
    subject: &str,
    attempts: &LoginAttempts,
    captcha: Option<CaptchaAnswer>,
) -> Result<(), SignInError> {
    if attempts.failures < CAPTCHA_AFTER_FAILURES {
        return Ok(());
    }
    let solved = match captcha {
        Some(c) => crate::captcha::answer(state, ctx, &c.captcha_id, &c.answer)
            .await?
            .unwrap_or(false),
        None => false,
    };
    if solved {
        return Ok(());
    }
    record_failure(state, ctx, subject, "captcha", false).await?;
    Err(SignInError::Refused(SignInRefusal::Captcha))
}

/// An argon2id hash of a password nobody has, checked when the username is unknown.
fn dummy_hash(hasher: &dyn domain::password::PasswordHasher) -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hasher.hash(&RandomIds.base62(24)))
        .clone()
}

async fn attempts(state: &AppState, tenant: &str, user_id: &str) -> anyhow::Result<LoginAttempts> {
    Ok(state.bus.load::<LoginAttempts>(tenant, user_id).await?.0)
}

/// Records a refused sign-in of a known user; returns the attempts state after it.
pub async fn record_failure(
    state: &AppState,
    ctx: &Context,
    user_id: &str,
    reason: &str,
    counts: bool,
) -> Result<LoginAttempts, SignInError> {
    let policy = settings(state, &ctx.tenant_id).await?.lockout;
    let now = state.now();
    let command = LoginAttemptsCommand::Fail {
        user_id: user_id.to_string(),
        reason: reason.to_string(),
        counts,
        policy,
        now,
    };
    state
        .bus
        .execute::<LoginAttempts, _>(ctx, user_id, |a| a.decide(command.clone(), &()))
        .await
        .map_err(bus_error)?;
    Ok(attempts(state, &ctx.tenant_id, user_id).await?)
}

fn bus_error<E: std::error::Error>(error: store::BusError<E>) -> SignInError {
    SignInError::Service(ServiceError::Internal(anyhow::anyhow!("{error}")))
}

/// A started session and the cookie value that carries it (returned once, stored as a hash).
pub struct StartedSession {
    pub session_id: String,
    pub cookie: String,
    pub expires_at: i64,
}

pub async fn start_session(
    state: &AppState,
    ctx: &Context,
    user_id: &str,
    methods: &[&str],
    remember_me: bool,
) -> Result<StartedSession, ServiceError> {
    let session_id = state.ids.uuid();
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
    let session = projections::sessions::by_cookie(state.pool(), tenant, &hash).await?;
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

/// Whether the user holds an enabled account in the application (only such users may sign in
/// to it).
pub async fn has_account(
    state: &AppState,
    tenant: &str,
    user_id: &str,
    application_id: &str,
) -> anyhow::Result<bool> {
    let accounts = projections::app_accounts::list_for_user(state.pool(), tenant, user_id).await?;
    Ok(accounts
        .iter()
        .any(|a| a.application_id == application_id && !a.disabled))
}

/// Whether a signed-in user may use an application now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Allowed,
    /// No enabled account in the application.
    NoAccount,
    /// The user was disabled (or removed) since signing in.
    UserDisabled,
}

/// A signed-in user's access to an application: an enabled account in it, and still enabled.
pub async fn access(
    state: &AppState,
    tenant: &str,
    user_id: &str,
    application_id: &str,
) -> anyhow::Result<Access> {
    if !has_account(state, tenant, user_id, application_id).await? {
        return Ok(Access::NoAccount);
    }
    let user = projections::users::get(state.pool(), tenant, user_id).await?;
    Ok(match user {
        Some(user) if !user.disabled => Access::Allowed,
        _ => Access::UserDisabled,
    })
}

/// What a user must still do after the password, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Challenge {
    /// The password must be changed: an administrator asked for it, or it has expired.
    PasswordExpired,
    /// The password expires within the warning window; the change may be skipped.
    PasswordWarn { days_left: u32 },
    /// The TOTP second factor.
    SecondFactor,
}

pub async fn challenges(
    state: &AppState,
    tenant: &str,
    user: &UserRow,
) -> Result<Vec<Challenge>, ServiceError> {
    let policy = settings(state, tenant).await?.password_policy;
    let mut due = Vec::new();
    match policy.age(user.pwd_change_at, state.now()) {
        _ if user.pwd_must_modify => due.push(Challenge::PasswordExpired),
        PasswordAge::Expired => due.push(Challenge::PasswordExpired),
        PasswordAge::Expiring { days_left } => due.push(Challenge::PasswordWarn { days_left }),
        PasswordAge::Fresh => {}
    }
    if second_factor(state, tenant, &user.user_id)
        .await?
        .enrolled()
    {
        due.push(Challenge::SecondFactor);
    }
    Ok(due)
}

pub async fn second_factor(
    state: &AppState,
    tenant: &str,
    user_id: &str,
) -> anyhow::Result<SecondFactor> {
    Ok(state.bus.load::<SecondFactor>(tenant, user_id).await?.0)
}

/// Checks a TOTP code; a wrong one counts towards the lockout like a wrong password.
pub async fn verify_second_factor(
    state: &AppState,
    ctx: &Context,
    user_id: &str,
    code: &str,
) -> Result<(), SignInError> {
    let attempts_now = attempts(state, &ctx.tenant_id, user_id).await?;
    if let Some(remaining_ms) = attempts_now.locked_for(state.now()) {
        return Err(SignInError::Refused(SignInRefusal::Locked { remaining_ms }));
    }
    let command = SecondFactorCommand::Verify {
        code: code.trim().to_string(),
        now: state.now(),
    };
    let user_ctx = crate::acting(ctx, "user", user_id);
    match state
        .bus
        .execute::<SecondFactor, _>(&user_ctx, user_id, |f| f.decide(command.clone(), &()))
        .await
    {
        Ok(_) => Ok(()),
        Err(store::BusError::Domain(_)) => {
            let policy = settings(state, &ctx.tenant_id).await?.lockout;
            let after = record_failure(state, ctx, user_id, "bad_second_factor", true).await?;
            if let Some(remaining_ms) = after.locked_for(state.now()) {
                return Err(SignInError::Refused(SignInRefusal::Locked { remaining_ms }));
            }
            Err(SignInError::Refused(SignInRefusal::BadCredentials {
                remaining: after.remaining(&policy),
                captcha: false,
            }))
        }
        Err(e) => Err(bus_error(e)),
    }
}

/// Enrols a TOTP secret once the user has shown a current code from it.
pub async fn enroll_second_factor(
    state: &AppState,
    ctx: &Context,
    user_id: &str,
    secret: Vec<u8>,
    code: &str,
) -> Result<Result<(), SecondFactorError>, ServiceError> {
    let command = SecondFactorCommand::Enroll {
        user_id: user_id.to_string(),
        secret,
        code: code.trim().to_string(),
        now: state.now(),
    };
    match state
        .bus
        .execute::<SecondFactor, _>(ctx, user_id, |f| f.decide(command.clone(), &()))
        .await
    {
        Ok(_) => Ok(Ok(())),
        Err(store::BusError::Domain(e)) => Ok(Err(e)),
        Err(e) => Err(ServiceError::Internal(anyhow::anyhow!(
            "enrolling a second factor: {e}"
        ))),
    }
}
