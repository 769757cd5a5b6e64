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
use usecases::oauth::{self, OAuthError};
use usecases::sso::{self, authorize, Ask, Denial, Freshness, Outcome};
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

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Query,
    Fragment,
    FormPost,
}

/// Where errors and results go once the client and redirect URI are known.
struct Reply {
    redirect_uri: String,
    mode: Mode,
    state: Option<String>,
}

impl Reply {
    fn send(&self, mut fields: Vec<(&str, String)>) -> Response {
        if let Some(state) = &self.state {
            fields.push(("state", state.clone()));
        }
        match self.mode {
            Mode::FormPost => web::form_post(&self.redirect_uri, &fields),
            Mode::Query | Mode::Fragment => {
                let encoded = serde_urlencoded::to_string(&fields).unwrap_or_default();
                let location = if self.mode == Mode::Fragment {
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
        self.send(vec![
            ("error", error.code().to_string()),
            ("error_description", error.to_string()),
        ])
    }

    fn error_code(&self, code: &str, description: &str) -> Response {
        self.send(vec![
            ("error", code.to_string()),
            ("error_description", description.to_string()),
        ])
    }
}

fn error_page(lang: Lang, text: &str) -> Response {
    message_page(
        lang,
        StatusCode::BAD_REQUEST,
        lang.text("bad_request"),
        text,
    )
}

async fn authorize(state: AppState, browser: Browser, pairs: Vec<(String, String)>) -> Response {
    let lang = browser.language(None);
    let params = match params::from_pairs(pairs) {
        Ok(params) => params,
        Err(e) => return error_page(lang, &e.to_string()),
    };
    let get = |name: &str| params.get(name).map(String::as_str);
    let Some(client_id) = get("client_id") else {
        return error_page(lang, "client_id required");
    };
    let app =
        match projections::applications::by_client_id(state.pool(), &browser.tenant_id, client_id)
            .await
        {
            Ok(Some(app)) => app,
            Ok(None) => return error_page(lang, "unknown client_id"),
            Err(_) => return error_page(lang, "System busy. Please try again later."),
        };
    let redirect_uri = match get("redirect_uri") {
        Some(uri) if app.protocols.redirect_allowed(uri) => uri.to_string(),
        Some(_) => return error_page(lang, "redirect_uri is not registered for this client"),
        None => match app.protocols.redirect_uris.as_slice() {
            [only] => only.clone(),
            _ => return error_page(lang, "redirect_uri required"),
        },
    };
    if !app.enabled {
        return message_page(
            lang,
            StatusCode::FORBIDDEN,
            lang.text("bad_request"),
            lang.text("app_unavailable"),
        );
    }
    let response_type: Vec<&str> = {
        let mut parts: Vec<&str> = get("response_type")
            .unwrap_or_default()
            .split(' ')
            .filter(|s| !s.is_empty())
            .collect();
        parts.sort_unstable();
        parts
    };
    let implicit = match response_type.as_slice() {
        ["code"] => false,
        ["id_token"] | ["id_token", "token"] => true,
        _ => {
            let reply = Reply {
                redirect_uri,
                mode: Mode::Query,
                state: get("state").map(str::to_string),
            };
            return reply.error_code(
                "unsupported_response_type",
                "response_type must be code, id_token or id_token token",
            );
        }
    };
    let mode = match get("response_mode") {
        None => {
            if implicit {
                Mode::Fragment
            } else {
                Mode::Query
            }
        }
        Some("query") if !implicit => Mode::Query,
        Some("fragment") => Mode::Fragment,
        Some("form_post") => Mode::FormPost,
        Some(_) => {
            let reply = Reply {
                redirect_uri,
                mode: if implicit {
                    Mode::Fragment
                } else {
                    Mode::Query
                },
                state: get("state").map(str::to_string),
            };
            return reply.error_code("invalid_request", "unsupported response_mode");
        }
    };
    let reply = Reply {
        redirect_uri: redirect_uri.clone(),
        mode,
        state: get("state").map(str::to_string),
    };
    let check = authorize::check_request(&app, &params, implicit);
    let (scope, challenge) = match check {
        Ok(checked) => checked,
        Err(e) => return reply.error(&e),
    };
    let session = match browser.session(&state).await {
        Ok(session) => session,
        Err(_) => return reply.error_code("server_error", "System busy. Please try again later."),
    };
    let ask = Ask::browser(freshness(&state, &params), has_prompt(&params, "none"));
    let ctx = browser.context();
    let session = match sso::run(&state, &ctx, session, ask, &app).await {
        Ok(Outcome::Proceed(session)) => session,
        Ok(Outcome::Passive) => {
            return reply.error_code("login_required", "the user is not signed in")
        }
        Ok(Outcome::SignIn {
            signed_in,
            return_marker,
        }) => return to_login(&params, client_id, signed_in, return_marker),
        Ok(Outcome::Denied(Denial::NoAccount)) => {
            return reply.error_code(
                "access_denied",
                "the user has no account in this application",
            )
        }
        Ok(Outcome::Denied(_)) => return reply.error_code("access_denied", "the user is disabled"),
        Err(_) => return reply.error_code("server_error", "System busy. Please try again later."),
    };
    let nonce = get("nonce").map(str::to_string);
    if implicit {
        let with_access = response_type.contains(&"token");
        let issued = oauth::implicit(
            &state,
            &ctx,
            &browser.issuer(),
            &app,
            &session,
            &scope,
            nonce,
            with_access,
        )
        .await;
        return match issued {
            Ok(set) => {
                let mut fields = Vec::new();
                if with_access {
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
        };
    }
    let bound_redirect = get("redirect_uri").map(str::to_string);
    match oauth::issue_code(
        &state,
        &ctx,
        &app,
        &session,
        &scope,
        nonce,
        bound_redirect,
        challenge,
    )
    .await
    {
        Ok(code) => reply.send(vec![("code", code)]),
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
