//! The OneAccess management error shape (specs/oneaccess.md §1.4, §4): HTTP 400 with
//! `{"error_code", "error_msg"}`, the message in English or, when the request prefers Chinese,
//! in Chinese (DESIGN.md decisions), with `{0}` placeholders filled in.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use idaas_http::failure::Failure;
pub use idaas_http::oneaccess_codes::message;
use idaas_http::oneaccess_codes::{code_of, Coded};
use serde_json::json;
use usecases::ServiceError;

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
    let body = json!({ "error_code": "COM.0002", "error_msg": message("COM.0002", &[], chinese) });
    let mut response = failure.finish((failure.status(), Json(body)).into_response());
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
        let body =
            json!({ "error_code": self.code, "error_msg": message(self.code, &self.args, false) });
        let mut response = finish(self.failure, (self.status, Json(body)).into_response());
        response.extensions_mut().insert(self);
        response
    }
}

/// Rewrites error messages into Chinese for requests whose `Accept-Language` starts with `zh`.
pub async fn localise(request: Request, next: Next) -> Response {
    let chinese = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("zh"));
    let mut response = next.run(request).await;
    if !chinese {
        return response;
    }
    if let Some(error) = response.extensions_mut().remove::<OneAccessError>() {
        let body = json!({ "error_code": error.code, "error_msg": message(error.code, &error.args, true) });
        let mut localised = finish(error.failure, (error.status, Json(body)).into_response());
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
