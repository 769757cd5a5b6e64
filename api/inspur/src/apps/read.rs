//! APP-01 every application, APP-03 a page by name (with `idBind` for a user), APP-07 one
//! application, APP-08/09 whether a code or a name is free (`true` = free to use), APP-10 every
//! application with whether an organisation is granted it (`authFlag` a number; `orgId` only
//! when granted).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use projections::app_directory;
use serde::{Deserialize, Serialize};
use serde_json::json;
use usecases::AppState;
use utoipa::{IntoParams, ToSchema};

use super::described::CallRefused;
use super::{view, App};
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::lenient::present;
use crate::schema::{Envelope, ErrorEnvelope, PageOf};

/// Every live application of the tenant, newest first.
#[utoipa::path(
    get,
    path = "/apps/list",
    tag = "applications",
    operation_id = "listApps",
    responses(
        (status = 200, description = "The applications.", body = Envelope<Vec<App>>),
        CallRefused,
    ),
    security(("bearer" = []))
)]
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

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// A part of the name.
    #[serde(default, rename = "appName")]
    app_name: Option<String>,
    /// A user: each row's `idBind` then says whether the user is granted the application.
    #[serde(default, rename = "userId")]
    user_id: Option<String>,
}

/// A page of the tenant's applications, newest first (APP-03).
#[utoipa::path(
    get,
    path = "/apps/listapps/page/{pageNo}/{pageSize}",
    tag = "applications",
    operation_id = "pageApps",
    params(
        ("pageNo" = i64, Path, minimum = 1, description = "The page, from 1."),
        ("pageSize" = i64, Path, minimum = 1, maximum = 1000, description = "Rows per page."),
        PageQuery,
    ),
    responses(
        (status = 200, description = "The page.", body = Envelope<PageOf<App>>),
        (status = 400, description = "A page number or size out of range.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
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
            row.id_bind = Some(if bound { "1" } else { "0" }.to_string());
        }
        row
    });
    Ok(ok(crate::page::object(page)))
}

/// One application (APP-07).
#[utoipa::path(
    get,
    path = "/apps/{appId}",
    tag = "applications",
    operation_id = "getApp",
    params(("appId" = String, Path, description = "The application.")),
    responses(
        (status = 200, description = "The application.", body = Envelope<App>),
        (status = 404, description = "No such application: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn detail(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(app_id): Path<String>,
) -> Result<Response, InspurError> {
    let app = projections::applications::get(state.pool(), &caller.tenant_id, &app_id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    let zone = state.config.utc_offset_minutes;
    Ok(ok(json!(view(&app, &caller.tenant_id, zone, false))))
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

/// Whether an application code is free to use: `data` true when no application holds it
/// (APP-08).
#[utoipa::path(
    post,
    path = "/apps/action/verify-appcode/{appCode}",
    tag = "applications",
    operation_id = "verifyAppCode",
    params(("appCode" = String, Path, description = "The code to check.")),
    responses(
        (status = 200, description = "`true` when the code is free.", body = Envelope<bool>),
        (status = 400, description = "A blank code.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn verify_code(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(code): Path<String>,
) -> Result<Response, InspurError> {
    free(&state, &caller, true, &code).await
}

/// APP-08 by GET.
#[utoipa::path(
    get,
    path = "/apps/action/verify-appcode/{appCode}",
    tag = "applications",
    operation_id = "verifyAppCodeByGet",
    params(("appCode" = String, Path, description = "The code to check.")),
    responses(
        (status = 200, description = "`true` when the code is free.", body = Envelope<bool>),
        (status = 400, description = "A blank code.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn verify_code_by_get(
    state: State<AppState>,
    caller: InspurCaller,
    code: Path<String>,
) -> Result<Response, InspurError> {
    verify_code(state, caller, code).await
}

/// Whether an application name is free to use: `data` true when no application holds it
/// (APP-09).
#[utoipa::path(
    post,
    path = "/apps/action/verify-appname/{appName}",
    tag = "applications",
    operation_id = "verifyAppName",
    params(("appName" = String, Path, description = "The name to check.")),
    responses(
        (status = 200, description = "`true` when the name is free.", body = Envelope<bool>),
        (status = 400, description = "A blank name.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn verify_name(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(name): Path<String>,
) -> Result<Response, InspurError> {
    free(&state, &caller, false, &name).await
}

/// APP-09 by GET.
#[utoipa::path(
    get,
    path = "/apps/action/verify-appname/{appName}",
    tag = "applications",
    operation_id = "verifyAppNameByGet",
    params(("appName" = String, Path, description = "The name to check.")),
    responses(
        (status = 200, description = "`true` when the name is free.", body = Envelope<bool>),
        (status = 400, description = "A blank name.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn verify_name_by_get(
    state: State<AppState>,
    caller: InspurCaller,
    name: Path<String>,
) -> Result<Response, InspurError> {
    verify_name(state, caller, name).await
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganQuery {
    /// A part of the name.
    #[serde(default, rename = "appName")]
    app_name: Option<String>,
}

/// A row of APP-10: an application and whether the organisation is granted it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AppOrganGrant {
    app_name: String,
    app_id: String,
    /// 1 granted, 0 not (a number).
    auth_flag: u8,
    /// The organisation; only when it is granted the application.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, required = false)]
    org_id: Option<String>,
}

/// Every application of the tenant, newest first, with whether an organisation is granted it
/// (APP-10).
#[utoipa::path(
    get,
    path = "/apps/{orgId}/listapporgauthinfo/page/{pageNo}/{pageSize}",
    tag = "applications",
    operation_id = "pageAppsOfOrgan",
    params(
        ("orgId" = String, Path, description = "The organisation (not an application)."),
        ("pageNo" = i64, Path, minimum = 1, description = "The page, from 1."),
        ("pageSize" = i64, Path, minimum = 1, maximum = 1000, description = "Rows per page."),
        OrganQuery,
    ),
    responses(
        (status = 200, description = "The page.", body = Envelope<PageOf<AppOrganGrant>>),
        (status = 400, description = "A page number or size out of range.", body = ErrorEnvelope),
        (status = 404, description = "No such organisation: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
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
    let page = page.map(|row| AppOrganGrant {
        app_name: row.name,
        app_id: row.application_id,
        auth_flag: u8::from(row.granted),
        org_id: row.granted.then(|| org_id.clone()),
    });
    Ok(ok(crate::page::object(page)))
}
