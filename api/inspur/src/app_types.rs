//! Application types — `apptypes` (specs/inspur-idaas.md §2.8, ATYPE-01…09): a page with a
//! `typeName` filter, delete (soft), the dropdown of enabled types, create, update (also the
//! status), details, the types with a code, and whether a code or name is free (`true` = free
//! to use).
//!
//! Types are answered in the canonical AppType shape with the real name `accountId` (the
//! tenant) for the document's `a5tId`, plus the stale example shape's `appName`, `appCode` and
//! `appDeleteFlag` for older clients (ops/adr/0015).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use domain::app_type::{AppTypeCommand, AppTypeError, AppTypeFields};
use projections::app_types::{self, AppTypeRow, Listed};
use projections::page::{PageRequest, MAX_LIMIT};
use serde::Deserialize;
use serde_json::{json, Value};
use usecases::{app_types as cases, AppState, ServiceError};

use crate::caller::InspurCaller;
use crate::envelope::{ok, saved, InspurError};
use crate::lenient::{body, present, text};
use crate::time::wire;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/apptypes", post(create))
        .route("/apptypes/list", get(dropdown))
        .route("/apptypes/updateapptype", post(update))
        .route(
            "/apptypes/listapptypes/page/{page_no}/{page_size}",
            get(page),
        )
        .route("/apptypes/getapptypeinfo/{code}", get(by_code))
        .route(
            "/apptypes/action/verify-appcode/{code}",
            post(verify_code).get(verify_code),
        )
        .route(
            "/apptypes/action/verify-apptypename/{name}",
            post(verify_name).get(verify_name),
        )
        .route("/apptypes/{id}", get(detail).delete(delete))
}

fn view(row: &AppTypeRow, tenant: &str, zone: i32) -> Value {
    let delete_flag = if row.deleted { "1" } else { "0" };
    json!({
        "id": row.type_id,
        "typeName": row.name,
        "typeCode": row.code,
        "creator": row.creator,
        "accountId": tenant,
        "typeDeleteFlag": delete_flag,
        "createdTime": wire(row.created_at, zone),
        "updatedTime": wire(row.updated_at, zone),
        "description": row.description,
        "typeStatus": if row.disabled { "0" } else { "1" },
        "appName": row.name,
        "appCode": row.code,
        "appDeleteFlag": delete_flag,
    })
}

fn refused(error: ServiceError) -> InspurError {
    match error {
        ServiceError::AppType(AppTypeError::NotFound) => InspurError::not_found(),
        ServiceError::AppType(AppTypeError::InUse) => {
            InspurError::rule("应用类型已被应用使用,禁止删除")
        }
        ServiceError::AppType(AppTypeError::InvalidCodeOrName) => {
            InspurError::invalid("typeName 和 typeCode 为 1 到 64 个字符")
        }
        ServiceError::AppType(AppTypeError::InvalidDescription) => {
            InspurError::invalid("description 最多 500 个字符")
        }
        ServiceError::Claimed(domain::ClaimKind::AppTypeCode) => {
            InspurError::rule("应用类型编码已存在")
        }
        ServiceError::Claimed(domain::ClaimKind::AppTypeName) => {
            InspurError::rule("应用类型名称已存在")
        }
        other => other.into(),
    }
}

/// The body of ATYPE-04 and ATYPE-05. `a5tId` (or `accountId`) is accepted and not read: the
/// tenant is the caller's.
#[derive(Deserialize)]
pub struct TypeBody {
    #[serde(default, deserialize_with = "text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "typeName")]
    type_name: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "typeCode")]
    type_code: Option<String>,
    #[serde(default, deserialize_with = "text")]
    description: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "typeStatus")]
    type_status: Option<String>,
}

/// `typeStatus`: "1" enabled, "0" disabled; whether the type is disabled, if given.
fn disabled(status: Option<String>) -> Result<Option<bool>, InspurError> {
    match present(status).as_deref() {
        None => Ok(None),
        Some("1") => Ok(Some(false)),
        Some("0") => Ok(Some(true)),
        Some(_) => Err(InspurError::invalid("typeStatus 为 1(启用) 或 0(禁用)")),
    }
}

