//! OIDC discovery (specs/oneaccess.md #54, OpenID Connect Discovery 1.0) and the JWK Set.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::error::failed;
use idaas_http::failure::Failure;
use idaas_http::web::Browser;
use usecases::oauth::SCOPES;
use usecases::AppState;

pub async fn configuration(browser: Browser) -> Response {
    let issuer = browser.issuer().url;
    let base = browser.base_url();
    let document = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "jwks_uri": format!("{issuer}/jwks"),
        "end_session_endpoint": format!("{issuer}/logout"),
        "introspection_endpoint": format!("{issuer}/introspect"),
        "revocation_endpoint": format!("{issuer}/revoke"),
        "check_session_iframe": null,
        "response_types_supported": ["code", "id_token", "id_token token"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "grant_types_supported": ["authorization_code", "refresh_token", "implicit", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "scopes_supported": SCOPES,
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "sid", "azp",
            "id", "userName", "name", "email", "mobile", "preferred_username", "given_name",
            "middle_name", "family_name", "nickname", "birthdate", "updated_at", "email_verified",
            "phone_number", "phone_number_verified", "roles", "permissions"
        ],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "ui_locales_supported": ["zh-CN", "en"],
        "service_documentation": format!("{base}/api/v1/login"),
    });
    let mut document = document;
    if let Some(object) = document.as_object_mut() {
        object.retain(|_, v| !v.is_null());
    }
    cached(Json(document).into_response())
}

pub async fn jwks(State(state): State<AppState>, browser: Browser) -> Response {
    match state.signing.jwks(&state.bus, &browser.tenant_id).await {
        Ok(keys) => cached(Json(keys).into_response()),
        Err(e) => failed(Failure::of(&e, "jwks")),
    }
}

fn cached(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}
