//! The OneAccess management error shape (specs/oneaccess.md §1.4, §4): HTTP 400 with
//! `{"error_code", "error_msg"}`, the message in English or, when the request prefers Chinese,
//! in Chinese (DESIGN.md decisions), with `{0}` placeholders filled in.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
pub use idaas_http::oneaccess_codes::message;
use idaas_http::oneaccess_codes::{code_of, Coded};
use serde_json::json;
use usecases::ServiceError;

#[derive(Debug, Clone, PartialEq)]
pub struct OneAccessError {
    pub status: StatusCode,
    pub code: &'static str,
    pub args: Vec<String>,
}

impl OneAccessError {
    pub fn new(code: &'static str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code,
            args: Vec::new(),
        }
    }

    pub fn with(code: &'static str, args: impl IntoIterator<Item = String>) -> Self {
        Self {
            args: args.into_iter().collect(),
            ..Self::new(code)
        }
    }

    fn internal() -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            ..Self::new("COM.0002")
        }
    }
}

impl IntoResponse for OneAccessError {
    fn into_response(self) -> Response {
        let body =
            json!({ "error_code": self.code, "error_msg": message(self.code, &self.args, false) });
        let mut response = (self.status, Json(body)).into_response();
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
        let mut localised = (error.status, Json(body)).into_response();
        localised
            .headers_mut()
            .insert(header::CONTENT_LANGUAGE, HeaderValue::from_static("zh-CN"));
        return localised;
    }
    response
}

impl From<ServiceError> for OneAccessError {
    fn from(error: ServiceError) -> Self {
        match code_of(error) {
            Some(Coded { code, args }) => OneAccessError::with(code, args),
            None => OneAccessError::internal(),
        }
    }
}

impl From<anyhow::Error> for OneAccessError {
    fn from(error: anyhow::Error) -> Self {
        ServiceError::Internal(error).into()
    }
}
