//! Users ("accounts", specs/inspur-idaas.md §2.6) — the directory's users, whichever API made
//! them: USR-04 the filtered page (`POST`, filters in the query or a JSON body; users who left
//! only with `status=0`), USR-13 the detail; the changes are in `write`, the Excel template and
//! import in `import`. A password is never emitted.

mod import;
mod write;

use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use projections::directory_users::{self, DirectoryUser, UserFilter, UserState};
use serde::Deserialize;
use serde_json::{json, Value};
use usecases::AppState;

use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::lenient::text;
use crate::time::wire;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/user/page/{page_no}/{page_size}", post(page))
        .route("/user/userInfoDetail", get(detail))
        .route("/user/createUser", post(write::create))
        .route("/user/updateUser", post(write::update))
        .route("/user/dimission", post(write::dimission))
        .route("/user/delete", post(write::delete))
        .route("/user/remove", post(write::remove))
        .route("/user/modelDown", get(import::template))
        .route(
            "/user/userInfoImport",
            post(import::import).get(import::import),
        )
}

/// The wire status (§2.6): `0` left, `1` normal, `2` disabled.
fn status(user: &DirectoryUser) -> &'static str {
    match (user.left, user.disabled) {
        (true, _) => "0",
        (false, true) => "2",
        (false, false) => "1",
    }
}

fn view(user: &DirectoryUser, tenant: &str, zone: i32, bind: bool) -> Value {
    let mut object = json!({
        "id": user.user_id,
        "email": user.email,
        "phone": user.mobile,
        "createdType": user.created_type,
        "nickName": user.name,
        "expirationTime": user.expires_at.map(|at| wire(at, zone)),
        "createdTime": wire(user.created_at, zone),
        "updateTime": wire(user.updated_at, zone),
        "creator": user.creator,
        "accountId": tenant,
        "description": user.description,
        "organizationId": user.org_id,
        "status": status(user),
        "userType": user.user_type_id,
        "accountName": user.user_name,
        "organName": user.org_name,
        "userTypeName": user.user_type_name,
        "externalId": user.external_id,
    });
    if bind {
        object["idBind"] = json!(if user.bound { "1" } else { "0" });
    }
    object
}

#[derive(Deserialize, Default)]
pub struct PageFilter {
    #[serde(default, deserialize_with = "text", rename = "accountName")]
    account_name: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "organizationId")]
    organization_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    status: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "userTypeId")]
    user_type_id: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "nickName")]
    nick_name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    phone: Option<String>,
    #[serde(default, deserialize_with = "text")]
    email: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "appId")]
    app_id: Option<String>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The query's filter, else the body's (§1.3: both places are read, the query first).
fn merged(query: PageFilter, body: PageFilter) -> PageFilter {
    let pick = |q: Option<String>, b: Option<String>| q.filter(|v| !v.trim().is_empty()).or(b);
    PageFilter {
        account_name: pick(query.account_name, body.account_name),
        organization_id: pick(query.organization_id, body.organization_id),
        status: pick(query.status, body.status),
        user_type_id: pick(query.user_type_id, body.user_type_id),
        nick_name: pick(query.nick_name, body.nick_name),
        phone: pick(query.phone, body.phone),
        email: pick(query.email, body.email),
        app_id: pick(query.app_id, body.app_id),
    }
}

/// USR-04 `POST /user/page/{pageNo}/{pageSize}`.
async fn page(
    State(state): State<AppState>,
    caller: InspurCaller,
    axum::extract::Path((page_no, page_size)): axum::extract::Path<(String, String)>,
    Query(query): Query<PageFilter>,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let request = crate::page::request(&page_no, &page_size)?;
    let body: PageFilter = crate::lenient::body(&bytes)?;
    let filter = merged(query, body);
    let zone = state.config.utc_offset_minutes;
    let state_filter = match given(&filter.status) {
        None => None,
        Some("1") => Some(UserState::Active),
        Some("2") => Some(UserState::Disabled),
        Some("0") => Some(UserState::Left),
        Some(_) => return Err(InspurError::invalid("status 必须是 0、1 或 2")),
    };
    let which = UserFilter {
        user_name: given(&filter.account_name),
        name: given(&filter.nick_name),
        mobile: given(&filter.phone),
        email: given(&filter.email),
        org_id: given(&filter.organization_id),
        state: state_filter,
        user_type_id: given(&filter.user_type_id),
        application_id: given(&filter.app_id),
    };
    let bind = which.application_id.is_some();
    let rows = directory_users::page(state.pool(), &caller.tenant_id, which, request).await?;
    let tenant = &caller.tenant_id;
    Ok(ok(crate::page::object(
        rows.map(|u| view(&u, tenant, zone, bind)),
    )))
}

#[derive(Deserialize)]
pub struct DetailQuery {
    id: Option<String>,
}

/// USR-13 `GET /user/userInfoDetail?id=`.
async fn detail(
    State(state): State<AppState>,
    caller: InspurCaller,
    Query(query): Query<DetailQuery>,
) -> Result<Response, InspurError> {
    let id = given(&query.id).ok_or_else(|| InspurError::invalid("id 不能为空"))?;
    let user = directory_users::get(state.pool(), &caller.tenant_id, id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    let zone = state.config.utc_offset_minutes;
    Ok(ok(view(&user, &caller.tenant_id, zone, false)))
}
