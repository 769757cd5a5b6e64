//! UTYPE-03 every user type, UTYPE-04 a page, UTYPE-07 one type, UTYPE-05/09 whether a name or
//! code is free (`true` = free to use).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use projections::page::{PageRequest, MAX_LIMIT};
use projections::user_types;
use serde::Deserialize;
use serde_json::json;
use usecases::AppState;
use utoipa::IntoParams;

use super::{view, UserType};
use crate::apps::described::CallRefused;
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::schema::{Envelope, ErrorEnvelope, PageOf};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct NameQuery {
    /// A part of the name.
    name: Option<String>,
}

/// Every user type, disabled ones too, by `order` (UTYPE-03).
#[utoipa::path(
    get,
    path = "/userType/list",
    tag = "user types",
    operation_id = "listUserTypes",
    params(NameQuery),
    responses(
        (status = 200, description = "The types.", body = Envelope<Vec<UserType>>),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn list(
    State(state): State<AppState>,
    caller: InspurCaller,
    Query(query): Query<NameQuery>,
) -> Result<Response, InspurError> {
    let request = PageRequest::rows(0, MAX_LIMIT).map_err(InspurError::invalid)?;
    let name = query.name.as_deref().filter(|n| !n.trim().is_empty());
    let rows = user_types::page(state.pool(), &caller.tenant_id, name, request).await?;
    let zone = state.config.utc_offset_minutes;
    let items: Vec<UserType> = rows.items.iter().map(|r| view(r, zone)).collect();
    Ok(ok(json!(items)))
}

/// A page of the user types, by `order` (UTYPE-04).
#[utoipa::path(
    get,
    path = "/userType/page/{pageNo}/{pageSize}",
    tag = "user types",
    operation_id = "pageUserTypes",
    params(
        ("pageNo" = i64, Path, minimum = 1, description = "The page, from 1."),
        ("pageSize" = i64, Path, minimum = 1, maximum = 1000, description = "Rows per page."),
        NameQuery,
    ),
    responses(
        (status = 200, description = "The page.", body = Envelope<PageOf<UserType>>),
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
    let name = query.name.as_deref().filter(|n| !n.trim().is_empty());
    let rows = user_types::page(state.pool(), &caller.tenant_id, name, request).await?;
    let zone = state.config.utc_offset_minutes;
    Ok(ok(crate::page::object(rows.map(|r| view(&r, zone)))))
}

/// One user type (UTYPE-07).
#[utoipa::path(
    get,
    path = "/userType/{id}",
    tag = "user types",
    operation_id = "getUserType",
    params(("id" = String, Path, description = "The type.")),
    responses(
        (status = 200, description = "The type.", body = Envelope<UserType>),
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
    let row = user_types::get(state.pool(), &caller.tenant_id, &id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    Ok(ok(json!(view(&row, state.config.utc_offset_minutes))))
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
    let taken = user_types::taken(state.pool(), &caller.tenant_id, by_code, value, None).await?;
    Ok(ok(json!(!taken)))
}

/// Whether a user type name is free to use: `data` true when no type holds it (UTYPE-05).
#[utoipa::path(
    get,
    path = "/userType/action/verify-name/{name}",
    tag = "user types",
    operation_id = "verifyUserTypeNameByGet",
    params(("name" = String, Path, description = "The name to check.")),
    responses(
        (status = 200, description = "`true` when the name is free.", body = Envelope<bool>),
        (status = 400, description = "A blank name.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn verify_name_by_get(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(name): Path<String>,
) -> Result<Response, InspurError> {
    verify(&state, &caller, false, &name).await
}

/// UTYPE-05 by POST.
#[utoipa::path(
    post,
    path = "/userType/action/verify-name/{name}",
    tag = "user types",
    operation_id = "verifyUserTypeName",
    params(("name" = String, Path, description = "The name to check.")),
    responses(
        (status = 200, description = "`true` when the name is free.", body = Envelope<bool>),
        (status = 400, description = "A blank name.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn verify_name(
    state: State<AppState>,
    caller: InspurCaller,
    name: Path<String>,
) -> Result<Response, InspurError> {
    verify_name_by_get(state, caller, name).await
}

/// Whether a user type code is free to use: `data` true when no type holds it (UTYPE-09).
#[utoipa::path(
    post,
    path = "/userType/action/verify-code/{code}",
    tag = "user types",
    operation_id = "verifyUserTypeCode",
    params(("code" = String, Path, description = "The code to check.")),
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

/// UTYPE-09 by GET.
#[utoipa::path(
    get,
    path = "/userType/action/verify-code/{code}",
    tag = "user types",
    operation_id = "verifyUserTypeCodeByGet",
    params(("code" = String, Path, description = "The code to check.")),
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
