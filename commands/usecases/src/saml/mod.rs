//! The SAML 2.0 identity provider (specs/oneaccess.md §2.9, §3.2; SAML 2.0 core, bindings and
//! profiles): service providers are applications with SAML settings; a sign-in exchange is a
//! `saml_login` stream, an assertion is issued for the SSO session, signed (and encrypted when the
//! SP asks) and never stored: its id, subject and session index are.

pub mod authn;
pub mod held;
pub mod keys;
pub mod logout;
pub mod messages;
pub mod xml;

use crate::clock::{IdSource, RandomIds};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::protocols::{certificate_der, SamlServiceProvider};
use domain::saml_login::{Issued, Requested, SamlLogin, SamlLoginCommand, SamlLoginError};
use domain::Aggregate;
use projections::applications::ApplicationRow;
use projections::sessions::SessionRow;
use store::{BusError, Context};

use self::xml::{AssertionParts, Status};
use super::attributes::{texts, Source};
use super::ServiceError;
use crate::state::AppState;
use xml_dsig as dsig;

/// The identity provider as a tenant's host name presents it.
#[derive(Debug, Clone)]
pub struct Idp {
    pub entity_id: String,
    pub sso_url: String,
    pub slo_url: String,
}

impl Idp {
    pub fn at(base_url: &str) -> Self {
        let base = format!("{base_url}/api/v1/saml2/idp");
        Self {
            entity_id: format!("{base}/metadata"),
            sso_url: format!("{base}/sso"),
            slo_url: format!("{base}/slo"),
        }
    }
}

/// The largest inflated message accepted (a deflate bomb stops here).
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// A message from its binding: Redirect is base64 of raw DEFLATE, POST is base64.
pub fn decode(redirect: bool, value: &str) -> Result<String, String> {
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = STANDARD
        .decode(compact)
        .map_err(|_| "the SAML message is not valid base64".to_string())?;
    let bytes = if redirect {
        dsig::inflate(&bytes, MAX_MESSAGE_BYTES).map_err(|e| e.to_string())?
    } else if bytes.len() > MAX_MESSAGE_BYTES {
        return Err("the SAML message is too large".to_string());
    } else {
        bytes
    };
    String::from_utf8(bytes).map_err(|_| "the SAML message is not UTF-8".to_string())
}

/// The enabled-or-not application whose SAML service provider has this entity id.
pub async fn service_provider(
    state: &AppState,
    tenant: &str,
    entity_id: &str,
) -> anyhow::Result<Option<(ApplicationRow, SamlServiceProvider)>> {
    let apps = projections::applications::list(state.pool(), tenant).await?;
    Ok(apps.into_iter().find_map(|app| {
        let sp = app.protocols.saml.clone()?;
        (sp.entity_id == entity_id).then_some((app, sp))
    }))
}

/// The certificates an SP signs with (none: it does not sign).
pub fn sp_certificates(sp: &SamlServiceProvider) -> Vec<Vec<u8>> {
    sp.signing_certificate
        .as_deref()
        .and_then(certificate_der)
        .into_iter()
        .collect()
}

/// Checks the signature of a message from `sp` when it registered a signing certificate: over
/// the raw query for HTTP-Redirect (`raw_query`), enveloped for HTTP-POST.
pub fn check_signature(
    sp: &SamlServiceProvider,
    raw_query: Option<&str>,
    doc: &roxmltree::Document,
) -> Result<(), Status> {
    let certificates = sp_certificates(sp);
    if certificates.is_empty() {
        return Ok(());
    }
    let verified = match raw_query {
        Some(raw) => dsig::verify_redirect(raw, &certificates),
        None => dsig::verify_root(doc, &certificates),
    };
    verified
        .map_err(|e| Status::requester(Some("RequestDenied"), format!("signature refused: {e}")))
}

/// The sign-in stream of an SP's request ID: the same ID from the same SP finds it taken.
pub fn login_stream(state: &AppState, application_id: &str, request_id: &str) -> String {
    format!(
        "req-{}",
        state
            .keys()
            .claim_key("saml.request", &format!("{application_id}\n{request_id}"))
    )
}

/// A fresh stream for an IdP-initiated sign-in.
pub fn unsolicited_stream() -> String {
    RandomIds.uuid()
}

