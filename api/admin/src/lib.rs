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

use axum::Router;
use usecases::Context;

use idaas_http::caller::ManagementCaller;
use usecases::AppState;

pub const SURFACE: &str = "admin";

pub fn router() -> Router<AppState> {
    Router::new().nest(
        "/admin/v1",
        applications::router()
            .merge(authority::router())
            .merge(keys::router())
            .merge(saml_keys::router())
            .merge(privileges::router())
            .merge(settings::router())
            .merge(tenants::router())
            .merge(users::router())
            .merge(organizations::router())
            .merge(access_keys::router())
            .route("/openapi.json", axum::routing::get(openapi)),
    )
}

/// The OpenAPI 3 description of this API (public, like any service description).
async fn openapi() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
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
