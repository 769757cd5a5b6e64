//! AUTH-01 `GET /render/{mainAccount}/{appId}/auth`: the browser goes through the OAuth
//! authorisation endpoint with the application's first registered redirect URI, and comes back
//! to the application with a single-use `code`; refusals are HTML pages.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use idaas_http::pages::{escape, page, Look};
use idaas_http::web::{self, Browser};
use serde::Deserialize;
use usecases::AppState;
use utoipa::IntoParams;

/// A refusal as an HTML page.
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
/// The main account names the tenant of this host (by id or name); the application is named by
/// its id or its client id. The browser goes through the OAuth authorisation endpoint, where the
/// hosted login, sessions and the application's grants decide, and comes back to the
/// application's first registered redirect URI.
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
        (status = 400, description = "An HTML page: the application has no redirect URI (`应用未配置回调地址`). In plain text: a path segment that is not UTF-8 or a query parameter given twice.", content(
            (String = "text/html"),
            (String = "text/plain"),
        )),
        (status = 403, description = "An HTML page: the application is disabled (`应用已停用`).", content_type = "text/html", body = String),
        (status = 404, description = "An HTML page: the main account is not this host's tenant (`主账号不存在`), or no such application (`应用不存在`).", content_type = "text/html", body = String),
        (status = 429, description = "Too many requests from this address: an HTML page, with `Retry-After`.", content_type = "text/html", body = String),
        (status = 500, description = "The tenant could not be found: plain text.", content_type = "text/plain", body = String),
        (status = 503, description = "The tenant could not be read now: an HTML page, or plain text before the tenant is known.", content(
            (String = "text/html"),
            (String = "text/plain"),
        )),
    )
)]
pub async fn render(
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
