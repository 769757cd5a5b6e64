//! The OneAccess management error shape (specs/oneaccess.md §1.4, §4): HTTP 400 with
//! `{"error_code", "error_msg"}`, the message in English or, when the request prefers Chinese,
//! in Chinese (DESIGN.md decisions), with `{0}` placeholders filled in.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use idaas_http::failure::Failure;
pub use idaas_http::oneaccess_codes::message;
use idaas_http::oneaccess_codes::{code_of, Coded};
use serde::Serialize;
use usecases::ServiceError;
use utoipa::ToSchema;

/// A refusal: HTTP 400 with a code of specs/oneaccess.md §4 (its message in English, or in Chinese
/// when the request asks for it); HTTP 500, or 503 or 429 with `Retry-After`, with `COM.0002`
/// ("system busy") when the server or its storage failed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error code, e.g. `USER.0001`, `PARAM.0000`, `PAGE.0001`, `COM.0002`.
    pub error_code: String,
    /// The code's message with its placeholders filled in, e.g. "User does not exist."
    pub error_msg: String,
}

impl ErrorBody {
    pub fn of(code: &str, args: &[String], chinese: bool) -> Json<Self> {
        Json(Self {
            error_code: code.to_string(),
            error_msg: message(code, args, chinese),
        })
    }
}

/// The description of a management call's 401.
pub const UNAUTHORIZED: &str = "No bearer token (`unauthorized`), or an unknown or expired one \
    (`invalid_token`), with `WWW-Authenticate`.";
/// The description of a management call's 403.
pub const FORBIDDEN: &str = "The token's credential does not cover the call (one whose \
    application may not manage the application in the path, or an auditor's): \
    `insufficient_scope`, with `WWW-Authenticate`.";
/// The description of a management call's 5XX.
pub const FAILED: &str = "`COM.0002`: the server failed (500), or its storage or its password \
    checks cannot take the request now (503, with `Retry-After`).";

/// An OAuth-style refusal (RFC 6749 §5.2, RFC 6750 §3.1): the management token endpoint's
/// errors, and a missing, unknown or expired bearer token (401) or one whose application may not
/// manage the application in the path (403), both with `WWW-Authenticate`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthError {
    /// E.g. `invalid_request`, `invalid_client`, `unsupported_grant_type`, `unauthorized`,
    /// `invalid_token`, `insufficient_scope`, `server_error`, `temporarily_unavailable`.
    pub error: String,
    pub error_description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OneAccessError {
    pub status: StatusCode,
    pub code: &'static str,
    pub args: Vec<String>,
    /// The failure behind a "system busy", which says when to retry.
    pub failure: Option<Failure>,
}

impl OneAccessError {
    pub fn new(code: &'static str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code,
            args: Vec::new(),
            failure: None,
        }
    }

    pub fn with(code: &'static str, args: impl IntoIterator<Item = String>) -> Self {
        Self {
            args: args.into_iter().collect(),
            ..Self::new(code)
        }
    }

    /// "System busy" for a failure of the server (500), of its storage or its password pool
    /// (503 + `Retry-After`), or a rate limit (429 + `Retry-After`).
    pub fn failed(failure: Failure) -> Self {
        Self {
            status: failure.status(),
            failure: Some(failure),
            ..Self::new("COM.0002")
        }
    }
}

/// "System busy" for a failure, in English or Chinese, with `Retry-After` when it has one.
pub fn busy(failure: Failure, chinese: bool) -> Response {
    let body = ErrorBody::of("COM.0002", &[], chinese);
    let mut response = failure.finish((failure.status(), body).into_response());
    if chinese {
        response
            .headers_mut()
            .insert(header::CONTENT_LANGUAGE, HeaderValue::from_static("zh-CN"));
    }
    response
}

/// Adds `Retry-After` to a 503 or 429.
fn finish(failure: Option<Failure>, response: Response) -> Response {
    match failure {
        Some(failure) => failure.finish(response),
        None => response,
    }
}

impl IntoResponse for OneAccessError {
    fn into_response(self) -> Response {
        let body = ErrorBody::of(self.code, &self.args, false);
        let mut response = finish(self.failure, (self.status, body).into_response());
        response.extensions_mut().insert(self);
        response
    }
}

/// Whether a request asks for Chinese messages: its `Accept-Language` starts with `zh`.
pub fn asks_chinese(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("zh"))
}

/// Rewrites an error's message into Chinese when the request asked for it (`asks_chinese`).
pub fn localised(mut response: Response, chinese: bool) -> Response {
    if !chinese {
        return response;
    }
    if let Some(error) = response.extensions_mut().remove::<OneAccessError>() {
        let body = ErrorBody::of(error.code, &error.args, true);
        let mut localised = finish(error.failure, (error.status, body).into_response());
        localised
            .headers_mut()
            .insert(header::CONTENT_LANGUAGE, HeaderValue::from_static("zh-CN"));
        return localised;
    }
    response
}

impl From<ServiceError> for OneAccessError {
    fn from(error: ServiceError) -> Self {
        if let Some(failure) = Failure::of_service(&error) {
            return OneAccessError::failed(failure);
        }
        match code_of(error) {
            Some(Coded { code, args }) => OneAccessError::with(code, args),
            None => OneAccessError::failed(Failure::Internal),
        }
    }
}

impl From<anyhow::Error> for OneAccessError {
    fn from(error: anyhow::Error) -> Self {
        ServiceError::from(error).into()
    }
}
