//! What every SDK request carries (seed 002 A2–A8 [ext] header tables): the device headers
//! `X-operating-sys-version`, `X-device-fingerprint`, `X-device-ip` (optional) and `X-agent`, the
//! client `X-client-id`, the language `X-L`, and for the steps of a login `X-state-token`. The
//! tenant comes from the host name, as everywhere (`X-tenant-id` is not used).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::Response;
use domain::sdk_login::SdkChallenge;
use projections::applications::ApplicationRow;
use usecases::Context;
use utoipa::IntoParams;

use crate::error::OneAccessError;
use idaas_http::web::Browser;
use usecases::oauth::Issuer;
use usecases::sdk::login::Caller;
use usecases::sdk::{self, StateClaims};
use usecases::AppState;

pub const SURFACE: &str = "oneaccess-sdk";

/// The longest header value taken; longer ones count as absent.
const MAX_HEADER: usize = 1024;

/// The headers of every device call, as the descriptions show them: the device (PARAM.0001
/// unless the OS version, fingerprint and agent are all given), the client application and the
/// language. Values are trimmed; over 1024 characters counts as absent.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // Describes what `SdkRequest` reads.
pub struct DeviceHeaders {
    /// The device's operating system and version, e.g. "Android 10".
    #[param(rename = "X-operating-sys-version")]
    os_version: String,
    /// The device's fingerprint: state tokens, sessions and SSO tickets are bound to it.
    #[param(rename = "X-device-fingerprint")]
    fingerprint: String,
    /// The calling app or browser.
    #[param(rename = "X-agent")]
    agent: String,
    #[param(rename = "X-device-ip", nullable = false)]
    ip: Option<String>,
    /// The ClientId of the application signing in: PARAM.0002 when absent, APP.0001 when
    /// unknown, APP.0003 when disabled.
    #[param(rename = "X-client-id")]
    client_id: String,
    /// `zh…` for messages in Chinese; without it, `Accept-Language` decides.
    #[param(rename = "X-L", nullable = false)]
    language: Option<String>,
}

/// The state token of a login's step.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // Describes what `SdkRequest::step` reads.
pub struct StateTokenHeader {
    /// The `state_token` of the login result that asked for this step: PARAM.0013 when absent,
    /// PARAM.0014 when invalid, expired, for another step, client or device.
    #[param(rename = "X-state-token")]
    state_token: String,
}

pub struct SdkRequest {
    pub tenant_id: String,
    pub issuer: Issuer,
    context: Context,
    headers: HeaderMap,
}

/// The calling device, as its headers describe it.
pub struct Device {
    pub os_version: String,
    pub fingerprint: String,
    pub ip: Option<String>,
    pub agent: String,
}

/// A request in a login's step: the client, the device's hash and the state token's claims.
pub struct Step {
    pub app: ApplicationRow,
    pub device_hash: String,
    pub claims: StateClaims,
}

impl SdkRequest {
    /// A header's value: trimmed, not empty, not overlong.
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// A command context acting as the anonymous device (commands set their actor).
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// PARAM.0001 unless the OS version, fingerprint and agent are all given.
    pub fn device(&self) -> Result<Device, OneAccessError> {
        let os_version = self.header("x-operating-sys-version");
        let fingerprint = self.header("x-device-fingerprint");
        let agent = self.header("x-agent");
        match (os_version, fingerprint, agent) {
            (Some(os), Some(fingerprint), Some(agent)) => Ok(Device {
                os_version: os.to_string(),
                fingerprint: fingerprint.to_string(),
                ip: self.header("x-device-ip").map(str::to_string),
                agent: agent.to_string(),
            }),
            _ => Err(OneAccessError::new("PARAM.0001")),
        }
    }

    /// The client application named by `X-client-id`: PARAM.0002 when absent, APP.0001 when
    /// unknown, APP.0003 when disabled.
    pub async fn client(&self, state: &AppState) -> Result<ApplicationRow, OneAccessError> {
        let client_id = self
            .header("x-client-id")
            .ok_or(OneAccessError::new("PARAM.0002"))?;
        let app = projections::applications::by_client_id(state.pool(), &self.tenant_id, client_id)
            .await?
            .ok_or(OneAccessError::new("APP.0001"))?;
        if !app.enabled {
            return Err(OneAccessError::new("APP.0003"));
        }
        Ok(app)
    }

    /// The checks every step of a login makes: device headers, client, and a state token
    /// (PARAM.0013 when absent) that is valid for one of `allowed` from this client and device
    /// (PARAM.0014 otherwise).
    pub async fn step(
        &self,
        state: &AppState,
        allowed: &[SdkChallenge],
    ) -> Result<Step, OneAccessError> {
        let device = self.device()?;
        let app = self.client(state).await?;
        let token = self
            .header("x-state-token")
            .ok_or(OneAccessError::new("PARAM.0013"))?;
        let device_hash = sdk::device_hash(state, &device.fingerprint);
        let presented = sdk::Presented {
            token,
            client_id: &app.client_id,
            device_hash: &device_hash,
        };
        let (claims, _) = sdk::verify_state_token(state, &self.tenant_id, &presented, allowed)
            .await
            .map_err(super::error::sdk_error)?;
        Ok(Step {
            app,
            device_hash,
            claims,
        })
    }

    pub fn caller<'a>(&'a self, app: &'a ApplicationRow, device_hash: &'a str) -> Caller<'a> {
        Caller {
            ctx: &self.context,
            issuer: &self.issuer,
            app,
            device_hash,
        }
    }
}

/// A header's value: trimmed, not empty, not overlong, no control characters.
pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= MAX_HEADER)
}

/// Whether a request asks for Chinese: `X-L: zh…`, else `Accept-Language: zh…`.
pub fn prefers_chinese(headers: &HeaderMap) -> bool {
    let starts_zh = |v: &str| v.trim_start().to_ascii_lowercase().starts_with("zh");
    match header(headers, "x-l") {
        Some(lang) => starts_zh(lang),
        None => header(headers, "accept-language").is_some_and(starts_zh),
    }
}

impl FromRequestParts<AppState> for SdkRequest {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let browser = Browser::from_request_parts(parts, state).await?;
        let context = Context {
            tenant_id: browser.tenant_id.clone(),
            metadata: browser.meta.metadata("anonymous", "-", SURFACE),
        };
        Ok(Self {
            tenant_id: browser.tenant_id.clone(),
            issuer: browser.issuer(),
            context,
            headers: browser.headers,
        })
    }
}
