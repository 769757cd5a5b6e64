//! Grants of applications to users (specs/inspur-idaas.md §2.6): USR-07 grant or revoke (every
//! user × every application; `action` defaults to `auth`), USR-08 a user's grants, USR-01 the
//! same as a page, USR-02 revoke by grant record id. A UserAppAuth record carries its own `id`,
//! the user, the application (`appId`, `appAuthflag`) with its name and state.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::app_grant::Grantee;
use idaas_http::openapi::ApiRouter;
use projections::app_grants::{self as read, UserGrantRow};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use usecases::app_grants::{self, GrantRefused};
use usecases::AppState;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::apps::described::CallRefused;
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::lenient::body;
use crate::lenient::text;
use crate::schema::{Envelope, ErrorEnvelope, PageOf};
use crate::time::wire;
use crate::users::described::Null;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(grant))
        .routes(routes!(revoke_ids))
        .routes(routes!(list))
        .routes(routes!(page))
}

/// A UserAppAuth record (§2.6): one grant of an application to a user.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct UserAppAuth {
    /// The grant record's id (what USR-02 revokes).
    id: String,
    user_id: String,
    app_id: String,
    /// The application's id again (the document leaves its meaning open).
    app_authflag: String,
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
    created_time: String,
    /// The same as `createdTime`: a grant does not change.
    update_time: String,
    #[schema(required = true)]
    creator: Option<String>,
    /// Null when the application no longer exists.
    #[schema(required = true)]
    app_name: Option<String>,
    /// "1" enabled, "0" disabled; null when the application no longer exists.
    #[schema(required = true)]
    app_status: Option<&'static str>,
}

fn view(row: &UserGrantRow, zone: i32) -> UserAppAuth {
    UserAppAuth {
        id: row.grant_id.clone(),
        user_id: row.user_id.clone(),
        app_id: row.application_id.clone(),
        app_authflag: row.application_id.clone(),
        created_time: wire(row.created_at, zone),
        update_time: wire(row.created_at, zone),
        creator: row.creator.clone(),
        app_name: row.app_name.clone(),
        app_status: row.app_enabled.map(|e| if e { "1" } else { "0" }),
    }
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

/// The body of USR-07: every user × every application (at most 1000 of each).
#[derive(Deserialize, ToSchema)]
pub struct GrantBody {
    #[serde(default, rename = "userIdList")]
    #[schema(value_type = Vec<String>)]
    users: Option<Vec<String>>,
    #[serde(default, rename = "appIdList")]
    #[schema(value_type = Vec<String>)]
    apps: Option<Vec<String>>,
    /// "auth" (also when absent, null or blank) grants, "unauth" revokes.
    #[serde(default, deserialize_with = "text")]
    #[schema(
        value_type = Option<String>,
        pattern = "^\\s*(auth|unauth)?\\s*$",
        examples("auth", "unauth")
    )]
    action: Option<String>,
}

/// Grants applications to users, or revokes them; idempotent (USR-07).
#[utoipa::path(
    post,
    path = "/user/addUserAppAuth",
    tag = "users",
    operation_id = "grantUserApps",
    request_body = GrantBody,
    responses(
        (status = 200, description = "Done; `data` null.", body = Envelope<Null>),
        (status = 400, description = "An `action` other than auth or unauth, more than 1000 ids, a bad body, or an unknown user or application: `账户不存在: {id}`, `应用不存在: {appId}`.", body = ErrorEnvelope),
        (status = 403, description = "The credential does not manage one of the applications: `无权限`.", body = ErrorEnvelope),
        (status = 413, description = "A body over 2 MiB, outside the envelope, in plain text.", content_type = "text/plain", body = String),
        CallRefused,
    ),
    security(("bearer" = []))
)]
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

/// The body of USR-02.
#[derive(Deserialize, ToSchema)]
pub struct IdsBody {
    /// Grant record ids (the `id` of UserAppAuth records), at most 1000; unknown ones are
    /// skipped.
    #[serde(default, rename = "idList")]
    #[schema(value_type = Vec<String>, required = true)]
    ids: Option<Vec<String>>,
}

/// Revokes grants by their record ids (USR-02).
#[utoipa::path(
    post,
    path = "/user/delAppAuth",
    tag = "users",
    operation_id = "revokeUserAppGrants",
    request_body = IdsBody,
    responses(
        (status = 200, description = "Revoked; `data` null.", body = Envelope<Null>),
        (status = 400, description = "No `idList`, more than 1000 ids, or a bad body.", body = ErrorEnvelope),
        (status = 403, description = "The credential does not manage one of the applications: `无权限`.", body = ErrorEnvelope),
        (status = 413, description = "A body over 2 MiB, outside the envelope, in plain text.", content_type = "text/plain", body = String),
        CallRefused,
    ),
    security(("bearer" = []))
)]
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

/// The user whose grants are read.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// The user's id.
    #[param(required = true)]
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

/// A user's grants, not paged (USR-08).
#[utoipa::path(
    get,
    path = "/user/userAppAuthList",
    tag = "users",
    operation_id = "listUserAppGrants",
    params(UserQuery),
    responses(
        (status = 200, description = "The user's grants (none for an unknown user).", body = Envelope<Vec<UserAppAuth>>),
        (status = 400, description = "No `id`: `参数错误: id 不能为空`. Outside the envelope, in plain text: a query parameter given twice.", content(
            (ErrorEnvelope = "application/json"),
            (String = "text/plain"),
        )),
        CallRefused,
    ),
    security(("bearer" = []))
)]
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
    let rows: Vec<UserAppAuth> = rows.items.iter().map(|r| view(r, zone)).collect();
    Ok(ok(json!(rows)))
}

/// A page of a user's grants (USR-01).
#[utoipa::path(
    get,
    path = "/user/userAuth/page/{pageNo}/{pageSize}",
    tag = "users",
    operation_id = "pageUserAppGrants",
    params(
        ("pageNo" = i64, Path, minimum = 1, description = "The page, from 1."),
        ("pageSize" = i64, Path, minimum = 1, maximum = 1000, description = "Rows per page."),
        UserQuery,
    ),
    responses(
        (status = 200, description = "The page (empty for an unknown user).", body = Envelope<PageOf<UserAppAuth>>),
        (status = 400, description = "A page number or size out of range, or no `id`. Outside the envelope, in plain text: a path segment that is not UTF-8 or a query parameter given twice.", content(
            (ErrorEnvelope = "application/json"),
            (String = "text/plain"),
        )),
        CallRefused,
    ),
    security(("bearer" = []))
)]
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
