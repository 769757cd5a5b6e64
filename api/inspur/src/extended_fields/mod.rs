//! Extended fields (specs/inspur-idaas.md §2.3, EXT-01…07): enums arrive as numbers or strings
//! and leave as strings; a field's class and type are fixed; `true` from a verify endpoint means
//! free to use. Changes are here, reads in `read`; their dropdown options are in `dropdowns`.

mod read;

use axum::extract::{Path, State};
use axum::response::Response;
use domain::extended_field::{
    ExtendedFieldCommand, ExtendedFieldError, FieldChange, FieldDefinition,
};
use idaas_http::openapi::ApiRouter;
use projections::extended_fields::{self as fields, FieldRow};
use serde::{Deserialize, Serialize};
use serde_json::json;
use usecases::extended_fields as cases;
use usecases::{AppState, ServiceError};
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::apps::described::{body_requiring, CallRefused, LenientNumber, LenientText};
use crate::caller::InspurCaller;
use crate::envelope::{ok, saved, InspurError};
use crate::lenient::{body, present};
use crate::lenient::{number, text};
use crate::schema::{Envelope, ErrorEnvelope};
use crate::time::wire;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(update))
        .routes(routes!(read::enabled_of_class))
        .routes(routes!(read::page))
        .routes(routes!(read::detail, delete))
        .routes(routes!(read::verify_name))
}

pub(crate) fn flag(value: bool) -> &'static str {
    if value {
        "1"
    } else {
        "0"
    }
}

/// The ExtendedField object (§2.3).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct ExtendedField {
    id: String,
    /// Unique within the class.
    field_name: String,
    /// A label or column name, echoed as given (the field name when none was given).
    field_value: String,
    /// "0" user, "1" group, "2" organisation.
    field_classification: String,
    /// "0" dropdown, "1" text input, "2" textarea.
    field_type: String,
    /// "1" yes, "0" no.
    is_required: &'static str,
    /// "1" yes, "0" no.
    is_editable: &'static str,
    /// "1" values must be unique, "0" not.
    is_unique: &'static str,
    /// "1" enabled, "0" disabled.
    field_status: &'static str,
    #[schema(required = true)]
    description: Option<String>,
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
    created_time: String,
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
    updated_time: String,
    #[schema(required = true)]
    creator: Option<String>,
}

