//! The OneAccess SDK surface (seed 002; specs/oneaccess-sdk-and-hainan-uaa.md §1.2 A2–A10, §1.4):
//! the device-facing login state machine under `/api/v2/sdk/...` and the server-to-server
//! `sso_ticket` exchange under `/api/v2/tenant/sso/...`. Errors are OneAccess's
//! (`{error_code, error_msg}`, HTTP 400), in Chinese when `X-L` asks for it. Decisions:
//! ops/adr/0006-sdk-login.md.

mod captcha;
pub mod error;
mod login;
mod mfa;
mod password;
mod profile;
pub mod request;
mod sso_ticket;

use axum::routing::{get, post};
use axum::Router;

use usecases::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v2/sdk/login", post(login::login))
        .route("/api/v2/sdk/captcha", get(captcha::issue))
        .route("/api/v2/sdk/pwd/skip-update", get(password::skip_update))
        .route("/api/v2/sdk/pwd/update", post(password::update))
        .route("/api/v2/sdk/mobile-by-token", get(mfa::mobile_by_token))
        .route("/api/v2/sdk/mfa/sms", post(mfa::sms))
        .route("/api/v2/sdk/mfa/totp", post(mfa::totp))
        .route("/api/v2/sdk/profile/update", post(profile::update))
        .route(
            "/api/v2/tenant/sso/session-token/sso-ticket",
            post(sso_ticket::issue),
        )
        .route(
            "/api/v2/tenant/sso/sso-ticket/verify",
            post(sso_ticket::verify),
        )
        .layer(axum::middleware::from_fn(crate::body::refuse_nul_in_target))
        .layer(axum::middleware::from_fn(error::localise))
}
