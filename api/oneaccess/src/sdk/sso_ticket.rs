//! The server side of the SDK session (seed 002 A9/A10), with a management bearer token from
//! `POST /api/v2/tenant/token`:
//! - `POST /api/v2/tenant/sso/session-token/sso-ticket` — body `session_token`,
//!   `operating_sys_version`, `device_ip`, `device_fingerprint` (the login's), `agent` (optional),
//!   `client_id` (optional: an application the user holds an account in) → `{expire: 300,
//!   sso_ticket}`. A bad session token is PARAM.0030; missing device information PARAM.0001.
//! - `POST /api/v2/tenant/sso/sso-ticket/verify` — body `sso_ticket` and the same device
//!   information → `{code: "0", message: "success", data: {user: {userName, id, name, mobile,
//!   email}}}`. A missing ticket is PARAM.0031; a redeemed, expired, unknown or other-device one
//!   PARAM.0032.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::error::no_store;
use crate::body::{text, Body};
use crate::error::OneAccessError;
use idaas_http::caller::ManagementCaller;
use usecases::sdk::{self, tickets};
use usecases::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct DeviceFields {
    #[serde(default, deserialize_with = "text")]
    operating_sys_version: Option<String>,
    #[serde(default, deserialize_with = "text")]
    device_ip: Option<String>,
    #[serde(default, deserialize_with = "text")]
    device_fingerprint: Option<String>,
    #[serde(default, deserialize_with = "text")]
    #[allow(dead_code)]
    agent: Option<String>,
}

impl DeviceFields {
    /// The fingerprint, once the required device information is all there (PARAM.0001).
    fn fingerprint(&self) -> Result<&str, OneAccessError> {
        let present = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
        if !present(&self.operating_sys_version) || !present(&self.device_ip) {
            return Err(OneAccessError::new("PARAM.0001"));
        }
        self.device_fingerprint
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty() && f.len() <= 1024)
            .ok_or(OneAccessError::new("PARAM.0001"))
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct TicketRequest {
    #[serde(default, deserialize_with = "text")]
    session_token: Option<String>,
    #[serde(default, deserialize_with = "text")]
    client_id: Option<String>,
    #[serde(flatten)]
    device: DeviceFields,
}

pub async fn issue(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Body(body): Body<TicketRequest>,
) -> Result<Response, OneAccessError> {
    let fingerprint = body.device.fingerprint()?;
    let device_hash = sdk::device_hash(&state, fingerprint);
    let session_token = body.session_token.as_deref().unwrap_or_default().trim();
    let client_id = body.client_id.as_deref().filter(|c| !c.trim().is_empty());
    let issued = tickets::issue_ticket(
        &state,
        &caller.context,
        &caller.application_id,
        session_token,
        &device_hash,
        client_id,
    )
    .await?;
    let body = json!({ "expire": issued.expire, "sso_ticket": issued.sso_ticket });
    Ok(no_store(Json(body).into_response()))
}

#[derive(Debug, Default, Deserialize)]
pub struct VerifyRequest {
    #[serde(default, deserialize_with = "text")]
    sso_ticket: Option<String>,
    #[serde(flatten)]
    device: DeviceFields,
}

pub async fn verify(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Body(body): Body<VerifyRequest>,
) -> Result<Response, OneAccessError> {
    let ticket = body
        .sso_ticket
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(OneAccessError::new("PARAM.0031"))?;
    let fingerprint = body.device.fingerprint()?;
    let device_hash = sdk::device_hash(&state, fingerprint);
    let user = tickets::redeem_ticket(
        &state,
        &caller.context,
        &caller.application_id,
        ticket,
        &device_hash,
    )
    .await?;
    let profile = user.profile;
    let body = json!({
        "code": "0",
        "message": "success",
        "data": { "user": {
            "userName": profile.username,
            "id": user.user_id,
            "name": profile.display_name,
            "mobile": profile.mobile,
            "email": profile.email,
        }},
    });
    Ok(no_store(Json(body).into_response()))
}
