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

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use utoipa_axum::routes;

use idaas_http::openapi::ApiRouter;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(login::login))
        .routes(routes!(captcha::issue))
        .routes(routes!(password::skip_update))
        .routes(routes!(password::update))
        .routes(routes!(mfa::mobile_by_token))
        .routes(routes!(mfa::sms))
        .routes(routes!(mfa::totp))
        .routes(routes!(profile::update))
        .routes(routes!(sso_ticket::issue))
        .routes(routes!(sso_ticket::verify))
        .layer(axum::middleware::from_fn(layers))
}

/// The surface's layers, as one (issue 20: a router's layer wraps each route on its own, and
/// every request clones and boxes each of them): a target holding `%00` is refused, and error
/// messages are in Chinese when `X-L` (or `Accept-Language`) asks for it.
async fn layers(request: Request, next: Next) -> Response {
    let chinese = request::prefers_chinese(request.headers());
    let response = crate::body::unless_nul(request, next).await;
    crate::error::localised(response, chinese)
}
