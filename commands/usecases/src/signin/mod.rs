//! Password sign-in and SSO sessions, shared by the hosted login pages and the SDK surface: the
//! password is checked against the user's current hash, failures are recorded (with their reason)
//! on the user's login-attempts stream and lock the account per the tenant's policy, and a
//! success starts a session stream whose cookie is stored only as a keyed hash.

mod second_factor;
mod session;
mod unlock;

pub use second_factor::*;
pub use session::*;
pub use unlock::*;

use crate::clock::{IdSource, RandomIds};
use crate::state::AppState;
use crate::{settings, ServiceError};
use domain::login_attempts::{Count, LoginAttempts, LoginAttemptsCommand};
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

/// What a sign-in attempt presents besides the password.
#[derive(Debug, Clone, Default)]
pub struct Attempt {
    pub captcha: Option<CaptchaAnswer>,
    /// The device token the attempt came with (the hosted login's device cookie, the SDK's
    /// device fingerprint): failures from a device the user signed in from count only against
    /// that device (ops/adr/0012).
    pub device: Option<String>,
}

/// The keyed hash a device token is known by.
pub fn device_key(state: &AppState, token: &str) -> String {
    state.keys().claim_key("login.device", token)
}

/// Checks a username and password. Every refusal is recorded with its reason. The account's
/// rate limit comes first; a locked or still-waiting count refuses before the password is
/// tried; after `CAPTCHA_AFTER_FAILURES` failures a right CAPTCHA answer is needed too.
#[tracing::instrument(target = "idaas::trace", skip_all, fields(tenant = %ctx.tenant_id))]
pub async fn check_password(
    state: &AppState,
    ctx: &Context,
    user_name: &str,
    password: &str,
    attempt: Attempt,
) -> Result<UserRow, SignInError> {
    let tenant = &ctx.tenant_id;
    let name_key = state
        .keys()
        .claim_key("login.user_name", &user_name.trim().to_lowercase());
    let rate = state.config.limits.sign_in_per_account;
    state
        .rates
        .take(
            "sign_in_account",
            &format!("{tenant}/{name_key}"),
            rate,
            state.now(),
        )
        .inspect_err(|_| {
            tracing::warn!(target: "idaas::security", tenant = %tenant, "sign-in refused by the account's rate limit");
            metrics::counter!("idaas_sign_ins_total", "outcome" => "failed", "reason" => "rate_limited").increment(1);
        })
        .map_err(ServiceError::from)?;
    let device = attempt.device.as_deref().map(|d| device_key(state, d));
    let policy = settings(state, tenant).await?.lockout;
    let user = projections::users::by_user_name(state.pool(), tenant, user_name).await?;
    let (subject, user) = match user {
        Some(user) => (user.user_id.clone(), Some(user)),
        // A username nobody has is answered, timed, counted, locked and CAPTCHA'd exactly as a
        // real user with a wrong password, on a stream named by the name's keyed hash.
        None => (format!("unknown-{name_key}"), None),
    };
    let before = attempts(state, tenant, &subject).await?;
    let count = before.count_for(device.as_deref());
    if let Some(remaining_ms) = count.locked_for(state.now()) {
        record(state, ctx, &subject, "locked", false, device.clone()).await?;
        return Err(SignInError::Refused(SignInRefusal::Locked { remaining_ms }));
    }
    if let Some(remaining_ms) = count.delay_for(state.now()) {
        record(state, ctx, &subject, "delayed", false, device.clone()).await?;
        return Err(SignInError::Refused(SignInRefusal::Locked { remaining_ms }));
    }
    captcha_due(state, ctx, &subject, count, attempt.captcha, &device).await?;
    let hash = user
        .as_ref()
        .and_then(|u| u.password_hash.clone())
        .filter(|h| !h.is_empty());
    let hasher = state.hasher.clone();
    let supplied = password.to_string();
    // An unknown user costs the time of a real check, so response times reveal no usernames.
    let matches = state
        .passwords
        .run(move || match hash {
            Some(hash) => hasher.verify(&supplied, &hash),
            None => {
                let _ = hasher.verify(&supplied, &dummy_hash(hasher.as_ref()));
                false
            }
        })
        .await
        .map_err(ServiceError::from)?;
    let user = match user {
        Some(user) if matches => user,
        _ => {
            let reason = if user.is_some() {
                "bad_password"
            } else {
                "unknown_user"
            };
            let after = record(state, ctx, &subject, reason, true, device.clone()).await?;
            let count = after.count_for(device.as_deref());
            if let Some(remaining_ms) = count.locked_for(state.now()) {
                tracing::warn!(target: "idaas::security", tenant = %tenant, user_id = %known_user(&subject), remaining_ms, "account locked after failed sign-ins");
                metrics::counter!("idaas_account_locks_total").increment(1);
                return Err(SignInError::Refused(SignInRefusal::Locked { remaining_ms }));
            }
            return Err(SignInError::Refused(SignInRefusal::BadCredentials {
                remaining: count.remaining(&policy),
                captcha: count.failures >= CAPTCHA_AFTER_FAILURES,
            }));
        }
    };
    if !user.can_sign_in(state.now()) {
        record(state, ctx, &user.user_id, "user_disabled", false, device).await?;
        return Err(SignInError::Refused(SignInRefusal::Disabled));
    }
    let familiar = device
        .as_ref()
        .is_some_and(|d| before.devices.contains_key(d));
    if count.failures > 0 || count.locked_until.is_some() || (device.is_some() && !familiar) {
        let command = LoginAttemptsCommand::Succeed {
            now: state.now(),
            device,
        };
        state
            .bus
            .execute::<LoginAttempts, _>(ctx, &user.user_id, |a| a.decide(command.clone(), &()))
            .await
            .map_err(bus_error)?;
    }
    metrics::counter!("idaas_sign_ins_total", "outcome" => "ok", "reason" => "-").increment(1);
    Ok(user)
}

