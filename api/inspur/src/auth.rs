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
use idaas_http::openapi::ApiRouter;
use idaas_http::pages::{escape, page, Look};
use idaas_http::web::{self, Browser};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use usecases::oauth::{self, OAuthError, TokenSet};
use usecases::AppState;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::envelope::{ok, InspurError};
use crate::schema::{Envelope, ErrorEnvelope};

pub fn router() -> ApiRouter {
    let routes = ApiRouter::new()
        .routes(routes!(render))
        .routes(routes!(token))
        .routes(routes!(verify));
    crate::lenient::bodies_may_be_absent(routes)
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

/// The query of AUTH-01.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RenderQuery {
    /// Passed on to the authorisation request, and so back to the application with the code.
    state: Option<String>,
}

/// Signs the browser in and sends it to the application with a single-use `code` (AUTH-01).
///
/// The browser comes back to the application's first registered redirect URI.
/// The main account names the tenant of this host (by id or name); the application is named by
/// its id or its client id. The browser goes through the OAuth authorisation endpoint, where the
/// hosted login, sessions and the application's grants decide.
#[utoipa::path(
    get,
    path = "/render/{mainAccount}/{appId}/auth",
    tag = "authentication",
    operation_id = "renderAuth",
    params(
        ("mainAccount" = String, Path, description = "The tenant of this host, by id or name."),
        ("appId" = String, Path, description = "The application, by id or client id."),
        RenderQuery,
    ),
    responses(
        (status = 302, description = "To `/api/v1/oauth2/authorize` (response_type code, the application's client id and first redirect URI, scope openid, and `state`).",
            headers(("Location" = String, description = "The authorisation request."))),
        (status = 400, description = "An HTML page: the application has no redirect URI (`应用未配置回调地址`).", content_type = "text/html", body = String),
        (status = 403, description = "An HTML page: the application is disabled (`应用已停用`).", content_type = "text/html", body = String),
        (status = 404, description = "An HTML page: the main account is not this host's tenant (`主账号不存在`), or no such application (`应用不存在`).", content_type = "text/html", body = String),
        (status = 500, description = "The tenant could not be found: plain text.", content_type = "text/plain", body = String),
        (status = 503, description = "The tenant could not be read now: an HTML page, or plain text before the tenant is known.", content(
            (String = "text/html"),
            (String = "text/plain"),
        )),
    )
)]
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

/// The parameter of AUTH-03, from the query, a form or a JSON object (the body's wins).
#[derive(ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Described only: `params` reads it.
struct VerifyParams {
    /// The access token to check.
    #[schema(rename = "accessToken")]
    #[param(rename = "accessToken")]
    access_token: Option<String>,
}

/// What AUTH-03 says of a token: `{"active": false}` only, or all that applies of the rest.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct TokenStatus {
    /// Whether the token is live: issued here, not expired or revoked, its application enabled
    /// and its user still able to sign in.
    active: bool,
    /// The client id the token was issued to.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String)]
    client_id: Option<Value>,
    /// The application's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    app_id: Option<String>,
    /// The granted scopes, space-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    scope: Option<String>,
    /// When the token expires, in Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = i64)]
    exp: Option<Value>,
    /// The user, for a token issued to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    user_id: Option<String>,
    /// The user's sign-in name, for a token issued to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    account_name: Option<String>,
}

impl TokenStatus {
    fn inactive() -> Self {
        Self {
            active: false,
            client_id: None,
            app_id: None,
            scope: None,
            exp: None,
            user_id: None,
            account_name: None,
        }
    }
}

/// Whether an access token is live, and for whom (AUTH-03); the token itself is the credential.
#[utoipa::path(
    post,
    path = "/token/verify",
    tag = "authentication",
    operation_id = "verifyToken",
    params(VerifyParams),
    request_body(content(
        (Option<VerifyParams> = "application/x-www-form-urlencoded"),
        (Option<VerifyParams> = "application/json"),
    ), description = "The parameter, here or in the query."),
    responses(
        (status = 200, description = "What the token is.", body = Envelope<TokenStatus>),
        (status = 400, description = "No `accessToken` (`参数错误: accessToken 不能为空`), or a bad body.", body = ErrorEnvelope),
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
        return Ok(ok(json!(TokenStatus::inactive())));
    };
    let mut data = TokenStatus {
        active: true,
        client_id: Some(claims["client_id"].clone()),
        app_id: Some(row.application_id),
        scope: Some(row.scope),
        exp: Some(claims["exp"].clone()),
        user_id: None,
        account_name: None,
    };
    if let Some(user_id) = row.user_id {
        let user = projections::users::get(state.pool(), tenant, &user_id).await?;
        match user.filter(|u| u.can_sign_in(state.now())) {
            Some(user) => {
                data.account_name = Some(user.profile.username);
                data.user_id = Some(user_id);
            }
            None => return Ok(ok(json!(TokenStatus::inactive()))),
        }
    }
    Ok(ok(json!(data)))
}
