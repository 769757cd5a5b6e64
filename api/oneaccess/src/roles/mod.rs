//! OneAccess application-side roles and members (specs/oneaccess.md §2.6 #31–#38): camelCase
//! `createdAt`/`updatedAt`, `account_Ids` with a capital I, a DELETE with a JSON body, and a GET
//! whose paging may come in a (leniently parsed) body. The members are in `members`.

mod members;

use axum::extract::{Path, State};
use axum::Json;
use projections::app_roles::RoleRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::body::{paging, text, wire_time, Body, Paging, Params};
use super::error::{ErrorBody, OAuthError, OneAccessError, FAILED, FORBIDDEN, UNAUTHORIZED};
use idaas_http::caller::ManagementCaller;
use idaas_http::openapi::ApiRouter;
use usecases::roles;
use usecases::AppState;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(create_role))
        .routes(routes!(get_role, update_role, delete_role))
        .routes(routes!(list_roles))
        .routes(routes!(members::add_members, members::remove_members))
        .routes(routes!(members::list_members))
}

/// A role (Tables 3-138 and 3-143).
#[derive(Deserialize, ToSchema)]
pub struct RoleBody {
    /// Required on create (APP_ROLE.0005), unique in the application; ignored on update.
    #[serde(default, deserialize_with = "text")]
    code: Option<String>,
    /// Required (APP_ROLE.0007).
    #[serde(default, deserialize_with = "text")]
    name: Option<String>,
}

/// The role's id.
#[derive(Serialize, ToSchema)]
pub struct RoleIdBody {
    role_id: String,
}

/// `RoleInfoResult`; times are `yyyy-MM-dd HH:mm:ss.SSS` in the server's configured zone.
#[derive(Serialize, ToSchema)]
#[schema(as = RoleInfoResult)]
pub struct RoleInfo {
    id: String,
    code: String,
    name: String,
    #[serde(rename = "createdAt")]
    created_at: String,
    /// Null until the role is renamed.
    #[serde(rename = "updatedAt")]
    #[schema(required = true)]
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

/// Adds an application-side role (answered 200, not 201).
#[utoipa::path(
    post,
    path = "/applications/{application_id}/role",
    tag = "application roles",
    params(("application_id" = String, Path, description = "The application.")),
    request_body = RoleBody,
    responses(
        (status = 200, description = "The new role's id.", body = RoleIdBody),
        (status = 400, description = "No such application (APP.0001), its roles switched off \
            (APP_ROLE.0002), a missing, duplicate or invalid code or name (APP_ROLE.0005, \
            APP_ROLE.0003, APP_ROLE.0006, APP_ROLE.0007, APP_ROLE.0008).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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

/// Renames an application-side role (its code cannot change).
#[utoipa::path(
    put,
    path = "/applications/{application_id}/role/{role_id}",
    tag = "application roles",
    params(
        ("application_id" = String, Path, description = "The application."),
        ("role_id" = String, Path, description = "The role."),
    ),
    request_body(content = RoleBody, description = "The new name; `code` is ignored."),
    responses(
        (status = 200, description = "The role's id.", body = RoleIdBody),
        (status = 400, description = "No such application (APP.0001), its roles switched off \
            (APP_ROLE.0002), no such role (APP_ROLE.0001), a missing or invalid name \
            (APP_ROLE.0007, APP_ROLE.0008).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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

/// Deletes an application-side role that has no members (answered 200 with an empty body).
#[utoipa::path(
    delete,
    path = "/applications/{application_id}/role/{role_id}",
    tag = "application roles",
    params(
        ("application_id" = String, Path, description = "The application."),
        ("role_id" = String, Path, description = "The role."),
    ),
    responses(
        (status = 200, description = "Deleted; an empty body."),
        (status = 400, description = "No such application (APP.0001), its roles switched off \
            (APP_ROLE.0002), no such role (APP_ROLE.0001), a role with members (APP_ROLE.0004).",
            body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn delete_role(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, role_id)): Path<(String, String)>,
) -> Result<(), OneAccessError> {
    roles::delete(&state, &caller.context, &application_id, &role_id).await?;
    Ok(())
}

/// Gets an application-side role.
#[utoipa::path(
    get,
    path = "/applications/{application_id}/role/{role_id}",
    tag = "application roles",
    params(
        ("application_id" = String, Path, description = "The application."),
        ("role_id" = String, Path, description = "The role."),
    ),
    responses(
        (status = 200, description = "The role.", body = RoleInfo),
        (status = 400, description = "No such application (APP.0001), its roles switched off \
            (APP_ROLE.0002), no such role (APP_ROLE.0001).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn get_role(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, role_id)): Path<(String, String)>,
) -> Result<Json<RoleInfo>, OneAccessError> {
    let row = roles::role_of(&state, &caller.tenant_id, &application_id, &role_id).await?;
    Ok(Json(role_info(row, state.config.utc_offset_minutes)))
}

/// A page of roles, with the page asked for.
#[derive(Serialize, ToSchema)]
pub struct RoleList {
    total: i64,
    /// The page index.
    offset: i64,
    /// The page size.
    limit: i64,
    roles: Vec<RoleInfo>,
}

/// Lists an application's roles.
#[utoipa::path(
    get,
    path = "/applications/{application_id}/role-list",
    tag = "application roles",
    params(
        ("application_id" = String, Path, description = "The application."),
        Paging,
    ),
    responses(
        (status = 200, description = "A page of roles.", body = RoleList),
        (status = 400, description = "No such application (APP.0001), its roles switched off \
            (APP_ROLE.0002), a bad page index or size (PAGE.0001).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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
