//! The audit API's one error shape: `{"error": "<kind>", "message": "<what went wrong>"}` with a
//! fitting status — 400 `invalid_request`, 401 `unauthorized` or `invalid_token` (with
//! `WWW-Authenticate: Bearer`), 403 `forbidden`, 404 `not_found`, 429 or 503
//! `temporarily_unavailable` (with `Retry-After`), 500 `server_error`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use idaas_http::failure::Failure;
use usecases::ServiceError;

/// The error answer, as the OpenAPI description shows it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// `invalid_request`, `unauthorized`, `invalid_token`, `forbidden`, `not_found`,
    /// `temporarily_unavailable` or `server_error`.
    pub error: String,
    pub message: String,
}

#[derive(Debug)]
pub struct AuditError {
    status: StatusCode,
    kind: &'static str,
    message: String,
    /// The failure behind a 503 or 429, which says when to retry.
    failure: Option<Failure>,
}

impl AuditError {
    fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            message: message.into(),
            failure: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }

    pub fn unauthorized() -> Self {
        let message = "a bearer token from POST /api/v2/tenant/token is required";
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn invalid_token() -> Self {
        let message = "invalid or expired access token";
        Self::new(StatusCode::UNAUTHORIZED, "invalid_token", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// A failure of the server or its storage.
    pub fn failed(failure: Failure) -> Self {
        match failure {
            Failure::Internal => Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "internal error",
            ),
            other => Self {
                failure: Some(other),
                ..Self::new(other.status(), "temporarily_unavailable", other.message())
            },
        }
    }
}

impl IntoResponse for AuditError {
    fn into_response(self) -> Response {
        let body = Json(json!({ "error": self.kind, "message": self.message }));
        let mut response = (self.status, body).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            let value = format!("Bearer error=\"{}\"", self.kind);
            if let Ok(value) = HeaderValue::from_str(&value) {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
        }
        match self.failure {
            Some(failure) => failure.finish(response),
            None => response,
        }
    }
}

impl From<ServiceError> for AuditError {
    fn from(error: ServiceError) -> Self {
        match Failure::of_service(&error) {
            Some(failure) => Self::failed(failure),
            None => Self::invalid(error.to_string()),
        }
    }
}

impl From<anyhow::Error> for AuditError {
    fn from(error: anyhow::Error) -> Self {
        ServiceError::from(error).into()
    }
}
