//! `GET|POST /api/v1/saml2/idp/slo` (SAML 2.0 Single Logout profile, front channel): a
//! LogoutRequest from a service provider ends the SSO session, the other service providers of the
//! session are sent LogoutRequests one after the other, and the initiator gets its LogoutResponse;
//! LogoutResponses from the notified providers come back here; `continue=` carries an IdP-started
//! chain; with nothing, the IdP itself signs the browser out.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::Form;
use usecases::Context;

use super::send::send;
use super::status_page as page;
use crate::cas::Params;
use idaas_http::i18n::Lang;
use idaas_http::web::{self, Browser, SESSION_COOKIE};
use usecases::saml::logout::{self, FromServiceProvider, Step};
use usecases::saml::messages;
use usecases::saml::xml::{self, Status};
use usecases::saml::{self, Idp};
use usecases::AppState;
use xml_dsig as dsig;

pub async fn get_slo(
    State(state): State<AppState>,
    browser: Browser,
    RawQuery(query): RawQuery,
) -> Response {
    let raw = query.unwrap_or_default();
    let params = Params::parse(Some(&raw));
    let relay = params.get("RelayState").map(str::to_string);
    if let Some(request) = params.get("SAMLRequest") {
        return logout_request(&state, &browser, request, relay, Some(&raw)).await;
    }
    if let Some(response) = params.get("SAMLResponse") {
        return logout_response(&state, &browser, response, relay, Some(&raw)).await;
    }
    if let Some(chain) = params.get("continue") {
        return step(&state, &browser, chain).await;
    }
    let lang = browser.language(params.get("lang"));
    crate::login::sign_out(&state, &browser, lang, None, "saml_logout").await
}

pub async fn post_slo(
    State(state): State<AppState>,
    browser: Browser,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let get = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let relay = get("RelayState");
    if let Some(request) = get("SAMLRequest") {
        return logout_request(&state, &browser, &request, relay, None).await;
    }
    if let Some(response) = get("SAMLResponse") {
        return logout_response(&state, &browser, &response, relay, None).await;
    }
    page(
        browser.language(None),
        &Status::requester(None, "SAMLRequest or SAMLResponse is required"),
    )
}

/// Carries a chain one step on: the next message, or the end.
async fn step(state: &AppState, browser: &Browser, chain_id: &str) -> Response {
    let lang = browser.language(None);
    let ctx = browser.context();
    let idp = Idp::at(&browser.base_url());
    match logout::next(state, &ctx, &idp, chain_id).await {
        Ok(Step::Done { return_to }) => web::redirect(&return_to),
        Ok(Step::Send {
            url,
            binding,
            param,
            message,
            id,
            relay_state,
            ..
        }) => send(
            state,
            &ctx,
            binding == "redirect",
            &url,
            param,
            &message,
            &id,
            relay_state.as_deref(),
        )
        .await
        .unwrap_or_else(|_| {
            page(
                lang,
                &Status::responder(None, "the logout could not be sent"),
            )
        }),
        Err(_) => page(lang, &Status::requester(None, "no such logout in progress")),
    }
}

/// A LogoutResponse straight back to an SP whose LogoutRequest was refused.
#[allow(clippy::too_many_arguments)]
async fn answer_refusal(
    state: &AppState,
    ctx: &Context,
    idp: &Idp,
    sp: &domain::protocols::SamlServiceProvider,
    request_id: &str,
    redirect: bool,
    relay: Option<String>,
    status: Status,
) -> Response {
    let lang = Lang::En;
    let Some(url) = sp.slo_url.clone() else {
        return page(lang, &status);
    };
    let id = xml::new_id();
    let message = xml::logout_response(&id, &idp.entity_id, &url, request_id, &status, state.now());
    send(
        state,
        ctx,
        redirect,
        &url,
        "SAMLResponse",
        &message,
        &id,
        relay.as_deref(),
    )
    .await
    .unwrap_or_else(|_| page(lang, &status))
}

