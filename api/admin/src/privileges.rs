//! `/admin/v1/applications/{id}/privileges` and the privileges a role carries: what the account
//! detail shows under each role (specs/oneaccess.md §2.5 `PrivilegeInfo`, `ResourceItem`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use domain::app_role::{AppRole, AppRoleCommand};
use domain::privilege::{Privilege, PrivilegeCommand, ResourceItem};
use domain::Aggregate;
use serde::Deserialize;
use serde_json::{json, Value};
use usecases::clock::{IdSource, RandomIds};

use super::error::AdminError;
use idaas_http::caller::ManagementCaller;
use usecases::AppState;
use usecases::{accounts, roles, ServiceError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/applications/{application_id}/privileges",
            get(list).post(define),
        )
        .route(
            "/applications/{application_id}/roles/{role_id}/privileges",
            put(set_role_privileges),
        )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    code: String,
    name: String,
    /// The code of the parent item in the same privilege.
    parent_code: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivilegeBody {
    code: String,
    name: String,
    #[serde(default)]
    resource_items: Vec<ItemBody>,
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AdminError> {
    serde_json::from_slice(body).map_err(|e| AdminError::invalid(format!("invalid body: {e}")))
}

/// Items get server ids; parents are named by code.
fn items(bodies: Vec<ItemBody>, now: i64) -> Result<Vec<ResourceItem>, AdminError> {
    let ids: Vec<(String, String)> = bodies
        .iter()
        .map(|b| (b.code.clone(), RandomIds.entity_id(now)))
        .collect();
    bodies
        .into_iter()
        .map(|b| {
            let item_parentid = match &b.parent_code {
                None => None,
                Some(code) => Some(
                    ids.iter()
                        .find(|(c, _)| c == code)
                        .map(|(_, id)| id.clone())
                        .ok_or_else(|| {
                            AdminError::invalid(format!("unknown parent item code: {code}"))
                        })?,
                ),
            };
            let item_id = ids
                .iter()
                .find(|(c, _)| *c == b.code)
                .map(|(_, id)| id.clone())
                .unwrap_or_default();
            Ok(ResourceItem {
                item_id,
                item_code: b.code,
                item_name: b.name,
                item_parentid,
            })
        })
        .collect()
}

async fn define(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), AdminError> {
    let body: PrivilegeBody = parse(&body)?;
    accounts::application(&state, &caller.tenant_id, &application_id).await?;
    let now = state.now();
    let privilege_id = state.ids.entity_id(now);
    let command = PrivilegeCommand::Define {
        privilege_id: privilege_id.clone(),
        application_id,
        code: body.code,
        name: body.name,
        items: items(body.resource_items, now)?,
        now,
    };
    state
        .bus
        .execute::<Privilege, _>(&super::context(&caller), &privilege_id, |p| {
            p.decide(command.clone(), &())
        })
        .await
        .map_err(ServiceError::from)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "privilege_id": privilege_id })),
    ))
}

async fn list(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
) -> Result<Json<Value>, AdminError> {
    accounts::application(&state, &caller.tenant_id, &application_id).await?;
    let rows =
        projections::privileges::list(state.pool(), &caller.tenant_id, &application_id).await?;
    Ok(Json(Value::Array(
        rows.into_iter()
            .map(|p| json!({"privilege_id": p.privilege_id, "code": p.code, "name": p.name, "resource_items": p.items}))
            .collect(),
    )))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolePrivilegesBody {
    privilege_ids: Vec<String>,
}

/// Replaces the privileges a role carries; every id must be a privilege of the application.
async fn set_role_privileges(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, role_id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, AdminError> {
    let body: RolePrivilegesBody = parse(&body)?;
    let tenant = &caller.tenant_id;
    roles::role_of(&state, tenant, &application_id, &role_id).await?;
    let known = projections::privileges::of_application_among(
        state.pool(),
        tenant,
        &application_id,
        &body.privilege_ids,
    )
    .await?;
    if let Some(unknown) = body.privilege_ids.iter().find(|id| !known.contains(id)) {
        return Err(AdminError::invalid(format!(
            "not a privilege of this application: {unknown}"
        )));
    }
    let command = AppRoleCommand::SetPrivileges {
        privilege_ids: body.privilege_ids.clone(),
        now: state.now(),
    };
    state
        .bus
        .execute::<AppRole, _>(&super::context(&caller), &role_id, |r| {
            r.decide(command.clone(), &())
        })
        .await
        .map_err(ServiceError::from)?;
    Ok(Json(
        json!({ "role_id": role_id, "privilege_ids": body.privilege_ids }),
    ))
}
