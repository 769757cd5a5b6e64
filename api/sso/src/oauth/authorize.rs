//! `GET|POST /api/v1/oauth2/authorize` (specs/oneaccess.md #46, #50, #53; RFC 6749 §4.1, OIDC Core
//! §3): the code flow with PKCE, the OIDC implicit flow, `response_mode` query, fragment and
//! form_post, `prompt`, `max_age` and `nonce`. An unknown client or an unregistered redirect URI
//! gets an error page, never a redirect; every later error goes back to the client.

use std::collections::HashMap;

use axum::extract::{Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use utoipa::{IntoParams, ToSchema};

use super::params;
use crate::login::{login_url, message_page};
use idaas_http::i18n::Lang;
use idaas_http::web::{self, Browser};
use usecases::oauth::OAuthError;
use usecases::sso::authorize::{self, Issued, Refusal, ResponseMode};
use usecases::sso::{self, Ask, Denial, Freshness, Outcome};
use usecases::AppState;

/// The authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636 §4.3). A parameter
/// given twice, or holding a NUL character, is refused with the error page; an empty one counts
/// as absent.
#[derive(ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AuthorizeParams {
    /// `code` (the code flow), `id_token` or `id_token token` (the OIDC implicit flow).
    response_type: String,
    /// The client's id.
    client_id: String,
    /// A registered redirect URI; may be left out when the client registered exactly one.
    #[schema(nullable = false)]
    redirect_uri: Option<String>,
    /// Space-separated among `openid`, `profile`, `email`, `phone`, `offline_access`,
    /// `get_user_info`; `get_user_info` when absent. The implicit flow needs `openid`.
    #[schema(nullable = false)]
    scope: Option<String>,
    /// Returned to the client unchanged; at most 2048 characters.
    #[schema(nullable = false)]
    state: Option<String>,
    /// Put into the ID token; required by the implicit flow; at most 512 characters.
    #[schema(nullable = false)]
    nonce: Option<String>,
    /// `query` (the code flow's default), `fragment` (the implicit flow's default) or
    /// `form_post`.
    #[schema(nullable = false)]
    response_mode: Option<String>,
    /// Space-separated: `none` (never show the sign-in page: `login_required` instead) and
    /// `login` (sign in again).
    #[schema(nullable = false)]
    prompt: Option<String>,
    /// Seconds since the user last signed in beyond which they sign in again.
    #[schema(nullable = false)]
    max_age: Option<u32>,
    /// PKCE: 43 to 128 characters of `[A-Za-z0-9-._~]`; required for a client registered to
    /// need PKCE.
    #[schema(nullable = false)]
    code_challenge: Option<String>,
    /// PKCE: `S256` or `plain` (the default); `S256` for a client that needs PKCE.
    #[schema(nullable = false)]
    code_challenge_method: Option<String>,
}

/// Starts the code flow or the OIDC implicit flow in the browser.
#[utoipa::path(
    get,
    path = "/authorize",
    tag = "OAuth 2.0",
    params(AuthorizeParams),
    responses(
        (status = 302, description = "To the sign-in page (no session yet, or one too old for `prompt`/`max_age`), or to `redirect_uri` with `code` and `state` (code flow, in the query), with `id_token` (and `access_token`, `token_type`, `expires_in`, `scope` for `id_token token`) and `state` (implicit flow, in the fragment), or with `error`, `error_description` and `state` (`invalid_request`, `unsupported_response_type`, `unauthorized_client`, `invalid_scope`, `login_required`, `access_denied`, `server_error`).", headers(("Location" = String, description = "Where the browser goes next."))),
        (status = 200, description = "`response_mode=form_post`: a page that posts the same fields to `redirect_uri`.", content_type = "text/html", body = String),
        (status = 400, description = "An error page, never a redirect: no or an unknown `client_id`, a `redirect_uri` that is not registered (or none where several are), a repeated parameter; or a query that does not parse (plain text).", content_type = "text/html", body = String),
        (status = 403, description = "An error page: the application is disabled.", content_type = "text/html", body = String),
        (status = 429, description = "An error page: too many requests from the address.", content_type = "text/html", body = String),
        (status = 500, description = "The tenant of the host could not be read.", content_type = "text/plain", body = String),
        (status = 503, description = "Storage is unavailable while reading the tenant of the host; with `Retry-After`.", content_type = "text/plain", body = String),
    )
)]
pub async fn get_authorize(
    State(state): State<AppState>,
    browser: Browser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    authorize(state, browser, pairs).await
}

