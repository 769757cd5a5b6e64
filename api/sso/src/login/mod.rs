//! The hosted login (specs/oneaccess.md §2.12, seed 002 A20): the sign-in form posting to
//! `POST /api/v1/login/form` (`username`, `password`), the steps a sign-in may still need (password
//! change, TOTP), and global logout `GET /api/v1/logout?redirect_url=`. The pages work without
//! JavaScript, are protected against cross-site request forgery with a double-submit cookie, ask
//! for a CAPTCHA after repeated failures, and resume the request that sent the browser here.

pub mod pending;
mod steps;

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

struct FormPage<'a> {
    lang: Lang,
    look: Look,
    csrf: String,
    return_to: Option<&'a str>,
    client_id: Option<&'a str>,
    username: &'a str,
    error: Option<String>,
    /// A CAPTCHA to answer: its id and PNG image.
    captcha: Option<(String, Vec<u8>)>,
}

fn captcha_fields(lang: Lang, captcha: &Option<(String, Vec<u8>)>) -> String {
    use base64::Engine;
    let Some((id, png)) = captcha else {
        return String::new();
    };
    let data = base64::engine::general_purpose::STANDARD.encode(png);
    format!(
        r#"{id}<label for="captcha">{label}</label>
<img src="data:image/png;base64,{data}" alt="captcha" width="130" height="44">
<input type="text" id="captcha" name="captcha" inputmode="numeric" autocomplete="off" required>"#,
        id = hidden("captcha_id", id),
        label = lang.text("captcha"),
    )
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
    let self_link = match form.return_to {
        Some(r) => login_url(r, form.client_id),
        None => "/api/v1/login".to_string(),
    };
    let body = format!(
        r#"{error}<form method="post" action="/api/v1/login/form">
{fields}
<label for="username">{username_label}</label>
<input type="text" id="username" name="username" value="{username}" autocomplete="username" required autofocus>
<label for="password">{password_label}</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
{captcha}
<label><input type="checkbox" name="remember_me" value="true"> {remember}</label>
<button type="submit">{submit}</button>
</form>
{links}"#,
        error = error_line(form.error.as_deref()),
        username_label = lang.text("username"),
        username = escape(form.username),
        password_label = lang.text("password"),
        captcha = captcha_fields(lang, &form.captcha),
        remember = lang.text("remember_me"),
        submit = lang.text("submit"),
        links = language_links(&self_link),
    );
    page(lang, &form.look, lang.text("sign_in"), &body)
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
        let session = signin::session_of_cookie(&state, &browser.tenant_id, &cookie).await;
        if let Ok(Some(session)) = session {
            if let Some(to) = &return_to {
                return web::redirect(to);
            }
            return signed_in_page(&state, &browser, &session.user_id, lang).await;
        }
    }
    let app = application(&state, &browser.tenant_id, query.client_id.as_deref()).await;
    let (csrf, new_cookie) = csrf_of(&browser);
    let body = login_page(FormPage {
        lang,
        look: look_of(app.as_ref()),
        csrf,
        return_to: return_to.as_deref(),
        client_id: query.client_id.as_deref(),
        username: "",
        error: None,
        captcha: None,
    });
    with_cookies(html(StatusCode::OK, body), new_cookie)
}

fn look_of(app: Option<&ApplicationRow>) -> Look {
    Look::of(
        app.map(|a| a.name.as_str()),
        app.and_then(|a| a.protocols.login_theme.as_ref()),
    )
}

