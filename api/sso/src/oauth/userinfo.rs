//! `GET|POST /api/v1/oauth2/userinfo` (specs/oneaccess.md #48, OIDC Core §5.3): the claims the
//! access token's scope releases about its user, read from the projections.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;
use utoipa::ToSchema;

use super::error::{body, failed, ErrorBody};
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

/// The claims about the token's user (OIDC Core §5.3.2), as its scope releases them; a claim
/// without a value is left out, never null.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UserInfo {
    /// The user's id.
    sub: String,
    /// `openid` or `get_user_info`: the user's id (OneAccess's name).
    #[schema(nullable = false)]
    id: Option<String>,
    /// `openid` or `get_user_info`: the username (OneAccess's name).
    #[serde(rename = "userName")]
    #[schema(nullable = false)]
    user_name: Option<String>,
    /// `openid`, `profile` or `get_user_info`: the display name.
    #[schema(nullable = false)]
    name: Option<String>,
    /// `email` or `get_user_info`.
    #[schema(nullable = false)]
    email: Option<String>,
    /// `phone` or `get_user_info` (OneAccess's name).
    #[schema(nullable = false)]
    mobile: Option<String>,
    /// `profile`: the username.
    #[schema(nullable = false)]
    preferred_username: Option<String>,
    /// `profile`: Unix seconds of the last change.
    #[schema(nullable = false)]
    updated_at: Option<i64>,
    /// `profile`.
    #[schema(nullable = false)]
    given_name: Option<String>,
    /// `profile`.
    #[schema(nullable = false)]
    middle_name: Option<String>,
    /// `profile`.
    #[schema(nullable = false)]
    family_name: Option<String>,
    /// `profile`.
    #[schema(nullable = false)]
    nickname: Option<String>,
    /// `profile`.
    #[schema(nullable = false)]
    birthdate: Option<String>,
    /// `email`: always false.
    #[schema(nullable = false)]
    email_verified: Option<bool>,
    /// `phone`: the mobile number.
    #[schema(nullable = false)]
    phone_number: Option<String>,
    /// `phone`: always false.
    #[schema(nullable = false)]
    phone_number_verified: Option<bool>,
    /// The user's role codes in the application, when it releases roles and the user has some
    /// (ops/adr/0018).
    #[schema(nullable = false)]
    roles: Option<Vec<String>>,
    /// The user's permission codes, when the application releases roles and permissions and the
    /// user has some.
    #[schema(nullable = false)]
    permissions: Option<Vec<String>>,
}

/// The access token as a form field (RFC 6750 §2.2), instead of the `Authorization` header.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UserInfoForm {
    /// A live access token issued for a user; never together with the header.
    #[schema(nullable = false)]
    access_token: Option<String>,
}

/// The claims about the access token's user (OIDC Core §5.3).
#[utoipa::path(
    get,
    path = "/userinfo",
    tag = "OpenID Connect",
    responses(
        (status = 200, description = "The claims; never cached.", body = UserInfo),
        (status = 401, description = "No token (`unauthorized`), or a token that is unknown, expired, revoked, a client's own, or whose user can no longer sign in (`invalid_token`); with a `WWW-Authenticate: Bearer` challenge.", body = ErrorBody),
        (status = 429, description = "`temporarily_unavailable`: too many failed calls from the address.", body = ErrorBody),
        (status = 500, description = "`server_error` (plain text when the tenant of the host cannot be read).", content((ErrorBody = "application/json"), (String = "text/plain"))),
        (status = 503, description = "`temporarily_unavailable`: storage is unavailable; with `Retry-After` (plain text when it fails reading the tenant of the host).", content((ErrorBody = "application/json"), (String = "text/plain"))),
    ),
    security(("bearer" = []))
)]
pub async fn get_userinfo(
    State(state): State<AppState>,
    browser: Browser,
    headers: HeaderMap,
) -> Response {
    userinfo(state, browser, headers, HashMap::new()).await
}

/// The claims about the access token's user, the token in the header or the form.
#[utoipa::path(
    post,
    path = "/userinfo",
    tag = "OpenID Connect",
    request_body(
        description = "Empty, or the access token as a form field (a JSON object is read alike).",
        content(
            (Option<UserInfoForm> = "application/x-www-form-urlencoded"),
            (Option<UserInfoForm> = "application/json"),
        ),
    ),
    responses(
        (status = 200, description = "The claims; never cached.", body = UserInfo),
        (status = 400, description = "`invalid_request`: a body that does not parse, or the token both in the header and the form.", body = ErrorBody),
        (status = 401, description = "No token (`unauthorized`), or a token that is unknown, expired, revoked, a client's own, or whose user can no longer sign in (`invalid_token`); with a `WWW-Authenticate: Bearer` challenge.", body = ErrorBody),
        (status = 429, description = "`temporarily_unavailable`: too many failed calls from the address.", body = ErrorBody),
        (status = 500, description = "`server_error` (plain text when the tenant of the host cannot be read).", content((ErrorBody = "application/json"), (String = "text/plain"))),
        (status = 503, description = "`temporarily_unavailable`: storage is unavailable; with `Retry-After` (plain text when it fails reading the tenant of the host).", content((ErrorBody = "application/json"), (String = "text/plain"))),
    ),
    security(("bearer" = []), ())
)]
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
    let user = match usecases::cache::lookups::user(&state, tenant, user_id).await {
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
