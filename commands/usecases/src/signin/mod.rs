//! Password sign-in and SSO sessions, shared by the hosted login pages and the SDK surface: the
//! password is checked against the user's current hash, failures are recorded (with their reason)
//! on the user's login-attempts stream and lock the account per the tenant's policy, and a
//! success starts a session stream whose cookie is stored only as a keyed hash.

mod second_factor;
mod session;

pub use second_factor::*;
pub use session::*;

use crate::clock::{IdSource, RandomIds};
use crate::state::AppState;
use crate::{settings, ServiceError};
use domain::login_attempts::{LoginAttempts, LoginAttemptsCommand};
use domain::Aggregate;
use projections::users::UserRow;
use store::Context;

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
