//! `GET {base}/login` and `GET {base}/logout` (specs/oneaccess.md #39, #41; CAS Protocol 3.0
//! §2.1–§2.3). A service ticket goes only to a registered service of an enabled application, for
//! a user with an enabled account in it; any other service gets an error page, never a redirect.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::protocols::is_web_url;

use super::{Base, Params};
use crate::login::{login_url, message_page};
use idaas_http::i18n::Lang;
use idaas_http::web::{self, Browser};
use usecases::cas;
use usecases::sso::{self, Ask, Denial, Freshness, Outcome};
use usecases::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
    Header,
}

fn page(lang: Lang, status: StatusCode, text: &str) -> Response {
    message_page(lang, status, lang.text("bad_request"), text)
}

/// "System busy" (503) with `Retry-After`.
fn busy(lang: Lang) -> Response {
    idaas_http::failure::Failure::Unavailable.finish(page(
        lang,
        StatusCode::SERVICE_UNAVAILABLE,
        "System busy. Please try again later.",
    ))
}

pub async fn login(state: AppState, browser: Browser, base: Base, params: Params) -> Response {
    let lang = browser.language(params.get("lang"));
    let renew = params.flag("renew");
    let gateway = params.flag("gateway") && !renew;
    let method = match params.get("method").map(str::to_ascii_uppercase).as_deref() {
        None | Some("GET") => Method::Get,
        Some("POST") => Method::Post,
        Some("HEADER") => Method::Header,
        Some(_) => {
            return page(
                lang,
                StatusCode::BAD_REQUEST,
                "method must be GET, POST or HEADER",
            )
        }
    };
    let auth_after = sso::return_marker(&state, params.get("auth_after"));
    let session = match browser.session(&state).await {
        Ok(session) => session,
        Err(_) => return busy(lang),
    };
    let new_login = session
        .as_ref()
        .is_some_and(|s| auth_after.is_some_and(|after| s.auth_time >= after));
    let signed_in = session.is_some();
    let Some(service) = params.get("service") else {
        // No service: say who is signed in, or sign in and come back here.
        return match session {
            Some(_) if !renew || new_login => message_page(
                lang,
                StatusCode::OK,
                lang.text("sign_in"),
                lang.text("cas_signed_in"),
            ),
            _ => to_login(base, &params, None, signed_in, state.now()),
        };
    };
    if !is_web_url(service) {
        return page(lang, StatusCode::BAD_REQUEST, lang.text("cas_bad_service"));
    }
    let app = match cas::application_for_service(&state, &browser.tenant_id, service).await {
        Ok(Some(app)) => app,
        Ok(None) => {
            return page(
                lang,
                StatusCode::FORBIDDEN,
                lang.text("cas_unknown_service"),
            )
        }
        Err(_) => return busy(lang),
    };
    if !app.enabled {
        return page(lang, StatusCode::FORBIDDEN, lang.text("app_unavailable"));
    }
    // CAS 3.0 §2.1.1: `renew` wants a new sign-in, `gateway` never shows the sign-in page.
    let freshness = match auth_after {
        _ if !renew => Freshness::Any,
        Some(after) => Freshness::SignedInSince(after),
        None => Freshness::New,
    };
    let ask = Ask::browser(freshness, gateway).with_account();
    let ctx = browser.context();
    let session = match sso::run(&state, &ctx, session, ask, &app).await {
        Ok(Outcome::Proceed(session)) => session,
        Ok(Outcome::Passive) => return web::redirect(service),
        Ok(Outcome::SignIn {
            signed_in,
            return_marker,
        }) => {
            return to_login(
                base,
                &params,
                Some(&app.client_id),
                signed_in,
                return_marker,
            )
        }
        Ok(Outcome::Denied(Denial::NoAccount)) => {
            return page(lang, StatusCode::FORBIDDEN, lang.text("no_account"))
        }
        Ok(Outcome::Denied(_)) => {
            return page(lang, StatusCode::FORBIDDEN, lang.text("app_unavailable"))
        }
        Err(_) => return busy(lang),
    };
    let ticket =
        match cas::issue_service_ticket(&state, &ctx, &app, &session, service, new_login).await {
            Ok(ticket) => ticket,
            Err(_) => return busy(lang),
        };
    match method {
        Method::Get => {
            let separator = if service.contains('?') { '&' } else { '?' };
            web::redirect(&format!("{service}{separator}ticket={ticket}"))
        }
        Method::Post => web::form_post(service, &[("ticket", ticket)]),
        Method::Header => header_reply(service, &ticket),
    }
}

/// `method=HEADER`: the service and ticket as response headers, for clients that read them.
fn header_reply(service: &str, ticket: &str) -> Response {
    let mut response = StatusCode::OK.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(service) {
        headers.insert(HeaderName::from_static("service"), value);
    }
    if let Ok(value) = HeaderValue::from_str(ticket) {
        headers.insert(HeaderName::from_static("ticket"), value);
    }
    headers.insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    response
}

/// To the hosted login page, to come back to this request once signed in (asking again when a
/// session exists but `renew` wants a new sign-in).
fn to_login(
    base: Base,
    params: &Params,
    client_id: Option<&str>,
    signed_in: bool,
    now: i64,
) -> Response {
    let mut resume: Vec<(&str, &str)> = ["service", "renew", "method", "format", "lang"]
        .into_iter()
        .filter_map(|k| params.get(k).map(|v| (k, v)))
        .collect();
    let now_text = now.to_string();
    resume.push(("auth_after", &now_text));
    let query = serde_urlencoded::to_string(&resume).unwrap_or_default();
    let mut url = login_url(&format!("{}/login?{query}", base.path), client_id);
    if signed_in {
        url.push_str("&prompt=login");
    }
    web::redirect(&url)
}

/// Ends the SSO session (its tickets' services are sent single-logout requests) and goes to
/// `service` when an application registered its host, else to the login page.
pub async fn logout(state: AppState, browser: Browser, params: Params) -> Response {
    let lang = browser.language(params.get("lang"));
    // `service` (CAS 3.0), or `url` as CAS 2.0 clients send it.
    let service = params
        .get("service")
        .or_else(|| params.get("url"))
        .map(str::trim);
    crate::login::sign_out(&state, &browser, lang, service, "cas_logout").await
}