pub enum RequestRefusal {
    Replayed,
    Internal(ServiceError),
}

/// Records a request received `at` on its stream (when it is answered: `held::record`).
pub async fn record_request(
    state: &AppState,
    ctx: &Context,
    login_id: &str,
    requested: Requested,
    at: i64,
) -> Result<(), RequestRefusal> {
    let command = SamlLoginCommand::Request { requested, now: at };
    match state
        .bus
        .execute::<SamlLogin, _>(ctx, login_id, |l| l.decide(command.clone(), &()))
        .await
    {
        Ok(_) => Ok(()),
        Err(BusError::Domain(SamlLoginError::Replayed)) | Err(BusError::Conflict) => {
            Err(RequestRefusal::Replayed)
        }
        Err(e) => Err(RequestRefusal::Internal(ServiceError::Internal(
            anyhow::anyhow!("recording an AuthnRequest: {e}"),
        ))),
    }
}

pub async fn login(state: &AppState, tenant: &str, login_id: &str) -> anyhow::Result<SamlLogin> {
    Ok(state.bus.load::<SamlLogin>(tenant, login_id).await?.0)
}

/// Which NameID format answers a request (SAML Core §3.4.1.1): the configured one when the
/// request names none or `unspecified`; otherwise the requested one when the IdP can produce it
/// (`emailAddress`, `persistent`, `transient`), unless the service provider is pinned to its
/// configured format (then only that one or `transient`). `None`: InvalidNameIDPolicy. Whether
/// an `emailAddress` can be given for the user is decided when the assertion is made.
pub fn name_id_format(sp: &SamlServiceProvider, requested: Option<&str>) -> Option<String> {
    let configured = sp.name_id_format.clone();
    match requested.map(|uri| (uri, xml::name_id_format_name(uri))) {
        None => Some(configured),
        Some((_, Some("unspecified"))) => Some(configured),
        Some((_, Some(name))) if name == configured || name == "transient" => {
            Some(name.to_string())
        }
        Some((_, Some(name))) if !sp.name_id_format_pinned => Some(name.to_string()),
        _ => None,
    }
}

/// Signs a message with the tenant's current key (enveloped, RSA-SHA256).
pub async fn sign(
    state: &AppState,
    ctx: &Context,
    message: &str,
    id: &str,
) -> Result<String, ServiceError> {
    let signer = keys::signer(state, ctx).await?;
    dsig::sign_enveloped(message, id, &signer.pair, &signer.certificate)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("signing a SAML message: {e}")))
}

/// A signed error Response to the SP's registered ACS, the refusal recorded on the sign-in.
pub async fn refuse(
    state: &AppState,
    ctx: &Context,
    idp: &Idp,
    sp: &SamlServiceProvider,
    login_id: Option<&str>,
    in_response_to: Option<&str>,
    status: &Status,
) -> Result<String, ServiceError> {
    if let Some(login_id) = login_id {
        let command = SamlLoginCommand::Refuse {
            status: status.describe(),
            message: status.message.clone().unwrap_or_default(),
            now: state.now(),
        };
        let _ = state
            .bus
            .execute::<SamlLogin, _>(ctx, login_id, |l| l.decide(command.clone(), &()))
            .await;
    }
    let id = xml::new_id();
    let response = xml::response(
        &id,
        &idp.entity_id,
        &sp.acs_url,
        in_response_to,
        status,
        "",
        state.now(),
    );
    sign(state, ctx, &response, &id).await
}

/// The assertion's attributes (SAML Core §2.7.3): the SP's attribute mapping, then the released
/// `roles` and `permissions`, one multi-valued Attribute each (ops/adr/0018 "Releasing roles and
/// permissions to applications"); while the application releases them, a mapped attribute of
/// the same name is not sent. An attribute without a value is left out.
fn assertion_attributes(
    sp: &SamlServiceProvider,
    source: &Source,
    released: &crate::oauth::ReleasedAuthorization,
) -> Vec<(String, Vec<String>)> {
    sp.attribute_mapping
        .iter()
        .filter(|(saml_name, _)| !released.reserves(saml_name))
        .map(|(saml_name, ours)| (saml_name.clone(), texts(&source.get(ours))))
        .chain(
            released
                .named()
                .into_iter()
                .map(|(name, codes)| (name.to_string(), codes.to_vec())),
        )
        .filter(|(_, values)| !values.is_empty())
        .collect()
}

