//! The sign-in form: `GET /api/v1/login` shows it (or who is signed in), `POST
//! /api/v1/login/form` checks the password, CAPTCHA and lockout, then goes to the next step or
//! back to the request that sent the browser here.

use super::*;

pub(super) struct FormPage<'a> {
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

pub(super) fn captcha_fields(lang: Lang, captcha: &Option<(String, Vec<u8>)>) -> String {
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

pub(super) fn login_page(form: FormPage<'_>) -> String {
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

/// `GET /api/v1/login`: the sign-in form, or straight back to the request when already signed in.
pub(super) async fn show(
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
    let (_, device_cookie) = device_of(&browser);
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
    with_cookies(
        html(StatusCode::OK, body),
        new_cookie.into_iter().chain(device_cookie),
    )
}

pub(super) async fn signed_in_page(
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

/// `POST /api/v1/login/form`: checks the CSRF value, the CAPTCHA when one is due, the password and
/// the application account, then goes on to the steps still due.
pub(super) async fn submit(
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
    let attempt = signin::Attempt {
        captcha,
        device: browser.cookie(DEVICE_COOKIE).filter(|v| v.len() >= 32),
    };
    let checked = signin::check_password(&state, &ctx, username.trim(), &password, attempt).await;
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
        match signin::may_use(&state, tenant, &user.user_id, &app.application_id).await {
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
pub(super) async fn finish(
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
