//! The OneAccess dialect: the management surface (`/api/v2/tenant/...`, specs/oneaccess.md §1–§4)
//! and the SDK login surface (`/api/v2/sdk/...`, module `sdk`).

mod accounts;
mod app_orgs;
pub mod body;
pub mod error;
mod organizations;
mod roles;
pub mod sdk;
mod token;
mod users;

/// The OneAccess names of the user attributes (ADR 0009).
pub use users::attributes as user_attributes;

use axum::routing::post;

use idaas_http::openapi::{ApiRouter, Surface};

/// The management surface, `/api/v2/tenant/...`, with its OpenAPI description.
pub fn management_surface() -> Surface {
    Surface {
        name: "oneaccess",
        title: "OneAccess management API",
        description: "The OneAccess management API (`/api/v2/tenant/...`): users, organisations, \
            application accounts, application organisations and roles, called with a management \
            token (`POST /api/v2/tenant/token`). Answers are `{\"code\", \"message\", \"data\"}` \
            (`code` \"200\" on success); refusals carry the OneAccess error codes.",
        routes: management(),
    }
}

/// The SDK login surface, `/api/v2/sdk/...` and the SSO tickets, with its OpenAPI description.
pub fn sdk_surface() -> Surface {
    Surface {
        name: "oneaccess-sdk",
        title: "OneAccess SDK login API",
        description: "The OneAccess SDK login API (`/api/v2/sdk/...`): password and second-factor \
            sign-in, CAPTCHA, password change, profile update, and the SSO session-token tickets. \
            Answers are `{\"code\", \"message\", \"data\"}`.",
        routes: ApiRouter::from(sdk::router()),
    }
}

fn management() -> ApiRouter {
    let tenant = ApiRouter::new()
        .route("/token", post(token::token))
        .merge(ApiRouter::from(users::router()))
        .merge(ApiRouter::from(organizations::router()))
        .merge(ApiRouter::from(accounts::router()))
        .merge(ApiRouter::from(app_orgs::router()))
        .merge(ApiRouter::from(roles::router()));
    ApiRouter::new()
        .nest("/api/v2/tenant", tenant)
        .layer(axum::middleware::from_fn(body::refuse_nul_in_target))
        .layer(axum::middleware::from_fn(error::localise))
        .layer(axum::middleware::map_response(utf8_json))
}

/// JSON answers say their charset, as the OneAccess service does (`application/json;charset=UTF-8`).
async fn utf8_json(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::header::{HeaderValue, CONTENT_TYPE};
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == b"application/json");
    if is_json {
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=UTF-8"),
        );
    }
    response
}
