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

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::routes;

use idaas_http::openapi::{ApiRouter, Surface};

/// The security scheme name of HTTP Basic client authentication at the token endpoint.
const BASIC: &str = "basic";

/// The management surface, `/api/v2/tenant/...`, with its OpenAPI description.
pub fn management_surface() -> Surface {
    Surface {
        name: "oneaccess",
        title: "OneAccess management API",
        description: MANAGEMENT,
        routes: management(),
    }
}

const MANAGEMENT: &str = "The OneAccess management API (`/api/v2/tenant/...`, specs/oneaccess.md \
    §2.1–§2.6): users, organisations, application accounts, application organisations and \
    application-side roles. Called with a management token of the tenant (`POST \
    /api/v2/tenant/token`) as `Authorization: Bearer`; the tenant is the one of the host name. \
    Answers are flat JSON (`application/json;charset=UTF-8`, no envelope). Refusals are HTTP 400 \
    `{\"error_code\", \"error_msg\"}` with the codes of the reference's appendix, the message in \
    Chinese (and `Content-Language: zh-CN`) when `Accept-Language` starts with `zh`; a failure \
    of the server is 500, and of its storage 503 with `Retry-After`, both with `COM.0002` (which \
    is also the 400 of a change that lost a race with another: try again). A \
    missing or bad token is 401, and a token whose credential does not cover the call (an \
    auditor's, or one that may not manage the application in the path) is 403, both \
    `{\"error\", \"error_description\"}` with `WWW-Authenticate`. Bodies \
    are JSON whatever the `Content-Type` (an empty body reads as `{}`, unknown fields are \
    ignored); string fields also take numbers and booleans, boolean fields also \"true\" and \
    \"false\"; NUL characters, in the body or encoded in the path or query, are PARAM.0000.";

/// The SDK login surface, `/api/v2/sdk/...` and the SSO tickets, with its OpenAPI description.
pub fn sdk_surface() -> Surface {
    Surface {
        name: "oneaccess-sdk",
        title: "OneAccess SDK login API",
        description: SDK,
        routes: ApiRouter::from(sdk::router()),
    }
}

const SDK: &str = "The OneAccess SDK login API (seed 002): a device signs in with \
    `POST /api/v2/sdk/login` and passes the challenges it answers (PASSWORD_WARN, \
    PASSWORD_EXPIRED, MFA_AUTH) with the `X-state-token` it gets, until SUCCESS gives it a \
    `session_token`; the user then updates their profile with `X-session-token`, and the \
    application's server exchanges the session token for a one-time `sso_ticket` and the ticket \
    for the user (`/api/v2/tenant/sso/...`, with a management token as `Authorization: Bearer`). \
    Device calls carry the device headers (`X-operating-sys-version`, `X-device-fingerprint`, \
    `X-agent`, optional `X-device-ip`) and the application's `X-client-id`; the tenant is the one \
    of the host name. Answers are flat JSON (only the ticket verification has a `{\"code\", \
    \"message\", \"data\"}` envelope), never cached. Refusals are HTTP 400 `{\"error_code\", \
    \"error_msg\"}`, in Chinese (and `Content-Language: zh-CN`) when `X-L` (or, without it, \
    `Accept-Language`) starts with `zh`; a failure of the server is 500, of its storage or its \
    password checks 503, and a rate limit 429, all with `COM.0002` (503 and 429 with \
    `Retry-After`). Bodies are JSON whatever the `Content-Type` (an empty body reads as `{}`); \
    string fields also take numbers and booleans.";

fn management() -> ApiRouter {
    let tenant = ApiRouter::new()
        .routes(routes!(token::token))
        .merge(ApiRouter::from(users::router()))
        .merge(ApiRouter::from(organizations::router()))
        .merge(ApiRouter::from(accounts::router()))
        .merge(ApiRouter::from(app_orgs::router()))
        .merge(ApiRouter::from(roles::router()));
    let mut routes = ApiRouter::new()
        .nest("/api/v2/tenant", tenant)
        .layer(axum::middleware::from_fn(management_layers));
    let components = routes
        .get_openapi_mut()
        .components
        .get_or_insert_with(Default::default);
    components.add_security_scheme(
        BASIC,
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
    );
    routes
}

/// The management surface's layers, as one (issue 20: a router's layer wraps each route on its
/// own, and every request clones and boxes each of them): a target holding `%00` is refused,
/// error messages are in Chinese when `Accept-Language` asks for it, and JSON answers say their
/// charset.
async fn management_layers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let chinese = error::asks_chinese(request.headers());
    let response = body::unless_nul(request, next).await;
    utf8_json(error::localised(response, chinese)).await
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
