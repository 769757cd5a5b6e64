//! The management bearer token check (specs/oneaccess.md §1.3). A missing, unknown or expired
//! token, or a token of another tenant, is answered 401 in the OAuth style (§5.1 #2, decided); a
//! failure of the check itself in the shape of the surface called (one 500 body per surface).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use usecases::Context;

use crate::context::RequestMeta;
use crate::failure::Failure;
use crate::oneaccess_codes::message;
use domain::authority::Authority;
use usecases::authority::{self, Held};
use usecases::AppState;
use usecases::{context, tokens};

pub const SURFACE: &str = "oneaccess";

/// An application authenticated by a live management token, in the request's tenant, with the
/// authority its credential holds (ops/adr/0014). The admin API needs a tenant administrator;
/// a directory client reaches only the applications it manages on the OneAccess API.
pub struct ManagementCaller {
    pub tenant_id: String,
    pub application_id: String,
    pub context: Context,
    pub held: Held,
}

impl ManagementCaller {
    pub fn authority(&self) -> Authority {
        self.held.authority
    }
}

pub enum AuthRejection {
    Missing,
    Invalid,
    /// The credential's authority does not cover the call (recorded): 403 in the surface's shape.
    Forbidden {
        shape: Shape,
        message: String,
    },
    /// The check itself failed: answered in the shape of the surface that was called.
    Failed {
        failure: Failure,
        shape: Shape,
    },
}

/// Which management surface a request was for, and so the shape of a failure's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `{"error_code": "COM.0002", "error_msg": …}` (specs/oneaccess.md §4).
    OneAccess,
    /// `{"error": "server_error" | "temporarily_unavailable", "message": …}`.
    Admin,
}

impl Shape {
    fn of(parts: &Parts) -> Self {
        // Under `Router::nest` the URI is the nested one; the original keeps the prefix.
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or(parts.uri.path(), |original| original.0.path());
        if path.starts_with("/admin/") {
            Self::Admin
        } else {
            Self::OneAccess
        }
    }
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        let (error, description) = match self {
            Self::Missing => (
                "unauthorized",
                "Full authentication is required to access this resource",
            ),
            Self::Invalid => ("invalid_token", "Invalid or expired access token"),
            Self::Failed { failure, shape } => return failed(failure, shape),
            Self::Forbidden { shape, message } => return forbidden(shape, &message),
        };
        let mut response = (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": error, "error_description": description })),
        )
            .into_response();
        let value = format!("Bearer error=\"{error}\"");
        if let Ok(value) = value.parse() {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

/// A refusal for lack of authority: the admin API's `{"error": "forbidden"}`, or on the OneAccess
/// API the bearer-token error of RFC 6750 §3.1 (`insufficient_scope`, 403), like its 401s.
pub fn forbidden(shape: Shape, message: &str) -> Response {
    let body = match shape {
        Shape::Admin => json!({ "error": "forbidden", "message": message }),
        Shape::OneAccess => json!({ "error": "insufficient_scope", "error_description": message }),
    };
    let mut response = (StatusCode::FORBIDDEN, Json(body)).into_response();
    if shape == Shape::OneAccess {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer error=\"insufficient_scope\""),
        );
    }
    response
}

/// The application a OneAccess path is scoped to (`/api/v2/tenant/applications/{id}/…`,
/// `/api/v2/tenant/users/{user}/applications/{id}/…`), if any.
fn scoped_application(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/api/v2/tenant/")?;
    let mut parts = rest.split('/');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("applications"), Some(id), _, _) => Some(id),
        (Some("users"), Some(_), Some("applications"), Some(id)) => Some(id),
        _ => None,
    }
}

/// The surface's own failure body (its other failures have the same).
fn failed(failure: Failure, shape: Shape) -> Response {
    let body = match (shape, failure) {
        (Shape::OneAccess, _) => json!({
            "error_code": "COM.0002",
            "error_msg": message("COM.0002", &[], false),
        }),
        (Shape::Admin, Failure::Internal) => {
            json!({ "error": "server_error", "message": "internal error" })
        }
        (Shape::Admin, failure) => json!({
            "error": "temporarily_unavailable",
            "message": failure.message(),
        }),
    };
    failure.finish((failure.status(), Json(body)).into_response())
}

/// The token of an `Authorization: Bearer` header, if there is one.
pub fn bearer(parts: &Parts) -> Option<&str> {
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
        let shape = Shape::of(parts);
        let tenant_id = crate::context::tenant_of(state, &parts.headers)
            .await
            .map_err(|e| AuthRejection::Failed {
                failure: Failure::of(&e, "finding the tenant"),
                shape,
            })?;
        let application_id = tokens::authenticate(state, &tenant_id, token)
            .await
            .map_err(|e| AuthRejection::Failed {
                failure: Failure::of(&e, "the token check"),
                shape,
            })?
            .ok_or(AuthRejection::Invalid)?;
        let meta = RequestMeta::from_parts(parts);
        let context = context(
            &tenant_id,
            meta.metadata("application", &application_id, SURFACE),
        );
        let failed = |e: anyhow::Error| AuthRejection::Failed {
            failure: Failure::of(&e, "the authority check"),
            shape,
        };
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or(parts.uri.path(), |original| original.0.path())
            .to_string();
        let Some(held) = authority::held(state, &tenant_id, &application_id)
            .await
            .map_err(failed)?
        else {
            // An auditor's credential reads the audit surface and nothing else (ops/adr/0022).
            let auditor = authority::auditor(state, &tenant_id, &application_id)
                .await
                .map_err(failed)?
                .ok_or(AuthRejection::Invalid)?;
            let action = format!("{} {path}", parts.method);
            let required = Authority::Directory;
            authority::record_refusal(state, &context, &auditor, required, &action).await;
            tracing::warn!(application_id = %application_id, %action, "an auditor's management call refused");
            let message = "an auditor's credential reads the audit API and nothing else".into();
            return Err(AuthRejection::Forbidden { shape, message });
        };
        let refusal = match shape {
            Shape::Admin if held.authority < Authority::TenantAdmin => Some((
                Authority::TenantAdmin,
                "the admin API needs a tenant administrator's credential".to_string(),
            )),
            Shape::OneAccess => scoped_application(&path)
                .filter(|app| !held.may_manage(app))
                .map(|_| {
                    let text = "this credential does not manage that application";
                    (Authority::TenantAdmin, text.to_string())
                }),
            _ => None,
        };
        if let Some((required, message)) = refusal {
            let action = format!("{} {path}", parts.method);
            authority::record_refusal(state, &context, &held, required, &action).await;
            tracing::warn!(application_id = %application_id, %action, "management call refused");
            return Err(AuthRejection::Forbidden { shape, message });
        }
        Ok(Self {
            tenant_id,
            application_id,
            context,
            held,
        })
    }
}
