//! Dropdown options of extended fields (specs/inspur-idaas.md §2.4, DDL-01…05): added one by one
//! or as an array, switched on and off (and relabelled), listed with the disabled ones, labels
//! unique within their field (`true` from verify-labelname means free to use).

use axum::extract::{Path, State};
use axum::response::Response;
use domain::extended_field::{DropdownOption as NewOption, ExtendedFieldCommand};
use idaas_http::openapi::ApiRouter;
use projections::extended_fields::{self as read, OptionRow};
use serde::{Deserialize, Serialize};
use serde_json::json;
use usecases::extended_fields as cases;
use usecases::AppState;
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::apps::described::{body_requiring, CallRefused, LenientNumber, LenientText};
use crate::caller::InspurCaller;
use crate::envelope::{ok, saved, InspurError};
use crate::extended_fields::{field, flag, refused, yes};
use crate::lenient::{body, present};
use crate::lenient::{number, text};
use crate::schema::{Envelope, ErrorEnvelope};

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(add_option))
        .routes(routes!(add_options))
        .routes(routes!(update_option))
        .routes(routes!(options))
        .routes(routes!(verify_label, verify_label_by_get))
}

/// The DropdownOption object (§2.4).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct DropdownOption {
    id: String,
    /// The extended field the option belongs to.
    extended_field_id: String,
    /// The field's current name.
    field_name: String,
    /// Unique within the field.
    label: String,
    value: String,
    /// "1" enabled, "0" disabled.
    status: &'static str,
}

fn option_view(row: &OptionRow) -> DropdownOption {
    DropdownOption {
        id: row.option_id.clone(),
        extended_field_id: row.field_id.clone(),
        field_name: row.field_name.clone(),
        label: row.label.clone(),
        value: row.value.clone(),
        status: flag(row.enabled),
    }
}

/// An option to add (DDL-01, DDL-02: `extendedFieldId`, `label` and `value` required) or the
/// change of one (DDL-03: `id` required; `label` and `value` change when given). `fieldName`
/// is accepted and not read: it is the field's.
#[derive(Deserialize, ToSchema)]
pub struct DropdownOptionBody {
    /// The option to change (DDL-03 only).
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    id: Option<String>,
    /// The extended field (DDL-01 and DDL-02); one field for every option of a batch.
    #[serde(default, deserialize_with = "text", rename = "extendedFieldId")]
    #[schema(value_type = LenientText)]
    field_id: Option<String>,
    /// Unique within the field.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    label: Option<String>,
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    value: Option<String>,
    /// 1 enabled, 0 disabled (on add: enabled when absent).
    #[serde(default, deserialize_with = "number")]
    #[schema(value_type = LenientNumber)]
    status: Option<i64>,
}

body_requiring!(
    /// The body of DDL-02 (and of each option of DDL-01).
    NewDropdownOption = DropdownOptionBody["extendedFieldId", "label", "value"]
);
body_requiring!(
    /// The body of DDL-03.
    DropdownOptionChange = DropdownOptionBody["id"]
);

