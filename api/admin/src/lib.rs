//! The native administration API (`/admin/v1`, JSON): what the OneAccess portal does by hand —
//! applications (register, configure, enable/disable, rotate the secret) and tenant settings
//! (password policy, user-attribute rules, management token lifetime). Authenticated by a
//! management token of the tenant; errors are `{"error", "message"}` with a fitting HTTP status.

mod applications;
mod error;
mod keys;
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
            .merge(keys::router())
            .merge(saml_keys::router())
            .merge(privileges::router())
            .merge(settings::router())
            .merge(tenants::router())
            .merge(users::router())
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

/// The caller's command context, attributed to this surface.
pub fn context(caller: &ManagementCaller) -> Context {
    let mut context = caller.context.clone();
    context.metadata.surface = Some(SURFACE.to_string());
    context
}
