//! AUTH-02 `POST /token`: a code from AUTH-01 (`authorization_code`) or a refresh token
//! (`refresh_token`) exchanged for tokens in the envelope; the client authenticates with its
//! `client_id` and `client_secret` among the parameters.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use idaas_http::web::Browser;
use serde::Serialize;
use serde_json::json;
use usecases::oauth::{self, OAuthError, TokenSet};
use usecases::AppState;
use utoipa::{IntoParams, ToSchema};

use super::{params, required};
use crate::envelope::{ok, InspurError};
use crate::schema::{Envelope, ErrorEnvelope};

/// An OAuth refusal in the envelope.
fn refused(error: OAuthError) -> InspurError {
    match error {
        OAuthError::InvalidClient(_) => InspurError::client_refused(),
        OAuthError::InvalidGrant(_) => {
            InspurError::rule("code 或 refresh_token 无效、已使用或已过期")
        }
        OAuthError::UnauthorizedClient(_) => InspurError::rule("应用不允许使用该授权方式"),
        OAuthError::UnsupportedGrantType(_) => {
            InspurError::invalid("grant_type 必须是 authorization_code 或 refresh_token")
        }
        OAuthError::InvalidRequest(text) | OAuthError::InvalidScope(text) => {
            InspurError::invalid(text)
        }
        OAuthError::Internal(e) => e.into(),
    }
}

/// The parameters of AUTH-02, from the query, a form or a JSON object (the body's win; JSON
/// numbers are read as their text).
#[derive(ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Described only: `params` reads them.
struct TokenParams {
    /// `authorization_code` or `refresh_token` (one the application allows).
    grant_type: Option<String>,
    /// The application's client id.
    client_id: Option<String>,
    /// The application's client secret.
    client_secret: Option<String>,
    /// With `authorization_code`: the code AUTH-01 brought back.
    code: Option<String>,
    /// With `authorization_code`: the redirect URI the code was asked for with (the
    /// application's first when absent).
    redirect_uri: Option<String>,
    /// With `authorization_code`: the PKCE verifier, when the code was asked for with a
    /// challenge.
    code_verifier: Option<String>,
    /// With `refresh_token`: the refresh token.
    refresh_token: Option<String>,
}

/// The tokens AUTH-02 issues.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct Tokens {
    access_token: String,
    /// Always "Bearer".
    token_type: &'static str,
    /// The access token's lifetime in seconds.
    expires_in: i64,
    /// The granted scopes, space-separated.
    scope: String,
    /// Only when the application issues refresh tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    refresh_token: Option<String>,
    /// With `refreshToken`: its lifetime in seconds, null when the application sets none.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<u32>)]
    refresh_expires_in: Option<Option<u32>>,
    /// Only when the scope holds `openid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    id_token: Option<String>,
}

fn answer(set: &TokenSet, refresh_lifetime: Option<u32>) -> Response {
    let data = Tokens {
        access_token: set.access_token.clone(),
        token_type: "Bearer",
        expires_in: set.expires_in,
        scope: set.scope.clone(),
        refresh_token: set.refresh_token.clone(),
        refresh_expires_in: set.refresh_token.as_ref().map(|_| refresh_lifetime),
        id_token: set.id_token.clone(),
    };
    let mut response = ok(json!(data));
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// Exchanges a code from AUTH-01, or a refresh token, for tokens (AUTH-02).
///
/// The client authenticates with its `client_id` and `client_secret` among the parameters.
#[utoipa::path(
    post,
    path = "/token",
    tag = "authentication",
    operation_id = "token",
    params(TokenParams),
    request_body(content(
        (Option<TokenParams> = "application/x-www-form-urlencoded"),
        (Option<TokenParams> = "application/json"),
    ), description = "The parameters, here or in the query."),
    responses(
        (status = 200, description = "The tokens (`Cache-Control: no-store`).", body = Envelope<Tokens>),
        (status = 400, description = "A missing parameter (`参数错误: … 不能为空`), an unsupported `grant_type`, a grant the application does not allow (`应用不允许使用该授权方式`), a code or refresh token that is unknown, used or expired (`code 或 refresh_token 无效、已使用或已过期`), or a bad body.", body = ErrorEnvelope),
        (status = 401, description = "The client id and secret do not authenticate an application: `client_id 或 client_secret 错误`.", body = ErrorEnvelope),
        (status = 413, description = "A body over 2 MiB, outside the envelope, in plain text.", content_type = "text/plain", body = String),
        (status = 429, description = "Too many refused requests (400, 401) from this address: `系统繁忙,请稍后重试`, with `Retry-After`.", body = ErrorEnvelope),
        (status = 500, description = "A program error: the envelope (`系统异常`), or plain text before the tenant is known.", content(
            (ErrorEnvelope = "application/json"),
            (String = "text/plain"),
        )),
        (status = 503, description = "Storage is unavailable or busy for now (with `Retry-After`): the envelope (`系统繁忙,请稍后重试`), or plain text before the tenant is known.", content(
            (ErrorEnvelope = "application/json"),
            (String = "text/plain"),
        )),
    )
)]
pub async fn token(
    State(state): State<AppState>,
    browser: Browser,
    uri: Uri,
    body: Bytes,
) -> Result<Response, InspurError> {
    let params = params(&uri, &body)?;
    let grant_type = required(&params, "grant_type")?;
    let client_id = required(&params, "client_id")?;
    let secret = required(&params, "client_secret")?;
    let tenant = &browser.tenant_id;
    let app = oauth::authenticate_client(&state, tenant, client_id, secret)
        .await
        .map_err(refused)?;
    if !app.protocols.allows_grant(grant_type) {
        return Err(refused(OAuthError::UnauthorizedClient(String::new())));
    }
    let (ctx, issuer) = (browser.context(), browser.issuer());
    let set = match grant_type {
        "authorization_code" => {
            let code = required(&params, "code")?;
            // The code was asked for with the registered redirect URI (AUTH-01).
            let redirect_uri = params
                .get("redirect_uri")
                .cloned()
                .or_else(|| app.protocols.redirect_uris.first().cloned());
            let verifier = params.get("code_verifier").cloned();
            oauth::redeem_code(&state, &ctx, &issuer, &app, code, redirect_uri, verifier).await
        }
        "refresh_token" => {
            let refresh = required(&params, "refresh_token")?;
            oauth::refresh(&state, &ctx, &issuer, &app, refresh).await
        }
        _ => Err(OAuthError::UnsupportedGrantType(String::new())),
    }
    .map_err(refused)?;
    Ok(answer(&set, app.protocols.refresh_token_lifetime_secs))
}
