//! The admin API's error shape: `{"error": "<kind>", "message": "<what went wrong>"}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::collections::BTreeMap;
use utoipa::openapi::{self, Components, ContentBuilder, HeaderBuilder, Ref, RefOr};
use utoipa::openapi::{OpenApi, OpenApiBuilder, ResponseBuilder};
use utoipa::{IntoResponses, PartialSchema, ToSchema};

use idaas_http::failure::Failure;
use usecases::ServiceError;

/// The error answer, `{"error", "message"}`, as the OpenAPI description shows it.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ErrorBody {
    /// `invalid_request`, `forbidden`, `not_found`, `conflict`, `temporarily_unavailable` or
    /// `server_error`.
    pub error: String,
    pub message: String,
}

/// A missing, unknown or expired bearer token (OAuth style, RFC 6750 §3), as the management
/// token check answers it on every management surface.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // Described only: `idaas_http::caller` writes this body.
pub struct AuthErrorBody {
    /// `unauthorized` (no token) or `invalid_token`.
    pub error: String,
    pub error_description: String,
}

/// The answers any admin call may give besides its own: 401 without a live management token,
/// 503 when storage is unavailable or the server is busy, 500. In each operation's
/// `responses(...)`; the responses themselves are the surface's shared [`components`].
pub struct CallFailures;

const SHARED: [(&str, &str); 3] = [
    ("401", "Unauthorized"),
    ("500", "ServerError"),
    ("503", "Unavailable"),
];

impl IntoResponses for CallFailures {
    fn responses() -> BTreeMap<String, RefOr<openapi::Response>> {
        SHARED
            .iter()
            .map(|(status, name)| {
                let response = RefOr::Ref(Ref::from_response_name(*name));
                (status.to_string(), response)
            })
            .collect()
    }
}

/// A description holding the shared responses [`CallFailures`] names, with their bodies' schemas.
pub fn shared() -> OpenApi {
    OpenApiBuilder::new().components(Some(components())).build()
}

fn components() -> Components {
    let body = |schema: &str| {
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(schema)))
            .build()
    };
    let retry_after = HeaderBuilder::new()
        .schema(Some(u64::schema()))
        .description(Some("Seconds to wait before trying again."))
        .build();
    let unauthorized = ResponseBuilder::new()
        .description("No live management token of the tenant.")
        .header(
            "WWW-Authenticate",
            HeaderBuilder::new()
                .schema(Some(String::schema()))
                .description(Some("`Bearer error=\"…\"`, the error of the body."))
                .build(),
        )
        .content("application/json", body("AuthErrorBody"))
        .build();
    let server_error = ResponseBuilder::new()
        .description("`server_error`: a program error (logged; nothing is said about it).")
        .content("application/json", body("ErrorBody"))
        .build();
    let unavailable = ResponseBuilder::new()
        .description(
            "`temporarily_unavailable`: storage is unavailable or the server is busy; nothing \
             was written.",
        )
        .header("Retry-After", retry_after)
        .content("application/json", body("ErrorBody"))
        .build();
    let mut components = Components::new();
    components.responses.extend([
        ("Unauthorized".to_string(), RefOr::T(unauthorized)),
        ("ServerError".to_string(), RefOr::T(server_error)),
        ("Unavailable".to_string(), RefOr::T(unavailable)),
    ]);
    components.schemas.extend([
        (ErrorBody::name().to_string(), ErrorBody::schema()),
        (AuthErrorBody::name().to_string(), AuthErrorBody::schema()),
    ]);
    components
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
