//! User (account) types — `userType` (specs/inspur-idaas.md §2.9, UTYPE-01…09): one save
//! endpoint (an `id` updates), lists with a name filter, details, enable (`start`) and disable
//! (`stop`), delete, and whether a name or code is free (`true` = free to use).

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::user_type::{UserTypeCommand, UserTypeError, UserTypeFields};
use projections::user_types::{self, UserTypeRow};
use serde::Deserialize;
use serde_json::{json, Value};
use usecases::{user_types as cases, AppState, ServiceError};

use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::lenient::present;
use crate::lenient::{number, text};
use crate::time::wire;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/userType", post(save))
        .route("/userType/list", get(list))
        .route("/userType/page/{page_no}/{page_size}", get(page))
        .route(
            "/userType/action/verify-name/{name}",
            get(verify_name).post(verify_name),
        )
        .route(
            "/userType/action/verify-code/{code}",
            post(verify_code).get(verify_code),
        )
        .route("/userType/{id}", get(detail).delete(delete))
        .route("/userType/{id}/action/start", post(start))
        .route("/userType/{id}/action/stop", post(stop))
}

fn view(row: &UserTypeRow, zone: i32) -> Value {
    json!({
        "id": row.type_id,
        "code": row.code,
        "name": row.name,
        "description": row.description,
        "order": row.order,
        "status": if row.disabled { "2" } else { "1" },
        "creator": row.creator,
        "createdTime": wire(row.created_at, zone),
        "updatedTime": wire(row.updated_at, zone),
    })
}

/// The envelope without `data`, as the delete, start and stop examples show.
fn done() -> Response {
    let body = json!({
        "code": "200",
        "message": "ok",
        "status": 200,
        "requestId": uuid::Uuid::new_v4().simple().to_string(),
    });
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

#[derive(Deserialize)]
pub struct TypeBody {
    #[serde(default, deserialize_with = "text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    code: Option<String>,
    #[serde(default, deserialize_with = "text")]
    description: Option<String>,
    #[serde(default, deserialize_with = "number")]
    order: Option<i64>,
}

/// `POST /userType`: `data` is the saved type's id.
async fn save(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: TypeBody = serde_json::from_slice(&bytes)
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

#[derive(Deserialize)]
pub struct NameQuery {
    name: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    caller: InspurCaller,
    Query(query): Query<NameQuery>,
) -> Result<Response, InspurError> {
    let request = projections::page::PageRequest::rows(0, projections::page::MAX_LIMIT)
        .map_err(InspurError::invalid)?;
    let name = query.name.as_deref().filter(|n| !n.trim().is_empty());
    let rows = user_types::page(state.pool(), &caller.tenant_id, name, request).await?;
    let zone = state.config.utc_offset_minutes;
    Ok(ok(Value::Array(
        rows.items.iter().map(|r| view(r, zone)).collect(),
    )))
}

async fn page(
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

async fn detail(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(id): Path<String>,
) -> Result<Response, InspurError> {
    let row = user_types::get(state.pool(), &caller.tenant_id, &id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    Ok(ok(view(&row, state.config.utc_offset_minutes)))
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

async fn start(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(id): Path<String>,
) -> Result<Response, InspurError> {
    let now = state.now();
    run(
        &state,
        &caller,
        &id,
        UserTypeCommand::SetDisabled {
            disabled: false,
            now,
        },
    )
    .await
}

async fn stop(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(id): Path<String>,
) -> Result<Response, InspurError> {
    let now = state.now();
    run(
        &state,
        &caller,
        &id,
        UserTypeCommand::SetDisabled {
            disabled: true,
            now,
        },
    )
    .await
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

async fn verify_name(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(name): Path<String>,
) -> Result<Response, InspurError> {
    verify(&state, &caller, false, &name).await
}

async fn verify_code(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(code): Path<String>,
) -> Result<Response, InspurError> {
    verify(&state, &caller, true, &code).await
}
