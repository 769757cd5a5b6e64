//! OneAccess application-side roles and members (specs/oneaccess.md §2.6 #31–#38): camelCase
//! `createdAt`/`updatedAt`, `account_Ids` with a capital I, a DELETE with a JSON body, and a GET
//! whose paging may come in a (leniently parsed) body.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use projections::app_accounts::AccountRow;
use projections::app_roles::RoleRow;
use projections::page::PageRequest;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::body::{paging, text, wire_time, without_trailing_commas, Body, Params};
use super::error::OneAccessError;
use idaas_http::caller::ManagementCaller;
use usecases::roles;
use usecases::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/applications/{application_id}/role", post(create_role))
        .route(
            "/applications/{application_id}/role/{role_id}",
            get(get_role).put(update_role).delete(delete_role),
        )
        .route("/applications/{application_id}/role-list", get(list_roles))
        .route(
            "/applications/{application_id}/role-member",
            post(add_members).delete(remove_members),
        )
        .route(
            "/applications/{application_id}/role-member-list/{role_id}",
            get(list_members),
        )
}

#[derive(Deserialize)]
pub struct RoleBody {
    #[serde(default, deserialize_with = "text")]
    code: Option<String>,
    #[serde(default, deserialize_with = "text")]
    name: Option<String>,
}

#[derive(Serialize)]
pub struct RoleIdBody {
    role_id: String,
}

/// `RoleInfoResult`: `updatedAt` is null until the role is renamed.
#[derive(Serialize)]
pub struct RoleInfo {
    id: String,
    code: String,
    name: String,
    #[serde(rename = "createdAt")]
    created_at: String,
    #[serde(rename = "updatedAt")]
    updated_at: Option<String>,
}

fn role_info(row: RoleRow, offset: i32) -> RoleInfo {
    RoleInfo {
        id: row.role_id,
        code: row.code,
        name: row.name,
        created_at: wire_time(row.created_at, offset),
        updated_at: row.updated_at.map(|t| wire_time(t, offset)),
    }
}

/// `POST /applications/{application_id}/role` — 200 (not 201).
async fn create_role(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
    Body(body): Body<RoleBody>,
) -> Result<Json<RoleIdBody>, OneAccessError> {
    let role_id = roles::create(
        &state,
        &caller.context,
        &application_id,
        body.code,
        body.name,
    )
    .await?;
    Ok(Json(RoleIdBody { role_id }))
}

/// `PUT /applications/{application_id}/role/{role_id}` — the name only; the code cannot change.
async fn update_role(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, role_id)): Path<(String, String)>,
    Body(body): Body<RoleBody>,
) -> Result<Json<RoleIdBody>, OneAccessError> {
    roles::rename(
        &state,
        &caller.context,
        &application_id,
        &role_id,
        body.name,
    )
    .await?;
    Ok(Json(RoleIdBody { role_id }))
}

/// `DELETE /applications/{application_id}/role/{role_id}` — 200 with no body; APP_ROLE.0004
/// while the role has members.
async fn delete_role(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, role_id)): Path<(String, String)>,
) -> Result<(), OneAccessError> {
    roles::delete(&state, &caller.context, &application_id, &role_id).await?;
    Ok(())
}

/// `GET /applications/{application_id}/role/{role_id}`.
async fn get_role(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, role_id)): Path<(String, String)>,
) -> Result<Json<RoleInfo>, OneAccessError> {
    let row = roles::role_of(&state, &caller.tenant_id, &application_id, &role_id).await?;
    Ok(Json(role_info(row, state.config.utc_offset_minutes)))
}

#[derive(Serialize)]
pub struct RoleList {
    total: i64,
    offset: i64,
    limit: i64,
    roles: Vec<RoleInfo>,
}