/// Why no assertion was issued, as the SAML status the SP is sent.
pub enum IssueRefusal {
    Status(Status),
    Internal(ServiceError),
}

impl From<ServiceError> for IssueRefusal {
    fn from(e: ServiceError) -> Self {
        Self::Internal(e)
    }
}

impl From<anyhow::Error> for IssueRefusal {
    fn from(e: anyhow::Error) -> Self {
        Self::Internal(e.into())
    }
}

/// The Response (signed as the SP wants, the assertion encrypted when it has an encryption
/// certificate) for a signed-in session; the issuance recorded on the sign-in.
#[allow(clippy::too_many_arguments)]
pub async fn issue(
    state: &AppState,
    ctx: &Context,
    idp: &Idp,
    app: &ApplicationRow,
    sp: &SamlServiceProvider,
    login_id: &str,
    requested: &Requested,
    session: &SessionRow,
) -> Result<String, IssueRefusal> {
    let tenant = &ctx.tenant_id;
    let accounts =
        projections::app_accounts::list_for_user(state.pool(), tenant, &session.user_id).await?;
    let account = accounts
        .into_iter()
        .find(|a| a.application_id == app.application_id && !a.disabled)
        .ok_or_else(|| {
            IssueRefusal::Status(Status::responder(
                Some("RequestDenied"),
                "the user has no account in this application",
            ))
        })?;
    let user = crate::cache::lookups::user(state, tenant, &session.user_id).await?;
    let format = requested.name_id_format.as_str();
    let name_id = match format {
        "emailAddress" => user
            .as_ref()
            .and_then(|u| u.profile.email.clone())
            .ok_or_else(|| {
                IssueRefusal::Status(Status::responder(
                    Some("InvalidNameIDPolicy"),
                    "the user has no email address",
                ))
            })?,
        "persistent" => state.keys().claim_key(
            "saml.persistent",
            &format!("{}\n{}", app.application_id, session.user_id),
        )[..40]
            .to_string(),
        "transient" => xml::new_id(),
        _ => account.account_name.clone(),
    };
    let source = Source::new(&account, user.as_ref());
    let released =
        crate::oauth::released_authorization(state, tenant, app, &session.user_id).await?;
    let attributes = assertion_attributes(sp, &source, &released);
    let (assertion_id, response_id, session_index) = (xml::new_id(), xml::new_id(), xml::new_id());
    let now = state.now();
    let assertion = xml::assertion(&AssertionParts {
        id: &assertion_id,
        idp: &idp.entity_id,
        sp_entity_id: &sp.entity_id,
        acs_url: &sp.acs_url,
        in_response_to: requested.request_id.as_deref(),
        name_id: &name_id,
        name_id_format: format,
        session_index: &session_index,
        auth_instant: session.auth_time,
        attributes: &attributes,
        now,
    });
    let mut assertion = if sp.sign_assertion {
        sign(state, ctx, &assertion, &assertion_id).await?
    } else {
        assertion
    };
    if let Some(der) = sp
        .encryption_certificate
        .as_deref()
        .and_then(certificate_der)
    {
        assertion = dsig::encrypt_assertion(&assertion, &der)
            .map_err(|e| anyhow::anyhow!("encrypting an assertion: {e}"))?;
    }
    let response = xml::response(
        &response_id,
        &idp.entity_id,
        &sp.acs_url,
        requested.request_id.as_deref(),
        &Status::success(),
        &assertion,
        now,
    );
    let response = if sp.sign_response {
        sign(state, ctx, &response, &response_id).await?
    } else {
        response
    };
    let command = SamlLoginCommand::Issue {
        issued: Issued {
            assertion_id,
            response_id,
            user_id: session.user_id.clone(),
            session_id: session.session_id.clone(),
            session_index,
            name_id_format: format.to_string(),
        },
        name_id,
        now,
    };
    let user_ctx = super::acting(ctx, "user", &session.user_id);
    state
        .bus
        .execute::<SamlLogin, _>(&user_ctx, login_id, |l| l.decide(command.clone(), &()))
        .await
        .map_err(|e| anyhow::anyhow!("recording an assertion: {e}"))?;
    Ok(response)
}