/// After `CAPTCHA_AFTER_FAILURES` failures the next attempt needs a right CAPTCHA answer; a
/// missing or wrong one is recorded (without counting towards the lock) and refuses the attempt.
async fn captcha_due(
    state: &AppState,
    ctx: &Context,
    subject: &str,
    count: &Count,
    captcha: Option<CaptchaAnswer>,
    device: &Option<String>,
) -> Result<(), SignInError> {
    if count.failures < CAPTCHA_AFTER_FAILURES {
        return Ok(());
    }
    let solved = match captcha {
        Some(c) => crate::captcha::answer(state, ctx, &c.captcha_id, &c.answer).await?,
        None => false,
    };
    if solved {
        return Ok(());
    }
    record(state, ctx, subject, "captcha", false, device.clone()).await?;
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

/// Records a refused sign-in of a known user after its password was checked (no application
/// account, a wrong second factor); returns the attempts state after it.
pub async fn record_failure(
    state: &AppState,
    ctx: &Context,
    user_id: &str,
    reason: &str,
    counts: bool,
) -> Result<LoginAttempts, SignInError> {
    record(state, ctx, user_id, reason, counts, None).await
}

/// Records a refused sign-in; returns the attempts state after it.
async fn record(
    state: &AppState,
    ctx: &Context,
    user_id: &str,
    reason: &str,
    counts: bool,
    device: Option<String>,
) -> Result<LoginAttempts, SignInError> {
    let policy = settings(state, &ctx.tenant_id).await?.lockout;
    let now = state.now();
    let command = LoginAttemptsCommand::Fail {
        user_id: user_id.to_string(),
        reason: reason.to_string(),
        counts,
        policy,
        now,
        device,
    };
    state
        .bus
        .execute::<LoginAttempts, _>(ctx, user_id, |a| a.decide(command.clone(), &()))
        .await
        .map_err(bus_error)?;
    tracing::warn!(target: "idaas::security", tenant = %ctx.tenant_id, user_id = %known_user(user_id), reason = %reason, "sign-in refused");
    metrics::counter!("idaas_sign_ins_total", "outcome" => outcome(reason), "reason" => reason.to_string()).increment(1);
    Ok(attempts(state, &ctx.tenant_id, user_id).await?)
}

/// The outcome a refusal is counted under: `locked` when the account was locked or had to wait.
fn outcome(reason: &str) -> &'static str {
    if matches!(reason, "locked" | "delayed") {
        "locked"
    } else {
        "failed"
    }
}

/// The user id for a log line, when the user exists: an unknown name's attempts stream is named
/// by the name's keyed hash, which stays out of the log like the name itself.
fn known_user(subject: &str) -> &str {
    if subject.starts_with("unknown-") {
        "-"
    } else {
        subject
    }
}

fn bus_error<E: std::error::Error>(error: store::BusError<E>) -> SignInError {
    SignInError::Service(ServiceError::Internal(anyhow::anyhow!("{error}")))
}
