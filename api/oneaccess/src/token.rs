//! `POST /api/v2/tenant/token` — get an access credential (specs/oneaccess.md §2.1 #1). Form
//! parameters `grant_type=client_credentials`, `client_id`, `client_secret` (or the client's
//! credentials in HTTP Basic, RFC 6749 §2.3.1); OAuth-style errors (§5.1 #1, decided). The
//! answer carries the documented `id_token`.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use idaas_http::failure::Failure;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::OAuthError;
use idaas_http::basic::basic_credentials;
use idaas_http::caller::SURFACE;
use idaas_http::context::RequestMeta;
use idaas_http::web::Browser;
use usecases::tokens::{self, TokenError};
use usecases::AppState;
use usecases::{context, ServiceError};

/// The form (Table 3-4). It is read as `application/x-www-form-urlencoded` whatever the
/// `Content-Type` says (a JSON body reads as no fields); blank values count as absent.
#[derive(ToSchema)]
#[allow(dead_code)] // Describes the form, which is read as a map.
pub struct TokenForm {
    /// `client_credentials`, the only grant type accepted.
    grant_type: String,
    /// The application's ClientId; may be left out with HTTP Basic (if given, it must match).
    #[schema(nullable = false)]
    client_id: Option<String>,
    /// The application's ClientSecret; never together with HTTP Basic.
    #[schema(nullable = false)]
    client_secret: Option<String>,
}

/// The credential (Table 3-5).
#[derive(Serialize, ToSchema)]
pub struct TokenAnswer {
    /// Sent as `Authorization: Bearer` on the other management calls.
    access_token: String,
    /// Always `Bearer`.
    token_type: &'static str,
    /// Seconds until the token expires (1800 unless the tenant says otherwise).
    expires_in: u32,
    scope: &'static str,
    /// A JWT about the application: `sub` and `aud` are its ClientId.
    id_token: String,
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = OAuthError {
        error: error.to_string(),
        error_description: description.to_string(),
    };
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// Gets a management access token with the application's client credentials.
#[utoipa::path(
    post,
    path = "/token",
    tag = "token",
    request_body(
        content = TokenForm,
        content_type = "application/x-www-form-urlencoded",
        description = "The client credentials grant; the client's credentials may come in HTTP \
            Basic (RFC 6749 §2.3.1) instead of `client_id` and `client_secret`, never both.",
    ),
    responses(
        (status = 200, description = "The access token (`Cache-Control: no-store`).",
            body = TokenAnswer,
            headers(("Cache-Control" = String, description = "no-store"))),
        (status = 400, description = "`invalid_request` (no grant type, no credentials, two \
            authentication methods), `unsupported_grant_type`, `invalid_client` (bad credentials), \
            `unauthorized_client` (the application is disabled or has not been granted the API \
            product), `server_error`. (An encoded NUL in the query is PARAM.0000 in the management \
            API's `{\"error_code\", \"error_msg\"}`.)", body = OAuthError),
        (status = 429, description = "Too many refused requests from this address: \
            `temporarily_unavailable`, with `Retry-After`.", body = OAuthError),
        (status = 500, description = "`server_error`.", body = OAuthError),
        (status = 503, description = "Storage is unavailable: `temporarily_unavailable`, with \
            `Retry-After`.", body = OAuthError),
    ),
    security((), ("basic" = []))
)]
pub async fn token(
    State(state): State<AppState>,
    meta: RequestMeta,
    browser: Result<Browser, Response>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let field = |name: &str| {
        form.get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty() && !v.contains('\0'))
    };
    let grant_type = field("grant_type");
    match grant_type {
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Missing grant type",
            )
        }
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Unsupported grant type: only client_credentials is accepted here",
            )
        }
    }
    let posted = (field("client_id"), field("client_secret"));
    let (client_id, client_secret) = match (basic_credentials(&headers), posted) {
        (Some(_), (_, Some(_))) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "use one client authentication method, not both",
            )
        }
        (Some(None), _) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_client",
                "Bad client credentials",
            )
        }
        (Some(Some((id, secret))), (form_id, None)) => {
            if form_id.is_some_and(|f| f != id) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_client",
                    "Bad client credentials",
                );
            }
            (id, secret)
        }
        (None, (Some(id), Some(secret))) => (id.to_string(), secret.to_string()),
        (None, _) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "client_id and client_secret are required",
            )
        }
    };
    let (client_id, client_secret) = (client_id.as_str(), client_secret.as_str());
    // Finding the tenant failed (logged there): answered in this endpoint's shape.
    let browser = match browser {
        Ok(browser) => browser,
        Err(rejected) if rejected.status() == StatusCode::SERVICE_UNAVAILABLE => {
            return failed(Failure::Unavailable)
        }
        Err(_) => return failed(Failure::Internal),
    };
    let tenant = browser.tenant_id.clone();
    let ctx = context(&tenant, meta.metadata("application", client_id, SURFACE));
    match tokens::issue(&state, &ctx, client_id, client_secret).await {
        Ok(issued) => {
            let issuer = browser.issuer();
            let id_token = match tokens::id_token(
                &state,
                &tenant,
                &issuer,
                client_id,
                issued.expires_in,
            )
            .await
            {
                Ok(id_token) => id_token,
                Err(e) => return failed(Failure::of(&e, "the management id_token")),
            };
            let mut response = Json(TokenAnswer {
                access_token: issued.access_token,
                token_type: "Bearer",
                expires_in: issued.expires_in,
                scope: issued.scope,
                id_token,
            })
            .into_response();
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            response
        }
        Err(TokenError::BadCredentials) => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "Bad client credentials",
        ),
        Err(TokenError::Unauthorized) => oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "The application is disabled or has not been granted the API product",
        ),
        Err(TokenError::Service(
            error @ (ServiceError::Internal(_)
            | ServiceError::Unavailable(_)
            | ServiceError::Overloaded
            | ServiceError::Throttled { .. }),
        )) => failed(Failure::of_service(&error).unwrap_or(Failure::Internal)),
        Err(TokenError::Service(_)) => oauth_error(
            StatusCode::BAD_REQUEST,
            "server_error",
            "System busy. Please try again later.",
        ),
    }
}

/// A failure of the server (500 `server_error`) or of its storage (503 `temporarily_unavailable`
/// with `Retry-After`), in the OAuth error shape of this endpoint.
fn failed(failure: Failure) -> Response {
    failure.finish(oauth_error(
        failure.status(),
        failure.oauth_error(),
        "System busy. Please try again later.",
    ))
}
