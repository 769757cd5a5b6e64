//! SAML single logout through the browser: a `saml_logout` chain notifies, one after the other,
//! every service provider that holds a session index of the ended session, then answers the SP
//! that started it (or sends the browser on). Each step is an event of the chain's stream.

use domain::protocols::SamlServiceProvider;
use domain::saml_logout::{Initiator, Participant, SamlLogout, SamlLogoutCommand};
use domain::Aggregate;
use projections::applications::ApplicationRow;
use store::Context;

use super::messages::LogoutResponse;
use super::xml::{self, Status};
use super::{Idp, ServiceError};
use crate::state::AppState;

/// What the browser must carry next.
pub enum Step {
    /// A SAML message to a service provider.
    Send {
        url: String,
        /// `redirect` or `post`.
        binding: String,
        /// `SAMLRequest` or `SAMLResponse`.
        param: &'static str,
        message: String,
        id: String,
        relay_state: Option<String>,
        application_id: String,
    },
    /// Nothing more to notify: go here.
    Done { return_to: String },
}

/// The service providers that received an assertion in this session and take part in single
/// logout (have an SLO URL), but not `except`.
pub async fn participants(
    state: &AppState,
    tenant: &str,
    session_id: &str,
    except: Option<&str>,
) -> anyhow::Result<Vec<Participant>> {
    let mut out: Vec<Participant> = Vec::new();
    for login in projections::saml::logins_of_session(state.pool(), tenant, session_id).await? {
        if Some(login.application_id.as_str()) == except {
            continue;
        }
        let app =
            projections::applications::get(state.pool(), tenant, &login.application_id).await?;
        let takes_part = app
            .and_then(|a| a.protocols.saml)
            .is_some_and(|sp| sp.slo_url.is_some());
        if takes_part {
            out.push(Participant {
                application_id: login.application_id,
                session_index: login.session_index,
                login_id: login.login_id,
            });
        }
    }
    Ok(out)
}

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!("SAML logout: {e}"))
}

/// Starts a chain; its id is the RelayState the service providers echo.
pub async fn start(
    state: &AppState,
    ctx: &Context,
    session_id: &str,
    initiator: Option<Initiator>,
    participants: Vec<Participant>,
    return_to: &str,
) -> Result<String, ServiceError> {
    let chain_id = state.ids.uuid();
    let command = SamlLogoutCommand::Start {
        session_id: session_id.to_string(),
        initiator,
        participants,
        return_to: return_to.to_string(),
        now: state.now(),
    };
    state
        .bus
        .execute::<SamlLogout, _>(ctx, &chain_id, |l| l.decide(command.clone(), &()))
        .await
        .map_err(internal)?;
    Ok(chain_id)
}

async fn provider(
    state: &AppState,
    tenant: &str,
    application_id: &str,
) -> Result<domain::protocols::SamlServiceProvider, ServiceError> {
    projections::applications::get(state.pool(), tenant, application_id)
        .await?
        .and_then(|a| a.protocols.saml)
        .ok_or_else(|| internal("the service provider is gone"))
}

/// The next step of a chain: a LogoutRequest to the next participant, else the LogoutResponse
/// to the initiator, else where the browser was going.
pub async fn next(
    state: &AppState,
    ctx: &Context,
    idp: &Idp,
    chain_id: &str,
) -> Result<Step, ServiceError> {
    let tenant = &ctx.tenant_id;
    let (chain, _) = state.bus.load::<SamlLogout>(tenant, chain_id).await?;
    if !chain.started || chain.completed {
        return Err(internal("no such logout in progress"));
    }
    if let Some(participant) = chain.next_participant().cloned() {
        let sp = provider(state, tenant, &participant.application_id).await?;
        let login = super::login(state, tenant, &participant.login_id).await?;
        let format = login
            .issued
            .as_ref()
            .map(|i| i.name_id_format.clone())
            .unwrap_or_default();
        let id = xml::new_id();
        let url = sp.slo_url.clone().unwrap_or_default();
        let message = xml::logout_request(
            &id,
            &idp.entity_id,
            &url,
            &login.name_id.unwrap_or_default(),
            &format,
            &participant.session_index,
            state.now(),
        );
        let command = SamlLogoutCommand::SendNext {
            request_id: id.clone(),
            now: state.now(),
        };
        state
            .bus
            .execute::<SamlLogout, _>(ctx, chain_id, |l| l.decide(command.clone(), &()))
            .await
            .map_err(internal)?;
        return Ok(Step::Send {
            url,
            binding: sp.slo_binding.clone(),
            param: "SAMLRequest",
            message,
            id,
            relay_state: Some(chain_id.to_string()),
            application_id: participant.application_id,
        });
    }
    let command = SamlLogoutCommand::Complete { now: state.now() };
    state
        .bus
        .execute::<SamlLogout, _>(ctx, chain_id, |l| l.decide(command.clone(), &()))
        .await
        .map_err(internal)?;
    let Some(initiator) = chain.initiator else {
        return Ok(Step::Done {
            return_to: chain.return_to,
        });
    };
    let sp = provider(state, tenant, &initiator.application_id).await?;
    let Some(url) = sp.slo_url.clone() else {
        return Ok(Step::Done {
            return_to: chain.return_to,
        });
    };
    let id = xml::new_id();
    let message = xml::logout_response(
        &id,
        &idp.entity_id,
        &url,
        &initiator.request_id,
        &Status::success(),
        state.now(),
    );
    Ok(Step::Send {
        url,
        binding: initiator.binding,
        param: "SAMLResponse",
        message,
        id,
        relay_state: initiator.relay_state,
        application_id: initiator.application_id,
    })
}

