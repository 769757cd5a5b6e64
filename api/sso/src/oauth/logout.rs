//! Ending sessions: global logout's shared part, OIDC RP-initiated logout at
//! `/api/v1/oauth2/logout` (`id_token_hint`, `post_logout_redirect_uri` checked against the
//! registration, `state`), and back-channel logout tokens to clients that registered a URI.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::login::message_page;
use idaas_http::i18n::Lang;
use idaas_http::web::{self, Browser, SESSION_COOKIE};
use usecases::signin;
use usecases::AppState;

/// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2). Empty values count as
/// absent.
#[derive(ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct LogoutParams {
    /// An ID token this issuer signed; when it is the current session's, the session ends at once.
    #[schema(nullable = false)]
    id_token_hint: Option<String>,
    /// A URI the client registered for after logout; needs `id_token_hint` or `client_id`.
    #[schema(nullable = false)]
    post_logout_redirect_uri: Option<String>,
    /// Added to `post_logout_redirect_uri` unchanged.
    #[schema(nullable = false)]
    state: Option<String>,
    /// The client; must be the `id_token_hint`'s audience when both are given.
    #[schema(nullable = false)]
    client_id: Option<String>,
    /// The page's language: `zh-CN` or `en`.
    #[schema(nullable = false)]
    ui_locales: Option<String>,
}

/// The confirmation form's fields: the GET's, and the form's CSRF token.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LogoutForm {
    #[schema(nullable = false)]
    id_token_hint: Option<String>,
    #[schema(nullable = false)]
    post_logout_redirect_uri: Option<String>,
    #[schema(nullable = false)]
    state: Option<String>,
    #[schema(nullable = false)]
    client_id: Option<String>,
    #[schema(nullable = false)]
    ui_locales: Option<String>,
    /// The confirmation page's CSRF token; with it the session ends without an `id_token_hint`.
    #[schema(nullable = false)]
    csrf: Option<String>,
}

/// Ends the browser's session at a client's request (OpenID Connect RP-Initiated Logout).
#[utoipa::path(
    get,
    path = "/logout",
    tag = "OpenID Connect",
    params(LogoutParams),
    responses(
        (status = 302, description = "The session ended (or there was none): to `post_logout_redirect_uri` with `state`; the session cookie is cleared.", headers(("Location" = String, description = "The registered post-logout URI."))),
        (status = 200, description = "A signed-out page (no `post_logout_redirect_uri`), or, when a session is open and no `id_token_hint` names it, a page asking the user to confirm (a form posting here).", content_type = "text/html", body = String),
        (status = 400, description = "An error page: an `id_token_hint` that is not an ID token of this issuer, a `client_id` that is not its audience, an unregistered `post_logout_redirect_uri` or one without a client.", content_type = "text/html", body = String),
        (status = 429, description = "An error page: too many requests from the address.", content_type = "text/html", body = String),
        (status = 500, description = "The tenant of the host could not be read.", content_type = "text/plain", body = String),
        (status = 503, description = "Storage is unavailable while reading the tenant of the host; with `Retry-After`.", content_type = "text/plain", body = String),
    )
)]
pub async fn get_end_session(
    State(state): State<AppState>,
    browser: Browser,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    end_session(state, browser, params, false).await
}

/// Ends the browser's session: the confirmation form's post, or a client's posted request.
#[utoipa::path(
    post,
    path = "/logout",
    tag = "OpenID Connect",
    request_body(content = Option<LogoutForm>, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 302, description = "The session ended (or there was none): to `post_logout_redirect_uri` with `state`; the session cookie is cleared.", headers(("Location" = String, description = "The registered post-logout URI."))),
        (status = 200, description = "A signed-out page, or the confirmation page again when neither the `csrf` token nor an `id_token_hint` confirms it.", content_type = "text/html", body = String),
        (status = 400, description = "An error page, as for GET; or a form that does not parse (plain text).", content_type = "text/html", body = String),
        (status = 415, description = "The body is not `application/x-www-form-urlencoded` (plain text).", content_type = "text/plain", body = String),
        (status = 429, description = "An error page: too many requests from the address.", content_type = "text/html", body = String),
        (status = 500, description = "The tenant of the host could not be read.", content_type = "text/plain", body = String),
        (status = 503, description = "Storage is unavailable while reading the tenant of the host; with `Retry-After`.", content_type = "text/plain", body = String),
    )
)]
pub async fn post_end_session(
    State(state): State<AppState>,
    browser: Browser,
    Form(params): Form<HashMap<String, String>>,
) -> Response {
    end_session(state, browser, params, true).await
}