fn view(row: &FieldRow, zone: i32) -> ExtendedField {
    let d = &row.definition;
    ExtendedField {
        id: row.field_id.clone(),
        field_name: d.name.clone(),
        field_value: d.label.clone(),
        field_classification: d.class.to_string(),
        field_type: d.field_type.to_string(),
        is_required: flag(d.required),
        is_editable: flag(d.editable),
        is_unique: flag(d.unique),
        field_status: flag(d.enabled),
        description: d.description.clone(),
        created_time: wire(row.created_at, zone),
        updated_time: wire(row.updated_at, zone),
        creator: row.creator.clone(),
    }
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

/// The body of EXT-03 (create: `fieldName`, `fieldClassification` and `fieldType` required)
/// and EXT-04 (update: `id` required; the class and type cannot change and are not read).
#[derive(Deserialize, ToSchema)]
pub struct ExtendedFieldBody {
    /// The field to update (EXT-04 only).
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    id: Option<String>,
    /// Unique within the class.
    #[serde(default, deserialize_with = "text", rename = "fieldName")]
    #[schema(value_type = LenientText)]
    field_name: Option<String>,
    /// A label or column name (on create: the field name when absent).
    #[serde(default, deserialize_with = "text", rename = "fieldValue")]
    #[schema(value_type = LenientText)]
    field_value: Option<String>,
    /// 0 user, 1 group, 2 organisation (EXT-03 only).
    #[serde(default, deserialize_with = "number", rename = "fieldClassification")]
    #[schema(value_type = LenientNumber)]
    class: Option<i64>,
    /// 0 dropdown, 1 text input, 2 textarea (EXT-03 only).
    #[serde(default, deserialize_with = "number", rename = "fieldType")]
    #[schema(value_type = LenientNumber)]
    field_type: Option<i64>,
    /// 1 or 0 (on create: 0 when absent).
    #[serde(default, deserialize_with = "number", rename = "isRequired")]
    #[schema(value_type = LenientNumber)]
    required: Option<i64>,
    /// 1 or 0 (on create: 1 when absent).
    #[serde(default, deserialize_with = "number", rename = "isEditable")]
    #[schema(value_type = LenientNumber)]
    editable: Option<i64>,
    /// 1 or 0 (on create: 0 when absent).
    #[serde(default, deserialize_with = "number", rename = "isUnique")]
    #[schema(value_type = LenientNumber)]
    unique: Option<i64>,
    /// 1 enabled, 0 disabled (on create: 1 when absent).
    #[serde(default, deserialize_with = "number", rename = "fieldStatus")]
    #[schema(value_type = LenientNumber)]
    status: Option<i64>,
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    description: Option<String>,
}

body_requiring!(
    /// The body of EXT-03.
    NewExtendedField = ExtendedFieldBody["fieldName", "fieldClassification", "fieldType"]
);
body_requiring!(
    /// The body of EXT-04.
    ExtendedFieldChange = ExtendedFieldBody["id"]
);

pub(crate) async fn field(
    state: &AppState,
    caller: &InspurCaller,
    id: &str,
) -> Result<FieldRow, InspurError> {
    fields::get(state.pool(), &caller.tenant_id, id)
        .await?
        .ok_or_else(InspurError::not_found)
}

fn kind(value: Option<i64>, what: &str) -> Result<u8, InspurError> {
    value
        .and_then(|v| u8::try_from(v).ok())
        .filter(|v| *v <= 2)
        .ok_or_else(|| InspurError::invalid(format!("{what} 必须是 0、1 或 2")))
}

/// Creates an extended field (EXT-03).
#[utoipa::path(
    post,
    path = "/extendedfields",
    tag = "extended fields",
    operation_id = "createExtendedField",
    request_body = NewExtendedField,
    responses(
        (status = 200, description = "The new field.", body = Envelope<ExtendedField>),
        (status = 400, description = "A bad body or a missing or bad field (`参数错误: …`), or a \\
            name the class has already (`同一类别下扩展字段名称已存在`).", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn create(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: ExtendedFieldBody = body(&bytes)?;
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
    let row = field(&state, &caller, &id).await?;
    Ok(ok(json!(view(&row, state.config.utc_offset_minutes))))
}

/// Changes an extended field (EXT-04): what the body gives changes, the class and type stay;
/// `message` "成功".
#[utoipa::path(
    post,
    path = "/extendedfields/updateExtendedField",
    tag = "extended fields",
    operation_id = "updateExtendedField",
    request_body = ExtendedFieldChange,
    responses(
        (status = 200, description = "The field after the change.", body = Envelope<ExtendedField>),
        (status = 400, description = "A bad body, a missing `id` or a bad field (`参数错误: …`), \\
            or a name the class has already.", body = ErrorEnvelope),
        (status = 404, description = "No such field: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn update(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: ExtendedFieldBody = body(&bytes)?;
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
    let row = field(&state, &caller, &id).await?;
    Ok(saved(json!(view(&row, state.config.utc_offset_minutes))))
}

/// Deletes an extended field with its options (EXT-01): the field as it was.
#[utoipa::path(
    delete,
    path = "/extendedfields/{fieldId}",
    tag = "extended fields",
    operation_id = "deleteExtendedField",
    params(("fieldId" = String, Path, description = "The field.")),
    responses(
        (status = 200, description = "The deleted field.", body = Envelope<ExtendedField>),
        (status = 404, description = "No such field: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
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
    Ok(ok(json!(view(&before, state.config.utc_offset_minutes))))
}
