//! The native administration API (`/admin/v1`, JSON): what the OneAccess portal does by hand —
//! applications (register, configure, enable/disable, rotate the secret) and tenant settings
//! (password policy, user-attribute rules, management token lifetime). Authenticated by a
//! management token of the tenant; errors are `{"error", "message"}` with a fitting HTTP status.

mod access_keys;
mod applications;
mod audit_reading;
mod authority;
mod erasure;
mod error;
mod keys;
mod organizations;
mod privileges;
mod saml_keys;
mod schema;
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
        routes: ApiRouter::with_openapi(error::shared()).nest("/admin/v1", routes()),
    }
}

const DESCRIPTION: &str = "Applications (their authority, privileges and access keys), the \
    privileges roles carry, tenants and their host names, tenant settings, token and SAML signing \
    keys, organisations' government profiles, users' lockouts and posts, erasure. Authenticated by a \
    management token of the tenant (POST /api/v2/tenant/token) whose application is a tenant \
    administrator; a missing or bad token is 401 {\"error\", \"error_description\"}. Other errors \
    are {\"error\", \"message\"}: 400 invalid_request (including unknown fields), 403 forbidden, \
    404 not_found, 409 conflict, 503 temporarily_unavailable (with Retry-After), 500 server_error.";

fn routes() -> ApiRouter {
    applications::router()
        .merge(authority::router())
        .merge(audit_reading::router())
        .merge(keys::router())
        .merge(saml_keys::router())
        .merge(privileges::router())
        .merge(settings::router())
        .merge(tenants::router())
        .merge(organizations::router())
        .merge(access_keys::router())
        .merge(users::router())
        .merge(erasure::router())
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