async fn logout_request(
    state: &AppState,
    browser: &Browser,
    encoded: &str,
    relay: Option<String>,
    raw_query: Option<&str>,
) -> Response {
    let lang = browser.language(None);
    let idp = Idp::at(&browser.base_url());
    let tenant = &browser.tenant_id;
    let redirect = raw_query.is_some();
    let xml = match saml::decode(redirect, encoded) {
        Ok(xml) => xml,
        Err(message) => return page(lang, &Status::requester(None, message)),
    };
    let doc = match dsig::parse(&xml) {
        Ok(doc) => doc,
        Err(e) => return page(lang, &Status::requester(None, e.to_string())),
    };
    let issuer = doc
        .root_element()
        .children()
        .find(|c| c.tag_name().name() == "Issuer")
        .and_then(|i| i.text())
        .unwrap_or_default()
        .trim()
        .to_string();
    let (app, sp) = match saml::service_provider(state, tenant, &issuer).await {
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
        Err(_) => return page(lang, &Status::responder(None, "System busy")),
    };
    let ctx = usecases::acting(&browser.context(), "application", &app.application_id);
    let request_id = doc
        .root_element()
        .attribute("ID")
        .unwrap_or_default()
        .to_string();
    let refuse = |status: Status| {
        answer_refusal(
            state,
            &ctx,
            &idp,
            &sp,
            &request_id,
            redirect,
            relay.clone(),
            status,
        )
    };
    let received = logout::Received {
        doc: &doc,
        raw_query,
        relay: relay.clone(),
    };
    let found = logout::from_service_provider(state, &ctx, &idp, &app, &sp, received).await;
    let clear = browser.set_cookie(SESSION_COOKIE, "", Some(0));
    let mut response = match found {
        Ok(FromServiceProvider::Chain(chain)) => step(state, browser, &chain).await,
        Ok(FromServiceProvider::NoSession) => refuse(Status::success()).await,
        Err(status) => return refuse(status).await,
    };
    response
        .headers_mut()
        .append(axum::http::header::SET_COOKIE, clear);
    response
}

async fn logout_response(
    state: &AppState,
    browser: &Browser,
    encoded: &str,
    relay: Option<String>,
    raw_query: Option<&str>,
) -> Response {
    let lang = browser.language(None);
    let tenant = &browser.tenant_id;
    let Some(chain) = relay else {
        return page(
            lang,
            &Status::requester(
                None,
                "a LogoutResponse needs the RelayState it was sent with",
            ),
        );
    };
    let awaited = match logout::awaited(state, tenant, &chain).await {
        Ok(Some(app)) => app,
        _ => {
            return page(
                lang,
                &Status::requester(Some("RequestDenied"), "no LogoutResponse is awaited here"),
            )
        }
    };
    let sp = projections::applications::get(state.pool(), tenant, &awaited)
        .await
        .ok()
        .flatten()
        .and_then(|a| a.protocols.saml);
    let Some(sp) = sp else {
        return page(
            lang,
            &Status::responder(None, "the service provider is gone"),
        );
    };
    let xml = match saml::decode(raw_query.is_some(), encoded) {
        Ok(xml) => xml,
        Err(message) => return page(lang, &Status::requester(None, message)),
    };
    let doc = match dsig::parse(&xml) {
        Ok(doc) => doc,
        Err(e) => return page(lang, &Status::requester(None, e.to_string())),
    };
    if let Err(status) = saml::check_signature(&sp, raw_query, &doc) {
        return page(lang, &status);
    }
    let response = match messages::logout_response(&doc) {
        Ok(response) if response.common.issuer == sp.entity_id => response,
        Ok(_) => {
            return page(
                lang,
                &Status::requester(
                    Some("RequestDenied"),
                    "the Issuer is not the service provider asked",
                ),
            )
        }
        Err(e) => return page(lang, &Status::requester(None, e.to_string())),
    };
    let ctx = browser.context();
    if let Err(message) = logout::receive(state, &ctx, &chain, &response).await {
        return page(lang, &Status::requester(Some("RequestDenied"), message));
    }
    step(state, browser, &chain).await
}

/// Where the IdP-side logout goes when service providers must be told: the chain's first step.
pub fn continue_url(chain_id: &str) -> String {
    format!("/api/v1/saml2/idp/slo?continue={}", web::encode(chain_id))
}
