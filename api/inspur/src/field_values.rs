//! Extended-field values (specs/inspur-idaas.md §2.5, FV-01…06): `externalId` is the id of the
//! user, group or organisation the value belongs to; enums in as numbers or strings, out as
//! strings; reads carry the field's current `fieldName`.

use axum::extract::{Path, State};
use axum::response::Response;
use domain::field_values::FieldValuesError;
use idaas_http::openapi::ApiRouter;
use projections::field_values::{self as read, ValueRow};
use serde::{Deserialize, Serialize};
use serde_json::json;
use usecases::field_values::{self as cases, NewValue, ValueRefused};
use usecases::{AppState, ServiceError};
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::apps::described::{body_requiring, CallRefused, LenientNumber, LenientText};
use crate::caller::InspurCaller;
use crate::envelope::{ok, saved, InspurError};
use crate::lenient::body;
use crate::lenient::{number, text};
use crate::schema::{Envelope, ErrorEnvelope};

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(add_one))
        .routes(routes!(add_batch))
        .routes(routes!(update))
        .routes(routes!(clear))
        .routes(routes!(of_entity))
        .routes(routes!(verify, verify_by_get))
}

/// The FieldValue object (§2.5).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct FieldValue {
    id: String,
    /// The user, group or organisation the value belongs to (its id).
    external_id: String,
    /// "0" user, "1" group, "2" organisation.
    field_classification: String,
    extended_field_id: String,
    /// "0" dropdown, "1" text input, "2" textarea.
    field_type: String,
    /// The value (for a dropdown field, an option's `value`).
    field_value: String,
}

/// A FieldValue with its field's current name (FV-03, FV-05).
#[derive(Serialize, ToSchema)]
struct NamedFieldValue {
    #[serde(flatten)]
    value: FieldValue,
    /// The field's current name; null once the field is deleted.
    #[serde(rename = "fieldName")]
    #[schema(required = true)]
    field_name: Option<String>,
}

fn view(row: &ValueRow) -> FieldValue {
    FieldValue {
        id: row.value_id.clone(),
        external_id: row.entity_id.clone(),
        field_classification: row.class.to_string(),
        extended_field_id: row.field_id.clone(),
        field_type: row.field_type.to_string(),
        field_value: row.value.clone(),
    }
}

fn named(row: &ValueRow) -> NamedFieldValue {
    NamedFieldValue {
        value: view(row),
        field_name: row.field_name.clone(),
    }
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

/// A value to set (FV-01, FV-02): every field required. A second value of the same field for
/// the same entity replaces the first.
#[derive(Deserialize, ToSchema)]
pub struct FieldValueBody {
    /// The user, group or organisation the value belongs to (its id); the document's misspelt
    /// `externald` is read too.
    #[serde(
        default,
        deserialize_with = "text",
        rename = "externalId",
        alias = "externald"
    )]
    #[schema(value_type = LenientText)]
    entity_id: Option<String>,
    /// 0 user, 1 group, 2 organisation: the field's class.
    #[serde(default, deserialize_with = "number", rename = "fieldClassification")]
    #[schema(value_type = LenientNumber)]
    class: Option<i64>,
    #[serde(default, deserialize_with = "text", rename = "extendedFieldId")]
    #[schema(value_type = LenientText)]
    field_id: Option<String>,
    /// 0 dropdown, 1 text input, 2 textarea: the field's type.
    #[serde(default, deserialize_with = "number", rename = "fieldType")]
    #[schema(value_type = LenientNumber)]
    field_type: Option<i64>,
    /// The value; for a dropdown field, an enabled option's `value`.
    #[serde(default, deserialize_with = "text", rename = "fieldValue")]
    #[schema(value_type = LenientText)]
    value: Option<String>,
}

body_requiring!(
    /// A value to set (FV-02, and each of FV-01).
    NewFieldValue = FieldValueBody[
        "externalId",
        "fieldClassification",
        "extendedFieldId",
        "fieldType",
    ] or_blank["fieldValue"]
);

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

fn new_value(body: FieldValueBody) -> Result<NewValue, InspurError> {
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
    bodies: Vec<FieldValueBody>,
) -> Result<Vec<FieldValue>, InspurError> {
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
            saved.push(view(row));
        }
    }
    Ok(saved)
}

