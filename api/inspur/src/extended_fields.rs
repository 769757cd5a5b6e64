//! Extended fields (specs/inspur-idaas.md §2.3, EXT-01…07): enums arrive as numbers or strings
//! and leave as strings; a field's class and type are fixed; `true` from a verify endpoint means
//! free to use. Their dropdown options are in `dropdowns`.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use domain::extended_field::{
    ExtendedFieldCommand, ExtendedFieldError, FieldChange, FieldDefinition,
};
use projections::extended_fields::{self as read, FieldFilter, FieldRow};
use serde::Deserialize;
use serde_json::{json, Value};
use usecases::extended_fields as cases;
use usecases::{AppState, ServiceError};

use crate::caller::InspurCaller;
use crate::envelope::{ok, saved, InspurError};
use crate::lenient::{body, present};
use crate::lenient::{number, text};
use crate::time::wire;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/extendedfields", post(create))
        .route("/extendedfields/updateExtendedField", post(update))
        .route("/extendedfields/listfields", get(enabled_of_class))
        .route(
            "/extendedfields/listextendedfields/page/{page_no}/{page_size}",
            get(page),
        )
        .route("/extendedfields/{field_id}", get(detail).delete(delete))
        .route(
            "/extendedfields/{class}/action/verify-fieldname/{name}",
            get(verify_name),
        )
}

pub(crate) fn flag(value: bool) -> &'static str {
    if value {
        "1"
    } else {
        "0"
    }
}

/// The full ExtendedField object.
fn view(row: &FieldRow, zone: i32) -> Value {
    let d = &row.definition;
    json!({
        "id": row.field_id,
        "fieldName": d.name,
        "fieldValue": d.label,
        "fieldClassification": d.class.to_string(),
        "fieldType": d.field_type.to_string(),
        "isRequired": flag(d.required),
        "isEditable": flag(d.editable),
        "isUnique": flag(d.unique),
        "fieldStatus": flag(d.enabled),
        "description": d.description,
        "createdTime": wire(row.created_at, zone),
        "updatedTime": wire(row.updated_at, zone),
        "creator": row.creator,
    })
}

/// The list projection (EXT-02, EXT-05).
fn short(row: &FieldRow) -> Value {
    let d = &row.definition;
    json!({
        "fieldName": d.name,
        "fieldStatus": flag(d.enabled),
        "description": d.description,
        "id": row.field_id,
        "fieldClassification": d.class.to_string(),
        "fieldType": d.field_type.to_string(),
    })
}

pub(crate) fn refused(error: ServiceError) -> InspurError {
    match error {
        ServiceError::ExtendedField(
            ExtendedFieldError::NotFound | ExtendedFieldError::NoSuchOption,
        ) => InspurError::not_found(),
        ServiceError::Claimed(domain::ClaimKind::ExtendedFieldName) => {
            InspurError::rule("同一类别下扩展字段名称已存在")
        }
        ServiceError::ExtendedField(ExtendedFieldError::LabelTaken) => {
            InspurError::rule("选项名称已存在")
        }
        other => other.into(),
    }
}

/// A 0/1 flag given as a number or a string.
pub(crate) fn yes(value: Option<i64>, what: &str) -> Result<Option<bool>, InspurError> {
    match value {
        None => Ok(None),
        Some(0) => Ok(Some(false)),
        Some(1) => Ok(Some(true)),
        Some(_) => Err(InspurError::invalid(format!("{what} 必须是 0 或 1"))),
    }
}

#[derive(Deserialize)]
pub struct FieldBody {
    #[serde(default, deserialize_with = "text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "fieldName")]
    field_name: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "fieldValue")]
    field_value: Option<String>,
    #[serde(default, deserialize_with = "number", rename = "fieldClassification")]
    class: Option<i64>,
    #[serde(default, deserialize_with = "number", rename = "fieldType")]
    field_type: Option<i64>,
    #[serde(default, deserialize_with = "number", rename = "isRequired")]
    required: Option<i64>,
    #[serde(default, deserialize_with = "number", rename = "isEditable")]
    editable: Option<i64>,
    #[serde(default, deserialize_with = "number", rename = "isUnique")]
    unique: Option<i64>,
    #[serde(default, deserialize_with = "number", rename = "fieldStatus")]
    status: Option<i64>,
    #[serde(default, deserialize_with = "text")]
    description: Option<String>,
}

pub(crate) async fn field(
    state: &AppState,
    caller: &InspurCaller,
    id: &str,
) -> Result<FieldRow, InspurError> {
    read::get(state.pool(), &caller.tenant_id, id)
        .await?
        .ok_or_else(InspurError::not_found)
}

fn kind(value: Option<i64>, what: &str) -> Result<u8, InspurError> {
    value
        .and_then(|v| u8::try_from(v).ok())
        .filter(|v| *v <= 2)
        .ok_or_else(|| InspurError::invalid(format!("{what} 必须是 0、1 或 2")))
}

