//! End-user authentication on the tenant's host (specs/inspur-idaas.md §2.15): AUTH-01
//! `GET /render/{mainAccount}/{appId}/auth` sends the browser through the one SSO pipeline — the
//! OAuth authorisation endpoint with the application's registered redirect URI, so the hosted
//! login (in the application's theme), sessions, the user's state and expiry, and the grants
//! of the application to the user or the user's organisations all decide as they do for every
//! protocol — and comes back to the application's `redirectUri` with a single-use `code`;
//! AUTH-02 `POST /token` exchanges it (or a refresh token) for tokens in the envelope;
//! AUTH-03 `POST /token/verify` says whether an access token is live. Parameters come from the
//! query, a form or a JSON body (§1.3).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use idaas_http::pages::{escape, page, Look};
use idaas_http::web::{self, Browser};
use serde::Deserialize;
use serde_json::{json, Value};
use usecases::oauth::{self, OAuthError, TokenSet};
use usecases::AppState;

use crate::envelope::{ok, InspurError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/render/{main_account}/{app}/auth", get(render))
        .route("/token", post(token))
        .route("/token/verify", post(verify))
}

fn message(status: StatusCode, heading: &str, text: &str, browser: &Browser) -> Response {
    let lang = browser.language(None);
    let body = format!("<p>{}</p>", escape(text));
    let mut response = (status, Html(page(lang, &Look::default(), heading, &body))).into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

#[derive(Deserialize, Default)]
pub struct RenderQuery {
    state: Option<String>,
}

/// AUTH-01: the main account names the tenant of this host (by id or name); the application is
/// named by its id or its client id.
async fn render(
    State(state): State<AppState>,
    browser: Browser,
    Path((main_account, app)): Path<(String, String)>,
    Query(query): Query<RenderQuery>,
) -> Response {
    let tenant = &browser.tenant_id;
    let pool = state.pool();
    let named = match projections::tenants::get(pool, tenant).await {
        Ok(row) => main_account == *tenant || row.is_some_and(|t| t.name == main_account),
        Err(_) => {
            return message(
                StatusCode::SERVICE_UNAVAILABLE,
                "系统繁忙",
                "请稍后重试",
                &browser,
            )
        }
    };
    if !named {
        return message(StatusCode::NOT_FOUND, "无法登录", "主账号不存在", &browser);
    }
    let found = match projections::applications::get(pool, tenant, &app).await {
        Ok(Some(found)) => Some(found),
        Ok(None) => projections::applications::by_client_id(pool, tenant, &app)
            .await
            .ok()
            .flatten(),
        Err(_) => None,
    };
    let Some(app) = found else {
        return message(StatusCode::NOT_FOUND, "无法登录", "应用不存在", &browser);
    };
    if !app.enabled {
        return message(StatusCode::FORBIDDEN, "无法登录", "应用已停用", &browser);
    }
    let Some(redirect_uri) = app.protocols.redirect_uris.first() else {
        return message(
            StatusCode::BAD_REQUEST,
            "无法登录",
            "应用未配置回调地址",
            &browser,
        );
    };
    let mut pairs = vec![
        ("response_type", "code".to_string()),
        ("client_id", app.client_id.clone()),
        ("redirect_uri", redirect_uri.clone()),
        ("scope", "openid".to_string()),
    ];
    if let Some(value) = query.state.filter(|s| !s.is_empty()) {
        pairs.push(("state", value));
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    web::redirect(&format!("/api/v1/oauth2/authorize?{query}"))
}

/// The request's parameters: the query's, then a JSON object's or a form's (the body wins).
fn params(uri: &Uri, body: &[u8]) -> Result<HashMap<String, String>, InspurError> {
    let mut params: HashMap<String, String> =
        serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    let text = std::str::from_utf8(body)
        .map_err(|_| InspurError::invalid("请求体不是 UTF-8"))?
        .trim();
    if text.starts_with('{') {
        let object: serde_json::Map<String, Value> = serde_json::from_str(text)
            .map_err(|e| InspurError::invalid(format!("请求体无效: {e}")))?;
        for (key, value) in object {
            match value {
                Value::String(s) => params.insert(key, s),
                Value::Number(n) => params.insert(key, n.to_string()),
                _ => None,
            };
        }
    } else if !text.is_empty() {
        let form: Vec<(String, String)> = serde_urlencoded::from_str(text)
            .map_err(|e| InspurError::invalid(format!("请求体无效: {e}")))?;
        params.extend(form);
    }
    Ok(params)
}

fn required<'a>(params: &'a HashMap<String, String>, name: &str) -> Result<&'a str, InspurError> {
    params
        .get(name)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| InspurError::invalid(format!("{name} 不能为空")))
}

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

fn answer(set: &TokenSet, refresh_lifetime: Option<u32>) -> Response {
    let mut data = json!({
        "accessToken": set.access_token,
        "tokenType": "Bearer",
        "expiresIn": set.expires_in,
        "scope": set.scope,
    });
    if let Some(refresh) = &set.refresh_token {
        data["refreshToken"] = json!(refresh);
        data["refreshExpiresIn"] = json!(refresh_lifetime);
    }
    if let Some(id_token) = &set.id_token {
        data["idToken"] = json!(id_token);
    }
    let mut response = ok(data);
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// AUTH-02 `POST /token` (`grant_type` `authorization_code` with `code`, or `refresh_token`
/// with `refresh_token`; `client_id` and `client_secret`).
async fn token(
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

/// AUTH-03 `POST /token/verify` (`accessToken`): `{active: false}`, or `active: true` with the
/// user, the application and the expiry.
async fn verify(
    State(state): State<AppState>,
    browser: Browser,
    uri: Uri,
    body: Bytes,
) -> Result<Response, InspurError> {
    let params = params(&uri, &body)?;
    let token = required(&params, "accessToken")?;
    let tenant = &browser.tenant_id;
    let issuer = browser.issuer();
    let Some((row, claims)) = oauth::live_access_token(&state, tenant, &issuer, token).await?
    else {
        return Ok(ok(json!({"active": false})));
    };
    let mut data = json!({
        "active": true,
        "clientId": claims["client_id"].clone(),
        "appId": row.application_id,
        "scope": row.scope,
        "exp": claims["exp"].clone(),
    });
    if let Some(user_id) = &row.user_id {
        let user = projections::users::get(state.pool(), tenant, user_id).await?;
        match user.filter(|u| u.can_sign_in(state.now())) {
            Some(user) => {
                data["userId"] = json!(user_id);
                data["accountName"] = json!(user.profile.username);
            }
            None => return Ok(ok(json!({"active": false}))),
        }
    }
    Ok(ok(data))
}
