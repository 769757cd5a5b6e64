//! `GET|POST /api/v1/oauth2/authorize` (specs/oneaccess.md #46, #50, #53; RFC 6749 §4.1, OIDC Core
//! §3): the code flow with PKCE, the OIDC implicit flow, `response_mode` query, fragment and
//! form_post, `prompt`, `max_age` and `nonce`. An unknown client or an unregistered redirect URI
//! gets an error page, never a redirect; every later error goes back to the client.

use std::collections::HashMap;

use axum::extract::{Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;

use super::params;
use crate::login::{login_url, message_page};
use idaas_http::i18n::Lang;
use idaas_http::web::{self, Browser};
use usecases::oauth::OAuthError;
use usecases::sso::authorize::{self, Issued, Refusal, ResponseMode};
use usecases::sso::{self, Ask, Denial, Freshness, Outcome};
use usecases::AppState;

pub async fn get_authorize(
    State(state): State<AppState>,
    browser: Browser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    authorize(state, browser, pairs).await
}

pub async fn post_authorize(
    State(state): State<AppState>,
    browser: Browser,
    RawQuery(_): RawQuery,
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
