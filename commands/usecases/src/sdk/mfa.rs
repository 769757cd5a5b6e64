//! The second factor of an SDK login (seed 002 MFA_AUTH, A5/A6): the TOTP code of the enrolled
//! factor, or an SMS code sent to the user's mobile number. Wrong codes count towards the lockout
//! like wrong passwords.

use domain::login_attempts::LoginAttempts;
use domain::sdk_login::PassedBy;
use domain::sms_code::{SmsCode, SmsCodeCommand, SmsCodeError, SmsCodeEvent};
use domain::Aggregate;
use rand::Rng;

use super::login::{advance, Caller};
use super::{
    as_user, has_mobile, internal, LoginOutcome, SdkError, StateClaims, SMS_CODE_LIFETIME_MS,
};
use crate::signin::{self, SignInError, SignInRefusal};
use crate::sms::{mask_mobile, SmsMessage};
use crate::state::AppState;

fn code_hash(state: &AppState, login_id: &str, code: &str) -> String {
    state
        .keys()
        .secret_hash(&format!("sms-code:{login_id}:{}", code.trim()))
}

async fn mobile_of(state: &AppState, tenant: &str, user_id: &str) -> Result<String, SdkError> {
    let user = projections::users::get(state.pool(), tenant, user_id)
        .await?
        .ok_or(SdkError::InvalidStateToken)?;
    if !has_mobile(&user) {
        return Err(SdkError::Mobile);
    }
    Ok(user.profile.mobile.unwrap_or_default().trim().to_string())
}

/// `GET /api/v2/sdk/mobile-by-token`: sends a new code to the user's mobile number (replacing
/// any earlier one of this login) and answers the number, masked.
pub async fn send_sms_code(
    state: &AppState,
    caller: &Caller<'_>,
    claims: &StateClaims,
) -> Result<String, SdkError> {
    let tenant = &caller.ctx.tenant_id;
    let mobile = mobile_of(state, tenant, &claims.user_id).await?;
    let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
    let now = state.now();
    let command = SmsCodeCommand::Send {
        user_id: claims.user_id.clone(),
        code_hash: code_hash(state, &claims.login_id, &code),
        now,
        expires_at: now + SMS_CODE_LIFETIME_MS,
    };
    let ctx = as_user(caller.ctx, &claims.user_id);
    match state
        .bus
        .execute::<SmsCode, _>(&ctx, &claims.login_id, |c| c.decide(command.clone(), &()))
        .await
    {
        Ok(_) => {}
        Err(store::BusError::Domain(SmsCodeError::TooManySends)) => return Err(SdkError::NotSent),
        Err(e) => return Err(internal("recording an SMS code", e)),
    }
    let message = SmsMessage {
        tenant_id: tenant.clone(),
        mobile: mobile.clone(),
        code,
        lifetime_secs: SMS_CODE_LIFETIME_MS / 1000,
    };
    if let Err(e) = state.sms.send(&message).await {
        tracing::error!(error = %format!("{e:#}"), mobile = %mask_mobile(&mobile), "SMS not sent");
        return Err(SdkError::NotSent);
    }
    Ok(mask_mobile(&mobile))
}

/// `POST /api/v2/sdk/mfa/sms`: the code sent to `mobile` (the user's number, in full or as
/// `mobile-by-token` showed it). A code is used once.
pub async fn verify_sms_code(
    state: &AppState,
    caller: &Caller<'_>,
    claims: &StateClaims,
    mobile: &str,
    code: &str,
) -> Result<LoginOutcome, SdkError> {
    let tenant = &caller.ctx.tenant_id;
    let expected = mobile_of(state, tenant, &claims.user_id).await?;
    let mobile = mobile.trim();
    if mobile != expected && mobile != mask_mobile(&expected) {
        return Err(SdkError::Mobile);
    }
    refuse_when_locked(state, tenant, &claims.user_id).await?;
    let command = SmsCodeCommand::Verify {
        code_hash: code_hash(state, &claims.login_id, code),
        now: state.now(),
    };
    let ctx = as_user(caller.ctx, &claims.user_id);
    let executed = state
        .bus
        .execute::<SmsCode, _>(&ctx, &claims.login_id, |c| c.decide(command.clone(), &()))
        .await;
    let right = match executed {
        Ok(executed) => executed
            .events
            .iter()
            .any(|e| matches!(e, SmsCodeEvent::Used { .. })),
        Err(store::BusError::Domain(_)) => false,
        Err(e) => return Err(internal("verifying an SMS code", e)),
    };
    if !right {
        return Err(wrong_code(state, caller, &claims.user_id).await);
    }
    advance(state, caller, claims, PassedBy::Sms).await
}

/// `POST /api/v2/sdk/mfa/totp`: the current code of the user's enrolled TOTP factor.
pub async fn verify_totp(
    state: &AppState,
    caller: &Caller<'_>,
    claims: &StateClaims,
    code: &str,
) -> Result<LoginOutcome, SdkError> {
    match signin::verify_second_factor(state, caller.ctx, &claims.user_id, code).await {
        Ok(()) => advance(state, caller, claims, PassedBy::Totp).await,
        Err(SignInError::Refused(SignInRefusal::BadCredentials { .. })) => Err(SdkError::WrongCode),
        Err(e) => Err(e.into()),
    }
}

async fn refuse_when_locked(state: &AppState, tenant: &str, user_id: &str) -> Result<(), SdkError> {
    let (attempts, _) = state.bus.load::<LoginAttempts>(tenant, user_id).await?;
    match attempts.locked_for(state.now()) {
        Some(remaining_ms) => Err(SdkError::Refused(SignInRefusal::Locked { remaining_ms })),
        None => Ok(()),
    }
}

/// Records a wrong SMS code like a wrong password: CAPTCHA.0007, or LOGIN.0001 once it locks.
async fn wrong_code(state: &AppState, caller: &Caller<'_>, user_id: &str) -> SdkError {
    match signin::record_failure(state, caller.ctx, user_id, "bad_second_factor", true).await {
        Ok(after) => match after.locked_for(state.now()) {
            Some(remaining_ms) => SdkError::Refused(SignInRefusal::Locked { remaining_ms }),
            None => SdkError::WrongCode,
        },
        Err(e) => e.into(),
    }
}
