//! Who is calling (specs/oneaccess-sdk-and-hainan-uaa.md §2.1, §4.1.4–5; ops/adr/0019): the
//! tenant from `Uaa-Tenant-Id` ("1" or absent: the configured default tenant, else the tenant of
//! the host), the application from `Uaa-App-Key` (its client id), and a credential that speaks
//! for that application:
//! - a management token (`Authorization: Bearer`) of a credential that manages the application:
//!   its own, a directory client granted it, or a tenant administrator's; any other is refused
//!   (403) and the refusal recorded;
//! - an HMAC-SHA256 signature with one of the application's access keys (`X-Uaa-Access-Key`,
//!   `X-Uaa-Timestamp`, `X-Uaa-Nonce`, `X-Uaa-Signature`; `usecases::access_keys`);
//! - nothing, from a trusted gateway: only when the connection comes from one of the addresses
//!   the operator listed as the gateway's (`hainan.trusted_gateways`), and only for a business
//!   application (never one holding a tenant administrator's authority).

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use domain::authority::Authority;
use projections::applications::ApplicationRow;
use usecases::access_keys::{self, SignedCall};
use usecases::authority::{self, Held};
use usecases::limits::TrustedProxies;
use usecases::{context, tokens, AppState, Context};

use crate::envelope::{Code, HainanError};
use idaas_http::context::RequestMeta;
use idaas_http::failure::Failure;

pub const TENANT_HEADER: &str = "uaa-tenant-id";
pub const APP_KEY_HEADER: &str = "uaa-app-key";

/// A call that passed the credential check.
pub struct Call {
    pub tenant_id: String,
    /// The application `Uaa-App-Key` names: roles and permissions are its.
    pub app: ApplicationRow,
    /// The caller, for the events a call appends.
    pub context: Context,
    /// The tenant's offset from UTC, for the wire's times.
    pub zone: i32,
}

fn header_text<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn bearer(parts: &Parts) -> Option<&str> {
    idaas_http::caller::bearer(parts).filter(|t| t.len() <= 512)
}

fn failed(error: anyhow::Error, what: &str) -> HainanError {
    HainanError::failed(Failure::of(&error, what))
}

/// The tenant the call is for: `Uaa-Tenant-Id`, where "1" (the document's default) and an
/// absent header mean the tenant of the host.
async fn tenant(state: &AppState, parts: &Parts) -> Result<String, HainanError> {
    let host_tenant = idaas_http::context::tenant_of(state, &parts.headers)
        .await
        .map_err(|e| failed(e, "finding the tenant"))?;
    let default = state.config.hainan.default_tenant.as_deref();
    match header_text(parts, TENANT_HEADER) {
        None | Some("1") if default.is_none() => Ok(host_tenant),
        None | Some("1") => found(state, default.unwrap_or_default()).await,
        Some(named) if named == host_tenant => Ok(host_tenant),
        Some(named) => found(state, named).await,
    }
}

/// The tenant with this id, noted for the access log.
async fn found(state: &AppState, named: &str) -> Result<String, HainanError> {
    let exists = named.len() <= 64
        && projections::tenants::get(state.pool(), named)
            .await
            .map_err(|e| failed(e, "finding the tenant"))?
            .is_some();
    if !exists {
        return Err(HainanError::new(
            Code::TenantNotFound,
            "Uaa-Tenant-Id names no tenant",
        ));
    }
    // The access log's tenant is the one the call is for.
    idaas_http::context::note_tenant(named);
    Ok(named.to_string())
}