/// Adds options, all to one field; the created options.
async fn add(
    state: &AppState,
    caller: &InspurCaller,
    bodies: Vec<DropdownOptionBody>,
) -> Result<Vec<DropdownOption>, InspurError> {
    let mut field_id = None;
    let mut options = Vec::new();
    for body in bodies {
        let id = present(body.field_id)
            .ok_or_else(|| InspurError::invalid("extendedFieldId 不能为空"))?;
        if field_id.as_ref().is_some_and(|f| *f != id) {
            return Err(InspurError::invalid("一次只能为一个扩展字段新增选项"));
        }
        field_id = Some(id);
        options.push(NewOption {
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

/// Adds an option to a dropdown field (DDL-02).
#[utoipa::path(
    post,
    path = "/dropdownlist",
    tag = "extended fields",
    operation_id = "createDropdownOption",
    request_body = NewDropdownOption,
    responses(
        (status = 200, description = "The new option.", body = Envelope<DropdownOption>),
        (status = 400, description = "A bad body or a missing or bad field (`参数错误: …`), or a \\
            label the field has already (`选项名称已存在`).", body = ErrorEnvelope),
        (status = 404, description = "No such extended field: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn add_option(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let option: DropdownOptionBody = body(&bytes)?;
    let mut created = add(&state, &caller, vec![option]).await?;
    Ok(ok(json!(created.pop())))
}

/// Adds options to one dropdown field (DDL-01): the body is a JSON array.
#[utoipa::path(
    post,
    path = "/dropdownlist/batch",
    tag = "extended fields",
    operation_id = "createDropdownOptions",
    request_body = [NewDropdownOption],
    responses(
        (status = 200, description = "The new options (none for an empty array).",
            body = Envelope<Vec<DropdownOption>>),
        (status = 400, description = "A bad body, a missing or bad field, options of more than one \\
            field (`参数错误: …`), or a label the field has already (`选项名称已存在`).",
            body = ErrorEnvelope),
        (status = 404, description = "No such extended field: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn add_options(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let options: Vec<DropdownOptionBody> = body(&bytes)?;
    Ok(ok(json!(add(&state, &caller, options).await?)))
}

/// Switches an option on or off, and relabels it when `label` or `value` is given (DDL-03);
/// `message` "成功".
#[utoipa::path(
    post,
    path = "/dropdownlist/update",
    tag = "extended fields",
    operation_id = "updateDropdownOption",
    request_body = DropdownOptionChange,
    responses(
        (status = 200, description = "The option after the change.", body = Envelope<DropdownOption>),
        (status = 400, description = "A bad body, a missing `id` or a bad field (`参数错误: …`), \\
            or a label the field has already (`选项名称已存在`).", body = ErrorEnvelope),
        (status = 404, description = "No such option: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn update_option(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: DropdownOptionBody = body(&bytes)?;
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
    Ok(saved(json!(option_view(&row))))
}

/// Every option of an extended field, disabled ones too (DDL-04).
#[utoipa::path(
    get,
    path = "/dropdownlist/{fieldId}",
    tag = "extended fields",
    operation_id = "listDropdownOptions",
    params(("fieldId" = String, Path, description = "The extended field.")),
    responses(
        (status = 200, description = "The field's options.", body = Envelope<Vec<DropdownOption>>),
        (status = 404, description = "No such extended field: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn options(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(field_id): Path<String>,
) -> Result<Response, InspurError> {
    field(&state, &caller, &field_id).await?;
    let rows = read::options(state.pool(), &caller.tenant_id, &field_id).await?;
    let options: Vec<DropdownOption> = rows.iter().map(option_view).collect();
    Ok(ok(json!(options)))
}

/// Whether a label is free within a field: `data` true when no option of the field has it
/// (DDL-05).
#[utoipa::path(
    post,
    path = "/dropdownlist/{fieldId}/action/verify-labelname/{name}",
    tag = "extended fields",
    operation_id = "verifyDropdownLabel",
    params(
        ("fieldId" = String, Path, description = "The extended field."),
        ("name" = String, Path, description = "The label to check."),
    ),
    responses(
        (status = 200, description = "`true` when the label is free.", body = Envelope<bool>),
        (status = 404, description = "No such extended field: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
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

/// DDL-05 by GET.
#[utoipa::path(
    get,
    path = "/dropdownlist/{fieldId}/action/verify-labelname/{name}",
    tag = "extended fields",
    operation_id = "verifyDropdownLabelByGet",
    params(
        ("fieldId" = String, Path, description = "The extended field."),
        ("name" = String, Path, description = "The label to check."),
    ),
    responses(
        (status = 200, description = "`true` when the label is free.", body = Envelope<bool>),
        (status = 404, description = "No such extended field: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn verify_label_by_get(
    state: State<AppState>,
    caller: InspurCaller,
    path: Path<(String, String)>,
) -> Result<Response, InspurError> {
    verify_label(state, caller, path).await
}