/// The live type as the caller's tenant sees it, else 404.
async fn live(state: &AppState, caller: &InspurCaller, id: &str) -> Result<Value, InspurError> {
    let row = app_types::get(state.pool(), &caller.tenant_id, id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    Ok(view(
        &row,
        &caller.tenant_id,
        state.config.utc_offset_minutes,
    ))
}

/// ATYPE-04 `POST /apptypes`: `data` is the created type.
async fn create(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: TypeBody = body(&bytes)?;
    let fields = AppTypeFields {
        name: present(body.type_name).ok_or_else(|| InspurError::invalid("typeName 不能为空"))?,
        code: present(body.type_code).ok_or_else(|| InspurError::invalid("typeCode 不能为空"))?,
        description: present(body.description),
    };
    let disabled = disabled(body.type_status)?.unwrap_or(false);
    let id = cases::create(&state, &caller.context, fields, disabled)
        .await
        .map_err(refused)?;
    Ok(ok(live(&state, &caller, &id).await?))
}

/// ATYPE-05 `POST /apptypes/updateapptype`: given fields replace, absent ones stay; `data` is
/// the updated type, `message` "成功".
async fn update(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: TypeBody = body(&bytes)?;
    let id = present(body.id).ok_or_else(|| InspurError::invalid("id 不能为空"))?;
    let command = AppTypeCommand::Update {
        code: present(body.type_code),
        name: present(body.type_name),
        description: present(body.description),
        disabled: disabled(body.type_status)?,
        now: state.now(),
    };
    cases::change(&state, &caller.context, &id, command)
        .await
        .map_err(refused)?;
    Ok(saved(live(&state, &caller, &id).await?))
}

/// ATYPE-06 `GET /apptypes/{appTypeId}`.
async fn detail(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(id): Path<String>,
) -> Result<Response, InspurError> {
    Ok(ok(live(&state, &caller, &id).await?))
}

/// ATYPE-02 `DELETE /apptypes/{appTypeId}`: `data` is the type with `typeDeleteFlag` "1".
async fn delete(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(id): Path<String>,
) -> Result<Response, InspurError> {
    cases::delete(&state, &caller.context, &id)
        .await
        .map_err(refused)?;
    let row = app_types::deleted(state.pool(), &caller.tenant_id, &id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    let zone = state.config.utc_offset_minutes;
    Ok(ok(view(&row, &caller.tenant_id, zone)))
}

#[derive(Deserialize)]
pub struct NameQuery {
    #[serde(rename = "typeName")]
    type_name: Option<String>,
}

/// ATYPE-01 `GET /apptypes/listapptypes/page/{pageNo}/{pageSize}?typeName=`: newest first, the
/// name matched anywhere.
async fn page(
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

/// ATYPE-03 `GET /apptypes/list`: the enabled types, oldest first.
async fn dropdown(
    State(state): State<AppState>,
    caller: InspurCaller,
) -> Result<Response, InspurError> {
    let request = PageRequest::rows(0, MAX_LIMIT).map_err(InspurError::invalid)?;
    let pool = state.pool();
    let rows = app_types::page(pool, &caller.tenant_id, Listed::Enabled, None, request).await?;
    let zone = state.config.utc_offset_minutes;
    let items = rows.items.iter();
    Ok(ok(items
        .map(|r| view(r, &caller.tenant_id, zone))
        .collect()))
}

/// ATYPE-07 `GET /apptypes/getapptypeinfo/{typecode}`: an array, empty when no live type has
/// the code.
async fn by_code(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(code): Path<String>,
) -> Result<Response, InspurError> {
    let rows = app_types::by_code(state.pool(), &caller.tenant_id, code.trim()).await?;
    let zone = state.config.utc_offset_minutes;
    let items = rows.iter();
    Ok(ok(items
        .map(|r| view(r, &caller.tenant_id, zone))
        .collect()))
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

/// ATYPE-08 `POST /apptypes/action/verify-appcode/{apptypeCode}`.
async fn verify_code(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(code): Path<String>,
) -> Result<Response, InspurError> {
    verify(&state, &caller, true, &code).await
}

/// ATYPE-09 `POST /apptypes/action/verify-apptypename/{typename}`.
async fn verify_name(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(name): Path<String>,
) -> Result<Response, InspurError> {
    verify(&state, &caller, false, &name).await
}
