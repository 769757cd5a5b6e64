//! Token introspection (RFC 7662) and revocation (RFC 7009), for authenticated clients. A client
//! learns about its own tokens only; anything else is `{"active": false}`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use projections::applications::ApplicationRow;
use serde_json::json;
use utoipa::ToSchema;

use super::client;
use super::error::{ErrorBody, WireError};
use super::params;
use idaas_http::web::Browser;
use usecases::oauth::{self, OAuthError};
use usecases::AppState;

/// The token to look at or revoke, with the client's authentication: HTTP Basic, or
/// `client_id` and `client_secret` here, never both.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TokenForm {
    /// An access token or a refresh token.
    token: String,
    /// Read and ignored: every kind of token is looked for (RFC 7009 §2.1, RFC 7662 §2.1).
    #[schema(nullable = false)]
    token_type_hint: Option<String>,
    /// The client, with `client_secret_post`; with Basic it may be given and must match.
    #[schema(nullable = false)]
    client_id: Option<String>,
    /// The client's secret (`client_secret_post`).
    #[schema(nullable = false)]
    client_secret: Option<String>,
}

/// What introspection says about a token (RFC 7662 §2.2): `{"active": false}` alone for a token
/// that is unknown, expired, revoked, another client's, or whose user can no longer sign in.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Introspection {
    active: bool,
    /// The granted scopes, space-separated.
    #[schema(nullable = false)]
    scope: Option<String>,
    /// The client the token was issued to (the caller).
    #[schema(nullable = false)]
    client_id: Option<String>,
    /// `Bearer` for an access token, `refresh_token` for a refresh token.
    #[schema(nullable = false)]
    token_type: Option<String>,
    /// Expiry, Unix seconds.
    #[schema(nullable = false)]
    exp: Option<i64>,
    /// Issue time, Unix seconds (access tokens).
    #[schema(nullable = false)]
    iat: Option<i64>,
    /// The user, or the client for a client-credentials token (a refresh token: the user only).
    #[schema(nullable = false)]
    sub: Option<String>,
    /// The access token's audience, the client's id (access tokens).
    #[schema(nullable = false)]
    aud: Option<String>,
    /// The issuer.
    #[schema(nullable = false)]
    iss: Option<String>,
    /// The access token's id (access tokens).
    #[schema(nullable = false)]
    jti: Option<String>,
    /// The user's username, when the token has a user.
    #[schema(nullable = false)]
    username: Option<String>,
}

