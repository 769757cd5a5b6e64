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
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{no_store, FAILED, THROTTLED};
use super::request::SdkRequest;
use crate::error::{ErrorBody, OneAccessError};
use usecases::captcha;
use usecases::AppState;

/// A CAPTCHA challenge.
#[derive(Serialize, ToSchema)]
pub struct CaptchaAnswer {
    /// Sent back as `captcha_id` with the answer as `captcha` in `POST /api/v2/sdk/login`.
    captcha_id: String,
    /// The PNG image, in base64.
    #[schema(content_encoding = "base64", content_media_type = "image/png")]
    captcha_image: String,
    /// Seconds the challenge may be answered in.
    expire: i64,
}

/// Issues a graphic CAPTCHA for the login form, to be answered once.
#[utoipa::path(
    get,
    path = "/api/v2/sdk/captcha",
    operation_id = "sdk_captcha",
    tag = "login",
    params(
        ("X-operating-sys-version" = String, Header, description = "The device's operating system \
            and version, e.g. \"Android 10\"."),
        ("X-L" = Option<String>, Header, description = "`zh…` for messages in Chinese; without it, \
            `Accept-Language` decides."),
    ),
    responses(
        (status = 200, description = "The challenge (never cached).", body = CaptchaAnswer),
        (status = 400, description = "No `X-operating-sys-version` (PARAM.0001).",
            body = ErrorBody),
        (status = 429, description = THROTTLED, body = ErrorBody),
        (status = "5XX", description = FAILED, content(
            (ErrorBody = "application/json"),
            (String = "text/plain"),
        )),
    )
)]
pub async fn issue(
    State(state): State<AppState>,
    request: SdkRequest,
) -> Result<Response, OneAccessError> {
    request
        .header("x-operating-sys-version")
        .ok_or(OneAccessError::new("PARAM.0001"))?;
    let (captcha_id, png) = captcha::issue(&state, request.context()).await?;
    let body = CaptchaAnswer {
        captcha_id,
        captcha_image: STANDARD.encode(png),
        expire: captcha::LIFETIME_MS / 1000,
    };
    Ok(no_store(Json(body).into_response()))
}