/// Sets one extended-field value of a user, group or organisation (FV-02).
#[utoipa::path(
    post,
    path = "/fieldvalue",
    tag = "extended fields",
    operation_id = "setFieldValue",
    request_body = NewFieldValue,
    responses(
        (status = 200, description = "The value.", body = Envelope<FieldValue>),
        (status = 400, description = "A bad body or a missing or bad field (`参数错误: …`), no \\
            such field or entity, a value that is not an option of the field or is taken, or a \\
            field that cannot be edited.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn add_one(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let value: FieldValueBody = body(&bytes)?;
    let mut saved = set(&state, &caller, vec![value]).await?;
    Ok(ok(json!(saved.pop())))
}

/// Sets extended-field values (FV-01): the body is a JSON array; all are set or none.
#[utoipa::path(
    post,
    path = "/fieldvalue/batch",
    tag = "extended fields",
    operation_id = "setFieldValues",
    request_body = [NewFieldValue],
    responses(
        (status = 200, description = "The values.", body = Envelope<Vec<FieldValue>>),
        (status = 400, description = "A bad body or a missing or bad field (`参数错误: …`), no \\
            such field or entity, a value that is not an option of the field or is taken, or a \\
            field that cannot be edited.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn add_batch(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let values: Vec<FieldValueBody> = body(&bytes)?;
    Ok(ok(json!(set(&state, &caller, values).await?)))
}

/// The body of FV-03.
#[derive(Deserialize, ToSchema)]
pub struct FieldValueChangeBody {
    /// The value's id.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    id: Option<String>,
    /// The new value.
    #[serde(default, deserialize_with = "text", rename = "fieldValue")]
    #[schema(value_type = LenientText)]
    value: Option<String>,
}

body_requiring!(
    /// The body of FV-03.
    FieldValueChange = FieldValueChangeBody["id"] or_blank["fieldValue"]
);

/// Changes a value, unless its field cannot be edited (FV-03); `message` "成功".
#[utoipa::path(
    post,
    path = "/fieldvalue/update",
    tag = "extended fields",
    operation_id = "updateFieldValue",
    request_body = FieldValueChange,
    responses(
        (status = 200, description = "The value after the change, with its field's name.",
            body = Envelope<NamedFieldValue>),
        (status = 400, description = "A bad body or a missing field (`参数错误: …`), a field that \\
            cannot be edited (`该扩展字段不可修改`), or a value that is not an option or is taken.",
            body = ErrorEnvelope),
        (status = 404, description = "No such value: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn update(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: FieldValueChangeBody = body(&bytes)?;
    let id = required(body.id.filter(|v| !v.trim().is_empty()), "id")?;
    let value = required(body.value, "fieldValue")?;
    cases::change(&state, &caller.context, &id, value)
        .await
        .map_err(refused)?;
    let row = read::by_id(state.pool(), &caller.tenant_id, &id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    Ok(saved(json!(named(&row))))
}

/// Removes every extended-field value of a user, group or organisation (FV-04): the removed
/// values.
#[utoipa::path(
    delete,
    path = "/fieldvalue/externalId/{externalId}",
    tag = "extended fields",
    operation_id = "clearFieldValues",
    params(("externalId" = String, Path, description = "The user, group or organisation (its id).")),
    responses(
        (status = 200, description = "The removed values (none when it had none).",
            body = Envelope<Vec<FieldValue>>),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn clear(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(entity_id): Path<String>,
) -> Result<Response, InspurError> {
    let before = read::of_entity(state.pool(), &caller.tenant_id, &entity_id).await?;
    cases::clear(&state, &caller.context, &entity_id)
        .await
        .map_err(refused)?;
    let removed: Vec<FieldValue> = before.iter().map(view).collect();
    Ok(ok(json!(removed)))
}

/// Every extended-field value of a user, group or organisation, with the fields' names (FV-05).
#[utoipa::path(
    get,
    path = "/fieldvalue/{externalId}",
    tag = "extended fields",
    operation_id = "fieldValuesOf",
    params(("externalId" = String, Path, description = "The user, group or organisation (its id).")),
    responses(
        (status = 200, description = "The values (none when it has none).",
            body = Envelope<Vec<NamedFieldValue>>),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn of_entity(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(entity_id): Path<String>,
) -> Result<Response, InspurError> {
    let rows = read::of_entity(state.pool(), &caller.tenant_id, &entity_id).await?;
    let values: Vec<NamedFieldValue> = rows.iter().map(named).collect();
    Ok(ok(json!(values)))
}

/// Whether a value is free for a field: `data` true when no entity has it (FV-06).
#[utoipa::path(
    post,
    path = "/fieldvalue/{fieldId}/action/verify-value/{value}",
    tag = "extended fields",
    operation_id = "verifyFieldValue",
    params(
        ("fieldId" = String, Path, description = "The extended field."),
        ("value" = String, Path, description = "The value to check."),
    ),
    responses(
        (status = 200, description = "`true` when the value is free.", body = Envelope<bool>),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn verify(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path((field_id, value)): Path<(String, String)>,
) -> Result<Response, InspurError> {
    let taken = read::value_taken(state.pool(), &caller.tenant_id, &field_id, &value).await?;
    Ok(ok(json!(!taken)))
}

/// FV-06 by GET.
#[utoipa::path(
    get,
    path = "/fieldvalue/{fieldId}/action/verify-value/{value}",
    tag = "extended fields",
    operation_id = "verifyFieldValueByGet",
    params(
        ("fieldId" = String, Path, description = "The extended field."),
        ("value" = String, Path, description = "The value to check."),
    ),
    responses(
        (status = 200, description = "`true` when the value is free.", body = Envelope<bool>),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn verify_by_get(
    state: State<AppState>,
    caller: InspurCaller,
    path: Path<(String, String)>,
) -> Result<Response, InspurError> {
    verify(state, caller, path).await
}
