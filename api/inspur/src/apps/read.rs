//! APP-01 every application, APP-03 a page by name (with `idBind` for a user), APP-07 one
//! application, APP-08/09 whether a code or a name is free (`true` = free to use), APP-10 every
//! application with whether an organisation is granted it (`authFlag` a number; `orgId` only
//! when granted).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use projections::app_directory;
use serde::Deserialize;
use serde_json::json;
use usecases::AppState;

use super::view;
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::lenient::present;

/// APP-01 `GET /apps/list`.
pub async fn list(
    State(state): State<AppState>,
    caller: InspurCaller,
) -> Result<Response, InspurError> {
    let zone = state.config.utc_offset_minutes;
    let tenant = &caller.tenant_id;
    let apps = projections::applications::list(state.pool(), tenant).await?;
    let rows: Vec<_> = apps.iter().map(|a| view(a, tenant, zone, false)).collect();
    Ok(ok(json!(rows)))
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default, rename = "appName")]
    app_name: Option<String>,
    #[serde(default, rename = "userId")]
    user_id: Option<String>,
}

/// APP-03 `GET /apps/listapps/page/{pageNo}/{pageSize}?appName=&userId=`.
pub async fn page(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path((page_no, page_size)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
) -> Result<Response, InspurError> {
    let request = crate::page::request(&page_no, &page_size)?;
    let (name, user) = (present(query.app_name), present(query.user_id));
    let tenant = &caller.tenant_id;
    let inherit = usecases::settings(&state, tenant)
        .await?
        .organizations
        .grants_reach_sub_organizations;
    let page = app_directory::page(
        state.pool(),
        tenant,
        name.as_deref(),
        user.as_deref().map(|u| (u, inherit)),
        request,
    )
    .await?;
    let zone = state.config.utc_offset_minutes;
    let page = page.map(|(app, bound)| {
        let mut row = view(&app, tenant, zone, false);
        if user.is_some() {
            row["idBind"] = json!(if bound { "1" } else { "0" });
        }
        row
    });
    Ok(ok(crate::page::object(page)))
}

/// APP-07 `GET /apps/{appId}`.
pub async fn detail(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(app_id): Path<String>,
) -> Result<Response, InspurError> {
    let app = projections::applications::get(state.pool(), &caller.tenant_id, &app_id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    let zone = state.config.utc_offset_minutes;
    Ok(ok(view(&app, &caller.tenant_id, zone, false)))
}

async fn free(
    state: &AppState,
    caller: &InspurCaller,
    by_code: bool,
    value: &str,
) -> Result<Response, InspurError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(InspurError::invalid("校验值不能为空"));
    }
    let taken = app_directory::taken(state.pool(), &caller.tenant_id, by_code, value, None).await?;
    Ok(ok(json!(!taken)))
}

/// APP-08 `POST /apps/action/verify-appcode/{appcode}`.
pub async fn verify_code(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(code): Path<String>,
) -> Result<Response, InspurError> {
    free(&state, &caller, true, &code).await
}

/// APP-09 `POST /apps/action/verify-appname/{appname}`.
pub async fn verify_name(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(name): Path<String>,
) -> Result<Response, InspurError> {
    free(&state, &caller, false, &name).await
}

#[derive(Deserialize, Default)]
pub struct OrganQuery {
    #[serde(default, rename = "appName")]
    app_name: Option<String>,
}

/// APP-10 `GET /apps/{orgId}/listapporgauthinfo/page/{pageNo}/{pageSize}?appName=`.
pub async fn for_organ(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path((org_id, page_no, page_size)): Path<(String, String, String)>,
    Query(query): Query<OrganQuery>,
) -> Result<Response, InspurError> {
    let request = crate::page::request(&page_no, &page_size)?;
    projections::organs::get(state.pool(), &caller.tenant_id, &org_id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    let name = present(query.app_name);
    let page = app_directory::for_organ(
        state.pool(),
        &caller.tenant_id,
        &org_id,
        name.as_deref(),
        request,
    )
    .await?;
    let page = page.map(|row| {
        let mut object = json!({
            "appName": row.name,
            "appId": row.application_id,
            "authFlag": if row.granted { 1 } else { 0 },
        });
        if row.granted {
            object["orgId"] = json!(org_id);
        }
        object
    });
    Ok(ok(crate::page::object(page)))
}
