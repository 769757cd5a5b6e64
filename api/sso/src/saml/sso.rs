//! `GET|POST /api/v1/saml2/idp/sso` (specs/oneaccess.md #44; SAML 2.0 Web Browser SSO profile):
//! an AuthnRequest over HTTP-Redirect or HTTP-POST, IdP-initiated sign-in with `sp=`, and the
//! return from the login page (`resume=`). A request that cannot be tied to a registered service
//! provider gets an error page; once the SP is known, every refusal is a signed SAML Response
//! with its status, posted to the SP's registered ACS (never to a URL the request names).

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use domain::protocols::SamlServiceProvider;
use domain::saml_login::Requested;

use super::send::post_response;
use super::status_page as page;
use crate::cas::Params;
use crate::login::{login_url, message_page};
use idaas_http::i18n::Lang;
use idaas_http::web::{self, Browser};
use usecases::saml::messages::{self};
use usecases::saml::xml::Status;
use usecases::saml::{self, Idp, IssueRefusal, RequestRefusal};
use usecases::sso::{self, Ask, Denial, Freshness, Outcome};
use usecases::AppState;
use xml_dsig as dsig;

/// "System busy" (503) with `Retry-After`.
fn busy(lang: Lang) -> Response {
    idaas_http::failure::Failure::Unavailable.finish(message_page(
        lang,
        StatusCode::SERVICE_UNAVAILABLE,
        lang.text("bad_request"),
        "System busy. Please try again later.",
    ))
}

pub async fn get_sso(
    State(state): State<AppState>,
    browser: Browser,
    RawQuery(query): RawQuery,
) -> Response {
    let raw = query.unwrap_or_default();
    let params = Params::parse(Some(&raw));
    let lang = browser.language(params.get("lang"));
    if let Some(request) = params.get("SAMLRequest") {
        let relay = params.get("RelayState").map(str::to_string);
        return inbound(&state, &browser, request, relay, Some(&raw)).await;
    }
    if let Some(entity_id) = params.get("sp") {
        let relay = params.get("RelayState").map(str::to_string);
        return unsolicited(&state, &browser, entity_id, relay).await;
    }
    if let Some(login_id) = params.get("resume") {
        let after = sso::return_marker(&state, params.get("auth_after"));
        return answer(&state, &browser, login_id, after).await;
    }
    page(
        lang,
        &Status::requester(None, "SAMLRequest, sp or resume is required"),
    )
}

pub async fn post_sso(
    State(state): State<AppState>,
    browser: Browser,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let get = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    match get("SAMLRequest") {
        Some(request) => inbound(&state, &browser, &request, get("RelayState"), None).await,
        None => page(
            browser.language(None),
            &Status::requester(None, "SAMLRequest is required"),
        ),
    }
}

