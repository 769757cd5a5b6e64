//! The Hainan unified authentication (UAA) dialect (specs/oneaccess-sdk-and-hainan-uaa.md §2–§4,
//! ops/adr/0019): gateway-style APIs selected by name — `POST /apione/{apiName}`, or
//! `POST /apione` with the name in `X-Api-Name` (or `_api_name`, as CSB-style clients send it,
//! in a header or the query) — over one dispatcher table. `Uaa-App-Key` names the application,
//! `Uaa-Tenant-Id` the tenant; every answer is the eight-key envelope.

mod answers;
mod api;
mod api_docs;
mod caller;
mod envelope;
mod input;
mod openapi;
mod orgs;
mod permissions;
mod refusals;
mod roles;
mod search;
mod users;
mod views;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::Method;
use axum::response::Response;
use axum::routing::any;
use axum::Router;
use serde_json::Value;
use usecases::AppState;

use crate::api::{Api, Named};
use crate::envelope::{Answer, Code, HainanError};
use crate::input::Body;

pub use envelope::Code as ErrorCode;

use idaas_http::openapi::{ApiRouter, Surface};

pub const SURFACE: &str = "hainan";

/// The `/apione` routes with their OpenAPI description, built from the dispatcher table.
pub fn surface() -> Surface {
    Surface {
        name: SURFACE,
        title: "Hainan unified authentication (UAA) API",
        description: "Gateway-style APIs selected by name: `POST /apione/{apiName}`, or \
            `POST /apione` with the name in `X-Api-Name`; every name also answers with `Test` \
            appended (the same API, with `debugMessage` filled on a refusal). `Uaa-App-Key` names \
            the application, `Uaa-Tenant-Id` the tenant; the caller shows a management token, \
            an access key signature, or calls from a trusted gateway. Every answer is the \
            eight-key envelope `{requestId, success, code, message, extend, debugMessage, \
            debugTrace, data}`: business outcomes are HTTP 200 (`success` false and an `ERR_*` \
            code for a refusal), a refused credential 401 or 403, a malformed body 400, a wrong \
            method 405. In bodies an empty string counts as absent and a number may stand for a \
            text.",
        routes: ApiRouter::with_openapi(openapi::description()).merge(ApiRouter::from(router())),
    }
}

/// The `/apione` routes. Every answer is the envelope, a wrong method, an unreadable path and
/// a body over 1 MiB included.
fn router() -> Router<AppState> {
    Router::new()
        .route("/apione", any(by_header))
        .route("/apione/{api_name}", any(by_path))
}

/// The largest body a call may send.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The request's parts and body, or the envelope's refusal.
async fn read(request: Request) -> Result<(Parts, Bytes), Response> {
    let (parts, body) = request.into_parts();
    let answer = || Answer::new(request_id(&parts), false);
    if parts.method != Method::POST {
        let error = HainanError::new(Code::MethodNotAllowed, "every API is called with POST");
        return Err(answer().error(&error));
    }
    match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => Ok((parts, bytes)),
        Err(_) => {
            let error = HainanError::new(Code::BodyTooLarge, "the body is over 1 MiB");
            Err(answer().error(&error))
        }
    }
}

fn request_id(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
}

async fn by_path(State(state): State<AppState>, request: Request) -> Response {
    let (mut parts, body) = match read(request).await {
        Ok(read) => read,
        Err(refused) => return refused,
    };
    // A name that is not text (`%FF`) is a name no API has.
    let name = Path::<String>::from_request_parts(&mut parts, &state)
        .await
        .ok()
        .map(|Path(name)| name);
    let name = Some(name.unwrap_or_default());
    handle(&state, &parts, name, &body).await
}

async fn by_header(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = match read(request).await {
        Ok(read) => read,
        Err(refused) => return refused,
    };
    let name = ["x-api-name", "_api_name"]
        .iter()
        .find_map(|h| parts.headers.get(*h).and_then(|v| v.to_str().ok()))
        .map(str::to_string)
        .or_else(|| query_name(parts.uri.query().unwrap_or_default()));
    handle(&state, &parts, name, &body).await
}

/// `_api_name` from a query string.
fn query_name(query: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == "_api_name").then(|| value.to_string())
    })
}

async fn handle(state: &AppState, parts: &Parts, name: Option<String>, body: &[u8]) -> Response {
    let request_id = request_id(parts);
    let named = name.as_deref().map(str::trim).and_then(api::lookup);
    let test = named.is_some_and(|n| n.test);
    let answer = Answer::new(request_id, test);
    let Some(named) = named else {
        let error = HainanError::new(Code::ApiNotFound, "no API has this name");
        return answer.error(&error);
    };
    match run(
        state,
        parts,
        named,
        name.as_deref().unwrap_or_default(),
        body,
    )
    .await
    {
        Ok(data) => answer.ok(data),
        Err(error) => answer.error(&error),
    }
}

async fn run(
    state: &AppState,
    parts: &Parts,
    named: Named,
    name: &str,
    bytes: &[u8],
) -> Result<Value, HainanError> {
    let call = caller::check(state, parts, name, bytes).await?;
    let body = Body::parse(bytes)?;
    let (s, c, b) = (state, &call, &body);
    match named.api {
        Api::UserRoles => roles::of_user(s, c, b).await,
        Api::AddPermission => permissions::add(s, c, b).await,
        Api::ModifyPermission => permissions::modify(s, c, b).await,
        Api::DeletePermission => permissions::delete(s, c, b).await,
        Api::PermissionsOfRole => permissions::of_role(s, c, b).await,
        Api::Permissions => permissions::tree(s, c, b).await,
        Api::AddRole => roles::add(s, c, b).await,
        Api::ModifyRole => roles::modify(s, c, b).await,
        Api::DeleteRole => roles::delete(s, c, b).await,
        Api::AppRoles => roles::list(s, c).await,
        Api::RoleBindPermission => permissions::bind(s, c, b, true).await,
        Api::RoleUnbindPermission => permissions::bind(s, c, b, false).await,
        Api::UserBindRoles => roles::bind_user(s, c, b, true).await,
        Api::UserUnbindRoles => roles::bind_user(s, c, b, false).await,
        Api::OrgRoleAdd => roles::bind_org(s, c, b, true).await,
        Api::OrgRoleDelete => roles::bind_org(s, c, b, false).await,
        Api::OrgsOfRole => roles::orgs(s, c, b).await,
        Api::UsersOfRole => roles::users(s, c, b).await,
        Api::PushUserInfo => users::push_user_info(s, c, b).await,
        Api::ListUserInfoWithUserId => users::list_user_info(s, c, b).await,
        Api::GetUserInfoById => users::get_user_info(s, c, b).await,
        Api::UserOrgList => users::user_orgs(s, c, b).await,
        Api::PushOrgInfo => orgs::org_info(s, c, b).await,
        Api::PushOrgRootInfo => orgs::roots(s, c).await,
        Api::PushOrgChild => orgs::children(s, c, b).await,
        Api::PushOrgUsers => orgs::members(s, c, b).await,
        Api::OrgListByIds => orgs::by_ids(s, c, b).await,
        Api::SearchByExtendProp => users::by_extension(s, c, b).await,
        Api::OrgUnit => search::unit(s, c, b).await,
        Api::OrgSearch => search::orgs(s, c, b).await,
    }
}
