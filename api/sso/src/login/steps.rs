//! The steps after the password: a forced or offered password change, the TOTP code, and TOTP
//! enrolment for a signed-in user. Each step is bound to the pending sign-in cookie issued for it.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

use super::pending::{Pending, Step};
use super::{
    csrf_of, csrf_ok, html, internal, message_page, next_step, refusal_message, with_cookies,
    LoginQuery,
};
use idaas_http::i18n::Lang;
use idaas_http::oneaccess_codes::{code_of, message, Coded};
use idaas_http::pages::{error_line, escape, hidden, page, Look};
use idaas_http::web::{Browser, PENDING_COOKIE, SESSION_COOKIE};
use usecases::signin::{self, SignInError};
use usecases::AppState;
use usecases::ServiceError;

/// The hidden fields every step form carries: its CSRF value and the page language.
fn step_fields(lang: Lang, csrf: &str) -> String {
    let code = if lang.is_chinese() { "zh" } else { "en" };
    hidden("csrf", csrf) + &hidden("lang", code)
}

fn pending_of(state: &AppState, browser: &Browser, step: Step) -> Option<Pending> {
    let value = browser.cookie(PENDING_COOKIE)?;
    Pending::decode(state, &value, &browser.tenant_id, step)
}

fn expired(lang: Lang, heading: &str) -> Response {
    message_page(lang, StatusCode::BAD_REQUEST, heading, lang.text("expired"))
}

fn forbidden(lang: Lang, heading: &str) -> Response {
    message_page(lang, StatusCode::FORBIDDEN, heading, lang.text("csrf"))
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    old_password: Option<String>,
    new_password: Option<String>,
    confirm_password: Option<String>,
    skip: Option<String>,
    csrf: Option<String>,
    lang: Option<String>,
}

fn password_page(lang: Lang, csrf: &str, may_skip: bool, error: Option<&str>) -> String {
    let (intro, skip) = if may_skip {
        (
            lang.text("expiring"),
            format!(
                r#"<button type="submit" name="skip" value="true" formnovalidate>{}</button>"#,
                lang.text("skip")
            ),
        )
    } else {
        (lang.text("must_change"), String::new())
    };
    let body = format!(
        r#"<p>{intro}</p>{error}<form method="post" action="/api/v1/login/password">
{csrf}
<label for="old_password">{old}</label>
<input type="password" id="old_password" name="old_password" autocomplete="current-password">
<label for="new_password">{new}</label>
<input type="password" id="new_password" name="new_password" autocomplete="new-password">
<label for="confirm_password">{confirm}</label>
<input type="password" id="confirm_password" name="confirm_password" autocomplete="new-password">
<button type="submit">{save}</button>
{skip}
</form>"#,
        error = error_line(error),
        csrf = step_fields(lang, csrf),
        old = lang.text("old_password"),
        new = lang.text("new_password"),
        confirm = lang.text("confirm_password"),
        save = lang.text("save"),
    );
    page(lang, &Look::default(), lang.text("change_password"), &body)
}

/// `GET /api/v1/login/password`: the forced change, or the offer to change an expiring password.
pub async fn show_password(
    State(state): State<AppState>,
    browser: Browser,
    Query(query): Query<LoginQuery>,
) -> Response {
    let lang = browser.language(query.lang.as_deref());
    let Some(pending) = pending_of(&state, &browser, Step::ChangePassword) else {
        return expired(lang, lang.text("change_password"));
    };
    let (csrf, new_cookie) = csrf_of(&browser);
    let body = password_page(lang, &csrf, pending.may_skip, None);
    with_cookies(html(StatusCode::OK, body), new_cookie)
}