/// An AuthnRequest: over HTTP-Redirect when `raw_query` is given, else over HTTP-POST.
async fn inbound(
    state: &AppState,
    browser: &Browser,
    encoded: &str,
    relay_state: Option<String>,
    raw_query: Option<&str>,
) -> Response {
    let lang = browser.language(None);
    let idp = Idp::at(&browser.base_url());
    let xml = match saml::decode(raw_query.is_some(), encoded) {
        Ok(xml) => xml,
        Err(message) => return page(lang, &Status::requester(None, message)),
    };
    let doc = match dsig::parse(&xml) {
        Ok(doc) => doc,
        Err(e) => return page(lang, &Status::requester(None, e.to_string())),
    };
    let request = match messages::authn_request(&doc) {
        Ok(request) => request,
        Err(e) => return page(lang, &Status::requester(None, e.to_string())),
    };
    let tenant = &browser.tenant_id;
    let (app, sp) = match saml::service_provider(state, tenant, &request.common.issuer).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            return page(
                lang,
                &Status::requester(
                    Some("RequestDenied"),
                    "the Issuer is not a registered service provider",
                ),
            )
        }
        Err(_) => return busy(lang),
    };
    if !app.enabled {
        return page(
            lang,
            &Status::responder(Some("RequestDenied"), "the application is disabled"),
        );
    }
    let checked = saml::authn::check(&idp, &sp, &request, raw_query, &doc, state.now());
    let format = match checked {
        Ok(format) => format,
        Err(status) => {
            tracing::warn!(status = %status.describe(), "SAML AuthnRequest refused");
            return refuse(
                state,
                browser,
                &idp,
                &sp,
                None,
                Some(&request.common.id),
                relay_state,
                status,
            )
            .await;
        }
    };
    let login_id = saml::login_stream(state, &app.application_id, &request.common.id);
    let requested = Requested {
        application_id: app.application_id.clone(),
        request_id: Some(request.common.id.clone()),
        binding: if raw_query.is_some() {
            "redirect"
        } else {
            "post"
        }
        .to_string(),
        acs_url: sp.acs_url.clone(),
        force_authn: request.force_authn,
        is_passive: request.is_passive,
        name_id_format: format,
        relay_state: relay_state.clone(),
        signed: sp.signing_certificate.is_some(),
    };
    match saml::held::hold(state, tenant, &login_id, &requested).await {
        Ok(()) => answer(state, browser, &login_id, None).await,
        Err(RequestRefusal::Replayed) => {
            let status = Status::requester(
                Some("RequestDenied"),
                "this AuthnRequest ID was already used",
            );
            refuse(
                state,
                browser,
                &idp,
                &sp,
                None,
                Some(&request.common.id),
                relay_state,
                status,
            )
            .await
        }
        Err(RequestRefusal::Internal(_)) => busy(lang),
    }
}

#[allow(clippy::too_many_arguments)]
async fn refuse(
    state: &AppState,
    browser: &Browser,
    idp: &Idp,
    sp: &SamlServiceProvider,
    login_id: Option<&str>,
    in_response_to: Option<&str>,
    relay_state: Option<String>,
    status: Status,
) -> Response {
    let ctx = browser.context();
    match saml::refuse(state, &ctx, idp, sp, login_id, in_response_to, &status).await {
        Ok(response) => post_response(&sp.acs_url, &response, relay_state.as_deref()),
        Err(_) => busy(browser.language(None)),
    }
}

/// `?sp=`: IdP-initiated sign-in to a registered service provider.
async fn unsolicited(
    state: &AppState,
    browser: &Browser,
    entity_id: &str,
    relay_state: Option<String>,
) -> Response {
    let lang = browser.language(None);
    let (app, sp) = match saml::service_provider(state, &browser.tenant_id, entity_id).await {
        Ok(Some(found)) if found.0.enabled => found,
        Ok(_) => {
            return page(
                lang,
                &Status::requester(
                    Some("RequestDenied"),
                    "sp is not a registered service provider",
                ),
            )
        }
        Err(_) => return busy(lang),
    };
    if relay_state.as_ref().is_some_and(|r| r.len() > 1024) {
        return page(lang, &Status::requester(None, "RelayState is too long"));
    }
    let login_id = saml::unsolicited_stream();
    let requested = Requested {
        application_id: app.application_id.clone(),
        request_id: None,
        binding: "idp_initiated".into(),
        acs_url: sp.acs_url.clone(),
        force_authn: false,
        is_passive: false,
        name_id_format: sp.name_id_format.clone(),
        relay_state,
        signed: false,
    };
    match saml::held::hold(state, &browser.tenant_id, &login_id, &requested).await {
        Ok(()) => answer(state, browser, &login_id, None).await,
        Err(_) => busy(lang),
    }
}

