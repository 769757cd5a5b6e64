//! OneAccess application organisations (specs/oneaccess.md §2.4 #19–#23): requests and responses
//! both say `org_code`; there is no `category`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use projections::app_orgs::AppOrgRow;
use serde::{Deserialize, Serialize};

use super::body::{paging, text, Body, Params};
use super::error::OneAccessError;
use idaas_http::caller::ManagementCaller;
use usecases::app_orgs::{self, AppOrgChange};
use usecases::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/applications/{application_id}/organizations",
            post(create_app_org).get(list_app_orgs),
        )
        .route(
            "/applications/{application_id}/organizations/{org_id}",
            get(get_app_org).put(update_app_org).delete(delete_app_org),
        )
}

/// Tables 3-88 (create) and 3-93 (update: `org_code` is ignored, it cannot change).
#[derive(Deserialize)]
pub struct AppOrgBody {
    #[serde(default, deserialize_with = "text")]
    org_code: Option<String>,
    #[serde(default, deserialize_with = "text")]
    name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    parent_id: Option<String>,
}

#[derive(Serialize)]
pub struct OrgIdBody {
    org_id: String,
}

/// `ApplicationOrg` (Table 3-101).
#[derive(Serialize)]
pub struct AppOrgInfo {
    org_id: String,
    org_code: String,
    name: String,
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

/// `POST /applications/{application_id}/organizations` — 201; an empty `parent_id` makes a root.
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

/// `PUT /applications/{application_id}/organizations/{org_id}` — name and parent only.
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

/// `DELETE /applications/{application_id}/organizations/{org_id}` — 204, or APP_ORG.0007 while
/// it has children or accounts.
async fn delete_app_org(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, org_id)): Path<(String, String)>,
) -> Result<StatusCode, OneAccessError> {
    app_orgs::delete(&state, &caller.context, &application_id, &org_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /applications/{application_id}/organizations/{org_id}`.
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

#[derive(Serialize)]
pub struct AppOrgList {
    total: i64,
    organizations: Vec<AppOrgInfo>,
}

/// `GET /applications/{application_id}/organizations?offset=0&limit=10` — flat, creation order.
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