/// The credential a call presents.
enum Credential<'a> {
    Bearer(&'a str),
    Signed(&'a str),
    Gateway,
}

/// The application `Uaa-App-Key` names (asked only once the caller is authenticated).
async fn application(
    state: &AppState,
    tenant_id: &str,
    app_key: Option<&str>,
) -> Result<ApplicationRow, HainanError> {
    let app_key = app_key.ok_or_else(|| {
        HainanError::new(Code::ParamMissing, "the Uaa-App-Key header is required")
    })?;
    projections::applications::by_client_id(state.pool(), tenant_id, app_key)
        .await
        .map_err(|e| failed(e, "finding the application"))?
        .filter(|app| app.enabled)
        .ok_or_else(|| {
            HainanError::new(
                Code::AppNotFound,
                "Uaa-App-Key names no enabled application",
            )
        })
}

fn unauthorized(why: impl Into<String>) -> HainanError {
    HainanError::new(Code::Unauthorized, why)
}

/// Checks the call's credential against the application its `Uaa-App-Key` names; `body` as
/// received (a signature covers it). Until a credential is verified every refusal is the same
/// 401, so that an unauthenticated caller learns nothing of tenants, applications or keys.
pub async fn check(
    state: &AppState,
    parts: &Parts,
    api_name: &str,
    body: &[u8],
) -> Result<Call, HainanError> {
    let credential = if let Some(token) = bearer(parts) {
        Credential::Bearer(token)
    } else if let Some(key) = header_text(parts, "x-uaa-access-key") {
        Credential::Signed(key)
    } else if from_trusted_gateway(state, parts) {
        Credential::Gateway
    } else {
        return Err(unauthorized(
            "a bearer token, a signature or a trusted gateway is required",
        ));
    };
    let tenant_id = match tenant(state, parts).await {
        Err(e) if e.code == Code::TenantNotFound && !matches!(credential, Credential::Gateway) => {
            return Err(unauthorized("no valid credential for this tenant"))
        }
        other => other?,
    };
    let app_key = header_text(parts, APP_KEY_HEADER);
    let meta = RequestMeta::from_parts(parts);
    let (app, held) = match credential {
        Credential::Bearer(token) => {
            let holder = tokens::authenticate(state, &tenant_id, token)
                .await
                .map_err(|e| failed(e, "the token check"))?
                .ok_or_else(|| unauthorized("the token is not valid"))?;
            let held = authority::held(state, &tenant_id, &holder)
                .await
                .map_err(|e| failed(e, "the authority check"))?
                .ok_or_else(|| unauthorized("the token is not valid"))?;
            let app = application(state, &tenant_id, app_key).await?;
            if !held.may_manage(&app.application_id) {
                let ctx = context(
                    &tenant_id,
                    meta.metadata("application", &held.application_id, crate::SURFACE),
                );
                let action = format!("POST /apione {api_name}");
                authority::record_refusal(state, &ctx, &held, Authority::TenantAdmin, &action)
                    .await;
                return Err(HainanError::new(
                    Code::Forbidden,
                    "the token may not act for the Uaa-App-Key application",
                ));
            }
            (app, held)
        }
        Credential::Signed(access_key_id) => {
            let part = |name: &str| header_text(parts, name).unwrap_or_default();
            let signed = SignedCall {
                access_key_id,
                timestamp: part("x-uaa-timestamp"),
                nonce: part("x-uaa-nonce"),
                signature: part("x-uaa-signature"),
                api_name,
                app_key: app_key.unwrap_or_default(),
                tenant_header: part(TENANT_HEADER),
                body,
            };
            let key_app = match access_keys::verify(state, &tenant_id, &signed).await? {
                Ok(application_id) => application_id,
                Err(refused) => {
                    tracing::warn!(reason = %refused, "a signed Hainan call was refused");
                    return Err(unauthorized(refused.to_string()));
                }
            };
            let app = application(state, &tenant_id, app_key).await?;
            if key_app != app.application_id {
                return Err(HainanError::new(
                    Code::Forbidden,
                    "the access key belongs to another application than Uaa-App-Key",
                ));
            }
            let held = Held::of(&app).ok_or_else(no_authority)?;
            (app, held)
        }
        Credential::Gateway => {
            let app = application(state, &tenant_id, app_key).await?;
            let held = Held::of(&app).ok_or_else(no_authority)?;
            if held.authority >= Authority::TenantAdmin {
                return Err(HainanError::new(
                    Code::Forbidden,
                    "a gateway speaks for business applications, not for an administrator's",
                ));
            }
            (app, held)
        }
    };
    let context = context(
        &tenant_id,
        meta.metadata("application", &held.application_id, crate::SURFACE),
    );
    Ok(Call {
        tenant_id,
        app,
        context,
        zone: state.config.utc_offset_minutes,
    })
}

fn no_authority() -> HainanError {
    HainanError::new(
        Code::Forbidden,
        "the application holds no management authority (the API product)",
    )
}

/// Trusted-gateway mode: the connection's own peer (never a forwarded address) is one of
/// `hainan.trusted_gateways`.
fn from_trusted_gateway(state: &AppState, parts: &Parts) -> bool {
    let gateways = &state.config.hainan.trusted_gateways;
    if gateways.is_empty() {
        return false;
    }
    let Ok(gateways) = TrustedProxies::parse(gateways) else {
        return false;
    };
    parts
        .extensions
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| gateways.contains(peer.ip()))
}

impl Call {
    /// The caller's context, naming the person the application says it acts for (`operator`,
    /// or `userId` in the permission calls) in the events' metadata.
    pub fn acting_for(&self, operator: Option<String>) -> Context {
        let mut context = self.context.clone();
        context.metadata.on_behalf_of = operator;
        context
    }
}