/// Answers a recorded sign-in: with the session (fresh enough for ForceAuthn), else through the
/// login page (or `NoPassive` for IsPassive).
async fn answer(
    state: &AppState,
    browser: &Browser,
    login_id: &str,
    auth_after: Option<i64>,
) -> Response {
    let lang = browser.language(None);
    let tenant = &browser.tenant_id;
    let idp = Idp::at(&browser.base_url());
    let pending = match saml::held::pending(state, tenant, login_id).await {
        Ok(pending) => pending,
        Err(_) => return busy(lang),
    };
    let login = &pending.login;
    let Some(requested) = login.requested.clone() else {
        return page(lang, &Status::requester(None, "no such sign-in request"));
    };
    let answered = || {
        page(
            lang,
            &Status::requester(
                Some("RequestDenied"),
                "this sign-in request was already answered",
            ),
        )
    };
    if login.issued.is_some() || login.refused {
        return answered();
    }
    let app = match projections::applications::get(state.pool(), tenant, &requested.application_id)
        .await
    {
        Ok(Some(app)) => app,
        Ok(None) => return page(lang, &Status::responder(None, "the application is gone")),
        Err(_) => return busy(lang),
    };
    let Some(sp) = app.protocols.saml.clone() else {
        return page(
            lang,
            &Status::responder(None, "the application no longer speaks SAML"),
        );
    };
    let in_response_to = requested.request_id.clone();
    let relay = requested.relay_state.clone();
    let session = match browser.session(state).await {
        Ok(session) => session,
        Err(_) => return busy(lang),
    };
    // SAML core §3.4.1: `ForceAuthn` wants a new sign-in, `IsPassive` no page.
    let freshness = match auth_after {
        _ if !requested.force_authn => Freshness::Any,
        Some(after) => Freshness::SignedInSince(after),
        None => Freshness::New,
    };
    let ask = Ask::browser(freshness, requested.is_passive).with_account();
    let ctx = browser.context();
    let refusal = match sso::run(state, &ctx, session, ask, &app).await {
        Ok(Outcome::Proceed(session)) => Ok(session),
        // Nobody to name: a held request is answered without an event (ops/adr/0027).
        Ok(Outcome::Passive) if pending.held_since.is_some() => {
            let status = Status::responder(Some("NoPassive"), "the user is not signed in");
            tracing::warn!(target: "idaas::security", status = %status.describe(), "SAML AuthnRequest refused");
            return match saml::held::take(state, tenant, login_id).await {
                Ok(true) => {
                    refuse(
                        state,
                        browser,
                        &idp,
                        &sp,
                        None,
                        in_response_to.as_deref(),
                        relay,
                        status,
                    )
                    .await
                }
                Ok(false) => answered(),
                Err(_) => busy(lang),
            };
        }
        Ok(Outcome::Passive) => Err(Status::responder(
            Some("NoPassive"),
            "the user is not signed in",
        )),
        Ok(Outcome::SignIn {
            signed_in,
            return_marker,
        }) => {
            let return_to = format!(
                "/api/v1/saml2/idp/sso?resume={}&auth_after={return_marker}",
                web::encode(login_id),
            );
            let mut url = login_url(&return_to, Some(&app.client_id));
            if signed_in {
                url.push_str("&prompt=login");
            }
            return web::redirect(&url);
        }
        Ok(Outcome::Denied(denial)) => Err(Status::responder(
            Some("RequestDenied"),
            match denial {
                Denial::ApplicationDisabled => "the application is disabled",
                Denial::NoAccount => "the user has no account in this application",
                Denial::UserDisabled => "the user is disabled",
            },
        )),
        Err(_) => return busy(lang),
    };
    // An answer that names a user is recorded: first the request, then the answer.
    match saml::held::record(state, &ctx, login_id, &pending).await {
        Ok(()) => {}
        Err(RequestRefusal::Replayed) => return answered(),
        Err(RequestRefusal::Internal(_)) => return busy(lang),
    }
    let session = match refusal {
        Ok(session) => session,
        Err(status) => {
            return refuse(
                state,
                browser,
                &idp,
                &sp,
                Some(login_id),
                in_response_to.as_deref(),
                relay,
                status,
            )
            .await
        }
    };
    match saml::issue(state, &ctx, &idp, &app, &sp, login_id, &requested, &session).await {
        Ok(response) => post_response(&sp.acs_url, &response, relay.as_deref()),
        Err(IssueRefusal::Status(status)) => {
            refuse(
                state,
                browser,
                &idp,
                &sp,
                Some(login_id),
                in_response_to.as_deref(),
                relay,
                status,
            )
            .await
        }
        Err(IssueRefusal::Internal(e)) => {
            tracing::error!(error = %e, "issuing a SAML assertion failed");
            busy(lang)
        }
    }
}
