//! `GET /api/v1/saml2/idp/metadata` (specs/oneaccess.md #45): the IdP metadata, served as a file
//! download: entity id, the signing certificates (the signing one, the next one ahead of its
//! activation, a replaced one for a while after), NameID formats, SSO and SLO endpoints.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use idaas_http::web::Browser;
use usecases::saml::{keys, xml, Idp};
use usecases::AppState;

pub async fn metadata(State(state): State<AppState>, browser: Browser) -> Response {
    let idp = Idp::at(&browser.base_url());
    let ctx = browser.context();
    let certificates = match keys::published_certificates(&state, &ctx).await {
        Ok(certificates) => certificates,
        Err(_) => return (StatusCode::SERVICE_UNAVAILABLE, "System busy").into_response(),
    };
    let encoded: Vec<String> = certificates.iter().map(|c| STANDARD.encode(c)).collect();
    let body = xml::metadata(&idp.entity_id, &idp.sso_url, &idp.slo_url, &encoded);
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/samlmetadata+xml"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"idp-metadata.xml\""),
    );
    response
}
