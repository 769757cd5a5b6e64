//! User (account) types — `userType` (specs/inspur-idaas.md §2.9, UTYPE-01…09): one save
//! endpoint (an `id` updates), lists with a name filter, details, enable (`start`) and disable
//! (`stop`), delete, and whether a name or code is free (`true` = free to use). Changes are
//! here, reads in `read`.

mod read;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::user_type::{UserTypeCommand, UserTypeError, UserTypeFields};
use idaas_http::openapi::ApiRouter;
use projections::user_types::UserTypeRow;
use serde::{Deserialize, Serialize};
use serde_json::json;
use usecases::{user_types as cases, AppState, ServiceError};
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::apps::described::{CallRefused, LenientNumber, LenientText};
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::lenient::present;
use crate::lenient::{number, text};
use crate::schema::{Envelope, ErrorEnvelope};
use crate::time::wire;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(save))
        .routes(routes!(read::list))
        .routes(routes!(read::page))
        .routes(routes!(read::verify_name_by_get, read::verify_name))
        .routes(routes!(read::verify_code, read::verify_code_by_get))
        .routes(routes!(read::detail, delete))
        .routes(routes!(start))
        .routes(routes!(stop))
}

/// The UserType object (§2.9), with the status, creator and times the document leaves out.
#[derive(Serialize, ToSchema)]
struct UserType {
    id: String,
    code: String,
    name: String,
    #[schema(required = true)]
    description: Option<String>,
    /// The place among the types (lists sort by it).
    #[schema(required = true)]
    order: Option<i64>,
    /// "1" enabled, "2" disabled.
    status: &'static str,
    #[schema(required = true)]
    creator: Option<String>,
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
    #[serde(rename = "createdTime")]
    created_time: String,
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
    #[serde(rename = "updatedTime")]
    updated_time: String,
}

fn view(row: &UserTypeRow, zone: i32) -> UserType {
    UserType {
        id: row.type_id.clone(),
        code: row.code.clone(),
        name: row.name.clone(),
        description: row.description.clone(),
        order: row.order,
        status: if row.disabled { "2" } else { "1" },
        creator: row.creator.clone(),
        created_time: wire(row.created_at, zone),
        updated_time: wire(row.updated_at, zone),
    }
}

/// The envelope without `data`, as the document's delete, start and stop examples show.
#[derive(Serialize, ToSchema)]
struct Done {
    /// "200".
    code: &'static str,
    /// "ok".
    message: &'static str,
    /// 200.
    status: u16,
    #[serde(rename = "requestId")]
    request_id: String,
}

fn done() -> Response {
    let body = Done {
        code: "200",
        message: "ok",
        status: 200,
        request_id: uuid::Uuid::new_v4().simple().to_string(),
    };
    Json(body).into_response()
}

fn refused(error: ServiceError) -> InspurError {
    match error {
        ServiceError::UserType(UserTypeError::NotFound) => InspurError::not_found(),
        ServiceError::UserType(UserTypeError::InUse) => {
            InspurError::rule("账户类型已被账户使用,禁止删除")
        }
        ServiceError::Claimed(domain::ClaimKind::UserTypeCode) => InspurError::rule("编码已存在"),
        ServiceError::Claimed(domain::ClaimKind::UserTypeName) => InspurError::rule("名称已存在"),
        other => other.into(),
    }
}

/// The body of UTYPE-02: without `id` a new type (`name` and `code` required), with one a
/// change of that type (the fields given replace, absent or blank ones stay).
#[derive(Deserialize, ToSchema)]
pub struct UserTypeBody {
    /// The type to change; absent or blank creates one.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    id: Option<String>,
    /// Unique in the tenant.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    name: Option<String>,
    /// Unique in the tenant.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    code: Option<String>,
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    description: Option<String>,
    /// The place among the types.
    #[serde(default, deserialize_with = "number")]
    #[schema(value_type = LenientNumber)]
    order: Option<i64>,
}

/// Creates a user type, or changes one when the body has an `id` (UTYPE-02): `data` is the
/// type's id.
#[utoipa::path(
    post,
    path = "/userType",
    tag = "user types",
    operation_id = "saveUserType",
    request_body = UserTypeBody,
    responses(
        (status = 200, description = "The saved type's id.", body = Envelope<String>),
        (status = 400, description = "A bad body or a missing or bad field (`参数错误: …`), or a \\
            name or code already taken (`名称已存在`, `编码已存在`).", body = ErrorEnvelope),
        (status = 404, description = "No type has the `id`: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn save(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: UserTypeBody = serde_json::from_slice(&bytes)
        .map_err(|e| InspurError::invalid(format!("请求体无效: {e}")))?;
    if let Some(id) = present(body.id) {
        let command = UserTypeCommand::Update {
            code: present(body.code),
            name: present(body.name),
            description: present(body.description),
            order: body.order,
            now: state.now(),
        };
        cases::change(&state, &caller.context, &id, command)
            .await
            .map_err(refused)?;
        return Ok(ok(json!(id)));
    }
    let fields = UserTypeFields {
        name: present(body.name).ok_or_else(|| InspurError::invalid("name 不能为空"))?,
        code: present(body.code).ok_or_else(|| InspurError::invalid("code 不能为空"))?,
        description: present(body.description),
        order: body.order,
    };
    let id = cases::create(&state, &caller.context, fields)
        .await
        .map_err(refused)?;
    Ok(ok(json!(id)))
}

async fn run(
    state: &AppState,
    caller: &InspurCaller,
    id: &str,
    command: UserTypeCommand,
) -> Result<Response, InspurError> {
    cases::change(state, &caller.context, id, command)
        .await
        .map_err(refused)?;
    Ok(done())
}

/// Deletes a user type no account has (UTYPE-01): the envelope without `data`.
#[utoipa::path(
    delete,
    path = "/userType/{id}",
    tag = "user types",
    operation_id = "deleteUserType",
    params(("id" = String, Path, description = "The type.")),
    responses(
        (status = 200, description = "Deleted.", body = Done),
        (status = 400, description = "Accounts still have the type: \\
            `账户类型已被账户使用,禁止删除`.", body = ErrorEnvelope),
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
    Ok(done())
}

/// Enables a user type (UTYPE-06): the envelope without `data`.
#[utoipa::path(
    post,
    path = "/userType/{id}/action/start",
    tag = "user types",
    operation_id = "startUserType",
    params(("id" = String, Path, description = "The type.")),
    responses(
        (status = 200, description = "Enabled.", body = Done),
        (status = 404, description = "No such type: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn start(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(id): Path<String>,
) -> Result<Response, InspurError> {
    let now = state.now();
    let command = UserTypeCommand::SetDisabled {
        disabled: false,
        now,
    };
    run(&state, &caller, &id, command).await
}

/// Disables a user type (UTYPE-08): the envelope without `data`.
#[utoipa::path(
    post,
    path = "/userType/{id}/action/stop",
    tag = "user types",
    operation_id = "stopUserType",
    params(("id" = String, Path, description = "The type.")),
    responses(
        (status = 200, description = "Disabled.", body = Done),
        (status = 404, description = "No such type: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn stop(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(id): Path<String>,
) -> Result<Response, InspurError> {
    let now = state.now();
    let command = UserTypeCommand::SetDisabled {
        disabled: true,
        now,
    };
    run(&state, &caller, &id, command).await
}
