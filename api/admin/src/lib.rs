//! The native administration API (`/admin/v1`, JSON): what the OneAccess portal does by hand —
//! applications (register, configure, enable/disable, rotate the secret) and tenant settings
//! (password policy, user-attribute rules, management token lifetime). Authenticated by a
//! management token of the tenant; errors are `{"error", "message"}` with a fitting HTTP status.

mod access_keys;
mod applications;
mod authority;
mod error;
mod keys;
mod organizations;
mod privileges;
mod saml_keys;
mod settings;
mod strict;
mod tenants;
mod users;

use usecases::Context;

use idaas_http::caller::ManagementCaller;
use idaas_http::openapi::{ApiRouter, Surface};
use usecases::AppState;

pub const SURFACE: &str = "admin";

/// The routes of `/admin/v1` with their OpenAPI description.
pub fn surface() -> Surface {
    Surface {
        name: SURFACE,
        title: "idaas administration API",
        description: DESCRIPTION,
        routes: ApiRouter::new().nest("/admin/v1", routes()),
    }
}

const DESCRIPTION: &str = "Applications, privileges and the privileges roles carry, tenants and \
    tenant settings, users' lockouts and posts, access keys. Authenticated by a management token \
    of the tenant (POST /api/v2/tenant/token); a missing or bad token is 401 {\"error\", \
    \"error_description\"}. Other errors are {\"error\", \"message\"}: 400 invalid_request \
    (including unknown fields), 403 forbidden, 404 not_found, 409 conflict, 429 or 503 \
    temporarily_unavailable, 500 server_error.";

fn routes() -> ApiRouter {
    ApiRouter::from(applications::router())
        .merge(ApiRouter::from(authority::router()))
        .merge(ApiRouter::from(keys::router()))
        .merge(ApiRouter::from(saml_keys::router()))
        .merge(ApiRouter::from(privileges::router()))
        .merge(ApiRouter::from(settings::router()))
        .merge(ApiRouter::from(tenants::router()))
        .merge(ApiRouter::from(organizations::router()))
        .merge(ApiRouter::from(access_keys::router()))
        .merge(users::router())
}

/// Refuses a call the caller's authority does not cover: recorded, answered 403 (ops/adr/0014).
pub async fn refuse(state: &AppState, caller: &ManagementCaller, why: &str) -> error::AdminError {
    let required = domain::authority::Authority::Operator;
    usecases::authority::record_refusal(state, &context(caller), &caller.held, required, why).await;
    error::AdminError::forbidden(why)
}

/// The caller's command context, attributed to this surface.
pub fn context(caller: &ManagementCaller) -> Context {
    let mut context = caller.context.clone();
    context.metadata.surface = Some(SURFACE.to_string());
    context
}
