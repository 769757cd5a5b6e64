//! `/admin/v1/applications/{id}/privileges` and the privileges a role carries: what the account
//! detail shows under each role (specs/oneaccess.md §2.5 `PrivilegeInfo`, `ResourceItem`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use domain::privilege::ResourceItem;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::error::{AdminError, CallFailures, ErrorBody};
use super::schema;
use idaas_http::caller::ManagementCaller;
use idaas_http::openapi::ApiRouter;
use usecases::accounts;
use usecases::privileges::{self, NewItem, PrivilegeRefused};
use usecases::AppState;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(list, define))
        .routes(routes!(set_role_privileges))
}

/// A resource item of a new privilege.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    /// Unique in the privilege: 1 to 50 letters, digits, `_`, `-` or `.`.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,50}$")]
    code: String,
    /// 1 to 100 characters, not blank.
    #[schema(min_length = 1, max_length = 100)]
    name: String,
    /// The code of the parent item in the same privilege.
    parent_code: Option<String>,
}

/// A privilege to define, with its resource items (a tree).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivilegeBody {
    /// Unique in the application: 1 to 50 letters, digits, `_`, `-` or `.`.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,50}$")]
    code: String,
    /// 1 to 100 characters, not blank.
    #[schema(min_length = 1, max_length = 100)]
    name: String,
    #[serde(default)]
    resource_items: Vec<ItemBody>,
}

/// The id of a privilege defined.
#[derive(Serialize, ToSchema)]
struct Defined {
    privilege_id: String,
}

/// A privilege with its resource items (specs/oneaccess.md §2.5 `PrivilegeInfo`).
#[derive(Serialize, ToSchema)]
struct Privilege {
    privilege_id: String,
    code: String,
    name: String,
    #[schema(value_type = Vec<schema::ResourceItem>)]
    resource_items: Vec<ResourceItem>,
}

/// The privileges a role carries now.
#[derive(Serialize, ToSchema)]
struct RolePrivileges {
    role_id: String,
    privilege_ids: Vec<String>,
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AdminError> {
    serde_json::from_slice(body).map_err(|e| AdminError::invalid(format!("invalid body: {e}")))
}

/// Defines a privilege of the application with its resource items.
#[utoipa::path(
    post,
    operation_id = "define_privilege",
    path = "/applications/{application_id}/privileges",
    tag = "privileges",
    params(("application_id" = String, Path, description = "The application.")),
    request_body = PrivilegeBody,
    responses(
        (status = 201, description = "Defined.", body = Defined),
        (status = 400, description = "An unknown field, a bad code or name, or an unknown parent item code.", body = ErrorBody),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        (status = 404, description = "No such application.", body = ErrorBody),
        (status = 409, description = "The code is taken in the application.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn define(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Defined>), AdminError> {
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
    Ok((StatusCode::CREATED, Json(Defined { privilege_id })))
}

/// The application's privileges with their resource items.
#[utoipa::path(
    get,
    operation_id = "list_privileges",
    path = "/applications/{application_id}/privileges",
    tag = "privileges",
    params(("application_id" = String, Path, description = "The application.")),
    responses(
        (status = 200, description = "The privileges.", body = Vec<Privilege>),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        (status = 404, description = "No such application.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn list(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
) -> Result<Json<Vec<Privilege>>, AdminError> {
    accounts::application(&state, &caller.tenant_id, &application_id).await?;
    let rows =
        projections::privileges::list(state.pool(), &caller.tenant_id, &application_id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|p| Privilege {
                privilege_id: p.privilege_id,
                code: p.code,
                name: p.name,
                resource_items: p.items,
            })
            .collect(),
    ))
}

/// The privileges a role is to carry, replacing those it carries.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolePrivilegesBody {
    privilege_ids: Vec<String>,
}

/// Replaces the privileges a role carries; every id must be a privilege of the application.
#[utoipa::path(
    put,
    operation_id = "set_role_privileges",
    path = "/applications/{application_id}/roles/{role_id}/privileges",
    tag = "privileges",
    params(
        ("application_id" = String, Path, description = "The application."),
        ("role_id" = String, Path, description = "A role of the application."),
    ),
    request_body = RolePrivilegesBody,
    responses(
        (status = 200, description = "The privileges the role carries now.", body = RolePrivileges),
        (status = 400, description = "An unknown field, or an id that is not a privilege of the application.", body = ErrorBody),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        (status = 404, description = "No such application or role.", body = ErrorBody),
        (status = 409, description = "The role kept changing; try again.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn set_role_privileges(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, role_id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Json<RolePrivileges>, AdminError> {
    let body: RolePrivilegesBody = parse(&body)?;
    let ctx = super::context(&caller);
    let ids = body.privilege_ids.clone();
    privileges::set_role_privileges(&state, &ctx, &application_id, &role_id, ids)
        .await
        .map_err(refused)?;
    Ok(Json(RolePrivileges {
        role_id,
        privilege_ids: body.privilege_ids,
    }))
}

fn refused(error: PrivilegeRefused) -> AdminError {
    match error {
        PrivilegeRefused::Service(e) => e.into(),
        other => AdminError::invalid(other.to_string()),
    }
}