/// `POST /api/v1/login/password`: changes the password (proving the old one again, under the
/// tenant's password policy), or skips an expiring one's change, then goes on.
pub async fn submit_password(
    State(state): State<AppState>,
    browser: Browser,
    Form(form): Form<PasswordForm>,
) -> Response {
    let lang = browser.language(form.lang.as_deref());
    let heading = lang.text("change_password");
    if !csrf_ok(&browser, form.csrf.as_deref()) {
        return forbidden(lang, heading);
    }
    let Some(mut pending) = pending_of(&state, &browser, Step::ChangePassword) else {
        return expired(lang, heading);
    };
    let user =
        match projections::users::get(state.pool(), &browser.tenant_id, &pending.user_id).await {
            Ok(Some(user)) if user.can_sign_in(state.now()) => user,
            Ok(_) => return expired(lang, heading),
            Err(e) => return internal(lang, e.into()),
        };
    if form.skip.as_deref() == Some("true") && pending.may_skip {
        pending.skipped_warning = true;
        return next_step(&state, &browser, &user, pending, &["pwd"], lang).await;
    }
    let (csrf, _) = csrf_of(&browser);
    let again = |text: &str| {
        html(
            StatusCode::OK,
            password_page(lang, &csrf, pending.may_skip, Some(text)),
        )
    };
    if form.new_password != form.confirm_password {
        return again(lang.text("mismatch"));
    }
    let ctx = usecases::acting(&browser.context(), "user", &pending.user_id);
    let changed = usecases::users::change_password_verified(
        &state,
        &ctx,
        &pending.user_id,
        form.old_password.clone().filter(|p| !p.is_empty()),
        form.new_password.clone().filter(|p| !p.is_empty()),
    )
    .await;
    match changed {
        Ok(()) => {}
        Err(e @ (ServiceError::Internal(_) | ServiceError::Unavailable(_))) => {
            return internal(lang, e)
        }
        Err(e) => {
            let Coded { code, args } = code_of(e).unwrap_or_else(|| Coded::new("COM.0002"));
            return again(&message(code, &args, lang.is_chinese()));
        }
    }
    let user =
        match projections::users::get(state.pool(), &browser.tenant_id, &pending.user_id).await {
            Ok(Some(user)) => user,
            Ok(None) => return expired(lang, heading),
            Err(e) => return internal(lang, e.into()),
        };
    next_step(&state, &browser, &user, pending, &["pwd"], lang).await
}

#[derive(Debug, Default, Deserialize)]
pub struct OtpForm {
    code: Option<String>,
    csrf: Option<String>,
    lang: Option<String>,
}

fn otp_page(
    lang: Lang,
    csrf: &str,
    action: &str,
    intro: &str,
    extra: &str,
    error: Option<&str>,
) -> String {
    let body = format!(
        r#"<p>{intro}</p>{extra}{error}<form method="post" action="{action}">
{csrf}
<label for="code">{label}</label>
<input type="text" id="code" name="code" inputmode="numeric" pattern="[0-9]{{6}}" maxlength="6" autocomplete="one-time-code" required autofocus>
<button type="submit">{verify}</button>
</form>"#,
        intro = escape(intro),
        error = error_line(error),
        action = escape(action),
        csrf = step_fields(lang, csrf),
        label = lang.text("otp_code"),
        verify = lang.text("verify"),
    );
    page(lang, &Look::default(), lang.text("otp_title"), &body)
}

/// `GET /api/v1/login/otp`: asks for the TOTP code.
pub async fn show_otp(
    State(state): State<AppState>,
    browser: Browser,
    Query(query): Query<LoginQuery>,
) -> Response {
    let lang = browser.language(query.lang.as_deref());
    if pending_of(&state, &browser, Step::Otp).is_none() {
        return expired(lang, lang.text("otp_title"));
    }
    let (csrf, new_cookie) = csrf_of(&browser);
    let body = otp_page(
        lang,
        &csrf,
        "/api/v1/login/otp",
        lang.text("otp_prompt"),
        "",
        None,
    );
    with_cookies(html(StatusCode::OK, body), new_cookie)
}

/// `POST /api/v1/login/otp`: checks the code (a wrong one counts towards the lockout) and starts
/// the session with `pwd` and `otp` as its methods.
pub async fn submit_otp(
    State(state): State<AppState>,
    browser: Browser,
    Form(form): Form<OtpForm>,
) -> Response {
    let lang = browser.language(form.lang.as_deref());
    let heading = lang.text("otp_title");
    if !csrf_ok(&browser, form.csrf.as_deref()) {
        return forbidden(lang, heading);
    }
    let Some(pending) = pending_of(&state, &browser, Step::Otp) else {
        return expired(lang, heading);
    };
    let ctx = browser.context();
    let code = form.code.clone().unwrap_or_default();
    let (csrf, _) = csrf_of(&browser);
    match signin::verify_second_factor(&state, &ctx, &pending.user_id, &code).await {
        Ok(()) => {}
        Err(SignInError::Refused(refusal)) => {
            let text = format!(
                "{} {}",
                lang.text("otp_wrong"),
                refusal_message(&refusal, lang)
            );
            let body = otp_page(
                lang,
                &csrf,
                "/api/v1/login/otp",
                lang.text("otp_prompt"),
                "",
                Some(&text),
            );
            return html(StatusCode::OK, body);
        }
        Err(SignInError::Service(e)) => return internal(lang, e),
    }
    let user =
        match projections::users::get(state.pool(), &browser.tenant_id, &pending.user_id).await {
            Ok(Some(user)) if user.can_sign_in(state.now()) => user,
            Ok(_) => return expired(lang, heading),
            Err(e) => return internal(lang, e.into()),
        };
    next_step(&state, &browser, &user, pending, &["pwd", "otp"], lang).await
}

