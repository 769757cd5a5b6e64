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
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{no_store, THROTTLED};
use crate::body::{text, Body, Envelope};
use crate::error::FAILED as MGMT_FAILED;
use crate::error::{ErrorBody, OAuthError, OneAccessError, FORBIDDEN, UNAUTHORIZED};
use idaas_http::caller::ManagementCaller;
use usecases::sdk::{self, tickets};
use usecases::AppState;

/// The device the session was signed in from; all but `agent` required (PARAM.0001).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DeviceFields {
    #[serde(default, deserialize_with = "text")]
    operating_sys_version: Option<String>,
    #[serde(default, deserialize_with = "text")]
    device_ip: Option<String>,
    /// The login's `X-device-fingerprint`, at most 1024 characters.
    #[serde(default, deserialize_with = "text")]
    device_fingerprint: Option<String>,
    /// Not read.
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

/// A session to exchange for a ticket.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TicketRequest {
    /// The `session_token` of a SUCCESS login (PARAM.0030 when missing, unknown, ended, expired
    /// or from another device).
    #[serde(default, deserialize_with = "text")]
    session_token: Option<String>,
    /// Optional: the ClientId of an application the user must hold an enabled account in.
    #[serde(default, deserialize_with = "text")]
    client_id: Option<String>,
    #[serde(flatten)]
    device: DeviceFields,
}

/// A one-time ticket for the session's user.
#[derive(Serialize, ToSchema)]
pub struct TicketAnswer {
    /// Seconds the ticket may be redeemed in.
    expire: i64,
    sso_ticket: String,
}

/// Exchanges a device's session token for a one-time SSO ticket (server to server).
#[utoipa::path(
    post,
    path = "/api/v2/tenant/sso/session-token/sso-ticket",
    operation_id = "issue_sso_ticket",
    tag = "sso tickets",
    request_body = TicketRequest,
    responses(
        (status = 200, description = "The ticket (never cached).", body = TicketAnswer),
        (status = 400, description = "Missing device information (PARAM.0001), a bad session token \
            (PARAM.0030), an unknown or disabled application in `client_id` (APP.0001, APP.0003), \
            no enabled account of the user in it (APP_ACCOUNT.0001).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = 429, description = THROTTLED, body = ErrorBody),
        (status = "5XX", description = MGMT_FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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
    let body = TicketAnswer {
        expire: issued.expire,
        sso_ticket: issued.sso_ticket,
    };
    Ok(no_store(Json(body).into_response()))
}

/// A ticket to redeem, from the device it was issued for.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct VerifyRequest {
    /// Required (PARAM.0031).
    #[serde(default, deserialize_with = "text")]
    sso_ticket: Option<String>,
    #[serde(flatten)]
    device: DeviceFields,
}

/// The user a ticket was issued for.
#[derive(Serialize, ToSchema)]
pub struct TicketUser {
    user: TicketUserInfo,
}

#[derive(Serialize, ToSchema)]
pub struct TicketUserInfo {
    /// The username.
    #[serde(rename = "userName")]
    user_name: String,
    /// The user's id.
    id: String,
    name: String,
    #[schema(required = true)]
    mobile: Option<String>,
    #[schema(required = true)]
    email: Option<String>,
}

/// Redeems a one-time SSO ticket for the user it was issued for (server to server).
#[utoipa::path(
    post,
    path = "/api/v2/tenant/sso/sso-ticket/verify",
    operation_id = "verify_sso_ticket",
    tag = "sso tickets",
    request_body = VerifyRequest,
    responses(
        (status = 200, description = "`{\"code\": \"0\", \"message\": \"success\", \"data\": \
            {\"user\": …}}` (never cached).", body = Envelope<TicketUser>),
        (status = 400, description = "No ticket (PARAM.0031), missing device information \
            (PARAM.0001), a ticket redeemed already, expired, unknown, for another application or \
            from another device (PARAM.0032).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = 429, description = THROTTLED, body = ErrorBody),
        (status = "5XX", description = MGMT_FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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
    let body = Envelope {
        code: "0".to_string(),
        message: "success".to_string(),
        data: TicketUser {
            user: TicketUserInfo {
                user_name: profile.username,
                id: user.user_id,
                name: profile.display_name,
                mobile: profile.mobile,
                email: profile.email,
            },
        },
    };
    Ok(no_store(Json(body).into_response()))
}
