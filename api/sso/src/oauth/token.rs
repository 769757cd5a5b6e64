//! `POST /api/v1/oauth2/token` (specs/oneaccess.md #47, #49, #51, #52; RFC 6749 §4.1.3, §4.4, §6).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::client;
use super::error::WireError;
use super::params;
use idaas_http::web::Browser;
use usecases::oauth::{self, OAuthError, TokenSet};
use usecases::AppState;

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
    let mut body = json!({
        "access_token": set.access_token,
        "token_type": "Bearer",
        "expires_in": set.expires_in,
        "scope": set.scope,
    });
    if let Some(refresh) = &set.refresh_token {
        body["refresh_token"] = json!(refresh);
    }
    if let Some(id_token) = &set.id_token {
        body["id_token"] = json!(id_token);
    }
    let mut response = Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
