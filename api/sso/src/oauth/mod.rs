//! The OAuth 2.0 / OpenID Connect provider under `/api/v1/oauth2/` (specs/oneaccess.md §2.10–
//! §2.11, §3.3–§3.4), with discovery also at the server root.

mod authorize;
mod client;
mod discovery;
pub mod error;
mod introspect;
pub mod logout;
pub mod params;
mod token;
mod userinfo;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, OpenApiBuilder};
use utoipa_axum::routes;

use idaas_http::openapi::ApiRouter;

/// The security scheme name of a client's `client_secret_basic` authentication (RFC 6749
/// §2.3.1), as handlers' `security(...)` name it.
pub const CLIENT_BASIC: &str = "client_basic";

pub fn router() -> ApiRouter {
    let oauth = ApiRouter::new()
        .routes(routes!(authorize::get_authorize, authorize::post_authorize))
        .routes(routes!(token::token))
        .routes(routes!(userinfo::get_userinfo, userinfo::post_userinfo))
        .routes(routes!(discovery::jwks))
        .routes(routes!(introspect::introspect))
        .routes(routes!(introspect::revoke))
        .routes(routes!(logout::get_end_session, logout::post_end_session))
        .routes(routes!(discovery::configuration));
    ApiRouter::with_openapi(client_authentication())
        .nest("/api/v1/oauth2", oauth)
        .routes(routes!(discovery::root_configuration))
}

/// The description's security scheme for HTTP Basic client authentication; a client may instead
/// post `client_id` and `client_secret` in the form (`client_secret_post`), which OpenAPI has no
/// scheme for: the operations that take either list it beside an empty requirement.
fn client_authentication() -> utoipa::openapi::OpenApi {
    let basic = HttpBuilder::new()
        .scheme(HttpAuthScheme::Basic)
        .description(Some(
            "client_secret_basic: the client id and secret, each form-urlencoded, as HTTP Basic \
             credentials (RFC 6749 §2.3.1). Failing it answers 401 `invalid_client` with a \
             `WWW-Authenticate: Basic` challenge.",
        ))
        .build();
    OpenApiBuilder::new()
        .components(Some(
            ComponentsBuilder::new()
                .security_scheme(CLIENT_BASIC, SecurityScheme::Http(basic))
                .build(),
        ))
        .build()
}
