//! `POST /api/v2/sdk/login` — username and password login from a device (seed 002 A2, §1.4):
//! body `user_name`, `password`, and `captcha_id` + `captcha` once repeated failures require a
//! CAPTCHA (`GET /api/v2/sdk/captcha`). Answers the login result: SUCCESS, PASSWORD_WARN,
//! PASSWORD_EXPIRED, MFA_AUTH or ACCESS_DENIED (no enabled account in the `X-client-id`
//! application).

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::error::login_result;
use super::request::SdkRequest;
use crate::body::{text, Body};
use crate::error::OneAccessError;
use usecases::sdk::{self, login};
use usecases::signin::CaptchaAnswer;
use usecases::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct LoginBody {
    #[serde(default, deserialize_with = "text")]
    user_name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    password: Option<String>,
    #[serde(default, deserialize_with = "text")]
    captcha_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    captcha: Option<String>,
}

fn given(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

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
