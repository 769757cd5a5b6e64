//! EXT-06 one field, EXT-02 the enabled fields of a class, EXT-05 a page, EXT-07 whether a
//! name is free within a class (`true` = free to use).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use projections::extended_fields::{self as fields, FieldFilter, FieldRow};
use projections::page::{PageRequest, MAX_LIMIT};
use serde::{Deserialize, Serialize};
use serde_json::json;
use usecases::AppState;
use utoipa::{IntoParams, ToSchema};

use super::{field, flag, kind, view, ExtendedField};
use crate::apps::described::CallRefused;
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::schema::{Envelope, ErrorEnvelope, PageOf};

/// An extended field as the lists show it (EXT-02, EXT-05).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct ExtendedFieldRow {
    field_name: String,
    /// "1" enabled, "0" disabled.
    field_status: &'static str,
    #[schema(required = true)]
    description: Option<String>,
    id: String,
    /// "0" user, "1" group, "2" organisation.
    field_classification: String,
    /// "0" dropdown, "1" text input, "2" textarea.
    field_type: String,
}

fn short(row: &FieldRow) -> ExtendedFieldRow {
    let d = &row.definition;
    ExtendedFieldRow {
        field_name: d.name.clone(),
        field_status: flag(d.enabled),
        description: d.description.clone(),
        id: row.field_id.clone(),
        field_classification: d.class.to_string(),
        field_type: d.field_type.to_string(),
    }
}

/// One extended field (EXT-06).
#[utoipa::path(
    get,
    path = "/extendedfields/{fieldId}",
    tag = "extended fields",
    operation_id = "getExtendedField",
    params(("fieldId" = String, Path, description = "The field.")),
    responses(
        (status = 200, description = "The field.", body = Envelope<ExtendedField>),
        (status = 404, description = "No such field: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn detail(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(field_id): Path<String>,
) -> Result<Response, InspurError> {
    let row = field(&state, &caller, &field_id).await?;
    Ok(ok(json!(view(&row, state.config.utc_offset_minutes))))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct FieldQuery {
    /// 0 user, 1 group, 2 organisation.
    #[serde(rename = "fieldClassification")]
    #[param(pattern = "^[012]$")]
    class: Option<String>,
    /// A part of the name.
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

/// The enabled extended fields of a class (EXT-02).
#[utoipa::path(
    get,
    path = "/extendedfields/listfields",
    tag = "extended fields",
    operation_id = "listEnabledExtendedFields",
    params((
        "fieldClassification" = String, Query, pattern = "^[012]$",
        description = "0 user, 1 group, 2 organisation."
    )),
    responses(
        (status = 200, description = "The class's enabled fields.",
            body = Envelope<Vec<ExtendedFieldRow>>),
        (status = 400, description = "No class, or not 0, 1 or 2.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn enabled_of_class(
    State(state): State<AppState>,
    caller: InspurCaller,
    Query(query): Query<FieldQuery>,
) -> Result<Response, InspurError> {
    let class = class_query(&query.class)?
        .ok_or_else(|| InspurError::invalid("fieldClassification 不能为空"))?;
    let request = PageRequest::rows(0, MAX_LIMIT).map_err(InspurError::invalid)?;
    let filter = FieldFilter {
        class: Some(class),
        name_like: None,
        enabled_only: true,
    };
    let rows = fields::page(state.pool(), &caller.tenant_id, filter, request).await?;
    let items: Vec<ExtendedFieldRow> = rows.items.iter().map(short).collect();
    Ok(ok(json!(items)))
}

/// A page of the extended fields, disabled ones too (EXT-05).
#[utoipa::path(
    get,
    path = "/extendedfields/listextendedfields/page/{pageNo}/{pageSize}",
    tag = "extended fields",
    operation_id = "pageExtendedFields",
    params(
        ("pageNo" = i64, Path, minimum = 1, description = "The page, from 1."),
        ("pageSize" = i64, Path, minimum = 1, maximum = 1000, description = "Rows per page."),
        FieldQuery,
    ),
    responses(
        (status = 200, description = "The page.", body = Envelope<PageOf<ExtendedFieldRow>>),
        (status = 400, description = "A page number or size out of range, or a class not 0, 1 \\
            or 2.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn page(
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
    let rows = fields::page(state.pool(), &caller.tenant_id, filter, request).await?;
    Ok(ok(crate::page::object(rows.map(|r| short(&r)))))
}

/// Whether a field name is free within a class: `data` true when no field of the class has it
/// (EXT-07).
#[utoipa::path(
    get,
    path = "/extendedfields/{class}/action/verify-fieldname/{name}",
    tag = "extended fields",
    operation_id = "verifyExtendedFieldName",
    params(
        ("class" = String, Path, pattern = "^[012]$", description = "0 user, 1 group, 2 organisation."),
        ("name" = String, Path, description = "The name to check."),
    ),
    responses(
        (status = 200, description = "`true` when the name is free.", body = Envelope<bool>),
        (status = 400, description = "A class not 0, 1 or 2.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn verify_name(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path((class, name)): Path<(String, String)>,
) -> Result<Response, InspurError> {
    let class = i64::from(kind(class.trim().parse().ok(), "class")?);
    let taken = fields::name_taken(state.pool(), &caller.tenant_id, class, name.trim()).await?;
    Ok(ok(json!(!taken)))
}
