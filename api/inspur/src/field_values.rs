//! Extended-field values (specs/inspur-idaas.md §2.5, FV-01…06): `externalId` is the id of the
//! user, group or organisation the value belongs to; enums in as numbers or strings, out as
//! strings; reads carry the field's current `fieldName`.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::Router;
use domain::field_values::FieldValuesError;
use projections::field_values::{self as read, ValueRow};
use serde::Deserialize;
use serde_json::{json, Value};
use usecases::field_values::{self as cases, NewValue, ValueRefused};
use usecases::{AppState, ServiceError};

use crate::caller::InspurCaller;
use crate::envelope::{ok, saved, InspurError};
use crate::lenient::body;
use crate::lenient::{number, text};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/fieldvalue", post(add_one))
        .route("/fieldvalue/batch", post(add_batch))
        .route("/fieldvalue/update", post(update))
        .route("/fieldvalue/externalId/{entity_id}", delete(clear))
        .route("/fieldvalue/{entity_id}", get(of_entity))
        .route(
            "/fieldvalue/{field_id}/action/verify-value/{value}",
            post(verify).get(verify),
        )
}

fn view(row: &ValueRow, with_name: bool) -> Value {
    let mut value = json!({
        "id": row.value_id,
        "externalId": row.entity_id,
        "fieldClassification": row.class.to_string(),
        "extendedFieldId": row.field_id,
        "fieldType": row.field_type.to_string(),
        "fieldValue": row.value,
    });
    if with_name {
        value["fieldName"] = json!(row.field_name);
    }
    value
}

fn refused(error: ValueRefused) -> InspurError {
    match error {
        ValueRefused::NoField => InspurError::rule("扩展字段不存在"),
        ValueRefused::KindMismatch => {
            InspurError::invalid("fieldClassification 或 fieldType 与扩展字段不一致")
        }
        ValueRefused::NotAnOption => InspurError::rule("值不是该扩展字段的可用选项"),
        ValueRefused::NoEntity => InspurError::rule("用户、组或组织机构不存在"),
        ValueRefused::NoValue
        | ValueRefused::Service(ServiceError::FieldValues(FieldValuesError::NotFound)) => {
            InspurError::not_found()
        }
        ValueRefused::Service(ServiceError::FieldValues(FieldValuesError::NotEditable)) => {
            InspurError::rule("该扩展字段不可修改")
        }
        ValueRefused::Service(ServiceError::Claimed(domain::ClaimKind::ExtendedFieldValue)) => {
            InspurError::rule("值已存在")
        }
        ValueRefused::Service(other) => other.into(),
    }
}

#[derive(Deserialize)]
pub struct ValueBody {
    #[serde(
        default,
        deserialize_with = "text",
        rename = "externalId",
        alias = "externald"
    )]
    entity_id: Option<String>,
    #[serde(default, deserialize_with = "number", rename = "fieldClassification")]
    class: Option<i64>,
    #[serde(default, deserialize_with = "text", rename = "extendedFieldId")]
    field_id: Option<String>,
    #[serde(default, deserialize_with = "number", rename = "fieldType")]
    field_type: Option<i64>,
    #[serde(default, deserialize_with = "text", rename = "fieldValue")]
    value: Option<String>,
}

fn required<T>(value: Option<T>, name: &str) -> Result<T, InspurError> {
    value.ok_or_else(|| InspurError::invalid(format!("{name} 不能为空")))
}

fn kind(value: Option<i64>, name: &str) -> Result<u8, InspurError> {
    let value = required(value, name)?;
    u8::try_from(value)
        .ok()
        .filter(|v| *v <= 2)
        .ok_or_else(|| InspurError::invalid(format!("{name} 必须是 0、1 或 2")))
}

fn new_value(body: ValueBody) -> Result<NewValue, InspurError> {
    Ok(NewValue {
        entity_id: required(
            body.entity_id.filter(|v| !v.trim().is_empty()),
            "externalId",
        )?,
        class: kind(body.class, "fieldClassification")?,
        field_id: required(
            body.field_id.filter(|v| !v.trim().is_empty()),
            "extendedFieldId",
        )?,
        field_type: kind(body.field_type, "fieldType")?,
        value: required(body.value, "fieldValue")?,
    })
}

async fn set(
    state: &AppState,
    caller: &InspurCaller,
    bodies: Vec<ValueBody>,
) -> Result<Vec<Value>, InspurError> {
    let values = bodies
        .into_iter()
        .map(new_value)
        .collect::<Result<Vec<_>, _>>()?;
    let keys = cases::set(state, &caller.context, values)
        .await
        .map_err(refused)?;
    let mut saved = Vec::new();
    for (entity, field) in keys {
        let rows = read::of_entity(state.pool(), &caller.tenant_id, &entity).await?;
        if let Some(row) = rows.iter().find(|r| r.field_id == field) {
            saved.push(view(row, false));
        }
    }
    Ok(saved)
}

/// FV-02 `POST /fieldvalue`.
async fn add_one(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let value: ValueBody = body(&bytes)?;
    let mut saved = set(&state, &caller, vec![value]).await?;
    Ok(ok(saved.pop().unwrap_or(Value::Null)))
}

/// FV-01 `POST /fieldvalue/batch`: a JSON array.
async fn add_batch(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let values: Vec<ValueBody> = body(&bytes)?;
    Ok(ok(Value::Array(set(&state, &caller, values).await?)))
}

#[derive(Deserialize)]
pub struct UpdateBody {
    #[serde(default, deserialize_with = "text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "fieldValue")]
    value: Option<String>,
}

/// FV-03 `POST /fieldvalue/update`: refused when the field is not editable.
async fn update(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: UpdateBody = body(&bytes)?;
    let id = required(body.id.filter(|v| !v.trim().is_empty()), "id")?;
    let value = required(body.value, "fieldValue")?;
    cases::change(&state, &caller.context, &id, value)
        .await
        .map_err(refused)?;
    let row = read::by_id(state.pool(), &caller.tenant_id, &id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    Ok(saved(view(&row, true)))
}

/// FV-04 `DELETE /fieldvalue/externalId/{externalId}`: the removed values.
async fn clear(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(entity_id): Path<String>,
) -> Result<Response, InspurError> {
    let before = read::of_entity(state.pool(), &caller.tenant_id, &entity_id).await?;
    cases::clear(&state, &caller.context, &entity_id)
        .await
        .map_err(refused)?;
    Ok(ok(Value::Array(
        before.iter().map(|r| view(r, false)).collect(),
    )))
}

/// FV-05 `GET /fieldvalue/{externalId}`.
async fn of_entity(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(entity_id): Path<String>,
) -> Result<Response, InspurError> {
    let rows = read::of_entity(state.pool(), &caller.tenant_id, &entity_id).await?;
    Ok(ok(Value::Array(
        rows.iter().map(|r| view(r, true)).collect(),
    )))
}

/// FV-06 `POST /fieldvalue/{fieldId}/action/verify-value/{value}`: `true` when no entity has it.
async fn verify(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path((field_id, value)): Path<(String, String)>,
) -> Result<Response, InspurError> {
    let taken = read::value_taken(state.pool(), &caller.tenant_id, &field_id, &value).await?;
    Ok(ok(json!(!taken)))
}
