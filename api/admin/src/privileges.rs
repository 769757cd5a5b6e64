//! `/admin/v1/applications/{id}/privileges` and the privileges a role carries: what the account
//! detail shows under each role (specs/oneaccess.md §2.5 `PrivilegeInfo`, `ResourceItem`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::AdminError;
use idaas_http::caller::ManagementCaller;
use usecases::accounts;
use usecases::privileges::{self, NewItem, PrivilegeRefused};
use usecases::AppState;

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

async fn define(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), AdminError> {
    let body: PrivilegeBody = parse(&body)?;
    let items = body
        .resource_items
        .into_iter()
        .map(|b| NewItem {
            code: b.code,
            name: b.name,
            parent_code: b.parent_code,
        })
        .collect();
    let ctx = super::context(&caller);
    let privilege_id =
        privileges::define(&state, &ctx, &application_id, body.code, body.name, items)
            .await
            .map_err(refused)?;
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
    let ctx = super::context(&caller);
    let ids = body.privilege_ids.clone();
    privileges::set_role_privileges(&state, &ctx, &application_id, &role_id, ids)
        .await
        .map_err(refused)?;
    Ok(Json(
        json!({ "role_id": role_id, "privilege_ids": body.privilege_ids }),
    ))
}

fn refused(error: PrivilegeRefused) -> AdminError {
    match error {
        PrivilegeRefused::Service(e) => e.into(),
        other => AdminError::invalid(other.to_string()),
    }
}
