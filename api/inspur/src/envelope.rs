//! The envelope of every answer (§1.4): `{code, message, data, status, requestId}`, `code` the
//! HTTP status as a string, `status` as a number; errors in the same envelope with the statuses
//! and Chinese messages of §4 (one catalogue, here).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;
use usecases::ServiceError;

use idaas_http::failure::Failure;

fn request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn envelope(status: StatusCode, message: &str, data: Value) -> Response {
    let body = crate::schema::Envelope {
        code: status.as_u16().to_string(),
        message: message.to_string(),
        data,
        status: status.as_u16(),
        request_id: request_id(),
    };
    (status, Json(body)).into_response()
}

/// A success: `message` "ok".
pub fn ok(data: Value) -> Response {
    envelope(StatusCode::OK, "ok", data)
}

/// A success of an update endpoint: `message` "成功".
pub fn saved(data: Value) -> Response {
    envelope(StatusCode::OK, "成功", data)
}

/// A success with a message of its own (an import that refused some rows).
pub fn ok_saying(message: &str, data: Value) -> Response {
    envelope(StatusCode::OK, message, data)
}

/// An error answer (§4).
#[derive(Debug)]
pub struct InspurError {
    status: StatusCode,
    message: String,
    failure: Option<Failure>,
}

impl InspurError {
    /// What the answer says.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// 400 `参数错误: …` (a parameter error).
    pub fn invalid(what: impl std::fmt::Display) -> Self {
        Self::with(StatusCode::BAD_REQUEST, format!("参数错误: {what}"))
    }

    /// 400 with a business rule's message.
    pub fn rule(message: impl Into<String>) -> Self {
        Self::with(StatusCode::BAD_REQUEST, message.into())
    }

    /// 404 `资源不存在`.
    pub fn not_found() -> Self {
        Self::with(StatusCode::NOT_FOUND, "资源不存在".into())
    }

    /// 401 `token无效或已过期`.
    pub fn unauthorized() -> Self {
        Self::with(StatusCode::UNAUTHORIZED, "token无效或已过期".into())
    }

    /// 401: a client's id and secret did not authenticate it (AUTH-02).
    pub fn client_refused() -> Self {
        Self::with(
            StatusCode::UNAUTHORIZED,
            "client_id 或 client_secret 错误".into(),
        )
    }

    /// 403 `无权限`.
    pub fn forbidden() -> Self {
        Self::with(StatusCode::FORBIDDEN, "无权限".into())
    }

    fn with(status: StatusCode, message: String) -> Self {
        Self {
            status,
            message,
            failure: None,
        }
    }

    pub fn failed(failure: Failure) -> Self {
        let message = match failure {
            Failure::Internal => "系统异常",
            _ => "系统繁忙,请稍后重试",
        };
        Self {
            status: failure.status(),
            message: message.into(),
            failure: Some(failure),
        }
    }
}

impl IntoResponse for InspurError {
    fn into_response(self) -> Response {
        let response = envelope(self.status, &self.message, Value::Null);
        match self.failure {
            Some(failure) => failure.finish(response),
            None => response,
        }
    }
}

impl From<ServiceError> for InspurError {
    fn from(error: ServiceError) -> Self {
        use domain::organization::OrganizationError as Org;
        if let Some(failure) = Failure::of_service(&error) {
            return Self::failed(failure);
        }
        match error {
            ServiceError::Organization(Org::NotFound)
            | ServiceError::User(domain::user::UserError::NotFound) => Self::not_found(),
            ServiceError::Organization(Org::ParentNotFound) => Self::rule("上级组织机构不存在"),
            ServiceError::Organization(Org::CannotDelete) => {
                Self::rule("组织机构下存在子组织或用户,禁止删除")
            }
            ServiceError::Organization(Org::ParentIsSelf) => {
                Self::rule("不能移动到自身或其下级组织机构")
            }
            ServiceError::Claimed(domain::ClaimKind::OrganizationCode) => Self::rule("编码已存在"),
            ServiceError::Claimed(domain::ClaimKind::OrganizationSiblingName) => {
                Self::rule("同级组织机构名称已存在")
            }
            ServiceError::Busy => Self::rule("资源正在被修改,请重试"),
            other => Self::invalid(other),
        }
    }
}

impl From<anyhow::Error> for InspurError {
    fn from(error: anyhow::Error) -> Self {
        ServiceError::from(error).into()
    }
}
