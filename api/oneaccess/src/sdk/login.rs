//! `POST /api/v2/sdk/login` — username and password login from a device (seed 002 A2, §1.4):
//! body `user_name`, `password`, and `captcha_id` + `captcha` once repeated failures require a
//! CAPTCHA (`GET /api/v2/sdk/captcha`). Answers the login result: SUCCESS, PASSWORD_WARN,
//! PASSWORD_EXPIRED, MFA_AUTH or ACCESS_DENIED (no enabled account in the `X-client-id`
//! application).

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;

use super::error::{login_result, LoginResult, FAILED, THROTTLED};
use super::request::{DeviceHeaders, SdkRequest};
use crate::body::{text, Body};
use crate::error::{ErrorBody, OneAccessError};
use usecases::sdk::{self, login};
use usecases::signin::CaptchaAnswer;
use usecases::AppState;

/// The credentials, and the CAPTCHA once repeated failures ask for one.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct LoginBody {
    /// Required (PARAM.0010), at most 256 bytes.
    #[serde(default, deserialize_with = "text")]
    user_name: Option<String>,
    /// Required (PWD.0008), at most 1024 bytes.
    #[serde(default, deserialize_with = "text")]
    password: Option<String>,
    /// The `captcha_id` of `GET /api/v2/sdk/captcha`, given with `captcha` (PARAM.0005 without it).
    #[serde(default, deserialize_with = "text")]
    captcha_id: Option<String>,
    /// The CAPTCHA's answer, given with `captcha_id` (PARAM.0009 without it).
    #[serde(default, deserialize_with = "text")]
    captcha: Option<String>,
}

fn given(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// Signs a user in with username and password from a device.
#[utoipa::path(
    post,
    path = "/api/v2/sdk/login",
    operation_id = "sdk_login",
    tag = "login",
    params(DeviceHeaders),
    request_body = LoginBody,
    responses(
        (status = 200, description = "The login result, whatever its status (never cached).",
            body = LoginResult),
        (status = 400, description = "Device headers missing (PARAM.0001), no, an unknown or a \
            disabled client (PARAM.0002, APP.0001, APP.0003), no username or password (PARAM.0010, \
            PWD.0008), over-long ones (PARAM.0000), half a CAPTCHA (PARAM.0005, PARAM.0009), a \
            wrong or missing CAPTCHA (CAPTCHA.0002), bad credentials with the attempts left \
            (LOGIN.0002), a locked account with the time left (LOGIN.0001), a disabled user \
            (USER.0004).", body = ErrorBody),
        (status = 429, description = THROTTLED, body = ErrorBody),
        (status = "5XX", description = FAILED, content(
            (ErrorBody = "application/json"),
            (String = "text/plain"),
        )),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    request: SdkRequest,
    Body(body): Body<LoginBody>,
) -> Result<Response, OneAccessError> {
    let device = request.device()?;
    let app = request.client(&state).await?;
    let user_name = given(body.user_name).ok_or(OneAccessError::new("PARAM.0010"))?;
    let password = body
        .password
        .filter(|p| !p.is_empty())
        .ok_or(OneAccessError::new("PWD.0008"))?;
    if user_name.len() > 256 || password.len() > 1024 {
        return Err(OneAccessError::with(
            "PARAM.0000",
            ["user_name or password too long".to_string()],
        ));
    }
    let captcha = match (given(body.captcha_id), given(body.captcha)) {
        (Some(captcha_id), Some(answer)) => Some(CaptchaAnswer { captcha_id, answer }),
        (None, Some(_)) => return Err(OneAccessError::new("PARAM.0005")),
        (Some(_), None) => return Err(OneAccessError::new("PARAM.0009")),
        (None, None) => None,
    };
    let device_hash = sdk::device_hash(&state, &device.fingerprint);
    let caller = request.caller(&app, &device_hash);
    let outcome = login::login(&state, &caller, user_name.trim(), &password, captcha).await?;
    Ok(login_result(outcome))
}