/// `GET /applications/{application_id}/role-list?offset=0&limit=10` (`offset` optional).
async fn list_roles(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
    params: Params,
) -> Result<Json<RoleList>, OneAccessError> {
    let request = paging(&params)?;
    roles::application(&state, &caller.tenant_id, &application_id).await?;
    let zone = state.config.utc_offset_minutes;
    let page =
        projections::app_roles::list(state.pool(), &caller.tenant_id, &application_id, request)
            .await?
            .map(|r| role_info(r, zone));
    Ok(Json(RoleList {
        total: page.total,
        offset: page.request.index(),
        limit: page.request.limit(),
        roles: page.items,
    }))
}

#[derive(Deserialize)]
pub struct MembersBody {
    #[serde(default, deserialize_with = "text")]
    role_id: Option<String>,
    #[serde(rename = "account_Ids", alias = "account_ids", default)]
    account_ids: Option<Vec<String>>,
}

#[derive(Serialize)]
pub struct MembersOutcome {
    success_list: Vec<String>,
    fail_list: Vec<String>,
}

/// `POST /applications/{application_id}/role-member` — at most 50 ids; partial success.
async fn add_members(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
    Body(body): Body<MembersBody>,
) -> Result<Json<MembersOutcome>, OneAccessError> {
    let ids = body.account_ids.unwrap_or_default();
    let outcome =
        roles::add_members(&state, &caller.context, &application_id, body.role_id, ids).await?;
    Ok(Json(MembersOutcome {
        success_list: outcome.success,
        fail_list: outcome.fail,
    }))
}

/// `DELETE /applications/{application_id}/role-member` with a JSON body.
async fn remove_members(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
    Body(body): Body<MembersBody>,
) -> Result<Json<MembersOutcome>, OneAccessError> {
    let ids = body.account_ids.unwrap_or_default();
    let outcome =
        roles::remove_members(&state, &caller.context, &application_id, body.role_id, ids).await?;
    Ok(Json(MembersOutcome {
        success_list: outcome.success,
        fail_list: outcome.fail,
    }))
}

/// `RoleMemberInfo`, in the documented field order.
#[derive(Serialize)]
pub struct RoleMember {
    id: String,
    account_name: String,
    name: String,
    org_id: Option<String>,
    disabled: bool,
    account_type: String,
    extension: Map<String, Value>,
}

impl From<AccountRow> for RoleMember {
    fn from(row: AccountRow) -> Self {
        Self {
            id: row.account_id,
            account_name: row.account_name,
            name: row.name,
            org_id: row.org_id,
            disabled: row.disabled,
            account_type: row.account_type,
            extension: row.extension,
        }
    }
}

#[derive(Serialize)]
pub struct MemberList {
    total: i64,
    offset: i64,
    limit: i64,
    role_members: Vec<RoleMember>,
}

/// Paging from the query string, or from a JSON body whose values may be numeric strings and
/// which may carry a trailing comma, as the reference prints it.
fn member_paging(params: Params, body: &Bytes) -> Result<PageRequest, OneAccessError> {
    let mut params = params;
    let text = String::from_utf8_lossy(body);
    if !text.trim().is_empty() {
        let value: Value = serde_json::from_str(&without_trailing_commas(&text))
            .map_err(|e| OneAccessError::with("PARAM.0000", [e.to_string()]))?;
        for key in ["offset", "limit"] {
            let given = match value.get(key) {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            if let Some(given) = given {
                params.0.entry(key.to_string()).or_insert(given);
            }
        }
    }
    paging(&params)
}

/// `GET /applications/{application_id}/role-member-list/{role_id}`.
async fn list_members(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, role_id)): Path<(String, String)>,
    params: Params,
    body: Bytes,
) -> Result<Json<MemberList>, OneAccessError> {
    let request = member_paging(params, &body)?;
    roles::role_of(&state, &caller.tenant_id, &application_id, &role_id).await?;
    let page = projections::app_roles::members(state.pool(), &caller.tenant_id, &role_id, request)
        .await?
        .map(RoleMember::from);
    Ok(Json(MemberList {
        total: page.total,
        offset: page.request.index(),
        limit: page.request.limit(),
        role_members: page.items,
    }))
}
