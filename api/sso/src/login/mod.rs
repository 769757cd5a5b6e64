//! The hosted login (specs/oneaccess.md §2.12, seed 002 A20): the sign-in form posting to
//! `POST /api/v1/login/form` (`username`, `password`), the steps a sign-in may still need (password
//! change, TOTP), and global logout `GET /api/v1/logout?redirect_url=`. The pages work without
//! JavaScript, are protected against cross-site request forgery with a double-submit cookie, ask
//! for a CAPTCHA after repeated failures, and resume the request that sent the browser here.

mod form;
pub mod pending;
mod sign_out;
mod steps;

use form::*;
pub use sign_out::*;

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use projections::applications::ApplicationRow;
use projections::users::UserRow;
use serde::Deserialize;
use usecases::clock::{IdSource, RandomIds};

use self::pending::{Pending, Step};
use idaas_http::failure::Failure;
use idaas_http::i18n::Lang;
use idaas_http::oneaccess_codes::{code_of, message, Coded};
use idaas_http::pages::{error_line, escape, hidden, language_links, page, Look};
use idaas_http::web::{self, Browser, CSRF_COOKIE, PENDING_COOKIE, SESSION_COOKIE};
use usecases::signin::{self, Challenge, SignInError, SignInRefusal};
use usecases::AppState;
use usecases::ServiceError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/login", get(show))
        .route("/api/v1/login/form", post(submit))
        .route(
            "/api/v1/login/password",
            get(steps::show_password).post(steps::submit_password),
        )
        .route(
            "/api/v1/login/otp",
            get(steps::show_otp).post(steps::submit_otp),
        )
        .route(
            "/api/v1/login/otp/enroll",
            get(steps::show_enroll).post(steps::submit_enroll),
        )
        .route("/api/v1/logout", get(logout).post(confirmed_logout))
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    return_to: Option<String>,
    client_id: Option<String>,
    lang: Option<String>,
    /// `login`: show the form even to a signed-in browser (OIDC `prompt=login`, `max_age`).
    prompt: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    username: Option<String>,
    password: Option<String>,
    csrf: Option<String>,
    return_to: Option<String>,
    client_id: Option<String>,
    remember_me: Option<String>,
    captcha_id: Option<String>,
    captcha: Option<String>,
    lang: Option<String>,
}

/// The hosted login page's URL for a request to resume.
pub fn login_url(return_to: &str, client_id: Option<&str>) -> String {
    let mut url = format!("/api/v1/login?return_to={}", web::encode(return_to));
    if let Some(client_id) = client_id {
        url.push_str(&format!("&client_id={}", web::encode(client_id)));
    }
    url
}

async fn application(
    state: &AppState,
    tenant: &str,
    client_id: Option<&str>,
) -> Option<ApplicationRow> {
    let client_id = client_id?;
    projections::applications::by_client_id(state.pool(), tenant, client_id)
        .await
        .ok()
        .flatten()
}

pub(crate) fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, Html(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; \
             form-action 'self' http: https:; frame-ancestors 'none'",
        ),
    );
    response
}

/// A page with a message and nothing else to do.
pub fn message_page(lang: Lang, status: StatusCode, heading: &str, text: &str) -> Response {
    let body = format!("<p>{}</p>", escape(text));
    html(status, page(lang, &Look::default(), heading, &body))
}

/// The CSRF value of this browser, and the cookie to set when it is new.
pub(crate) fn csrf_of(browser: &Browser) -> (String, Option<HeaderValue>) {
    match browser.cookie(CSRF_COOKIE).filter(|v| v.len() >= 32) {
        Some(value) => (value, None),
        None => {
            let value = RandomIds.base62(32);
            let cookie = browser.set_cookie(CSRF_COOKIE, &value, None);
            (value, Some(cookie))
        }
    }
}

/// The browser's device cookie: a random token, kept a year, that lets the lockout tell this
/// browser from others once its user has signed in with it (ops/adr/0012). Returns the token
/// and, when the browser had none, the cookie that sets one.
pub(crate) fn device_of(browser: &Browser) -> (String, Option<HeaderValue>) {
    match browser.cookie(DEVICE_COOKIE).filter(|v| v.len() >= 32) {
        Some(value) => (value, None),
        None => {
            let value = RandomIds.base62(32);
            let cookie = browser.set_cookie(DEVICE_COOKIE, &value, Some(DEVICE_COOKIE_SECONDS));
            (value, Some(cookie))
        }
    }
}

/// The device cookie's name and lifetime.
pub(crate) const DEVICE_COOKIE: &str = "idaas_device";
const DEVICE_COOKIE_SECONDS: i64 = 365 * 24 * 3600;

/// Whether a form carries this browser's CSRF value (double submit; SameSite=Lax keeps the cookie
/// off cross-site posts in the first place).
pub(crate) fn csrf_ok(browser: &Browser, given: Option<&str>) -> bool {
    match (browser.cookie(CSRF_COOKIE), given) {
        (Some(cookie), Some(given)) => {
            domain::pkce::constant_time_eq(cookie.as_bytes(), given.as_bytes())
        }
        _ => false,
    }
}

pub(crate) fn with_cookies(
    mut response: Response,
    cookies: impl IntoIterator<Item = HeaderValue>,
) -> Response {
    for cookie in cookies {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The application's look: its own login theme, else the named theme its details carry
/// (usecases::login_themes), else the default.
fn look_of(app: Option<&ApplicationRow>) -> Look {
    let theme = app.and_then(|a| usecases::login_themes::look_of(&a.protocols, &a.details));
    Look::of(app.map(|a| a.name.as_str()), theme.as_ref())
}

pub(crate) fn refusal_message(refusal: &SignInRefusal, lang: Lang) -> String {
    let zh = lang.is_chinese();
    match refusal {
        SignInRefusal::BadCredentials { remaining, .. } => {
            message("LOGIN.0002", &[remaining.to_string()], zh)
        }
        SignInRefusal::Captcha => message("CAPTCHA.0002", &[], zh),
        SignInRefusal::Locked { remaining_ms } => {
            let seconds = (remaining_ms + 999) / 1000;
            message(
                "LOGIN.0001",
                &[(seconds / 60).to_string(), (seconds % 60).to_string()],
                zh,
            )
        }
        SignInRefusal::Disabled => message("USER.0004", &[], zh),
    }
}

/// A page for an error the user cannot fix: "system busy", 500 for a failure of the server, 503
/// with `Retry-After` when storage is temporarily unavailable.
pub(crate) fn internal(lang: Lang, error: ServiceError) -> Response {
    // A failure is logged once, by whichever of the two classifies it.
    let (failure, Coded { code, args }) = match Failure::of_service(&error) {
        Some(failure) => (failure, Coded::new("COM.0002")),
        None => (
            Failure::Internal,
            code_of(error).unwrap_or_else(|| Coded::new("COM.0002")),
        ),
    };
    failure.finish(message_page(
        lang,
        failure.status(),
        lang.text("sign_in"),
        &message(code, &args, lang.is_chinese()),
    ))
}
