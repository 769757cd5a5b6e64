//! `POST /api/v1/oauth2/token` (specs/oneaccess.md #47, #49, #51, #52; RFC 6749 §4.1.3, §4.4, §6).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::client;
use super::error::{ErrorBody, WireError};
use super::params;
use idaas_http::web::Browser;
use usecases::oauth::{self, OAuthError, TokenSet};
use usecases::AppState;

/// The token request's fields, as the code reads them for each grant type. The client
/// authenticates with HTTP Basic (`client_secret_basic`) or with `client_id` and `client_secret`
/// here (`client_secret_post`), never both. An empty field counts as absent; a field given twice is
/// refused.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TokenRequest {
    grant_type: GrantType,
    /// `authorization_code`: the code from the authorization endpoint (RFC 6749 §4.1.3).
    #[schema(nullable = false)]
    code: Option<String>,
    /// `authorization_code`: the `redirect_uri` of the authorization request, when it named one
    /// (the code is bound to it).
    #[schema(nullable = false)]
    redirect_uri: Option<String>,
    /// `authorization_code`: the PKCE verifier, when the authorization request carried a
    /// `code_challenge` (RFC 7636 §4.5).
    #[schema(nullable = false)]
    code_verifier: Option<String>,
    /// `refresh_token`: the refresh token (RFC 6749 §6); each use issues a new one.
    #[schema(nullable = false)]
    refresh_token: Option<String>,
    /// `client_credentials`: space-separated scopes among `profile`, `email`, `phone` and
    /// `get_user_info` (`openid` and `offline_access` need a user); `get_user_info` when absent.
    #[schema(nullable = false)]
    scope: Option<String>,
    /// The client, with `client_secret_post`; with Basic it may be given and must match.
    #[schema(nullable = false)]
    client_id: Option<String>,
    /// The client's secret (`client_secret_post`).
    #[schema(nullable = false)]
    client_secret: Option<String>,
}

/// The grants the token endpoint serves; any other is `unsupported_grant_type`.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
}

/// The tokens issued (RFC 6749 §5.1), never cached.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenAnswer {
    access_token: String,
    /// Always `Bearer`.
    token_type: &'static str,
    /// Seconds the access token lives.
    expires_in: i64,
    /// The granted scopes, space-separated.
    scope: String,
    /// Issued when the application has a refresh-token lifetime, never for
    /// `client_credentials`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    refresh_token: Option<String>,
    /// Issued when the scope holds `openid` and there is a user.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    id_token: Option<String>,
}

/// Issues tokens for an authorization code (with PKCE), a refresh token or client credentials.
#[utoipa::path(
    post,
    path = "/token",
    tag = "OAuth 2.0",
    request_body(
        description = "Form fields (a JSON object of string values is read alike; a body labelled JSON that is not an object is read as a form).",
        content(
            (TokenRequest = "application/x-www-form-urlencoded"),
            (TokenRequest = "application/json"),
        ),
    ),
    responses(
        (status = 200, description = "The tokens.", body = TokenAnswer),
        (status = 400, description = "`invalid_request`, `invalid_grant`, `unauthorized_client`, `unsupported_grant_type`, `invalid_scope`, or `invalid_client` when the client authenticated with form fields.", body = ErrorBody),
        (status = 401, description = "`invalid_client` when the client authenticated with HTTP Basic (with a `WWW-Authenticate: Basic` challenge).", body = ErrorBody),
        (status = 429, description = "`temporarily_unavailable`: too many failed client calls from the address; `Retry-After` says when to try again.", body = ErrorBody),
        (status = 500, description = "`server_error` (plain text when the tenant of the host cannot be read).", content((ErrorBody = "application/json"), (String = "text/plain"))),
        (status = 503, description = "`temporarily_unavailable`: storage is unavailable; with `Retry-After` (plain text when it fails reading the tenant of the host).", content((ErrorBody = "application/json"), (String = "text/plain"))),
    ),
    security(("client_basic" = []), ())
)]
pub async fn token(
    State(state): State<AppState>,
    browser: Browser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WireError> {
    let form = params::parse(&headers, &body)?;
    let app = client::authenticate(&state, &browser.tenant_id, &headers, &form).await?;
    let ctx = browser.context();
    let issuer = browser.issuer();
    let grant_type = form.get("grant_type").map(String::as_str);
    let allowed = |grant: &str| {
        if app.protocols.allows_grant(grant) {
            Ok(())
        } else {
            Err(OAuthError::UnauthorizedClient(format!(
                "the client may not use the {grant} grant"
            )))
        }
    };
    let set = match grant_type {
        Some("authorization_code") => {
            allowed("authorization_code")?;
            let code = form
                .get("code")
                .ok_or_else(|| OAuthError::InvalidRequest("code required".into()))?;
            oauth::redeem_code(
                &state,
                &ctx,
                &issuer,
                &app,
                code,
                form.get("redirect_uri").cloned(),
                form.get("code_verifier").cloned(),
            )
            .await?
        }
        Some("refresh_token") => {
            let refresh_token = form
                .get("refresh_token")
                .ok_or_else(|| OAuthError::InvalidRequest("refresh_token required".into()))?;
            oauth::refresh(&state, &ctx, &issuer, &app, refresh_token).await?
        }
        Some("client_credentials") => {
            allowed("client_credentials")?;
            let scope = oauth::parse_scope(form.get("scope").map(String::as_str))?;
            oauth::client_credentials(&state, &ctx, &issuer, &app, &scope).await?
        }
        Some(other) => {
            return Err(
                OAuthError::UnsupportedGrantType(format!("unsupported grant_type {other}")).into(),
            )
        }
        None => return Err(OAuthError::InvalidRequest("grant_type required".into()).into()),
    };
    Ok(token_response(&set))
}

pub fn token_response(set: &TokenSet) -> Response {
    let body = TokenAnswer {
        access_token: set.access_token.clone(),
        token_type: "Bearer",
        expires_in: set.expires_in,
        scope: set.scope.clone(),
        refresh_token: set.refresh_token.clone(),
        id_token: set.id_token.clone(),
    };
    let mut response = Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
