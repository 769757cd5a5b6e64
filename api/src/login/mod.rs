//! The hosted login (specs/oneaccess.md §2.12, seed 002 A20): the sign-in form posting to
//! `POST /api/v1/login/form` (`username`, `password`), the steps a sign-in may still need (forced
//! password change), and global logout `GET /api/v1/logout?redirect_url=`. The pages work without
//! JavaScript, are protected against cross-site request forgery with a double-submit cookie, and
//! resume the request that sent the browser here.

pub mod i18n;
mod pages;
pub mod pending;

pub use pages::escape as pages_escape;

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use commands::services::random_base62;
use projections::applications::ApplicationRow;
use serde::Deserialize;

use self::i18n::Lang;
use self::pages::{error_line, escape, hidden, language_links, page, Look};
use self::pending::{Pending, Step};
use crate::oneaccess::error::{message, OneAccessError};
use crate::service::signin::{self, SignInError, SignInRefusal};
use crate::service::ServiceError;
use crate::state::AppState;
use crate::web::{self, Browser, CSRF_COOKIE, PENDING_COOKIE, SESSION_COOKIE};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/login", get(show))
        .route("/api/v1/login/form", axum::routing::post(submit))
        .route(
            "/api/v1/login/password",
            get(show_password).post(submit_password),
        )
        .route("/api/v1/logout", get(logout))
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

fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, Html(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self' http: https:; frame-ancestors 'none'"),
    );
    response
}

/// A page with a message and nothing else to do.
pub fn message_page(lang: Lang, status: StatusCode, heading: &str, text: &str) -> Response {
    let body = format!("<p>{}</p>", escape(text));
    html(status, page(lang, &Look::default(), heading, &body))
}

struct FormPage<'a> {
    lang: Lang,
    look: Look,
    csrf: String,
    return_to: Option<&'a str>,
    client_id: Option<&'a str>,
    username: &'a str,
    error: Option<String>,
}

fn login_page(form: FormPage<'_>) -> String {
    let lang = form.lang;
    let mut fields = hidden("csrf", &form.csrf);
    if let Some(r) = form.return_to {
        fields.push_str(&hidden("return_to", r));
    }
    if let Some(c) = form.client_id {
        fields.push_str(&hidden("client_id", c));
    }
    fields.push_str(&hidden("lang", if lang.is_chinese() { "zh" } else { "en" }));
    let mut self_link = "/api/v1/login".to_string();
    if let Some(r) = form.return_to {
        self_link = login_url(r, form.client_id);
    }
    let body = format!(
        r#"{error}<form method="post" action="/api/v1/login/form">
{fields}
<label for="username">{username_label}</label>
<input type="text" id="username" name="username" value="{username}" autocomplete="username" required autofocus>
<label for="password">{password_label}</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<label><input type="checkbox" name="remember_me" value="true"> {remember}</label>
<button type="submit">{submit}</button>
</form>
{links}"#,
        error = error_line(form.error.as_deref()),
        username_label = lang.text("username"),
        username = escape(form.username),
        password_label = lang.text("password"),
        remember = lang.text("remember_me"),
        submit = lang.text("submit"),
        links = language_links(&self_link),
    );
    page(lang, &form.look, lang.text("sign_in"), &body)
}

/// The CSRF value of this browser, and the cookie to set when it is new.
fn csrf_of(browser: &Browser) -> (String, Option<HeaderValue>) {
    match browser.cookie(CSRF_COOKIE).filter(|v| v.len() >= 32) {
        Some(value) => (value, None),
        None => {
            let value = random_base62(32);
            let cookie = browser.set_cookie(CSRF_COOKIE, &value, None);
            (value, Some(cookie))
        }
    }
}

