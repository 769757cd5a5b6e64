//! The password steps of an SDK login (seed 002 A3/A4, §1.4):
//! - `GET /api/v2/sdk/pwd/skip-update` — keep an expiring password (PASSWORD_WARN only);
//! - `POST /api/v2/sdk/pwd/update` — body `old_password`, `new_password`; for PASSWORD_WARN and
//!   PASSWORD_EXPIRED, under the tenant's password policy (PWD.*, PARAM.0018–0020, PARAM.0028).
//!
//! Both take `X-state-token` with the device headers and `X-client-id`, and answer the next
//! login result (SUCCESS, or the next challenge such as MFA_AUTH).

use axum::extract::State;
use axum::response::Response;
use domain::sdk_login::SdkChallenge;
use serde::Deserialize;

use super::error::login_result;
use super::request::SdkRequest;
use crate::body::{text, Body};
use crate::error::OneAccessError;
use usecases::sdk::login;
use usecases::AppState;

pub async fn skip_update(
    State(state): State<AppState>,
    request: SdkRequest,
) -> Result<Response, OneAccessError> {
    let step = request.step(&state, &[SdkChallenge::PasswordWarn]).await?;
    let caller = request.caller(&step.app, &step.device_hash);
    let outcome = login::skip_password_change(&state, &caller, &step.claims).await?;
    Ok(login_result(outcome))
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordBody {
    #[serde(default, deserialize_with = "text")]
    old_password: Option<String>,
    #[serde(default, deserialize_with = "text")]
    new_password: Option<String>,
}

pub async fn update(
    State(state): State<AppState>,
    request: SdkRequest,
    Body(body): Body<PasswordBody>,
) -> Result<Response, OneAccessError> {
    let allowed = [SdkChallenge::PasswordWarn, SdkChallenge::PasswordExpired];
    let step = request.step(&state, &allowed).await?;
    let caller = request.caller(&step.app, &step.device_hash);
    let old = body.old_password.filter(|p| !p.is_empty());
    let new = body.new_password.filter(|p| !p.is_empty());
    let outcome = login::change_password(&state, &caller, &step.claims, old, new).await?;
    Ok(login_result(outcome))
}
