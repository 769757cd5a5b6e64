//! OneAccess application organisations (specs/oneaccess.md §2.4 #19–#23): requests and responses
//! both say `org_code`; there is no `category`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use projections::app_orgs::AppOrgRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::body::{paging, text, Body, Paging, Params};
use super::error::{ErrorBody, OAuthError, OneAccessError, FAILED, FORBIDDEN, UNAUTHORIZED};
use idaas_http::caller::ManagementCaller;
use idaas_http::openapi::ApiRouter;
use usecases::app_orgs::{self, AppOrgChange};
use usecases::AppState;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(create_app_org, list_app_orgs))
        .routes(routes!(get_app_org, update_app_org, delete_app_org))
}

/// Tables 3-88 (create) and 3-93 (update: `org_code` is ignored, it cannot change).
#[derive(Deserialize, ToSchema)]
pub struct AppOrgBody {
    /// Required on create (APP_ORG.0008), unique in the application; ignored on update.
    #[serde(default, deserialize_with = "text")]
    org_code: Option<String>,
    /// Required on create (APP_ORG.0009).
    #[serde(default, deserialize_with = "text")]
    name: Option<String>,
    /// The parent application organisation; absent or empty, the top level.
    #[serde(default, deserialize_with = "text")]
    parent_id: Option<String>,
}

/// The application organisation's id.
#[derive(Serialize, ToSchema)]
#[schema(as = AppOrgIdBody)]
pub struct OrgIdBody {
    org_id: String,
}

/// `ApplicationOrg` (Table 3-101).
#[derive(Serialize, ToSchema)]
pub struct AppOrgInfo {
    org_id: String,
    org_code: String,
    name: String,
    /// Null at the top level.
    #[schema(required = true)]
    parent_id: Option<String>,
}

impl From<AppOrgRow> for AppOrgInfo {
    fn from(row: AppOrgRow) -> Self {
        Self {
            org_id: row.org_id,
            org_code: row.org_code,
            name: row.name,
            parent_id: row.parent_id,
        }
    }
}

/// Adds an application organisation; without `parent_id` it is at the top level.
#[utoipa::path(
    post,
    path = "/applications/{application_id}/organizations",
    tag = "application organizations",
    params(("application_id" = String, Path, description = "The application.")),
    request_body = AppOrgBody,
    responses(
        (status = 201, description = "The new application organisation's id.", body = OrgIdBody),
        (status = 400, description = "No such application (APP.0001), its organisations switched \
            off (APP_ORG.0002), a missing, duplicate or invalid code or name (APP_ORG.0008, \
            APP_ORG.0003, APP_ORG.0011, APP_ORG.0009, APP_ORG.0010, APP_ORG.0012), an unknown \
            parent (APP_ORG.0004).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn create_app_org(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
    Body(body): Body<AppOrgBody>,
) -> Result<(StatusCode, Json<OrgIdBody>), OneAccessError> {
    let change = AppOrgChange {
        org_code: body.org_code,
        name: body.name,
        parent_id: body.parent_id,
    };
    let org_id = app_orgs::create(&state, &caller.context, &application_id, change).await?;
    Ok((StatusCode::CREATED, Json(OrgIdBody { org_id })))
}

/// Updates an application organisation's name and parent (its code cannot change).
#[utoipa::path(
    put,
    path = "/applications/{application_id}/organizations/{org_id}",
    tag = "application organizations",
    params(
        ("application_id" = String, Path, description = "The application."),
        ("org_id" = String, Path, description = "The application organisation."),
    ),
    request_body(content = AppOrgBody, description = "The name and parent; `org_code` is ignored."),
    responses(
        (status = 200, description = "The application organisation's id.", body = OrgIdBody),
        (status = 400, description = "No such application (APP.0001), its organisations switched \
            off (APP_ORG.0002), no such application organisation (APP_ORG.0001), a duplicate or \
            invalid name (APP_ORG.0010, APP_ORG.0012), an unknown parent (APP_ORG.0004), itself as \
            its parent (APP_ORG.0006).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn update_app_org(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, org_id)): Path<(String, String)>,
    Body(body): Body<AppOrgBody>,
) -> Result<Json<OrgIdBody>, OneAccessError> {
    let change = AppOrgChange {
        org_code: None,
        name: body.name,
        parent_id: body.parent_id,
    };
    app_orgs::update(&state, &caller.context, &application_id, &org_id, change).await?;
    Ok(Json(OrgIdBody { org_id }))
}

/// Deletes an application organisation that has no children and no accounts.
#[utoipa::path(
    delete,
    path = "/applications/{application_id}/organizations/{org_id}",
    tag = "application organizations",
    params(
        ("application_id" = String, Path, description = "The application."),
        ("org_id" = String, Path, description = "The application organisation."),
    ),
    responses(
        (status = 204, description = "Deleted; no body."),
        (status = 400, description = "No such application (APP.0001), its organisations switched \
            off (APP_ORG.0002), no such application organisation (APP_ORG.0001), one with children \
            or accounts (APP_ORG.0007).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn delete_app_org(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, org_id)): Path<(String, String)>,
) -> Result<StatusCode, OneAccessError> {
    app_orgs::delete(&state, &caller.context, &application_id, &org_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gets an application organisation.
#[utoipa::path(
    get,
    path = "/applications/{application_id}/organizations/{org_id}",
    tag = "application organizations",
    params(
        ("application_id" = String, Path, description = "The application."),
        ("org_id" = String, Path, description = "The application organisation."),
    ),
    responses(
        (status = 200, description = "The application organisation.", body = AppOrgInfo),
        (status = 400, description = "No such application (APP.0001), its organisations switched \
            off (APP_ORG.0002), no such application organisation (APP_ORG.0001).",
            body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn get_app_org(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, org_id)): Path<(String, String)>,
) -> Result<Json<AppOrgInfo>, OneAccessError> {
    app_orgs::application(&state, &caller.tenant_id, &application_id).await?;
    let row = projections::app_orgs::get(state.pool(), &caller.tenant_id, &application_id, &org_id)
        .await?
        .ok_or(OneAccessError::new("APP_ORG.0001"))?;
    Ok(Json(row.into()))
}

/// A page of application organisations.
#[derive(Serialize, ToSchema)]
pub struct AppOrgList {
    total: i64,
    organizations: Vec<AppOrgInfo>,
}

/// Lists an application's organisations, flat, in creation order.
#[utoipa::path(
    get,
    path = "/applications/{application_id}/organizations",
    tag = "application organizations",
    params(
        ("application_id" = String, Path, description = "The application."),
        Paging,
    ),
    responses(
        (status = 200, description = "A page of application organisations.", body = AppOrgList),
        (status = 400, description = "No such application (APP.0001), its organisations switched \
            off (APP_ORG.0002), a bad page index or size (PAGE.0001).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn list_app_orgs(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
    params: Params,
) -> Result<Json<AppOrgList>, OneAccessError> {
    let request = paging(&params)?;
    app_orgs::application(&state, &caller.tenant_id, &application_id).await?;
    let page =
        projections::app_orgs::list(state.pool(), &caller.tenant_id, &application_id, request)
            .await?
            .map(AppOrgInfo::from);
    Ok(Json(AppOrgList {
        total: page.total,
        organizations: page.items,
    }))
}