/// Starts the code flow or the OIDC implicit flow, the request posted as a form.
#[utoipa::path(
    post,
    path = "/authorize",
    tag = "OAuth 2.0",
    request_body(content = AuthorizeParams, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 302, description = "As for GET: to the sign-in page, or to `redirect_uri` with the code, the tokens or the error.", headers(("Location" = String, description = "Where the browser goes next."))),
        (status = 200, description = "`response_mode=form_post`: a page that posts the fields to `redirect_uri`.", content_type = "text/html", body = String),
        (status = 400, description = "An error page: no or an unknown `client_id`, an unregistered `redirect_uri`, a repeated parameter; or a form that does not parse (plain text).", content_type = "text/html", body = String),
        (status = 403, description = "An error page: the application is disabled.", content_type = "text/html", body = String),
        (status = 415, description = "The body is not `application/x-www-form-urlencoded` (plain text).", content_type = "text/plain", body = String),
        (status = 429, description = "An error page: too many requests from the address.", content_type = "text/html", body = String),
        (status = 500, description = "The tenant of the host could not be read.", content_type = "text/plain", body = String),
        (status = 503, description = "Storage is unavailable while reading the tenant of the host; with `Retry-After`.", content_type = "text/plain", body = String),
    )
)]
pub async fn post_authorize(
    State(state): State<AppState>,
    browser: Browser,
    RawQuery(_query): RawQuery,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    authorize(state, browser, pairs).await
}

/// Where errors and results go once the client and redirect URI are known.
struct Reply {
    redirect_uri: String,
    mode: ResponseMode,
    state: Option<String>,
}

impl Reply {
    fn send(&self, mut fields: Vec<(&str, String)>) -> Response {
        if let Some(state) = &self.state {
            fields.push(("state", state.clone()));
        }
        match self.mode {
            ResponseMode::FormPost => web::form_post(&self.redirect_uri, &fields),
            ResponseMode::Query | ResponseMode::Fragment => {
                let encoded = serde_urlencoded::to_string(&fields).unwrap_or_default();
                let location = if self.mode == ResponseMode::Fragment {
                    format!("{}#{encoded}", self.redirect_uri)
                } else {
                    let sep = if self.redirect_uri.contains('?') {
                        '&'
                    } else {
                        '?'
                    };
                    format!("{}{sep}{encoded}", self.redirect_uri)
                };
                web::redirect(&location)
            }
        }
    }

    fn error(&self, error: &OAuthError) -> Response {
        self.error_code(error.code(), &error.to_string())
    }

    fn error_code(&self, code: &str, description: &str) -> Response {
        self.send(vec![
            ("error", code.to_string()),
            ("error_description", description.to_string()),
        ])
    }
}

fn error_page(lang: Lang, status: StatusCode, text: &str) -> Response {
    message_page(lang, status, lang.text("bad_request"), text)
}

const BUSY: &str = "System busy. Please try again later.";

