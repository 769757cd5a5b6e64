//! Global logout `GET /api/v1/logout?redirect_url=` (specs/oneaccess.md #43), shared by CAS and
//! SAML logout: the session ends with its grants and tickets, SAML participants are sent
//! logout requests, and the browser goes to a registered host or the login page.

use super::*;

#[derive(Debug, Default, Deserialize)]
pub struct LogoutQuery {
    redirect_url: Option<String>,
    lang: Option<String>,
    csrf: Option<String>,
}

/// `GET /api/v1/logout?redirect_url=`: with a live session, a page asking the user to confirm (a
/// link or image on another site cannot sign them out); without one, straight on to
/// `redirect_url` (on a registered application's host) or the login page.
pub(super) async fn logout(
    State(state): State<AppState>,
    browser: Browser,
    Query(query): Query<LogoutQuery>,
) -> Response {
    let lang = browser.language(query.lang.as_deref());
    let live = match browser.session(&state).await {
        Ok(session) => session.is_some(),
        Err(e) => return internal(lang, e.into()),
    };
    if live {
        return confirm_page(&browser, lang, query.redirect_url.as_deref());
    }
    let redirect_url = query.redirect_url.as_deref();
    sign_out(&state, &browser, lang, redirect_url, "logout").await
}

/// `POST /api/v1/logout` (`csrf`, `redirect_url`, `lang`): the confirmed logout; the session ends
/// with its grants and tickets, and the browser goes on as after `GET` without a session.
pub(super) async fn confirmed_logout(
    State(state): State<AppState>,
    browser: Browser,
    Form(form): Form<LogoutQuery>,
) -> Response {
    let lang = browser.language(form.lang.as_deref());
    if !csrf_ok(&browser, form.csrf.as_deref()) {
        let text = lang.text("csrf");
        return message_page(lang, StatusCode::FORBIDDEN, lang.text("sign_out"), text);
    }
    let redirect_url = form.redirect_url.as_deref();
    sign_out(&state, &browser, lang, redirect_url, "logout").await
}

fn confirm_page(browser: &Browser, lang: Lang, redirect_url: Option<&str>) -> Response {
    let (csrf, new_cookie) = csrf_of(browser);
    let mut fields = hidden("csrf", &csrf);
    if let Some(url) = redirect_url {
        fields.push_str(&hidden("redirect_url", url));
    }
    fields.push_str(&hidden("lang", if lang.is_chinese() { "zh" } else { "en" }));
    let body = format!(
        r#"<p>{question}</p><form method="post" action="/api/v1/logout">{fields}<button type="submit">{button}</button></form>"#,
        question = lang.text("confirm_sign_out"),
        button = lang.text("sign_out"),
    );
    let page = page(lang, &Look::default(), lang.text("sign_out"), &body);
    with_cookies(html(StatusCode::OK, page), new_cookie)
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
