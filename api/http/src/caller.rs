//! The management bearer token check (specs/oneaccess.md §1.3). A missing, unknown or expired
//! token, or a token of another tenant, is answered 401 in the OAuth style (§5.1 #2, decided).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use usecases::Context;

use crate::context::RequestMeta;
use usecases::AppState;
use usecases::{context, tokens};

pub const SURFACE: &str = "oneaccess";

/// An application authenticated by a live management token, in the request's tenant.
pub struct ManagementCaller {
    pub tenant_id: String,
    pub application_id: String,
    pub context: Context,
}

pub enum AuthRejection {
    Missing,
    Invalid,
    Internal,
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        let (status, error, description) = match self {
            Self::Missing => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Full authentication is required to access this resource",
            ),
            Self::Invalid => (
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "Invalid or expired access token",
            ),
            Self::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "System busy. Please try again later.",
            ),
        };
        let mut response = (
            status,
            Json(json!({ "error": error, "error_description": description })),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            let value = format!("Bearer error=\"{error}\"");
            if let Ok(value) = value.parse() {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl FromRequestParts<AppState> for ManagementCaller {
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(AuthRejection::Missing)?;
        let tenant_id = crate::context::tenant_of(state, &parts.headers)
            .await
            .map_err(|_| AuthRejection::Internal)?;
        let application_id = tokens::authenticate(state, &tenant_id, token)
            .await
            .map_err(|e| {
                tracing::error!(error = %format!("{e:#}"), "token check failed");
                AuthRejection::Internal
            })?
            .ok_or(AuthRejection::Invalid)?;
        let meta = RequestMeta::from_parts(parts);
        let context = context(
            &tenant_id,
            meta.metadata("application", &application_id, SURFACE),
        );
        Ok(Self {
            tenant_id,
            application_id,
            context,
        })
    }
}