/// The application whose LogoutResponse the chain waits for.
pub async fn awaited(
    state: &AppState,
    tenant: &str,
    chain_id: &str,
) -> anyhow::Result<Option<String>> {
    let (chain, _) = state.bus.load::<SamlLogout>(tenant, chain_id).await?;
    Ok(chain
        .in_flight()
        .and_then(|(index, _, _)| chain.participants.get(*index))
        .map(|p| p.application_id.clone()))
}

/// Records a participant's LogoutResponse; refused unless it answers the request in flight.
pub async fn receive(
    state: &AppState,
    ctx: &Context,
    chain_id: &str,
    response: &LogoutResponse,
) -> Result<(), String> {
    let command = SamlLogoutCommand::Receive {
        in_response_to: response.in_response_to.clone(),
        status: response.status.clone(),
        now: state.now(),
    };
    state
        .bus
        .execute::<SamlLogout, _>(ctx, chain_id, |l| l.decide(command.clone(), &()))
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// A LogoutRequest as it arrived from a service provider.
pub struct Received<'a> {
    pub doc: &'a roxmltree::Document<'a>,
    /// The query string of an HTTP-Redirect binding (its signature is over it).
    pub raw_query: Option<&'a str>,
    pub relay: Option<String>,
}

/// What an SP's LogoutRequest led to.
pub enum FromServiceProvider {
    /// The session it named ended; the logout chain with this id goes on.
    Chain(String),
    /// It named no session of ours: answered `Success` at once, nothing recorded, so that a
    /// stranger's requests do not grow the log (ops/adr/0027).
    NoSession,
}

/// SP-initiated single logout (SAML 2.0 profiles §4.4.4.1, core §3.7): the request's signature,
/// Destination, and session index with its NameID are checked; the session ends and the other
/// participants' logout chain starts. Returns the chain's id, or the status to answer with.
pub async fn from_service_provider(
    state: &AppState,
    ctx: &Context,
    idp: &Idp,
    app: &ApplicationRow,
    sp: &SamlServiceProvider,
    received: Received<'_>,
) -> Result<FromServiceProvider, Status> {
    let tenant = &ctx.tenant_id;
    super::check_signature(sp, received.raw_query, received.doc)?;
    let request = match super::messages::logout_request(received.doc) {
        Ok(request) => request,
        Err(e) => return Err(Status::requester(None, e.to_string())),
    };
    if request
        .common
        .destination
        .as_deref()
        .is_some_and(|d| d != idp.slo_url)
    {
        return Err(Status::requester(
            Some("RequestDenied"),
            "Destination is not this IdP's SLO service",
        ));
    }
    // The session the SP names, if its session index and NameID are the ones it was given.
    let mut session_id = None;
    for index in &request.session_indexes {
        let found = projections::saml::login_by_session_index(
            state.pool(),
            tenant,
            &app.application_id,
            index,
        )
        .await;
        let Ok(Some(row)) = found else { continue };
        let Ok(login) = super::login(state, tenant, &row.login_id).await else {
            continue;
        };
        if login.name_id.as_deref() != Some(request.name_id.as_str()) {
            return Err(Status::requester(
                Some("UnknownPrincipal"),
                "the NameID does not match the session",
            ));
        }
        session_id = Some(row.session_id);
    }
    let Some(session_id) = session_id else {
        return Ok(FromServiceProvider::NoSession);
    };
    if let Ok(Some(session)) =
        projections::sessions::session_by_id(state.pool(), tenant, &session_id).await
    {
        if !session.ended {
            let user_ctx = crate::acting(ctx, "user", &session.user_id);
            if crate::signin::end_session(state, &user_ctx, &session_id, "saml_logout")
                .await
                .is_err()
            {
                return Err(Status::responder(None, "the session could not be ended"));
            }
        }
    }
    let others = participants(state, tenant, &session_id, Some(&app.application_id))
        .await
        .unwrap_or_default();
    let initiator = Initiator {
        application_id: app.application_id.clone(),
        request_id: request.common.id.clone(),
        binding: if received.raw_query.is_some() {
            "redirect"
        } else {
            "post"
        }
        .to_string(),
        relay_state: received.relay.clone(),
    };
    let chain = start(
        state,
        ctx,
        &session_id,
        Some(initiator),
        others,
        "/api/v1/login",
    )
    .await;
    chain
        .map(FromServiceProvider::Chain)
        .map_err(|_| Status::responder(None, "the logout could not be recorded"))
}
