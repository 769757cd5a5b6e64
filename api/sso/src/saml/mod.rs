//! The SAML 2.0 identity provider under `/api/v1/saml2/idp/` (specs/oneaccess.md §2.9, §3.2):
//! metadata, SP- and IdP-initiated single sign-on, single logout.

mod metadata;
mod send;
pub mod slo;
mod sso;

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::login::message_page;
use idaas_http::i18n::Lang;
use usecases::saml::xml::Status;
use usecases::AppState;

/// An error page naming the SAML status, for input no service provider can be answered for.
fn status_page(lang: Lang, status: &Status) -> Response {
    message_page(
        lang,
        StatusCode::BAD_REQUEST,
        lang.text("bad_request"),
        &status.describe(),
    )
}

pub fn router() -> Router<AppState> {
    let idp = Router::new()
        .route("/metadata", get(metadata::metadata))
        .route("/sso", get(sso::get_sso).post(sso::post_sso))
        .route("/slo", get(slo::get_slo).post(slo::post_slo));
    Router::new().nest("/api/v1/saml2/idp", idp)
}
