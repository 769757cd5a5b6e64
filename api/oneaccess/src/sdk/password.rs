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
use utoipa::ToSchema;

use super::error::{login_result, LoginResult, FAILED, THROTTLED};
use super::request::{DeviceHeaders, SdkRequest, StateTokenHeader};
use crate::body::{text, Body};
use crate::error::{ErrorBody, OneAccessError};
use usecases::sdk::login;
use usecases::AppState;

/// Keeps a password that expires soon (PASSWORD_WARN) and goes on with the login.
#[utoipa::path(
    get,
    path = "/api/v2/sdk/pwd/skip-update",
    operation_id = "sdk_skip_password_update",
    tag = "login",
    params(DeviceHeaders, StateTokenHeader),
    responses(
        (status = 200, description = "The next login result: SUCCESS, or the next challenge (never \
            cached).", body = LoginResult),
        (status = 400, description = "Device headers missing (PARAM.0001), no, an unknown or a \
            disabled client (PARAM.0002, APP.0001, APP.0003), no state token (PARAM.0013), or one \
            that is invalid, expired, from another client or device, or not a PASSWORD_WARN one \
            (PARAM.0014), a disabled user (USER.0004).", body = ErrorBody),
        (status = 429, description = THROTTLED, body = ErrorBody),
        (status = "5XX", description = FAILED, content(
            (ErrorBody = "application/json"),
            (String = "text/plain"),
        )),
    )
)]
pub async fn skip_update(
    State(state): State<AppState>,
    request: SdkRequest,
) -> Result<Response, OneAccessError> {
    let step = request.step(&state, &[SdkChallenge::PasswordWarn]).await?;
    let caller = request.caller(&step.app, &step.device_hash);
    let outcome = login::skip_password_change(&state, &caller, &step.claims).await?;
    Ok(login_result(outcome))
}

/// The old and the new password.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PasswordBody {
    /// Required (PARAM.0018); wrong, PARAM.0028.
    #[serde(default, deserialize_with = "text")]
    old_password: Option<String>,
    /// Required (PARAM.0019), not the old one (PARAM.0020), under the tenant's password policy
    /// (PWD.*).
    #[serde(default, deserialize_with = "text")]
    new_password: Option<String>,
}

/// Changes a password that expires soon or has expired, and goes on with the login.
#[utoipa::path(
    post,
    path = "/api/v2/sdk/pwd/update",
    operation_id = "sdk_update_password",
    tag = "login",
    params(DeviceHeaders, StateTokenHeader),
    request_body = PasswordBody,
    responses(
        (status = 200, description = "The next login result: SUCCESS, or the next challenge such \
            as MFA_AUTH (never cached).", body = LoginResult),
        (status = 400, description = "Device headers missing (PARAM.0001), no, an unknown or a \
            disabled client (PARAM.0002, APP.0001, APP.0003), no state token (PARAM.0013), or one \
            that is invalid, expired, from another client or device, or neither a PASSWORD_WARN \
            nor a PASSWORD_EXPIRED one (PARAM.0014), a missing, wrong or repeated password \
            (PARAM.0018, PARAM.0019, PARAM.0028, PARAM.0020), a password the policy refuses \
            (PWD.*), a disabled user (USER.0004).", body = ErrorBody),
        (status = 429, description = THROTTLED, body = ErrorBody),
        (status = "5XX", description = FAILED, content(
            (ErrorBody = "application/json"),
            (String = "text/plain"),
        )),
    )
)]
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
