//! What a user must still do after the password (password change, TOTP) and the TOTP second
//! factor (RFC 6238).

use super::*;

use crate::state::AppState;
use crate::{settings, ServiceError};
use domain::password::PasswordAge;
use domain::second_factor::{SecondFactor, SecondFactorCommand, SecondFactorError};
use domain::Aggregate;
use projections::users::UserRow;
use store::Context;

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
#[tracing::instrument(target = "idaas::trace", skip_all, fields(tenant = %ctx.tenant_id))]
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
                remaining: after.account.remaining(&policy),
                captcha: false,
            }))
        }
        Err(e) => Err(bus_error(e)),
    }
}

/// A new TOTP secret to offer for enrolment (RFC 6238 §5.1: 160 bits), in base32.
pub fn new_totp_secret() -> String {
    let mut secret = [0u8; 20];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut secret);
    domain::totp::base32(&secret)
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
