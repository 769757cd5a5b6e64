//! Global logout `GET /api/v1/logout?redirect_url=` (specs/oneaccess.md #43), shared by CAS and
//! SAML logout: the session ends with its grants and tickets, SAML participants are sent
//! logout requests, and the browser goes to a registered host or the login page.

use super::*;

#[derive(Debug, Default, Deserialize)]
pub struct LogoutQuery {
    redirect_url: Option<String>,
    lang: Option<String>,
}

/// `GET /api/v1/logout?redirect_url=`: ends the SSO session (and every grant made in it) and
/// sends the browser to `redirect_url` when it is on a registered application's host, else to the
/// login page (no open redirect).
pub(super) async fn logout(
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
