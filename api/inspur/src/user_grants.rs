//! Grants of applications to users (specs/inspur-idaas.md §2.6): USR-07 grant or revoke (every
//! user × every application; `action` defaults to `auth`), USR-08 a user's grants, USR-01 the
//! same as a page, USR-02 revoke by grant record id. A UserAppAuth record carries its own `id`,
//! the user, the application (`appId`, `appAuthflag`) with its name and state.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use domain::app_grant::Grantee;
use projections::app_grants::{self as read, UserGrantRow};
use serde::Deserialize;
use serde_json::{json, Value};
use usecases::app_grants::{self, GrantRefused};
use usecases::AppState;

use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::lenient::body;
use crate::lenient::text;
use crate::time::wire;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/user/addUserAppAuth", post(grant))
        .route("/user/delAppAuth", post(revoke_ids))
        .route("/user/userAppAuthList", get(list))
        .route("/user/userAuth/page/{page_no}/{page_size}", get(page))
}

fn view(row: &UserGrantRow, zone: i32) -> Value {
    json!({
        "id": row.grant_id,
        "userId": row.user_id,
        "appId": row.application_id,
        "appAuthflag": row.application_id,
        "createdTime": wire(row.created_at, zone),
        "updateTime": wire(row.created_at, zone),
        "creator": row.creator,
        "appName": row.app_name,
        "appStatus": row.app_enabled.map(|e| if e { "1" } else { "0" }),
    })
}

fn refused(error: GrantRefused) -> InspurError {
    match error {
        GrantRefused::NoApplication(app) => InspurError::rule(format!("应用不存在: {app}")),
        GrantRefused::NoOrganization(organ) => {
            InspurError::rule(format!("组织机构不存在: {organ}"))
        }
        GrantRefused::Service(other) => other.into(),
    }
}

#[derive(Deserialize)]
pub struct GrantBody {
    #[serde(default, rename = "userIdList")]
    users: Option<Vec<String>>,
    #[serde(default, rename = "appIdList")]
    apps: Option<Vec<String>>,
    #[serde(default, deserialize_with = "text")]
    action: Option<String>,
}

/// USR-07 `POST /user/addUserAppAuth`.
async fn grant(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: GrantBody = body(&bytes)?;
    let grant = match body
        .action
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        None | Some("auth") => true,
        Some("unauth") => false,
        Some(_) => return Err(InspurError::invalid("action 必须是 auth 或 unauth")),
    };
    let users = body.users.unwrap_or_default();
    let apps = body.apps.unwrap_or_default();
    if users.len() > 1000 || apps.len() > 1000 {
        return Err(InspurError::invalid("一次最多 1000 个"));
    }
    for user in &users {
        if projections::users::get(state.pool(), &caller.tenant_id, user)
            .await?
            .is_none()
        {
            return Err(InspurError::rule(format!("账户不存在: {user}")));
        }
    }
    caller.require_manages_each(&state, &apps).await?;
    for user in &users {
        app_grants::set(&state, &caller.context, Grantee::User, user, &apps, grant)
            .await
            .map_err(refused)?;
    }
    Ok(ok(Value::Null))
}

#[derive(Deserialize)]
pub struct IdsBody {
    #[serde(default, rename = "idList")]
    ids: Option<Vec<String>>,
}

/// USR-02 `POST /user/delAppAuth` (`idList` of grant record ids).
async fn revoke_ids(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: IdsBody = body(&bytes)?;
    let ids = body
        .ids
        .ok_or_else(|| InspurError::invalid("idList 不能为空"))?;
    if ids.len() > 1000 {
        return Err(InspurError::invalid("一次最多 1000 个"));
    }
    let mut apps = Vec::new();
    for id in &ids {
        if let Some(app) = read::application_of(state.pool(), &caller.tenant_id, id).await? {
            apps.push(app);
        }
    }
    caller.require_manages_each(&state, &apps).await?;
    app_grants::revoke_ids(&state, &caller.context, &ids)
        .await
        .map_err(refused)?;
    Ok(ok(Value::Null))
}

#[derive(Deserialize)]
pub struct UserQuery {
    id: Option<String>,
}

fn user_id(query: &UserQuery) -> Result<&str, InspurError> {
    query
        .id
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| InspurError::invalid("id 不能为空"))
}

/// USR-08 `GET /user/userAppAuthList?id=`.
async fn list(
    State(state): State<AppState>,
    caller: InspurCaller,
    Query(query): Query<UserQuery>,
) -> Result<Response, InspurError> {
    let user = user_id(&query)?;
    let request = projections::page::PageRequest::rows(0, projections::page::MAX_LIMIT)
        .map_err(InspurError::invalid)?;
    let rows = read::of_user(state.pool(), &caller.tenant_id, user, request).await?;
    let zone = state.config.utc_offset_minutes;
    Ok(ok(Value::Array(
        rows.items.iter().map(|r| view(r, zone)).collect(),
    )))
}

/// USR-01 `GET /user/userAuth/page/{pageNo}/{pageSize}?id=`.
async fn page(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path((page_no, page_size)): Path<(String, String)>,
    Query(query): Query<UserQuery>,
) -> Result<Response, InspurError> {
    let request = crate::page::request(&page_no, &page_size)?;
    let user = user_id(&query)?;
    let rows = read::of_user(state.pool(), &caller.tenant_id, user, request).await?;
    let zone = state.config.utc_offset_minutes;
    Ok(ok(crate::page::object(rows.map(|r| view(&r, zone)))))
}
