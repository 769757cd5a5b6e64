//! The envelope of every answer (specs/oneaccess-sdk-and-hainan-uaa.md §2.1, §4.1.6–8): always
//! the eight keys `{requestId, success, code, message, extend, debugMessage, debugTrace, data}`;
//! `code` "0" on success; business outcomes answer HTTP 200 with `success: false` and an `ERR_*`
//! code, a missing or refused credential 401/403 and a malformed body 400, still in the envelope.
//! `debugMessage` is filled only for a `…Test` API name, and never with a stack trace.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::Value;
use usecases::ServiceError;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

use idaas_http::failure::Failure;

/// The `ERR_*` catalogue (§4.1.8) with its Chinese messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    DataNotFound,
    ParamMissing,
    ParamInvalid,
    ParamConflict,
    LimitExceeded,
    DataExists,
    DataInUse,
    Unauthorized,
    Forbidden,
    AppNotFound,
    TenantNotFound,
    ApiNotFound,
    BodyInvalid,
    BodyTooLarge,
    MethodNotAllowed,
    Unavailable,
    Throttled,
    System,
}

impl Code {
    /// Every code, for the description's list of them.
    pub const ALL: [Code; 18] = [
        Self::DataNotFound,
        Self::ParamMissing,
        Self::ParamInvalid,
        Self::ParamConflict,
        Self::LimitExceeded,
        Self::DataExists,
        Self::DataInUse,
        Self::Unauthorized,
        Self::Forbidden,
        Self::AppNotFound,
        Self::TenantNotFound,
        Self::ApiNotFound,
        Self::BodyInvalid,
        Self::BodyTooLarge,
        Self::MethodNotAllowed,
        Self::Unavailable,
        Self::Throttled,
        Self::System,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::DataNotFound => "ERR_DATA_NOT_FOUND",
            Self::ParamMissing => "ERR_PARAM_MISSING",
            Self::ParamInvalid => "ERR_PARAM_INVALID",
            Self::ParamConflict => "ERR_PARAM_CONFLICT",
            Self::LimitExceeded => "ERR_LIMIT_EXCEEDED",
            Self::DataExists => "ERR_DATA_EXISTS",
            Self::DataInUse => "ERR_DATA_IN_USE",
            Self::Unauthorized => "ERR_UNAUTHORIZED",
            Self::Forbidden => "ERR_FORBIDDEN",
            Self::AppNotFound => "ERR_APP_NOT_FOUND",
            Self::TenantNotFound => "ERR_TENANT_NOT_FOUND",
            Self::ApiNotFound => "ERR_API_NOT_FOUND",
            Self::BodyInvalid => "ERR_BODY_INVALID",
            Self::BodyTooLarge => "ERR_BODY_TOO_LARGE",
            Self::MethodNotAllowed => "ERR_METHOD_NOT_ALLOWED",
            Self::Unavailable => "ERR_SERVICE_UNAVAILABLE",
            Self::Throttled => "ERR_TOO_MANY_REQUESTS",
            Self::System => "ERR_SYSTEM",
        }
    }

    /// The message, in the document's language.
    pub fn message(self) -> &'static str {
        match self {
            Self::DataNotFound => "数据不存在",
            Self::ParamMissing => "缺少必填参数",
            Self::ParamInvalid => "参数不合法",
            Self::ParamConflict => "参数冲突",
            Self::LimitExceeded => "超出数量限制",
            Self::DataExists => "数据已存在",
            Self::DataInUse => "数据正在使用中",
            Self::Unauthorized => "未认证或认证已失效",
            Self::Forbidden => "无权限",
            Self::AppNotFound => "应用不存在",
            Self::TenantNotFound => "租户不存在",
            Self::ApiNotFound => "接口不存在",
            Self::BodyInvalid => "请求体不是合法的JSON对象",
            Self::BodyTooLarge => "请求体过大",
            Self::MethodNotAllowed => "请求方法不支持",
            Self::Unavailable => "服务暂不可用,请稍后重试",
            Self::Throttled => "请求过于频繁,请稍后重试",
            Self::System => "系统异常",
        }
    }

    /// The HTTP status: 200 for business outcomes (§4.1.6).
    pub fn status(self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::BodyInvalid => StatusCode::BAD_REQUEST,
            Self::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Throttled => StatusCode::TOO_MANY_REQUESTS,
            Self::System => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::OK,
        }
    }
}

/// A refused or failed call: the code, and what exactly was wrong (the debug message of a
/// `…Test` call; never a stack trace or personal data).
#[derive(Debug)]
pub struct HainanError {
    pub code: Code,
    pub detail: String,
    retry_after: Option<u64>,
}

