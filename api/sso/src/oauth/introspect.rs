//! Token introspection (RFC 7662) and revocation (RFC 7009), for authenticated clients. A client
//! learns about its own tokens only; anything else is `{"active": false}`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use projections::applications::ApplicationRow;
use serde_json::json;

use super::client;
use super::error::WireError;
use super::params;
use idaas_http::web::Browser;
use usecases::oauth::{self, OAuthError};
use usecases::AppState;

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
                "jti": row.jti,
            });
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
