//! Application types — `apptypes` (specs/inspur-idaas.md §2.8, ATYPE-01…09): a page with a
//! `typeName` filter, delete (soft), the dropdown of enabled types, create, update (also the
//! status), details, the types with a code, and whether a code or name is free (`true` = free
//! to use). Changes are here, reads in `read`.
//!
//! Types are answered in the canonical AppType shape with the real name `accountId` (the
//! tenant) for the document's `a5tId`, plus the stale example shape's `appName`, `appCode` and
//! `appDeleteFlag` for older clients (ops/adr/0015).

mod read;

use axum::extract::{Path, State};
use axum::response::Response;
use domain::app_type::{AppTypeCommand, AppTypeError, AppTypeFields};
use idaas_http::openapi::ApiRouter;
use projections::app_types::{self, AppTypeRow};
use serde::{Deserialize, Serialize};
use serde_json::json;
use usecases::{app_types as cases, AppState, ServiceError};
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::apps::described::{body_requiring, CallRefused, LenientText};
use crate::caller::InspurCaller;
use crate::envelope::{ok, saved, InspurError};
use crate::lenient::{body, present, text};
use crate::schema::{Envelope, ErrorEnvelope};
use crate::time::wire;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(read::dropdown))
        .routes(routes!(update))
        .routes(routes!(read::page))
        .routes(routes!(read::by_code))
        .routes(routes!(read::verify_code, read::verify_code_by_get))
        .routes(routes!(read::verify_name, read::verify_name_by_get))
        .routes(routes!(read::detail, delete))
}

/// The AppType object (§2.8), with the stale example shape's names of the same values.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct AppType {
    id: String,
    type_name: String,
    type_code: String,
    #[schema(required = true)]
    creator: Option<String>,
    /// The tenant (the document's `a5tId`).
    account_id: String,
    /// "0"; "1" in the answer to a delete.
    type_delete_flag: &'static str,
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
    created_time: String,
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
    updated_time: String,
    #[schema(required = true)]
    description: Option<String>,
    /// "1" enabled, "0" disabled.
    type_status: &'static str,
    /// The same as `typeName` (the stale shape).
    app_name: String,
    /// The same as `typeCode` (the stale shape).
    app_code: String,
    /// The same as `typeDeleteFlag` (the stale shape).
    app_delete_flag: &'static str,
}

fn view(row: &AppTypeRow, tenant: &str, zone: i32) -> AppType {
    let delete_flag = if row.deleted { "1" } else { "0" };
    AppType {
        id: row.type_id.clone(),
        type_name: row.name.clone(),
        type_code: row.code.clone(),
        creator: row.creator.clone(),
        account_id: tenant.to_string(),
        type_delete_flag: delete_flag,
        created_time: wire(row.created_at, zone),
        updated_time: wire(row.updated_at, zone),
        description: row.description.clone(),
        type_status: if row.disabled { "0" } else { "1" },
        app_name: row.name.clone(),
        app_code: row.code.clone(),
        app_delete_flag: delete_flag,
    }
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

/// The body of ATYPE-04 (create: `typeName` and `typeCode` required) and ATYPE-05 (update:
/// `id` required, the fields given replace, absent or blank ones stay). `a5tId` (or
/// `accountId`) is accepted and not read: the tenant is the caller's.
#[derive(Deserialize, ToSchema)]
pub struct AppTypeBody {
    /// The type to update (ATYPE-05 only).
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    id: Option<String>,
    /// 1 to 64 characters, unique in the tenant.
    #[serde(default, deserialize_with = "text", rename = "typeName")]
    #[schema(value_type = LenientText)]
    type_name: Option<String>,
    /// 1 to 64 characters, unique in the tenant.
    #[serde(default, deserialize_with = "text", rename = "typeCode")]
    #[schema(value_type = LenientText)]
    type_code: Option<String>,
    /// At most 500 characters.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    description: Option<String>,
    /// 1 enabled, 0 disabled (on create: enabled when absent).
    #[serde(default, deserialize_with = "text", rename = "typeStatus")]
    #[schema(value_type = LenientText)]
    type_status: Option<String>,
}

body_requiring!(
    /// The body of ATYPE-04.
    NewAppType = AppTypeBody["typeName", "typeCode"]
);
body_requiring!(
    /// The body of ATYPE-05.
    AppTypeChange = AppTypeBody["id"]
);

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
async fn live(state: &AppState, caller: &InspurCaller, id: &str) -> Result<AppType, InspurError> {
    let row = app_types::get(state.pool(), &caller.tenant_id, id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    Ok(view(
        &row,
        &caller.tenant_id,
        state.config.utc_offset_minutes,
    ))
}

/// Creates an application type (ATYPE-04).
#[utoipa::path(
    post,
    path = "/apptypes",
    tag = "application types",
    operation_id = "createAppType",
    request_body = NewAppType,
    responses(
        (status = 200, description = "The created type.", body = Envelope<AppType>),
        (status = 400, description = "A bad body or a missing or bad field (`参数错误: …`), or a \\
            code or name already taken (`应用类型编码已存在`, `应用类型名称已存在`).",
            body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn create(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: AppTypeBody = body(&bytes)?;
    let fields = AppTypeFields {
        name: present(body.type_name).ok_or_else(|| InspurError::invalid("typeName 不能为空"))?,
        code: present(body.type_code).ok_or_else(|| InspurError::invalid("typeCode 不能为空"))?,
        description: present(body.description),
    };
    let disabled = disabled(body.type_status)?.unwrap_or(false);
    let id = cases::create(&state, &caller.context, fields, disabled)
        .await
        .map_err(refused)?;
    Ok(ok(json!(live(&state, &caller, &id).await?)))
}

/// Changes an application type (ATYPE-05): given fields replace, absent ones stay; `message`
/// "成功".
#[utoipa::path(
    post,
    path = "/apptypes/updateapptype",
    tag = "application types",
    operation_id = "updateAppType",
    request_body = AppTypeChange,
    responses(
        (status = 200, description = "The type after the change.", body = Envelope<AppType>),
        (status = 400, description = "A bad body, a missing `id` or a bad field (`参数错误: …`), \\
            or a code or name already taken.", body = ErrorEnvelope),
        (status = 404, description = "No such type: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn update(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: AppTypeBody = body(&bytes)?;
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
    Ok(saved(json!(live(&state, &caller, &id).await?)))
}

/// Deletes an application type, softly (ATYPE-02): `data` is the type with `typeDeleteFlag`
/// "1".
#[utoipa::path(
    delete,
    path = "/apptypes/{appTypeId}",
    tag = "application types",
    operation_id = "deleteAppType",
    params(("appTypeId" = String, Path, description = "The type.")),
    responses(
        (status = 200, description = "The deleted type.", body = Envelope<AppType>),
        (status = 400, description = "Applications still have the type: \\
            `应用类型已被应用使用,禁止删除`.", body = ErrorEnvelope),
        (status = 404, description = "No such type: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
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
    Ok(ok(json!(view(&row, &caller.tenant_id, zone))))
}