impl HainanError {
    pub fn new(code: Code, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            retry_after: None,
        }
    }

    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::new(Code::DataNotFound, format!("{what} does not exist"))
    }

    pub fn missing(field: &str) -> Self {
        Self::new(Code::ParamMissing, format!("{field} is required"))
    }

    pub fn invalid(field: &str, why: impl std::fmt::Display) -> Self {
        Self::new(Code::ParamInvalid, format!("{field}: {why}"))
    }

    pub fn failed(failure: Failure) -> Self {
        match failure {
            Failure::Internal => Self::new(Code::System, "internal error"),
            Failure::Unavailable => Self {
                retry_after: Some(usecases::fault::RETRY_AFTER_SECONDS),
                ..Self::new(Code::Unavailable, "storage unavailable")
            },
            Failure::Overloaded => Self {
                retry_after: Some(usecases::fault::RETRY_AFTER_SECONDS),
                ..Self::new(Code::Unavailable, "overloaded")
            },
            Failure::Throttled(seconds) => Self {
                retry_after: Some(seconds),
                ..Self::new(Code::Throttled, "rate limited")
            },
        }
    }
}

impl From<anyhow::Error> for HainanError {
    fn from(error: anyhow::Error) -> Self {
        Self::failed(Failure::of(&error, "a Hainan call"))
    }
}

impl From<ServiceError> for HainanError {
    fn from(error: ServiceError) -> Self {
        match Failure::of_service(&error) {
            Some(failure) => Self::failed(failure),
            None => Self::new(Code::ParamInvalid, error.to_string()),
        }
    }
}

/// The eight keys of every answer (§2.1, §4.1.7), in this order.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// The call's `X-Request-Id` (1 to 64 characters), else a new 32-hex id; also sent back in the
    /// `X-Request-Id` header.
    request_id: String,
    success: bool,
    /// "0" on success, else the `ERR_*` code.
    #[schema(schema_with = code_schema)]
    code: &'static str,
    /// "" on success, else the code's message (in Chinese, e.g. "数据不存在").
    message: &'static str,
    /// Always null.
    #[schema(schema_with = null_schema)]
    extend: (),
    /// What exactly was refused, for a call through a `…Test` API name; else "".
    debug_message: String,
    /// Always "" (never a stack trace).
    debug_trace: &'static str,
    /// The API's answer on success; null on a refusal.
    #[schema(value_type = Value)]
    data: Value,
}

fn null_schema() -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::Null).into()
}

/// `code`: "0" or one of the `ERR_*` catalogue.
fn code_schema() -> RefOr<Schema> {
    let codes = std::iter::once("0").chain(Code::ALL.iter().map(|c| c.as_str()));
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(codes))
        .into()
}

/// How an answer is written: the request id it carries and whether the debug fields are filled.
#[derive(Debug, Clone)]
pub struct Answer {
    pub request_id: String,
    pub debug: bool,
}

impl Answer {
    pub fn new(request_id: Option<&str>, debug: bool) -> Self {
        let request_id = request_id
            .filter(|id| !id.is_empty() && id.len() <= 64)
            .map_or_else(|| uuid::Uuid::new_v4().simple().to_string(), str::to_string);
        Self { request_id, debug }
    }

    fn respond(&self, status: StatusCode, body: Envelope, retry_after: Option<u64>) -> Response {
        let mut response = (status, Json(body)).into_response();
        if let Ok(id) = HeaderValue::from_str(&self.request_id) {
            response.headers_mut().insert("x-request-id", id);
        }
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(seconds));
        }
        response
    }

    /// A success with its data.
    pub fn ok(&self, data: Value) -> Response {
        let body = Envelope {
            request_id: self.request_id.clone(),
            success: true,
            code: "0",
            message: "",
            extend: (),
            debug_message: String::new(),
            debug_trace: "",
            data,
        };
        self.respond(StatusCode::OK, body, None)
    }

    /// A refusal or failure: `data` null, the debug message only for a `…Test` call.
    pub fn error(&self, error: &HainanError) -> Response {
        let debug = if self.debug {
            error.detail.as_str()
        } else {
            ""
        };
        let body = Envelope {
            request_id: self.request_id.clone(),
            success: false,
            code: error.code.as_str(),
            message: error.code.message(),
            extend: (),
            debug_message: debug.to_string(),
            debug_trace: "",
            data: Value::Null,
        };
        self.respond(error.code.status(), body, error.retry_after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_answer_has_the_eight_keys_in_the_document_order() {
        let envelope = Envelope {
            request_id: "r1".into(),
            success: false,
            code: Code::DataNotFound.as_str(),
            message: Code::DataNotFound.message(),
            extend: (),
            debug_message: String::new(),
            debug_trace: "",
            data: Value::Null,
        };
        let body = serde_json::to_value(&envelope).unwrap();
        let keys: Vec<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let expected = [
            "requestId",
            "success",
            "code",
            "message",
            "extend",
            "debugMessage",
            "debugTrace",
            "data",
        ];
        assert_eq!(keys, expected);
        assert_eq!(body["extend"], Value::Null);
    }
}
