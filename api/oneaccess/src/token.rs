//! `POST /api/v2/tenant/token` — get an access credential (specs/oneaccess.md §2.1 #1). Form
//! parameters `grant_type=client_credentials`, `client_id`, `client_secret`; OAuth-style errors
//! (§5.1 #1, decided).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use idaas_http::failure::Failure;
use serde_json::json;

use idaas_http::caller::SURFACE;
use idaas_http::context::RequestMeta;
use usecases::tokens::{self, TokenError};
use usecases::AppState;
use usecases::{context, ServiceError};

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

pub async fn token(
    State(state): State<AppState>,
    meta: RequestMeta,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let field = |name: &str| {
        form.get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty() && !v.contains('\0'))
    };
    let grant_type = field("grant_type");
    match grant_type {
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Missing grant type",
            )
        }
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Unsupported grant type: only client_credentials is accepted here",
            )
        }
    }
    let (Some(client_id), Some(client_secret)) = (field("client_id"), field("client_secret"))
    else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id and client_secret are required",
        );
    };
    let tenant = match idaas_http::context::tenant_of(&state, &headers).await {
        Ok(tenant) => tenant,
        Err(e) => return failed(Failure::of(&e, "finding the tenant")),
    };
    let ctx = context(&tenant, meta.metadata("application", client_id, SURFACE));
    match tokens::issue(&state, &ctx, client_id, client_secret).await {
        Ok(issued) => {
            let mut response = Json(json!({
                "access_token": issued.access_token,
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
                "scope": issued.scope,
            }))
            .into_response();
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            response
        }
        Err(TokenError::BadCredentials) => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "Bad client credentials",
        ),
        Err(TokenError::Unauthorized) => oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "The application is disabled or has not been granted the API product",
        ),
        Err(TokenError::Service(
            error @ (ServiceError::Internal(_)
            | ServiceError::Unavailable(_)
            | ServiceError::Overloaded
            | ServiceError::Throttled { .. }),
        )) => failed(Failure::of_service(&error).unwrap_or(Failure::Internal)),
        Err(TokenError::Service(_)) => oauth_error(
            StatusCode::BAD_REQUEST,
            "server_error",
            "System busy. Please try again later.",
        ),
    }
}

/// A failure of the server (500 `server_error`) or of its storage (503 `temporarily_unavailable`
/// with `Retry-After`), in the OAuth error shape of this endpoint.
fn failed(failure: Failure) -> Response {
    failure.finish(oauth_error(
        failure.status(),
        failure.oauth_error(),
        "System busy. Please try again later.",
    ))
}
