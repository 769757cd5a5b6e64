//! Extended fields (specs/inspur-idaas.md §2.3, EXT-01…07) and their dropdown options (§2.4,
//! DDL-01…05): enums arrive as numbers or strings and leave as strings; a field's class and type
//! are fixed; `true` from a verify endpoint means free to use.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use domain::extended_field::{
    DropdownOption, ExtendedFieldCommand, ExtendedFieldError, FieldChange, FieldDefinition,
};
use projections::extended_fields::{self as read, FieldFilter, FieldRow, OptionRow};
use serde::Deserialize;
use serde_json::{json, Value};
use usecases::extended_fields as cases;
use usecases::{AppState, ServiceError};

use crate::caller::InspurCaller;
use crate::envelope::{ok, saved, InspurError};
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
        .route("/dropdownlist", post(add_option))
        .route("/dropdownlist/batch", post(add_options))
        .route("/dropdownlist/update", post(update_option))
        .route("/dropdownlist/{field_id}", get(options))
        .route(
            "/dropdownlist/{field_id}/action/verify-labelname/{name}",
            post(verify_label).get(verify_label),
        )
}

fn flag(value: bool) -> &'static str {
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

fn option_view(row: &OptionRow) -> Value {
    json!({
        "id": row.option_id,
        "extendedFieldId": row.field_id,
        "fieldName": row.field_name,
        "label": row.label,
        "value": row.value,
        "status": flag(row.enabled),
    })
}

fn refused(error: ServiceError) -> InspurError {
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

fn body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, InspurError> {
    serde_json::from_slice(bytes).map_err(|e| InspurError::invalid(format!("请求体无效: {e}")))
}

fn present(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A 0/1 flag given as a number or a string.
fn yes(value: Option<i64>, what: &str) -> Result<Option<bool>, InspurError> {
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

async fn field(state: &AppState, caller: &InspurCaller, id: &str) -> Result<FieldRow, InspurError> {
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

#[derive(Deserialize)]
pub struct OptionBody {
    #[serde(default, deserialize_with = "text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "extendedFieldId")]
    field_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    label: Option<String>,
    #[serde(default, deserialize_with = "text")]
    value: Option<String>,
    #[serde(default, deserialize_with = "number")]
    status: Option<i64>,
}

/// Adds options, all to one field; the created options.
async fn add(
    state: &AppState,
    caller: &InspurCaller,
    bodies: Vec<OptionBody>,
) -> Result<Vec<Value>, InspurError> {
    let mut field_id = None;
    let mut options = Vec::new();
    for body in bodies {
        let id = present(body.field_id)
            .ok_or_else(|| InspurError::invalid("extendedFieldId 不能为空"))?;
        if field_id.as_ref().is_some_and(|f| *f != id) {
            return Err(InspurError::invalid("一次只能为一个扩展字段新增选项"));
        }
        field_id = Some(id);
        options.push(DropdownOption {
            label: present(body.label).ok_or_else(|| InspurError::invalid("label 不能为空"))?,
            value: present(body.value).ok_or_else(|| InspurError::invalid("value 不能为空"))?,
            enabled: yes(body.status, "status")?.unwrap_or(true),
        });
    }
    let Some(field_id) = field_id else {
        return Ok(Vec::new());
    };
    field(state, caller, &field_id).await?;
    let ids = cases::add_options(state, &caller.context, &field_id, options)
        .await
        .map_err(refused)?;
    let mut created = Vec::new();
    for id in ids {
        if let Some(row) = read::option_by_id(state.pool(), &caller.tenant_id, &id).await? {
            created.push(option_view(&row));
        }
    }
    Ok(created)
}

/// DDL-02 `POST /dropdownlist`.
async fn add_option(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let option: OptionBody = body(&bytes)?;
    let mut created = add(&state, &caller, vec![option]).await?;
    Ok(ok(created.pop().unwrap_or(Value::Null)))
}

/// DDL-01 `POST /dropdownlist/batch`: a JSON array.
async fn add_options(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let options: Vec<OptionBody> = body(&bytes)?;
    Ok(ok(Value::Array(add(&state, &caller, options).await?)))
}

/// DDL-03 `POST /dropdownlist/update`: the enabled state (and label and value when given).
async fn update_option(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: OptionBody = body(&bytes)?;
    let option_id = present(body.id).ok_or_else(|| InspurError::invalid("id 不能为空"))?;
    let current = read::option_by_id(state.pool(), &caller.tenant_id, &option_id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    let command = ExtendedFieldCommand::ChangeOption {
        option_id: option_id.clone(),
        label: present(body.label),
        value: present(body.value),
        enabled: yes(body.status, "status")?,
        now: state.now(),
    };
    cases::change(&state, &caller.context, &current.field_id, command)
        .await
        .map_err(refused)?;
    let row = read::option_by_id(state.pool(), &caller.tenant_id, &option_id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    Ok(saved(option_view(&row)))
}

/// DDL-04 `GET /dropdownlist/{fieldId}`: every option, disabled ones too.
async fn options(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(field_id): Path<String>,
) -> Result<Response, InspurError> {
    field(&state, &caller, &field_id).await?;
    let rows = read::options(state.pool(), &caller.tenant_id, &field_id).await?;
    Ok(ok(Value::Array(rows.iter().map(option_view).collect())))
}

/// DDL-05 `POST /dropdownlist/{fieldId}/action/verify-labelname/{name}`.
async fn verify_label(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path((field_id, name)): Path<(String, String)>,
) -> Result<Response, InspurError> {
    field(&state, &caller, &field_id).await?;
    let rows = read::options(state.pool(), &caller.tenant_id, &field_id).await?;
    let taken = rows.iter().any(|o| o.label == name.trim());
    Ok(ok(json!(!taken)))
}
