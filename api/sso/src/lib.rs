//! Browser single sign-on, wire only: the hosted login pages, OAuth 2.0 / OpenID Connect, CAS
//! 1.0–3.0 and SAML 2.0 endpoints (specs/oneaccess.md §2). Every decision is the use-case
//! layer's; these modules read requests and write each protocol's answers.

pub mod cas;
pub mod login;
pub mod oauth;
pub mod saml;

use axum::Router;
use idaas_http::openapi::{ApiRouter, Surface};
use usecases::AppState;

/// Every browser-facing SSO route.
/// The OAuth 2.0 / OpenID Connect endpoints with their OpenAPI description.
pub fn oauth_surface() -> Surface {
    Surface {
        name: "oauth",
        title: "OAuth 2.0 and OpenID Connect endpoints",
        description: "Authorization, token, introspection, revocation, userinfo, JWKS, \
            discovery and RP-initiated logout (RFC 6749, 7009, 7636, 7662, OpenID Connect Core, \
            Discovery and RP-Initiated Logout). Clients authenticate with HTTP Basic \
            (`client_basic`) or with `client_id` and `client_secret` in the form. The JSON \
            endpoints' errors are `{\"error\", \"error_description\"}`; the browser endpoints \
            (authorize, logout) answer with redirects and HTML pages.",
        routes: ApiRouter::from(oauth::router()),
    }
}

/// The hosted sign-in pages, CAS and SAML (HTML and XML, not described in OpenAPI).
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(login::router())
        .merge(cas::router())
        .merge(saml::router())
}
