//! The SAML 2.0 identity provider under `/api/v1/saml2/idp/` (specs/oneaccess.md §2.9, §3.2):
//! metadata, SP- and IdP-initiated single sign-on, single logout.

pub mod dsig;
mod metadata;
mod send;
pub mod slo;
mod sso;

use axum::routing::get;
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    let idp = Router::new()
        .route("/metadata", get(metadata::metadata))
        .route("/sso", get(sso::get_sso).post(sso::post_sso))
        .route("/slo", get(slo::get_slo).post(slo::post_slo));
    Router::new().nest("/api/v1/saml2/idp", idp)
}