async fn authorize(state: AppState, browser: Browser, pairs: Vec<(String, String)>) -> Response {
    let lang = browser.language(None);
    let params = match params::from_pairs(pairs) {
        Ok(params) => params,
        Err(e) => return error_page(lang, StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let request = match authorize::prepare(&state, &browser.tenant_id, &params).await {
        Ok(request) => request,
        Err(Refusal::Page(text)) => return error_page(lang, StatusCode::BAD_REQUEST, &text),
        Err(Refusal::ApplicationDisabled) => {
            return error_page(lang, StatusCode::FORBIDDEN, lang.text("app_unavailable"))
        }
        Err(Refusal::Redirect {
            redirect_uri,
            mode,
            state,
            code,
            description,
        }) => {
            let reply = Reply {
                redirect_uri,
                mode,
                state,
            };
            return reply.error_code(code, &description);
        }
    };
    let reply = Reply {
        redirect_uri: request.redirect_uri.clone(),
        mode: request.mode,
        state: request.state.clone(),
    };
    let session = match browser.session(&state).await {
        Ok(session) => session,
        Err(_) => return reply.error_code("server_error", BUSY),
    };
    let ask = Ask::browser(freshness(&state, &params), has_prompt(&params, "none"));
    let ctx = browser.context();
    let session = match sso::run(&state, &ctx, session, ask, &request.app).await {
        Ok(Outcome::Proceed(session)) => session,
        Ok(Outcome::Passive) => {
            return reply.error_code("login_required", "the user is not signed in")
        }
        Ok(Outcome::SignIn {
            signed_in,
            return_marker,
        }) => {
            let client_id = &request.app.client_id;
            return to_login(&params, client_id, signed_in, return_marker);
        }
        Ok(Outcome::Denied(Denial::NoAccount)) => {
            return reply.error_code(
                "access_denied",
                "the user has no account in this application",
            )
        }
        Ok(Outcome::Denied(_)) => return reply.error_code("access_denied", "the user is disabled"),
        Err(_) => return reply.error_code("server_error", BUSY),
    };
    match authorize::issue(&state, &ctx, &browser.issuer(), &request, &session).await {
        Ok(Issued::Code(code)) => reply.send(vec![("code", code)]),
        Ok(Issued::Implicit(set)) => {
            let mut fields = Vec::new();
            if request.with_access {
                fields.push(("access_token", set.access_token.clone()));
                fields.push(("token_type", "Bearer".to_string()));
                fields.push(("expires_in", set.expires_in.to_string()));
                fields.push(("scope", set.scope.clone()));
            }
            if let Some(id_token) = set.id_token {
                fields.push(("id_token", id_token));
            }
            reply.send(fields)
        }
        Err(e) => reply.error(&e),
    }
}

fn has_prompt(params: &HashMap<String, String>, value: &str) -> bool {
    params
        .get("prompt")
        .is_some_and(|p| p.split(' ').any(|p| p == value))
}

/// OIDC Core §3.1.2.1 `prompt=login` and `max_age`; back from the sign-in this request asked
/// for, only a session started since counts (the resume URL no longer carries `prompt`).
fn freshness(state: &AppState, params: &HashMap<String, String>) -> Freshness {
    if let Some(after) = sso::return_marker(state, params.get("auth_after").map(String::as_str)) {
        return Freshness::SignedInSince(after);
    }
    if has_prompt(params, "login") {
        return Freshness::New;
    }
    match params.get("max_age").map(|v| v.parse::<i64>()) {
        Some(Ok(age)) => Freshness::MaxAge(age),
        _ => Freshness::Any,
    }
}

/// To the sign-in page, to come back to this request (without `prompt`, with its return marker).
fn to_login(
    params: &HashMap<String, String>,
    client_id: &str,
    signed_in: bool,
    return_marker: i64,
) -> Response {
    let mut resume: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k.as_str() != "prompt" && k.as_str() != "auth_after")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    resume.sort();
    resume.push(("auth_after".into(), return_marker.to_string()));
    let query = serde_urlencoded::to_string(&resume).unwrap_or_default();
    let return_to = format!("/api/v1/oauth2/authorize?{query}");
    let mut login = login_url(&return_to, Some(client_id));
    if signed_in {
        // The session is too old for this request: the login page must ask again.
        login.push_str("&prompt=login");
    }
    web::redirect(&login)
}
