//! ATYPE-01 a page by name, ATYPE-03 the enabled types, ATYPE-06 one type, ATYPE-07 the types
//! with a code, ATYPE-08/09 whether a code or name is free (`true` = free to use).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use projections::app_types::{self, Listed};
use projections::page::{PageRequest, MAX_LIMIT};
use serde::Deserialize;
use serde_json::json;
use usecases::AppState;
use utoipa::IntoParams;

use super::{live, view, AppType};
use crate::apps::described::CallRefused;
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::schema::{Envelope, ErrorEnvelope, PageOf};

/// One live application type (ATYPE-06).
#[utoipa::path(
    get,
    path = "/apptypes/{appTypeId}",
    tag = "application types",
    operation_id = "getAppType",
    params(("appTypeId" = String, Path, description = "The type.")),
    responses(
        (status = 200, description = "The type.", body = Envelope<AppType>),
        (status = 404, description = "No such type: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn detail(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(id): Path<String>,
) -> Result<Response, InspurError> {
    Ok(ok(json!(live(&state, &caller, &id).await?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct NameQuery {
    /// A part of the name.
    #[serde(rename = "typeName")]
    type_name: Option<String>,
}

/// A page of the live application types, newest first (ATYPE-01).
#[utoipa::path(
    get,
    path = "/apptypes/listapptypes/page/{pageNo}/{pageSize}",
    tag = "application types",
    operation_id = "pageAppTypes",
    params(
        ("pageNo" = i64, Path, minimum = 1, description = "The page, from 1."),
        ("pageSize" = i64, Path, minimum = 1, maximum = 1000, description = "Rows per page."),
        NameQuery,
    ),
    responses(
        (status = 200, description = "The page.", body = Envelope<PageOf<AppType>>),
        (status = 400, description = "A page number or size out of range.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn page(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path((page_no, page_size)): Path<(String, String)>,
    Query(query): Query<NameQuery>,
) -> Result<Response, InspurError> {
    let request = crate::page::request(&page_no, &page_size)?;
    let name = query.type_name.as_deref().filter(|n| !n.trim().is_empty());
    let pool = state.pool();
    let rows = app_types::page(pool, &caller.tenant_id, Listed::All, name, request).await?;
    let zone = state.config.utc_offset_minutes;
    let rows = rows.map(|r| view(&r, &caller.tenant_id, zone));
    Ok(ok(crate::page::object(rows)))
}

/// The enabled application types, oldest first, for a dropdown (ATYPE-03).
#[utoipa::path(
    get,
    path = "/apptypes/list",
    tag = "application types",
    operation_id = "listAppTypes",
    responses(
        (status = 200, description = "The enabled types.", body = Envelope<Vec<AppType>>),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn dropdown(
    State(state): State<AppState>,
    caller: InspurCaller,
) -> Result<Response, InspurError> {
    let request = PageRequest::rows(0, MAX_LIMIT).map_err(InspurError::invalid)?;
    let pool = state.pool();
    let rows = app_types::page(pool, &caller.tenant_id, Listed::Enabled, None, request).await?;
    let zone = state.config.utc_offset_minutes;
    let items: Vec<AppType> = rows
        .items
        .iter()
        .map(|r| view(r, &caller.tenant_id, zone))
        .collect();
    Ok(ok(json!(items)))
}

/// The live application types with a code: an array, empty when none has it (ATYPE-07).
#[utoipa::path(
    get,
    path = "/apptypes/getapptypeinfo/{typeCode}",
    tag = "application types",
    operation_id = "appTypesByCode",
    params(("typeCode" = String, Path, description = "The code.")),
    responses(
        (status = 200, description = "The types with the code (at most one).",
            body = Envelope<Vec<AppType>>),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn by_code(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(code): Path<String>,
) -> Result<Response, InspurError> {
    let rows = app_types::by_code(state.pool(), &caller.tenant_id, code.trim()).await?;
    let zone = state.config.utc_offset_minutes;
    let items: Vec<AppType> = rows
        .iter()
        .map(|r| view(r, &caller.tenant_id, zone))
        .collect();
    Ok(ok(json!(items)))
}

async fn verify(
    state: &AppState,
    caller: &InspurCaller,
    by_code: bool,
    value: &str,
) -> Result<Response, InspurError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(InspurError::invalid("待验证的值不能为空"));
    }
    let taken = app_types::taken(state.pool(), &caller.tenant_id, by_code, value).await?;
    Ok(ok(json!(!taken)))
}

/// Whether an application type code is free to use: `data` true when no live type holds it
/// (ATYPE-08).
#[utoipa::path(
    post,
    path = "/apptypes/action/verify-appcode/{typeCode}",
    tag = "application types",
    operation_id = "verifyAppTypeCode",
    params(("typeCode" = String, Path, description = "The code to check.")),
    responses(
        (status = 200, description = "`true` when the code is free.", body = Envelope<bool>),
        (status = 400, description = "A blank code.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn verify_code(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(code): Path<String>,
) -> Result<Response, InspurError> {
    verify(&state, &caller, true, &code).await
}

/// ATYPE-08 by GET.
#[utoipa::path(
    get,
    path = "/apptypes/action/verify-appcode/{typeCode}",
    tag = "application types",
    operation_id = "verifyAppTypeCodeByGet",
    params(("typeCode" = String, Path, description = "The code to check.")),
    responses(
        (status = 200, description = "`true` when the code is free.", body = Envelope<bool>),
        (status = 400, description = "A blank code.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn verify_code_by_get(
    state: State<AppState>,
    caller: InspurCaller,
    code: Path<String>,
) -> Result<Response, InspurError> {
    verify_code(state, caller, code).await
}

/// Whether an application type name is free to use: `data` true when no live type holds it
/// (ATYPE-09).
#[utoipa::path(
    post,
    path = "/apptypes/action/verify-apptypename/{typeName}",
    tag = "application types",
    operation_id = "verifyAppTypeName",
    params(("typeName" = String, Path, description = "The name to check.")),
    responses(
        (status = 200, description = "`true` when the name is free.", body = Envelope<bool>),
        (status = 400, description = "A blank name.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn verify_name(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(name): Path<String>,
) -> Result<Response, InspurError> {
    verify(&state, &caller, false, &name).await
}

/// ATYPE-09 by GET.
#[utoipa::path(
    get,
    path = "/apptypes/action/verify-apptypename/{typeName}",
    tag = "application types",
    operation_id = "verifyAppTypeNameByGet",
    params(("typeName" = String, Path, description = "The name to check.")),
    responses(
        (status = 200, description = "`true` when the name is free.", body = Envelope<bool>),
        (status = 400, description = "A blank name.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn verify_name_by_get(
    state: State<AppState>,
    caller: InspurCaller,
    name: Path<String>,
) -> Result<Response, InspurError> {
    verify_name(state, caller, name).await
}