/// The signed-in user of this browser, if any.
async fn signed_in(state: &AppState, browser: &Browser) -> Option<String> {
    let cookie = browser.cookie(SESSION_COOKIE)?;
    let session = signin::session_of_cookie(state, &browser.tenant_id, &cookie)
        .await
        .ok()??;
    Some(session.user_id)
}

fn enroll_page(
    browser: &Browser,
    lang: Lang,
    csrf: &str,
    pending: &Pending,
    error: Option<&str>,
) -> String {
    let secret = pending.secret.clone().unwrap_or_default();
    let issuer = web_issuer_label(browser);
    let uri = format!(
        "otpauth://totp/{issuer}:{user}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits=6&period=30",
        issuer = idaas_http::web::encode(&issuer),
        user = idaas_http::web::encode(&pending.user_id),
    );
    let extra = format!(
        r#"<p><code>{}</code></p><p><small>{}</small></p>"#,
        escape(&secret),
        escape(&uri)
    );
    otp_page(
        lang,
        csrf,
        "/api/v1/login/otp/enroll",
        lang.text("enroll_prompt"),
        &extra,
        error,
    )
}

fn web_issuer_label(browser: &Browser) -> String {
    format!("idaas ({})", browser.host)
}

/// `GET /api/v1/login/otp/enroll`: a new TOTP secret for the signed-in user, shown with its
/// `otpauth://` URI; it is enrolled only once a code from it is entered.
pub async fn show_enroll(
    State(state): State<AppState>,
    browser: Browser,
    Query(query): Query<LoginQuery>,
) -> Response {
    let lang = browser.language(query.lang.as_deref());
    let Some(user_id) = signed_in(&state, &browser).await else {
        return idaas_http::web::redirect(&super::login_url("/api/v1/login/otp/enroll", None));
    };
    match signin::second_factor(&state, &browser.tenant_id, &user_id).await {
        Ok(factor) if factor.enrolled() => {
            let heading = lang.text("enroll_title");
            return message_page(lang, StatusCode::OK, heading, lang.text("enrolled"));
        }
        Ok(_) => {}
        Err(e) => return internal(lang, e.into()),
    }
    let mut pending = Pending::new(
        &browser.tenant_id,
        &user_id,
        Step::Enroll,
        None,
        None,
        false,
        state.now(),
    );
    pending.secret = Some(signin::new_totp_secret());
    let (csrf, new_cookie) = csrf_of(&browser);
    let body = enroll_page(&browser, lang, &csrf, &pending, None);
    let cookie = browser.set_cookie(PENDING_COOKIE, &pending.encode(&state), Some(600));
    with_cookies(
        html(StatusCode::OK, body),
        new_cookie.into_iter().chain([cookie]),
    )
}

/// `POST /api/v1/login/otp/enroll`: enrols the secret shown if the code matches it.
pub async fn submit_enroll(
    State(state): State<AppState>,
    browser: Browser,
    Form(form): Form<OtpForm>,
) -> Response {
    let lang = browser.language(form.lang.as_deref());
    let heading = lang.text("enroll_title");
    if !csrf_ok(&browser, form.csrf.as_deref()) {
        return forbidden(lang, heading);
    }
    let user_id = signed_in(&state, &browser).await;
    let pending = pending_of(&state, &browser, Step::Enroll);
    let (Some(user_id), Some(pending)) = (user_id, pending) else {
        return expired(lang, heading);
    };
    if pending.user_id != user_id {
        return expired(lang, heading);
    }
    let secret = pending
        .secret
        .as_deref()
        .and_then(domain::totp::from_base32)
        .unwrap_or_default();
    let ctx = usecases::acting(&browser.context(), "user", &user_id);
    let code = form.code.clone().unwrap_or_default();
    match signin::enroll_second_factor(&state, &ctx, &user_id, secret, &code).await {
        Ok(Ok(())) => {
            let clear = browser.set_cookie(PENDING_COOKIE, "", Some(0));
            let page = message_page(lang, StatusCode::OK, heading, lang.text("enrolled"));
            with_cookies(page, [clear])
        }
        Ok(Err(_)) => {
            let (csrf, _) = csrf_of(&browser);
            let body = enroll_page(
                &browser,
                lang,
                &csrf,
                &pending,
                Some(lang.text("otp_wrong")),
            );
            html(StatusCode::OK, body)
        }
        Err(e) => internal(lang, e),
    }
}