fn with_cookies(
    mut response: Response,
    cookies: impl IntoIterator<Item = HeaderValue>,
) -> Response {
    for cookie in cookies {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// `GET /api/v1/login`: the sign-in form, or straight back to the request when already signed in.
async fn show(
    State(state): State<AppState>,
    browser: Browser,
    Query(query): Query<LoginQuery>,
) -> Response {
    let lang = browser.language(query.lang.as_deref());
    let return_to = query.return_to.as_deref().and_then(web::safe_return_path);
    let sign_in_again = query.prompt.as_deref() == Some("login");
    if let Some(cookie) = browser.cookie(SESSION_COOKIE).filter(|_| !sign_in_again) {
        if let Ok(Some(session)) =
            signin::session_of_cookie(&state, &browser.tenant_id, &cookie).await
        {
            if let Some(to) = &return_to {
                return web::redirect(to);
            }
            let user = projections::users::get(state.pool(), &browser.tenant_id, &session.user_id)
                .await
                .ok()
                .flatten();
            let name = user.map(|u| u.profile.user_name).unwrap_or_default();
            let body = format!(
                r#"<p>{} <strong>{}</strong></p><p><a href="/api/v1/logout">{}</a></p>"#,
                lang.text("signed_in_as"),
                escape(&name),
                lang.text("sign_out")
            );
            return html(
                StatusCode::OK,
                page(lang, &Look::default(), lang.text("sign_in"), &body),
            );
        }
    }
    let app = application(&state, &browser.tenant_id, query.client_id.as_deref()).await;
    let look = Look::of(
        app.as_ref().map(|a| a.name.as_str()),
        app.as_ref().and_then(|a| a.protocols.login_theme.as_ref()),
    );
    let (csrf, new_cookie) = csrf_of(&browser);
    let body = login_page(FormPage {
        lang,
        look,
        csrf,
        return_to: return_to.as_deref(),
        client_id: query.client_id.as_deref(),
        username: "",
        error: None,
    });
    with_cookies(html(StatusCode::OK, body), new_cookie)
}

fn refusal_message(refusal: &SignInRefusal, lang: Lang) -> String {
    let zh = lang.is_chinese();
    match refusal {
        SignInRefusal::BadCredentials { remaining } => {
            message("LOGIN.0002", &[remaining.to_string()], zh)
        }
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

/// `POST /api/v1/login/form`: checks the CSRF value, the password and the steps still due, then
/// starts the session and resumes the original request.
async fn submit(
    State(state): State<AppState>,
    browser: Browser,
    Form(form): Form<LoginForm>,
) -> Response {
    let lang = browser.language(form.lang.as_deref());
    let csrf_ok = match (browser.cookie(CSRF_COOKIE), form.csrf.as_deref()) {
        (Some(cookie), Some(given)) => {
            domain::pkce::constant_time_eq(cookie.as_bytes(), given.as_bytes())
        }
        _ => false,
    };
    if !csrf_ok {
        return message_page(
            lang,
            StatusCode::FORBIDDEN,
            lang.text("sign_in"),
            lang.text("csrf"),
        );
    }
    let return_to = form.return_to.as_deref().and_then(web::safe_return_path);
    let client_id = form.client_id.clone().filter(|c| !c.is_empty());
    let app = application(&state, &browser.tenant_id, client_id.as_deref()).await;
    let look = Look::of(
        app.as_ref().map(|a| a.name.as_str()),
        app.as_ref().and_then(|a| a.protocols.login_theme.as_ref()),
    );
    let username = form.username.clone().unwrap_or_default();
    let again = |error: String| {
        let (csrf, _) = csrf_of(&browser);
        html(
            StatusCode::OK,
            login_page(FormPage {
                lang,
                look: look.clone(),
                csrf,
                return_to: return_to.as_deref(),
                client_id: client_id.as_deref(),
                username: &username,
                error: Some(error),
            }),
        )
    };
    let password = form.password.clone().unwrap_or_default();
    if username.trim().is_empty()
        || password.is_empty()
        || username.len() > 256
        || password.len() > 1024
    {
        return again(
            message("LOGIN.0002", &["-".into()], lang.is_chinese())
                .replace(" Remaining attempts: -", ""),
        );
    }
    let ctx = browser.context();
    let user = match signin::check_password(&state, &ctx, username.trim(), &password).await {
        Ok(user) => user,
        Err(SignInError::Refused(refusal)) => return again(refusal_message(&refusal, lang)),
        Err(SignInError::Service(e)) => return internal(lang, e),
    };
    if let Some(app) = &app {
        match signin::has_account(
            &state,
            &browser.tenant_id,
            &user.user_id,
            &app.application_id,
        )
        .await
        {
            Ok(true) => {}
            Ok(false) => {
                if let Err(e) =
                    signin::record_failure(&state, &ctx, &user.user_id, "no_account", false).await
                {
                    return sign_in_internal(lang, e);
                }
                return again(lang.text("no_account").to_string());
            }
            Err(e) => return internal(lang, e.into()),
        }
    }
    let remember_me = form.remember_me.as_deref() == Some("true");
    if user.pwd_must_modify {
        let pending = Pending::new(
            &browser.tenant_id,
            &user.user_id,
            Step::ChangePassword,
            return_to,
            client_id,
            remember_me,
        );
        let cookie = browser.set_cookie(PENDING_COOKIE, &pending.encode(&state), Some(600));
        return with_cookies(web::redirect("/api/v1/login/password"), [cookie]);
    }
    finish(
        &state,
        &browser,
        &user.user_id,
        remember_me,
        return_to.as_deref(),
        lang,
    )
    .await
}

/// Starts the session (a new cookie: the session id is never carried over from before sign-in)
/// and sends the browser on.
async fn finish(
    state: &AppState,
    browser: &Browser,
    user_id: &str,
    remember_me: bool,
    return_to: Option<&str>,
    lang: Lang,
) -> Response {
    let started =
        match signin::start_session(state, &browser.context(), user_id, false, remember_me).await {
            Ok(started) => started,
            Err(e) => return internal(lang, e),
        };
    let max_age = remember_me.then_some(signin::REMEMBERED_SESSION_LIFETIME_MS / 1000);
    let session = browser.set_cookie(SESSION_COOKIE, &started.cookie, max_age);
    let clear_pending = browser.set_cookie(PENDING_COOKIE, "", Some(0));
    let target = return_to.unwrap_or("/api/v1/login");
    with_cookies(web::redirect(target), [session, clear_pending])
}

fn internal(lang: Lang, error: ServiceError) -> Response {
    let OneAccessError { code, args, .. } = OneAccessError::from(error);
    message_page(
        lang,
        StatusCode::INTERNAL_SERVER_ERROR,
        lang.text("sign_in"),
        &message(code, &args, lang.is_chinese()),
    )
}

fn sign_in_internal(lang: Lang, error: SignInError) -> Response {
    match error {
        SignInError::Service(e) => internal(lang, e),
        SignInError::Refused(r) => message_page(
            lang,
            StatusCode::OK,
            lang.text("sign_in"),
            &refusal_message(&r, lang),
        ),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    old_password: Option<String>,
    new_password: Option<String>,
    confirm_password: Option<String>,
    csrf: Option<String>,
    lang: Option<String>,
}

fn password_page(lang: Lang, csrf: &str, error: Option<&str>) -> String {
    let body = format!(
        r#"<p>{intro}</p>{error}<form method="post" action="/api/v1/login/password">
{csrf}
<label for="old_password">{old}</label>
<input type="password" id="old_password" name="old_password" autocomplete="current-password" required>
<label for="new_password">{new}</label>
<input type="password" id="new_password" name="new_password" autocomplete="new-password" required>
<label for="confirm_password">{confirm}</label>
<input type="password" id="confirm_password" name="confirm_password" autocomplete="new-password" required>
<button type="submit">{save}</button>
</form>"#,
        intro = lang.text("must_change"),
        error = error_line(error),
        csrf = hidden("csrf", csrf),
        old = lang.text("old_password"),
        new = lang.text("new_password"),
        confirm = lang.text("confirm_password"),
        save = lang.text("save"),
    );
    page(lang, &Look::default(), lang.text("change_password"), &body)
}

fn pending_of(state: &AppState, browser: &Browser, step: Step) -> Option<Pending> {
    let value = browser.cookie(PENDING_COOKIE)?;
    Pending::decode(state, &value, &browser.tenant_id, step)
}

/// `GET /api/v1/login/password`: the forced password change.
async fn show_password(
    State(state): State<AppState>,
    browser: Browser,
    Query(query): Query<LoginQuery>,
) -> Response {
    let lang = browser.language(query.lang.as_deref());
    if pending_of(&state, &browser, Step::ChangePassword).is_none() {
        return message_page(
            lang,
            StatusCode::BAD_REQUEST,
            lang.text("change_password"),
            lang.text("expired"),
        );
    }
    let (csrf, new_cookie) = csrf_of(&browser);
    with_cookies(
        html(StatusCode::OK, password_page(lang, &csrf, None)),
        new_cookie,
    )
}

/// `POST /api/v1/login/password`: changes the password (proving the old one again, under the
/// tenant's password policy) and then starts the session.
async fn submit_password(
    State(state): State<AppState>,
    browser: Browser,
    Form(form): Form<PasswordForm>,
) -> Response {
    let lang = browser.language(form.lang.as_deref());
    let csrf_ok = match (browser.cookie(CSRF_COOKIE), form.csrf.as_deref()) {
        (Some(cookie), Some(given)) => {
            domain::pkce::constant_time_eq(cookie.as_bytes(), given.as_bytes())
        }
        _ => false,
    };
    if !csrf_ok {
        return message_page(
            lang,
            StatusCode::FORBIDDEN,
            lang.text("change_password"),
            lang.text("csrf"),
        );
    }
    let Some(pending) = pending_of(&state, &browser, Step::ChangePassword) else {
        return message_page(
            lang,
            StatusCode::BAD_REQUEST,
            lang.text("change_password"),
            lang.text("expired"),
        );
    };
    let (csrf, _) = csrf_of(&browser);
    if form.new_password != form.confirm_password {
        return html(
            StatusCode::OK,
            password_page(lang, &csrf, Some(lang.text("mismatch"))),
        );
    }
    let mut ctx = browser.context();
    ctx.metadata.actor_kind = Some("user".into());
    ctx.metadata.actor_id = Some(pending.user_id.clone());
    let changed = crate::service::users::change_password_verified(
        &state,
        &ctx,
        &pending.user_id,
        form.old_password.clone().filter(|p| !p.is_empty()),
        form.new_password.clone().filter(|p| !p.is_empty()),
    )
    .await;
    match changed {
        Ok(()) => {}
        Err(ServiceError::Internal(e)) => return internal(lang, ServiceError::Internal(e)),
        Err(e) => {
            let OneAccessError { code, args, .. } = OneAccessError::from(e);
            let text = message(code, &args, lang.is_chinese());
            return html(StatusCode::OK, password_page(lang, &csrf, Some(&text)));
        }
    }
    finish(
        &state,
        &browser,
        &pending.user_id,
        pending.remember_me,
        pending.return_to.as_deref(),
        lang,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct LogoutQuery {
    redirect_url: Option<String>,
    lang: Option<String>,
}

/// `GET /api/v1/logout?redirect_url=`: ends the SSO session (and every grant made in it) and
/// sends the browser to `redirect_url` when it is on a registered application's host, else to the
/// login page (no open redirect).
async fn logout(
    State(state): State<AppState>,
    browser: Browser,
    Query(query): Query<LogoutQuery>,
) -> Response {
    let lang = browser.language(query.lang.as_deref());
    if let Some(cookie) = browser.cookie(SESSION_COOKIE) {
        match signin::session_of_cookie(&state, &browser.tenant_id, &cookie).await {
            Ok(Some(session)) => {
                let mut ctx = browser.context();
                ctx.metadata.actor_kind = Some("user".into());
                ctx.metadata.actor_id = Some(session.user_id.clone());
                if let Err(e) =
                    crate::oauth::logout::end(&state, &browser, &ctx, &session, "logout").await
                {
                    return internal(lang, e);
                }
            }
            Ok(None) => {}
            Err(e) => return internal(lang, e.into()),
        }
    }
    let target = match query.redirect_url.as_deref() {
        Some(url) => {
            match crate::oauth::logout::registered_host(&state, &browser.tenant_id, url).await {
                Ok(true) => url.to_string(),
                Ok(false) => "/api/v1/login".to_string(),
                Err(e) => return internal(lang, e.into()),
            }
        }
        None => "/api/v1/login".to_string(),
    };
    let clear = browser.set_cookie(SESSION_COOKIE, "", Some(0));
    with_cookies(web::redirect(&target), [clear])
}
