//! `GET /api/v2/sdk/captcha` — a graphic CAPTCHA for the login form (seed 002 A7): header
//! `X-operating-sys-version` required (PARAM.0001 without it). Answers
//! `{"captcha_id", "captcha_image", "expire"}`: the id to send back as `captcha_id` with the
//! answer as `captcha` in `POST /api/v2/sdk/login`, the PNG image in base64, and its lifetime
//! in seconds (ADR 0006). Each challenge is its own stream, answered once.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;

use super::error::no_store;
use super::request::SdkRequest;
use crate::error::OneAccessError;
use usecases::captcha;
use usecases::AppState;

pub async fn issue(
    State(state): State<AppState>,
    request: SdkRequest,
) -> Result<Response, OneAccessError> {
    request
        .header("x-operating-sys-version")
        .ok_or(OneAccessError::new("PARAM.0001"))?;
    let (captcha_id, png) = captcha::issue(&state, request.context()).await?;
    let body = json!({
        "captcha_id": captcha_id,
        "captcha_image": STANDARD.encode(png),
        "expire": captcha::LIFETIME_MS / 1000,
    });
    Ok(no_store(Json(body).into_response()))
}