async fn signed_in_page(
    state: &AppState,
    browser: &Browser,
    user_id: &str,
    lang: Lang,
) -> Response {
    let user = projections::users::get(state.pool(), &browser.tenant_id, user_id)
        .await
        .ok()
        .flatten();
    let name = user.map(|u| u.profile.username).unwrap_or_default();
    let body = format!(
        r#"<p>{} <strong>{}</strong></p><p><a href="/api/v1/login/otp/enroll">{}</a></p><p><a href="/api/v1/logout">{}</a></p>"#,
        lang.text("signed_in_as"),
        escape(&name),
        lang.text("enroll_title"),
        lang.text("sign_out")
    );
    html(
        StatusCode::OK,
        page(lang, &Look::default(), lang.text("sign_in"), &body),
    )
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

/// `POST /api/v1/login/form`: checks the CSRF value, the CAPTCHA when one is due, the password and
/// the application account, then goes on to the steps still due.
async fn submit(
    State(state): State<AppState>,
    browser: Browser,
    Form(form): Form<LoginForm>,
) -> Response {
    let lang = browser.language(form.lang.as_deref());
    if !csrf_ok(&browser, form.csrf.as_deref()) {
        let text = lang.text("csrf");
        return message_page(lang, StatusCode::FORBIDDEN, lang.text("sign_in"), text);
    }
    let return_to = form.return_to.as_deref().and_then(web::safe_return_path);
    let client_id = form.client_id.clone().filter(|c| !c.is_empty());
    let app = application(&state, &browser.tenant_id, client_id.as_deref()).await;
    let username = form.username.clone().unwrap_or_default();
    let ctx = browser.context();
    let again = |error: String, captcha: Option<(String, Vec<u8>)>| {
        let (csrf, _) = csrf_of(&browser);
        let body = login_page(FormPage {
            lang,
            look: look_of(app.as_ref()),
            csrf,
            return_to: return_to.as_deref(),
            client_id: client_id.as_deref(),
            username: &username,
            error: Some(error),
            captcha,
        });
        html(StatusCode::OK, body)
    };
    let password = form.password.clone().unwrap_or_default();
    let too_long = username.len() > 256 || password.len() > 1024;
    if username.trim().is_empty() || password.is_empty() || too_long {
        return again(message("PARAM.0010", &[], lang.is_chinese()), None);
    }
    let captcha = match (form.captcha_id.clone(), form.captcha.clone()) {
        (Some(captcha_id), Some(answer)) => Some(signin::CaptchaAnswer { captcha_id, answer }),
        _ => None,
    };
    let checked = signin::check_password(&state, &ctx, username.trim(), &password, captcha).await;
    let user = match checked {
        Ok(user) => user,
        Err(SignInError::Refused(refusal)) => {
            let needs_captcha = matches!(
                refusal,
                SignInRefusal::Captcha | SignInRefusal::BadCredentials { captcha: true, .. }
            );
            let captcha = if needs_captcha {
                match usecases::captcha::issue(&state, &ctx).await {
                    Ok(captcha) => Some(captcha),
                    Err(e) => return internal(lang, e),
                }
            } else {
                None
            };
            return again(refusal_message(&refusal, lang), captcha);
        }
        Err(SignInError::Service(e)) => return internal(lang, e),
    };
    if let Some(app) = &app {
        let tenant = &browser.tenant_id;
        match signin::has_account(&state, tenant, &user.user_id, &app.application_id).await {
            Ok(true) => {}
            Ok(false) => {
                let recorded =
                    signin::record_failure(&state, &ctx, &user.user_id, "no_account", false).await;
                if let Err(SignInError::Service(e)) = recorded {
                    return internal(lang, e);
                }
                return again(lang.text("no_account").to_string(), None);
            }
            Err(e) => return internal(lang, e.into()),
        }
    }
    let pending = Pending::new(
        &browser.tenant_id,
        &user.user_id,
        Step::ChangePassword,
        return_to,
        client_id,
        form.remember_me.as_deref() == Some("true"),
        state.now(),
    );
    next_step(&state, &browser, &user, pending, &["pwd"], lang).await
}

/// Sends the browser to the first step still due after the password (a password change, the
/// second factor), or starts the session when none is.
pub(crate) async fn next_step(
    state: &AppState,
    browser: &Browser,
    user: &UserRow,
    mut pending: Pending,
    methods: &[&str],
    lang: Lang,
) -> Response {
    let due = match signin::challenges(state, &browser.tenant_id, user).await {
        Ok(due) => due,
        Err(e) => return internal(lang, e),
    };
    for challenge in due {
        let (step, target) = match challenge {
            Challenge::PasswordExpired => {
                pending.may_skip = false;
                (Step::ChangePassword, "/api/v1/login/password")
            }
            Challenge::PasswordWarn { .. } if pending.skipped_warning => continue,
            Challenge::PasswordWarn { .. } => {
                pending.may_skip = true;
                (Step::ChangePassword, "/api/v1/login/password")
            }
            Challenge::SecondFactor if methods.contains(&"otp") => continue,
            Challenge::SecondFactor => (Step::Otp, "/api/v1/login/otp"),
        };
        pending.step = step;
        pending.expires_at = state.now() + pending::LIFETIME_MS;
        let cookie = browser.set_cookie(PENDING_COOKIE, &pending.encode(state), Some(600));
        // The language chosen on the login page carries on to the next step.
        let target = if lang.is_chinese() {
            format!("{target}?lang=zh")
        } else {
            target.to_string()
        };
        return with_cookies(web::redirect(&target), [cookie]);
    }
    finish(state, browser, &user.user_id, methods, &pending, lang).await
}

/// Starts the session (a new cookie: nothing from before sign-in is carried over) and sends the
/// browser on.
async fn finish(
    state: &AppState,
    browser: &Browser,
    user_id: &str,
    methods: &[&str],
    pending: &Pending,
    lang: Lang,
) -> Response {
    let ctx = browser.context();
    let started = signin::start_session(state, &ctx, user_id, methods, pending.remember_me).await;
    let started = match started {
        Ok(started) => started,
        Err(e) => return internal(lang, e),
    };
    let max_age = pending
        .remember_me
        .then_some(signin::REMEMBERED_SESSION_LIFETIME_MS / 1000);
    let session = browser.set_cookie(SESSION_COOKIE, &started.cookie, max_age);
    let clear_pending = browser.set_cookie(PENDING_COOKIE, "", Some(0));
    let target = pending.return_to.as_deref().unwrap_or("/api/v1/login");
    with_cookies(web::redirect(target), [session, clear_pending])
}

pub(crate) fn internal(lang: Lang, error: ServiceError) -> Response {
    let Coded { code, args } = code_of(error).unwrap_or_else(|| Coded::new("COM.0002"));
    message_page(
        lang,
        StatusCode::INTERNAL_SERVER_ERROR,
        lang.text("sign_in"),
        &message(code, &args, lang.is_chinese()),
    )
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
    sign_out(
        &state,
        &browser,
        lang,
        query.redirect_url.as_deref(),
        "logout",
    )
    .await
}

/// Ends the browser's session (if any) and sends it to `redirect_url` when that is on a host
/// an application registered, else to the login page. Global and CAS logout share it.
pub async fn sign_out(
    state: &AppState,
    browser: &Browser,
    lang: Lang,
    redirect_url: Option<&str>,
    reason: &str,
) -> Response {
    let tenant = &browser.tenant_id;
    // SAML service providers of the session, told through the browser once it has ended.
    let mut saml_chain = None;
    if let Some(cookie) = browser.cookie(SESSION_COOKIE) {
        match signin::session_of_cookie(state, tenant, &cookie).await {
            Ok(Some(session)) => {
                let ctx = usecases::acting(&browser.context(), "user", &session.user_id);
                let participants =
                    usecases::saml::logout::participants(state, tenant, &session.session_id, None)
                        .await;
                let ended =
                    usecases::session_end::end(state, &browser.issuer(), &ctx, &session, reason)
                        .await;
                if let Err(e) = ended {
                    return internal(lang, e);
                }
                match participants {
                    Ok(participants) if !participants.is_empty() => {
                        saml_chain = Some((ctx, session.session_id.clone(), participants));
                    }
                    Ok(_) => {}
                    Err(e) => return internal(lang, e.into()),
                }
            }
            Ok(None) => {}
            Err(e) => return internal(lang, e.into()),
        }
    }
    let target = match redirect_url {
        Some(url) => match usecases::session_end::registered_host(state, tenant, url).await {
            Ok(true) => url.to_string(),
            Ok(false) => "/api/v1/login".to_string(),
            Err(e) => return internal(lang, e.into()),
        },
        None => "/api/v1/login".to_string(),
    };
    let clear = browser.set_cookie(SESSION_COOKIE, "", Some(0));
    if let Some((ctx, session_id, participants)) = saml_chain {
        let chain =
            usecases::saml::logout::start(state, &ctx, &session_id, None, participants, &target)
                .await;
        match chain {
            Ok(chain) => {
                let next = crate::saml::slo::continue_url(&chain);
                return with_cookies(web::redirect(&next), [clear]);
            }
            Err(e) => return internal(lang, e),
        }
    }
    with_cookies(web::redirect(&target), [clear])
}
