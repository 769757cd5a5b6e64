//! The admin API's error shape: `{"error": "<kind>", "message": "<what went wrong>"}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use idaas_http::failure::Failure;
use usecases::ServiceError;

/// The error answer, `{"error", "message"}`, as the OpenAPI description shows it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// `invalid_request`, `forbidden`, `not_found`, `conflict`, `temporarily_unavailable` or
    /// `server_error`.
    pub error: String,
    pub message: String,
}

#[derive(Debug)]
pub struct AdminError {
    status: StatusCode,
    kind: &'static str,
    message: String,
    /// The failure behind a 503 or 429, which says when to retry.
    failure: Option<Failure>,
}

impl AdminError {
    pub fn invalid(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            kind: "invalid_request",
            message: message.into(),
            failure: None,
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            kind: "forbidden",
            message: message.into(),
            failure: None,
        }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::CONFLICT,
            kind: "conflict",
            message: message.into(),
            failure: None,
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            kind: "not_found",
            message: message.into(),
            failure: None,
        }
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let response = (
            self.status,
            Json(json!({ "error": self.kind, "message": self.message })),
        )
            .into_response();
        match self.failure {
            Some(failure) => failure.finish(response),
            None => response,
        }
    }
}

impl From<ServiceError> for AdminError {
    fn from(error: ServiceError) -> Self {
        use domain::application::ApplicationError;
        match error {
            ServiceError::Application(ApplicationError::NotFound) => {
                Self::not_found("application does not exist")
            }
            ServiceError::AppRole(domain::app_role::AppRoleError::NotFound) => {
                Self::not_found("role does not exist")
            }
            ServiceError::Application(ApplicationError::HasAccounts) => Self {
                status: StatusCode::CONFLICT,
                kind: "conflict",
                message: "an application with accounts cannot be deleted".into(),
                failure: None,
            },
            ServiceError::Claimed(kind) => Self {
                status: StatusCode::CONFLICT,
                kind: "conflict",
                message: format!("already exists: {kind}"),
                failure: None,
            },
            ServiceError::Tenant(
                ref refusal @ (domain::tenant::TenantError::ReservedDomain(_)
                | domain::tenant::TenantError::LastDomain(_)),
            ) => Self::conflict(refusal.to_string()),
            ServiceError::Tenant(ref refusal @ domain::tenant::TenantError::UnknownDomain(_)) => {
                Self::not_found(refusal.to_string())
            }
            ServiceError::Busy => Self {
                status: StatusCode::CONFLICT,
                kind: "conflict",
                message: "the resource kept changing; try again".into(),
                failure: None,
            },
            ServiceError::Internal(_)
            | ServiceError::Unavailable(_)
            | ServiceError::Overloaded
            | ServiceError::Throttled { .. } => match Failure::of_service(&error) {
                Some(failure) if failure != Failure::Internal => Self {
                    status: failure.status(),
                    kind: "temporarily_unavailable",
                    message: failure.message(),
                    failure: Some(failure),
                },
                _ => Self {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    kind: "server_error",
                    message: "internal error".into(),
                    failure: None,
                },
            },
            other => Self::invalid(other.to_string()),
        }
    }
}

impl From<anyhow::Error> for AdminError {
    fn from(error: anyhow::Error) -> Self {
        ServiceError::from(error).into()
    }
}