/// RP-initiated logout. With a valid `id_token_hint` for the current session the session ends at
/// once; without one the user confirms with a form (so a cross-site link cannot sign them out).
async fn end_session(
    state: AppState,
    browser: Browser,
    params: HashMap<String, String>,
    posted: bool,
) -> Response {
    let lang = browser.language(params.get("ui_locales").map(String::as_str));
    let get = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let tenant = &browser.tenant_id;
    let hint = match get("id_token_hint") {
        Some(token) => match state.signing.verify(&state.bus, tenant, token).await {
            Ok(Some(claims))
                if claims["iss"] == json!(browser.issuer().url) && is_id_token(&claims) =>
            {
                Some(claims)
            }
            Ok(_) => return bad(lang, "id_token_hint is not an id token of this issuer"),
            Err(_) => return bad(lang, "System busy. Please try again later."),
        },
        None => None,
    };
    let client_id = get("client_id").map(str::to_string).or_else(|| {
        hint.as_ref()
            .and_then(|c| c["aud"].as_str().map(str::to_string))
    });
    if let (Some(given), Some(claims)) = (get("client_id"), &hint) {
        if claims["aud"].as_str() != Some(given) {
            return bad(lang, "client_id does not match the id_token_hint");
        }
    }
    let target = match get("post_logout_redirect_uri") {
        Some(uri) => {
            let Some(client_id) = &client_id else {
                return bad(
                    lang,
                    "post_logout_redirect_uri needs id_token_hint or client_id",
                );
            };
            let app =
                projections::applications::by_client_id(state.pool(), tenant, client_id).await;
            match app {
                Ok(Some(app))
                    if app
                        .protocols
                        .post_logout_redirect_uris
                        .iter()
                        .any(|u| u == uri) =>
                {
                    let mut target = uri.to_string();
                    if let Some(s) = get("state") {
                        let sep = if target.contains('?') { '&' } else { '?' };
                        target.push_str(&format!("{sep}state={}", web::encode(s)));
                    }
                    Some(target)
                }
                Ok(_) => {
                    return bad(
                        lang,
                        "post_logout_redirect_uri is not registered for this client",
                    )
                }
                Err(_) => return bad(lang, "System busy. Please try again later."),
            }
        }
        None => None,
    };
    let session = match browser.cookie(SESSION_COOKIE) {
        Some(cookie) => signin::session_of_cookie(&state, tenant, &cookie)
            .await
            .ok()
            .flatten(),
        None => None,
    };
    if let Some(session) = &session {
        let hinted = hint.as_ref().is_some_and(|c| {
            c["sid"].as_str() == Some(session.session_id.as_str())
                || (c["sid"].is_null() && c["sub"].as_str() == Some(session.user_id.as_str()))
        });
        let confirmed =
            posted && crate::login::csrf_ok(&browser, params.get("csrf").map(String::as_str));
        if !hinted && !confirmed {
            return confirm_page(&browser, lang, &params);
        }
        let ctx = usecases::acting(&browser.context(), "user", &session.user_id);
        if usecases::session_end::end(&state, &browser.issuer(), &ctx, session, "rp_logout")
            .await
            .is_err()
        {
            return bad(lang, "System busy. Please try again later.");
        }
    }
    let clear = browser.set_cookie(SESSION_COOKIE, "", Some(0));
    let mut response = match target {
        Some(target) => web::redirect(&target),
        None => message_page(
            lang,
            StatusCode::OK,
            lang.text("sign_out"),
            lang.text("signed_out"),
        ),
    };
    response
        .headers_mut()
        .append(axum::http::header::SET_COOKIE, clear);
    response
}

/// Whether verified claims are an id token's: the same keys sign access tokens (`token_use`) and
/// logout tokens (`events`), which must not pass for one (RFC 8725 §2.8).
fn is_id_token(claims: &serde_json::Value) -> bool {
    claims.get("token_use").is_none() && claims.get("events").is_none()
}

fn bad(lang: Lang, text: &str) -> Response {
    message_page(lang, StatusCode::BAD_REQUEST, lang.text("sign_out"), text)
}

fn confirm_page(browser: &Browser, lang: Lang, params: &HashMap<String, String>) -> Response {
    use idaas_http::pages::escape;
    let (csrf, new_cookie) = crate::login::csrf_of(browser);
    let mut fields = format!(
        r#"<input type="hidden" name="csrf" value="{}">"#,
        escape(&csrf)
    );
    for name in [
        "post_logout_redirect_uri",
        "state",
        "client_id",
        "ui_locales",
    ] {
        if let Some(value) = params.get(name) {
            fields.push_str(&format!(
                r#"<input type="hidden" name="{name}" value="{}">"#,
                escape(value)
            ));
        }
    }
    let body = format!(
        r#"<!DOCTYPE html><html lang="{}"><head><meta charset="utf-8"><title>{}</title></head><body><main><form method="post" action="/api/v1/oauth2/logout">{fields}<button type="submit">{}</button></form></main></body></html>"#,
        lang.code(),
        lang.text("sign_out"),
        lang.text("sign_out")
    );
    crate::login::with_cookies(Html(body).into_response(), new_cookie)
}
