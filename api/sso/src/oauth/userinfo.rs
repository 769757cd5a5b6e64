//! `GET|POST /api/v1/oauth2/userinfo` (specs/oneaccess.md #48, OIDC Core §5.3): the claims the
//! access token's scope releases about its user, read from the projections.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use super::error::{body, failed};
use super::params;
use idaas_http::failure::Failure;
use idaas_http::web::Browser;
use usecases::oauth;
use usecases::AppState;

fn unauthorized(code: &str, description: &str) -> Response {
    let mut response = (StatusCode::UNAUTHORIZED, body(code, description)).into_response();
    let challenge = format!("Bearer error=\"{code}\"");
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// The bearer token of a request: the `Authorization` header, or (POST) the `access_token` form
/// field (RFC 6750 §2.2) — not both.
pub fn bearer(headers: &HeaderMap, form: &HashMap<String, String>) -> Result<Option<String>, ()> {
    let header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string());
    match (header, form.get("access_token")) {
        (Some(_), Some(_)) => Err(()),
        (Some(token), None) => Ok(Some(token)),
        (None, Some(token)) => Ok(Some(token.clone())),
        (None, None) => Ok(None),
    }
}

pub async fn get_userinfo(
    State(state): State<AppState>,
    browser: Browser,
    headers: HeaderMap,
) -> Response {
    userinfo(state, browser, headers, HashMap::new()).await
}

pub async fn post_userinfo(
    State(state): State<AppState>,
    browser: Browser,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    match params::parse(&headers, &raw) {
        Ok(form) => userinfo(state, browser, headers, form).await,
        Err(e) => (
            StatusCode::BAD_REQUEST,
            body("invalid_request", &e.to_string()),
        )
            .into_response(),
    }
}

async fn userinfo(
    state: AppState,
    browser: Browser,
    headers: HeaderMap,
    form: HashMap<String, String>,
) -> Response {
    let token = match bearer(&headers, &form) {
        Ok(Some(token)) => token,
        Ok(None) => {
            return unauthorized(
                "unauthorized",
                "Full authentication is required to access this resource",
            )
        }
        Err(()) => {
            return (
                StatusCode::BAD_REQUEST,
                body("invalid_request", "give the token once"),
            )
                .into_response()
        }
    };
    let tenant = &browser.tenant_id;
    let found = oauth::live_access_token(&state, tenant, &browser.issuer(), &token).await;
    let (row, _) = match found {
        Ok(Some(found)) => found,
        Ok(None) => return unauthorized("invalid_token", "Invalid or expired access token"),
        Err(e) => return failed(Failure::of(&e, "userinfo")),
    };
    let Some(user_id) = &row.user_id else {
        return unauthorized(
            "invalid_token",
            "the access token was issued to a client, not a user",
        );
    };
    let user = match projections::users::get(state.pool(), tenant, user_id).await {
        Ok(Some(user)) if user.can_sign_in(state.now()) => user,
        Ok(_) => return unauthorized("invalid_token", "the user is disabled, expired or deleted"),
        Err(e) => return failed(Failure::of(&e, "userinfo")),
    };
    // The user's roles and permissions too, when the application releases them (ops/adr/0018).
    let app = &row.application_id;
    let claims = match oauth::userinfo_claims(&state, tenant, app, &user, &row.scope).await {
        Ok(claims) => claims,
        Err(e) => return failed(Failure::of(&e, "userinfo")),
    };
    let mut response = Json(Value::Object(claims)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