/// Token introspection (RFC 7662) for the client's own tokens.
#[utoipa::path(
    post,
    path = "/introspect",
    tag = "OAuth 2.0",
    request_body(
        description = "Form fields (a JSON object of string values is read alike).",
        content(
            (TokenForm = "application/x-www-form-urlencoded"),
            (TokenForm = "application/json"),
        ),
    ),
    responses(
        (status = 200, description = "Whether the token is active and, when it is, what it is; never cached. Access tokens answer `active, scope, client_id, token_type, exp, iat, sub, aud, iss, jti` and `username` when there is a user; refresh tokens `active, scope, client_id, token_type, exp, iss` and `sub, username` when there is a user.", body = Introspection),
        (status = 400, description = "`invalid_request` (no `token`, both authentication methods), or `invalid_client` when the client authenticated with form fields.", body = ErrorBody),
        (status = 401, description = "`invalid_client` when the client authenticated with HTTP Basic.", body = ErrorBody),
        (status = 429, description = "`temporarily_unavailable`: too many failed client calls from the address.", body = ErrorBody),
        (status = 500, description = "`server_error` (plain text when the tenant of the host cannot be read).", content((ErrorBody = "application/json"), (String = "text/plain"))),
        (status = 503, description = "`temporarily_unavailable`: storage is unavailable; with `Retry-After` (plain text when it fails reading the tenant of the host).", content((ErrorBody = "application/json"), (String = "text/plain"))),
    ),
    security(("client_basic" = []), ())
)]
pub async fn introspect(
    State(state): State<AppState>,
    browser: Browser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WireError> {
    let form = params::parse(&headers, &body)?;
    let app = client::authenticate(&state, &browser.tenant_id, &headers, &form).await?;
    let token = form
        .get("token")
        .ok_or_else(|| OAuthError::InvalidRequest("token required".into()))?;
    let found =
        oauth::live_access_token(&state, &browser.tenant_id, &browser.issuer(), token).await?;
    let body = match found {
        Some((row, claims)) if row.application_id == app.application_id => {
            let mut body = json!({
                "active": true,
                "scope": row.scope,
                "client_id": app.client_id,
                "token_type": "Bearer",
                "exp": row.expires_at / 1000,
                "iat": row.issued_at / 1000,
                "sub": claims["sub"],
                "aud": claims["aud"],
                "iss": claims["iss"],
            });
            // An opaque token's `jti` is its keyed hash: not told.
            if let Some(jti) = claims.get("jti") {
                body["jti"] = jti.clone();
            }
            if let Some(user_id) = &row.user_id {
                let user =
                    projections::users::get(state.pool(), &browser.tenant_id, user_id).await?;
                match user {
                    Some(user) if user.can_sign_in(state.now()) => {
                        body["username"] = json!(user.profile.username)
                    }
                    _ => body = json!({ "active": false }),
                }
            }
            body
        }
        Some(_) => json!({ "active": false }),
        None => refresh_token(&state, &browser, &app, token).await?,
    };
    let mut response = Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// RFC 7662 §2.2 for a refresh token: active while it is the current one of a live grant.
async fn refresh_token(
    state: &AppState,
    browser: &Browser,
    app: &ApplicationRow,
    token: &str,
) -> anyhow::Result<serde_json::Value> {
    let tenant = &browser.tenant_id;
    let Some(grant) = oauth::live_refresh_token(state, tenant, app, token).await? else {
        return Ok(json!({ "active": false }));
    };
    let mut body = json!({
        "active": true,
        "scope": grant.scope,
        "client_id": app.client_id,
        "token_type": "refresh_token",
        "exp": grant.refresh_expires_at / 1000,
        "iss": browser.issuer().url,
    });
    if let Some(subject) = &grant.subject {
        match projections::users::get(state.pool(), tenant, &subject.user_id).await? {
            Some(user) if user.can_sign_in(state.now()) => {
                body["sub"] = json!(subject.user_id);
                body["username"] = json!(user.profile.username);
            }
            _ => return Ok(json!({ "active": false })),
        }
    }
    Ok(body)
}

/// Token revocation (RFC 7009): an access token, or a refresh token with its grant.
#[utoipa::path(
    post,
    path = "/revoke",
    tag = "OAuth 2.0",
    request_body(
        description = "Form fields (a JSON object of string values is read alike).",
        content(
            (TokenForm = "application/x-www-form-urlencoded"),
            (TokenForm = "application/json"),
        ),
    ),
    responses(
        (status = 200, description = "Revoked, or nothing to revoke (an unknown token is no error, RFC 7009 §2.2); an empty body."),
        (status = 400, description = "`invalid_request` (no `token`, both authentication methods), or `invalid_client` when the client authenticated with form fields.", body = ErrorBody),
        (status = 401, description = "`invalid_client` when the client authenticated with HTTP Basic.", body = ErrorBody),
        (status = 429, description = "`temporarily_unavailable`: too many failed client calls from the address.", body = ErrorBody),
        (status = 500, description = "`server_error` (plain text when the tenant of the host cannot be read).", content((ErrorBody = "application/json"), (String = "text/plain"))),
        (status = 503, description = "`temporarily_unavailable`: storage is unavailable; with `Retry-After` (plain text when it fails reading the tenant of the host).", content((ErrorBody = "application/json"), (String = "text/plain"))),
    ),
    security(("client_basic" = []), ())
)]
pub async fn revoke(
    State(state): State<AppState>,
    browser: Browser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WireError> {
    let form = params::parse(&headers, &body)?;
    let app = client::authenticate(&state, &browser.tenant_id, &headers, &form).await?;
    let token = form
        .get("token")
        .ok_or_else(|| OAuthError::InvalidRequest("token required".into()))?;
    // `token_type_hint` only speeds up a search; every kind of token is looked for (RFC 7009 §2.1).
    oauth::revoke_token(&state, &browser.context(), &browser.issuer(), &app, token).await?;
    Ok(axum::http::StatusCode::OK.into_response())
}
