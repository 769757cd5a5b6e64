//! OIDC discovery (specs/oneaccess.md #54, OpenID Connect Discovery 1.0) and the JWK Set.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{failed, ErrorBody};
use idaas_http::failure::Failure;
use idaas_http::web::Browser;
use usecases::oauth::SCOPES;
use usecases::AppState;

/// The provider's metadata (OpenID Connect Discovery 1.0 §3); every endpoint is under the issuer
/// of the request's host.
#[derive(Debug, Serialize, ToSchema)]
pub struct Configuration {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    userinfo_endpoint: String,
    jwks_uri: String,
    end_session_endpoint: String,
    introspection_endpoint: String,
    revocation_endpoint: String,
    response_types_supported: Vec<&'static str>,
    response_modes_supported: Vec<&'static str>,
    grant_types_supported: Vec<&'static str>,
    subject_types_supported: Vec<&'static str>,
    id_token_signing_alg_values_supported: Vec<&'static str>,
    scopes_supported: Vec<&'static str>,
    token_endpoint_auth_methods_supported: Vec<&'static str>,
    introspection_endpoint_auth_methods_supported: Vec<&'static str>,
    revocation_endpoint_auth_methods_supported: Vec<&'static str>,
    code_challenge_methods_supported: Vec<&'static str>,
    claims_supported: Vec<&'static str>,
    claims_parameter_supported: bool,
    request_parameter_supported: bool,
    request_uri_parameter_supported: bool,
    backchannel_logout_supported: bool,
    backchannel_logout_session_supported: bool,
    ui_locales_supported: Vec<&'static str>,
    /// The hosted sign-in page.
    service_documentation: String,
}

const CLIENT_AUTH: [&str; 2] = ["client_secret_post", "client_secret_basic"];

const CLAIMS: [&str; 27] = [
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "at_hash",
    "sid",
    "azp",
    "id",
    "userName",
    "name",
    "email",
    "mobile",
    "preferred_username",
    "given_name",
    "middle_name",
    "family_name",
    "nickname",
    "birthdate",
    "updated_at",
    "email_verified",
    "phone_number",
    "phone_number_verified",
    "roles",
    "permissions",
];

/// The OpenID Provider configuration (OpenID Connect Discovery 1.0 §4).
#[utoipa::path(
    get,
    path = "/.well-known/openid-configuration",
    tag = "OpenID Connect",
    responses(
        (status = 200, description = "The provider's metadata; cacheable for 300 seconds.", body = Configuration),
        (status = 500, description = "The tenant of the host could not be read.", content_type = "text/plain", body = String),
        (status = 503, description = "Storage is unavailable while reading the tenant of the host; with `Retry-After`.", content_type = "text/plain", body = String),
    )
)]
pub async fn configuration(browser: Browser) -> Response {
    let issuer = browser.issuer().url;
    let base = browser.base_url();
    let document = Configuration {
        authorization_endpoint: format!("{issuer}/authorize"),
        token_endpoint: format!("{issuer}/token"),
        userinfo_endpoint: format!("{issuer}/userinfo"),
        jwks_uri: format!("{issuer}/jwks"),
        end_session_endpoint: format!("{issuer}/logout"),
        introspection_endpoint: format!("{issuer}/introspect"),
        revocation_endpoint: format!("{issuer}/revoke"),
        issuer,
        response_types_supported: vec!["code", "id_token", "id_token token"],
        response_modes_supported: vec!["query", "fragment", "form_post"],
        grant_types_supported: vec![
            "authorization_code",
            "refresh_token",
            "implicit",
            "client_credentials",
        ],
        subject_types_supported: vec!["public"],
        id_token_signing_alg_values_supported: vec!["RS256", "ES256"],
        scopes_supported: SCOPES.to_vec(),
        token_endpoint_auth_methods_supported: CLIENT_AUTH.to_vec(),
        introspection_endpoint_auth_methods_supported: CLIENT_AUTH.to_vec(),
        revocation_endpoint_auth_methods_supported: CLIENT_AUTH.to_vec(),
        code_challenge_methods_supported: vec!["S256", "plain"],
        claims_supported: CLAIMS.to_vec(),
        claims_parameter_supported: false,
        request_parameter_supported: false,
        request_uri_parameter_supported: false,
        backchannel_logout_supported: true,
        backchannel_logout_session_supported: true,
        ui_locales_supported: vec!["zh-CN", "en"],
        service_documentation: format!("{base}/api/v1/login"),
    };
    cached(Json(document).into_response())
}

/// The OpenID Provider configuration at the server root, for clients that look there first.
#[utoipa::path(
    get,
    path = "/.well-known/openid-configuration",
    tag = "OpenID Connect",
    responses(
        (status = 200, description = "The same metadata as under the issuer; cacheable for 300 seconds.", body = Configuration),
        (status = 500, description = "The tenant of the host could not be read.", content_type = "text/plain", body = String),
        (status = 503, description = "Storage is unavailable while reading the tenant of the host; with `Retry-After`.", content_type = "text/plain", body = String),
    )
)]
pub async fn root_configuration(browser: Browser) -> Response {
    configuration(browser).await
}

/// The public keys that verify the tenant's tokens (RFC 7517 §5).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct JwkSet {
    keys: Vec<Jwk>,
}

/// One published signing key: RSA (`n`, `e`) or EC P-256 (`crv`, `x`, `y`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Jwk {
    /// `RSA` or `EC`.
    kty: String,
    /// RSA: the modulus, base64url.
    #[schema(nullable = false)]
    n: Option<String>,
    /// RSA: the exponent, base64url.
    #[schema(nullable = false)]
    e: Option<String>,
    /// EC: `P-256`.
    #[schema(nullable = false)]
    crv: Option<String>,
    /// EC: the x coordinate, base64url.
    #[schema(nullable = false)]
    x: Option<String>,
    /// EC: the y coordinate, base64url.
    #[schema(nullable = false)]
    y: Option<String>,
    /// The key id, as token headers name it.
    kid: String,
    /// `RS256` or `ES256`.
    alg: String,
    /// Always `sig`.
    #[serde(rename = "use")]
    use_: String,
}

/// The tenant's published signing keys, a superseded key until its publication ends.
#[utoipa::path(
    get,
    path = "/jwks",
    tag = "OpenID Connect",
    responses(
        (status = 200, description = "The JWK Set; cacheable for 300 seconds.", body = JwkSet),
        (status = 500, description = "`server_error` (plain text when the tenant of the host cannot be read).", content((ErrorBody = "application/json"), (String = "text/plain"))),
        (status = 503, description = "`temporarily_unavailable`: storage is unavailable; with `Retry-After` (plain text when it fails reading the tenant of the host).", content((ErrorBody = "application/json"), (String = "text/plain"))),
    )
)]
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
