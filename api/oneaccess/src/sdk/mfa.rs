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
use serde::Deserialize;
use serde_json::json;

use super::error::{login_result, no_store};
use super::request::SdkRequest;
use crate::body::{text, Body};
use crate::error::OneAccessError;
use usecases::sdk::mfa;
use usecases::AppState;

const MFA: &[SdkChallenge] = &[SdkChallenge::MfaAuth];

pub async fn mobile_by_token(
    State(state): State<AppState>,
    request: SdkRequest,
) -> Result<Response, OneAccessError> {
    let step = request.step(&state, MFA).await?;
    let caller = request.caller(&step.app, &step.device_hash);
    let mobile = mfa::send_sms_code(&state, &caller, &step.claims).await?;
    Ok(no_store(Json(json!({ "mobile": mobile })).into_response()))
}

#[derive(Debug, Default, Deserialize)]
pub struct CodeBody {
    #[serde(default, deserialize_with = "text")]
    mobile: Option<String>,
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