/// EXT-03 `POST /extendedfields`.
async fn create(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: FieldBody = body(&bytes)?;
    let name =
        present(body.field_name).ok_or_else(|| InspurError::invalid("fieldName 不能为空"))?;
    let definition = FieldDefinition {
        label: present(body.field_value).unwrap_or_else(|| name.clone()),
        name,
        class: kind(body.class, "fieldClassification")?,
        field_type: kind(body.field_type, "fieldType")?,
        required: yes(body.required, "isRequired")?.unwrap_or(false),
        editable: yes(body.editable, "isEditable")?.unwrap_or(true),
        unique: yes(body.unique, "isUnique")?.unwrap_or(false),
        enabled: yes(body.status, "fieldStatus")?.unwrap_or(true),
        description: present(body.description),
    };
    let id = cases::create(&state, &caller.context, definition)
        .await
        .map_err(refused)?;
    Ok(ok(view(
        &field(&state, &caller, &id).await?,
        state.config.utc_offset_minutes,
    )))
}

/// EXT-04 `POST /extendedfields/updateExtendedField`: the class and type stay.
async fn update(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: FieldBody = body(&bytes)?;
    let id = present(body.id).ok_or_else(|| InspurError::invalid("id 不能为空"))?;
    let change = FieldChange {
        name: present(body.field_name),
        label: present(body.field_value),
        required: yes(body.required, "isRequired")?,
        editable: yes(body.editable, "isEditable")?,
        unique: yes(body.unique, "isUnique")?,
        enabled: yes(body.status, "fieldStatus")?,
        description: present(body.description),
    };
    let command = ExtendedFieldCommand::Update {
        change,
        now: state.now(),
    };
    cases::change(&state, &caller.context, &id, command)
        .await
        .map_err(refused)?;
    Ok(saved(view(
        &field(&state, &caller, &id).await?,
        state.config.utc_offset_minutes,
    )))
}

/// EXT-01 `DELETE /extendedfields/{id}`: the deleted field; its options go with it.
async fn delete(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(field_id): Path<String>,
) -> Result<Response, InspurError> {
    let before = field(&state, &caller, &field_id).await?;
    let command = ExtendedFieldCommand::Delete { now: state.now() };
    cases::change(&state, &caller.context, &field_id, command)
        .await
        .map_err(refused)?;
    Ok(ok(view(&before, state.config.utc_offset_minutes)))
}

/// EXT-06 `GET /extendedfields/{fieldId}`.
async fn detail(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(field_id): Path<String>,
) -> Result<Response, InspurError> {
    let row = field(&state, &caller, &field_id).await?;
    Ok(ok(view(&row, state.config.utc_offset_minutes)))
}

#[derive(Deserialize)]
pub struct FieldQuery {
    #[serde(rename = "fieldClassification")]
    class: Option<String>,
    #[serde(rename = "fieldName")]
    field_name: Option<String>,
}

fn class_query(value: &Option<String>) -> Result<Option<i64>, InspurError> {
    match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => Ok(Some(i64::from(kind(
            text.parse().ok(),
            "fieldClassification",
        )?))),
    }
}

/// EXT-02 `GET /extendedfields/listfields?fieldClassification=`: the class's enabled fields.
async fn enabled_of_class(
    State(state): State<AppState>,
    caller: InspurCaller,
    Query(query): Query<FieldQuery>,
) -> Result<Response, InspurError> {
    let class = class_query(&query.class)?
        .ok_or_else(|| InspurError::invalid("fieldClassification 不能为空"))?;
    let request = projections::page::PageRequest::rows(0, projections::page::MAX_LIMIT)
        .map_err(InspurError::invalid)?;
    let filter = FieldFilter {
        class: Some(class),
        name_like: None,
        enabled_only: true,
    };
    let rows = read::page(state.pool(), &caller.tenant_id, filter, request).await?;
    Ok(ok(Value::Array(rows.items.iter().map(short).collect())))
}

/// EXT-05 `GET /extendedfields/listextendedfields/page/{pageNo}/{pageSize}?fieldName=&fieldClassification=`.
async fn page(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path((page_no, page_size)): Path<(String, String)>,
    Query(query): Query<FieldQuery>,
) -> Result<Response, InspurError> {
    let request = crate::page::request(&page_no, &page_size)?;
    let filter = FieldFilter {
        class: class_query(&query.class)?,
        name_like: query
            .field_name
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty()),
        enabled_only: false,
    };
    let rows = read::page(state.pool(), &caller.tenant_id, filter, request).await?;
    Ok(ok(crate::page::object(rows.map(|r| short(&r)))))
}

/// EXT-07 `GET /extendedfields/{class}/action/verify-fieldname/{name}`.
async fn verify_name(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path((class, name)): Path<(String, String)>,
) -> Result<Response, InspurError> {
    let class = i64::from(kind(class.trim().parse().ok(), "class")?);
    let taken = read::name_taken(state.pool(), &caller.tenant_id, class, name.trim()).await?;
    Ok(ok(json!(!taken)))
}
