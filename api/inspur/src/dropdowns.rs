//! Dropdown options of extended fields (specs/inspur-idaas.md §2.4, DDL-01…05): added one by one
//! or as an array, switched on and off (and relabelled), listed with the disabled ones, labels
//! unique within their field (`true` from verify-labelname means free to use).

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use domain::extended_field::{DropdownOption, ExtendedFieldCommand};
use projections::extended_fields::{self as read, OptionRow};
use serde::Deserialize;
use serde_json::{json, Value};
use usecases::extended_fields as cases;
use usecases::AppState;

use crate::caller::InspurCaller;
use crate::envelope::{ok, saved, InspurError};
use crate::extended_fields::{field, flag, refused, yes};
use crate::lenient::{body, present};
use crate::lenient::{number, text};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dropdownlist", post(add_option))
        .route("/dropdownlist/batch", post(add_options))
        .route("/dropdownlist/update", post(update_option))
        .route("/dropdownlist/{field_id}", get(options))
        .route(
            "/dropdownlist/{field_id}/action/verify-labelname/{name}",
            post(verify_label).get(verify_label),
        )
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
