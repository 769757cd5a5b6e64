//! The second-factor steps of an SDK login (seed 002 MFA_AUTH, A5/A6, §1.4), all with
//! `X-state-token` (MFA_AUTH only) and the device headers:
//! - `GET /api/v2/sdk/mobile-by-token` — sends an SMS code to the user's mobile and answers
//!   `{"mobile": "139****0011"}` (MOBILE.0002 when the user has none, CAPTCHA.0006 when no more
//!   codes may be sent);
//! - `POST /api/v2/sdk/mfa/sms` — body `mobile`, `code`: the SMS code (CAPTCHA.0007 when wrong);
//! - `POST /api/v2/sdk/mfa/totp` — body `code`: the TOTP code of the enrolled factor.
//!
//! The two verifications answer the login result.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::sdk_login::SdkChallenge;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{login_result, no_store, LoginResult, FAILED, THROTTLED};
use super::request::{DeviceHeaders, SdkRequest, StateTokenHeader};
use crate::body::{text, Body};
use crate::error::{ErrorBody, OneAccessError};
use usecases::sdk::mfa;
use usecases::AppState;

const MFA: &[SdkChallenge] = &[SdkChallenge::MfaAuth];

/// Where the SMS code went.
#[derive(Serialize, ToSchema)]
pub struct MobileAnswer {
    /// The user's mobile number, masked, e.g. "139****0011".
    mobile: String,
}

/// Sends an SMS code to the mobile number of the user signing in (MFA_AUTH).
#[utoipa::path(
    get,
    path = "/api/v2/sdk/mobile-by-token",
    operation_id = "sdk_mobile_by_token",
    tag = "login",
    params(DeviceHeaders, StateTokenHeader),
    responses(
        (status = 200, description = "The masked number the code was sent to (never cached).",
            body = MobileAnswer),
        (status = 400, description = "Device headers missing (PARAM.0001), no, an unknown or a \
            disabled client (PARAM.0002, APP.0001, APP.0003), no state token (PARAM.0013), or one \
            that is invalid, expired, from another client or device, or not an MFA_AUTH one \
            (PARAM.0014), a user without a mobile number (MOBILE.0002), no more codes may be sent \
            now (CAPTCHA.0006).", body = ErrorBody),
        (status = 429, description = THROTTLED, body = ErrorBody),
        (status = "5XX", description = FAILED, content(
            (ErrorBody = "application/json"),
            (String = "text/plain"),
        )),
    )
)]
pub async fn mobile_by_token(
    State(state): State<AppState>,
    request: SdkRequest,
) -> Result<Response, OneAccessError> {
    let step = request.step(&state, MFA).await?;
    let caller = request.caller(&step.app, &step.device_hash);
    let mobile = mfa::send_sms_code(&state, &caller, &step.claims).await?;
    Ok(no_store(Json(MobileAnswer { mobile }).into_response()))
}

/// A second-factor code.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CodeBody {
    /// SMS: the number the code was sent to, as `mobile-by-token` answered it (required,
    /// MOBILE.0002); not read for TOTP.
    #[serde(default, deserialize_with = "text")]
    mobile: Option<String>,
    /// The code: required, at most 16 characters (PARAM.0009).
    #[serde(default, deserialize_with = "text")]
    code: Option<String>,
}

fn code_of(body: &CodeBody) -> Result<&str, OneAccessError> {
    body.code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty() && c.len() <= 16)
        .ok_or(OneAccessError::new("PARAM.0009"))
}

/// Passes the second factor with the SMS code.
#[utoipa::path(
    post,
    path = "/api/v2/sdk/mfa/sms",
    operation_id = "sdk_mfa_sms",
    tag = "login",
    params(DeviceHeaders, StateTokenHeader),
    request_body = CodeBody,
    responses(
        (status = 200, description = "The next login result (never cached).", body = LoginResult),
        (status = 400, description = "Device headers missing (PARAM.0001), no, an unknown or a \
            disabled client (PARAM.0002, APP.0001, APP.0003), no state token (PARAM.0013), or one \
            that is invalid, expired, from another client or device, or not an MFA_AUTH one \
            (PARAM.0014), no code (PARAM.0009), no mobile number (MOBILE.0002), no code sent \
            (CAPTCHA.0006), a wrong code (CAPTCHA.0007), an account locked by failures \
            (LOGIN.0001), a disabled user (USER.0004).", body = ErrorBody),
        (status = 429, description = THROTTLED, body = ErrorBody),
        (status = "5XX", description = FAILED, content(
            (ErrorBody = "application/json"),
            (String = "text/plain"),
        )),
    )
)]
pub async fn sms(
    State(state): State<AppState>,
    request: SdkRequest,
    Body(body): Body<CodeBody>,
) -> Result<Response, OneAccessError> {
    let step = request.step(&state, MFA).await?;
    let code = code_of(&body)?;
    let mobile = body
        .mobile
        .as_deref()
        .filter(|m| !m.trim().is_empty())
        .ok_or(OneAccessError::new("MOBILE.0002"))?;
    let caller = request.caller(&step.app, &step.device_hash);
    let outcome = mfa::verify_sms_code(&state, &caller, &step.claims, mobile, code).await?;
    Ok(login_result(outcome))
}

/// Passes the second factor with the code of the user's TOTP authenticator.
#[utoipa::path(
    post,
    path = "/api/v2/sdk/mfa/totp",
    operation_id = "sdk_mfa_totp",
    tag = "login",
    params(DeviceHeaders, StateTokenHeader),
    request_body(content = CodeBody, description = "The code; `mobile` is not read."),
    responses(
        (status = 200, description = "The next login result (never cached).", body = LoginResult),
        (status = 400, description = "Device headers missing (PARAM.0001), no, an unknown or a \
            disabled client (PARAM.0002, APP.0001, APP.0003), no state token (PARAM.0013), or one \
            that is invalid, expired, from another client or device, or not an MFA_AUTH one \
            (PARAM.0014), no code (PARAM.0009), a wrong code (CAPTCHA.0007), an account locked by \
            failures (LOGIN.0001), a disabled user (USER.0004).", body = ErrorBody),
        (status = 429, description = THROTTLED, body = ErrorBody),
        (status = "5XX", description = FAILED, content(
            (ErrorBody = "application/json"),
            (String = "text/plain"),
        )),
    )
)]
pub async fn totp(
    State(state): State<AppState>,
    request: SdkRequest,
    Body(body): Body<CodeBody>,
) -> Result<Response, OneAccessError> {
    let step = request.step(&state, MFA).await?;
    let code = code_of(&body)?;
    let caller = request.caller(&step.app, &step.device_hash);
    let outcome = mfa::verify_totp(&state, &caller, &step.claims, code).await?;
    Ok(login_result(outcome))
}
