//! The OAuth error shape of the spec (`{"error", "error_description"}`, specs/oneaccess.md §2.7),
//! with RFC 6749's status codes: 401 for client authentication, 400 for the rest.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use idaas_http::failure::Failure;
use usecases::oauth::OAuthError;

/// An `OAuthError` on the wire; `basic` marks a client that authenticated with HTTP Basic, which
/// gets a `WWW-Authenticate` challenge back (RFC 6749 §5.2).
pub struct WireError {
    pub error: OAuthError,
    pub basic: bool,
}

impl From<OAuthError> for WireError {
    fn from(error: OAuthError) -> Self {
        Self {
            error,
            basic: false,
        }
    }
}

impl From<anyhow::Error> for WireError {
    fn from(error: anyhow::Error) -> Self {
        OAuthError::Internal(error).into()
    }
}

/// A failure of the server (500 `server_error`) or of its storage (503 `temporarily_unavailable`,
/// RFC 6749 §4.1.2.1, with `Retry-After`), never cached.
pub fn failed(failure: Failure) -> Response {
    let message = match failure {
        Failure::Throttled(_) => failure.message(),
        _ => "System busy. Please try again later.".to_string(),
    };
    let mut response = (failure.status(), body(failure.oauth_error(), &message)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    failure.finish(response)
}

/// The error answer of every OAuth endpoint (RFC 6749 §5.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`,
    /// `unsupported_grant_type`, `invalid_scope`, `invalid_token`, `unauthorized`,
    /// `server_error` or `temporarily_unavailable`.
    pub error: String,
    /// What exactly was wrong, in English.
    pub error_description: String,
}

pub fn body(code: &str, description: &str) -> Json<ErrorBody> {
    Json(ErrorBody {
        error: code.to_string(),
        error_description: description.to_string(),
    })
}

impl IntoResponse for WireError {
    fn into_response(self) -> Response {
        let code = self.error.code();
        let (status, description) = match &self.error {
            // RFC 6749 §5.2: 401 when the client authenticated through the Authorization header,
            // 400 otherwise (as the OneAccess reference's example shows for a posted secret).
            OAuthError::InvalidClient(_) if self.basic => {
                (StatusCode::UNAUTHORIZED, self.error.to_string())
            }
            OAuthError::Internal(e) => return failed(Failure::of(e, "oauth")),
            other => (StatusCode::BAD_REQUEST, other.to_string()),
        };
        let mut response = (status, body(code, &description)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"idaas\""),
            );
        }
        response
    }
}
