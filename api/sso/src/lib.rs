//! Browser single sign-on, wire only: the hosted login pages, OAuth 2.0 / OpenID Connect, CAS
//! 1.0–3.0 and SAML 2.0 endpoints (specs/oneaccess.md §2). Every decision is the use-case
//! layer's; these modules read requests and write each protocol's answers.

pub mod cas;
pub mod login;
pub mod oauth;
pub mod saml;

use axum::Router;
use usecases::AppState;

/// Every browser-facing SSO route.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(login::router())
        .merge(oauth::router())
        .merge(cas::router())
        .merge(saml::router())
}
