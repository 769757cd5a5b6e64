//! Dictionaries — `dict` and `dictitems` (specs/inspur-idaas.md §2.13–§2.14, DICT-01…06 and
//! DI-01…04): create, read (with the dictionary's items), page and update dictionaries; create
//! and read items; whether a code, name, tag or value is free (`true` = free to use). Orders and
//! statuses leave as strings and arrive as strings or numbers. There is no delete (ADR 0015).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use domain::dictionary::{
    DictionaryCommand, DictionaryError, DictionaryFields, DictionaryItemFields,
};
use domain::ClaimKind;
use projections::dictionaries::{
    self as read, DictionaryFilter, DictionaryItemRow, DictionaryRow, Unique,
};
use serde::Deserialize;
use serde_json::{json, Value};
use usecases::{dictionaries as cases, AppState, ServiceError};

use crate::caller::InspurCaller;
use crate::envelope::{ok, saved, InspurError};
use crate::extended_fields::{flag, yes};
use crate::lenient::{body, number, present, text};
use crate::time::wire;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dict", post(create))
        .route("/dict/updatedict", post(update))
        .route("/dict/listdicts/page/{page_no}/{page_size}", get(page))
        .route("/dict/{dict_id}", get(detail))
        .route(
            "/dict/action/verify-dictcode/{code}",
            post(verify_code).get(verify_code),
        )
        .route(
            "/dict/action/verify-dictname/{name}",
            post(verify_name).get(verify_name),
        )
        .route("/dictitems", post(create_item))
        .route("/dictitems/{item_id}", get(item_detail))
        .route(
            "/dictitems/action/verify-dictitemtag/{tag}",
            post(verify_tag).get(verify_tag),
        )
        .route(
            "/dictitems/action/verify-dictitemvalue/{value}",
            post(verify_value).get(verify_value),
        )
}

/// The Dict object (L2944-2956); `dictType` and `referenceStandard` cannot be set.
fn view(row: &DictionaryRow, zone: i32) -> Value {
    json!({
        "id": row.dict_id,
        "dictCode": row.code,
        "dictName": row.name,
        "dictType": null,
        "referenceStandard": null,
        "dictOrder": row.order.map(|o| o.to_string()),
        "dictStatus": flag(row.enabled),
        "createdTime": wire(row.created_at, zone),
        "updatedTime": wire(row.updated_at, zone),
        "creator": row.creator,
        "description": row.description,
    })
}

/// A row of the dictionary page (L3052-3060).
fn short(row: &DictionaryRow, zone: i32) -> Value {
    json!({
        "updatedTime": wire(row.updated_at, zone),
        "dictStatus": flag(row.enabled),
        "dictCode": row.code,
        "dictOrder": row.order.map(|o| o.to_string()),
        "description": row.description,
        "dictName": row.name,
        "id": row.dict_id,
    })
}

/// The DictItem object (L3152-3162), with the status it was given as `dictStatus`.
fn item_view(row: &DictionaryItemRow, zone: i32) -> Value {
    json!({
        "id": row.item_id,
        "dictId": row.dict_id,
        "dictItemTag": row.tag,
        "dictItemValue": row.value,
        "dictItemOrder": row.order.map(|o| o.to_string()),
        "dictStatus": flag(row.enabled),
        "createdTime": wire(row.created_at, zone),
        "updatedTime": wire(row.updated_at, zone),
        "creator": row.creator,
        "description": row.description,
    })
}

fn refused(error: ServiceError) -> InspurError {
    use DictionaryError as E;
    match error {
        ServiceError::Dictionary(E::NotFound | E::ItemNotFound) => InspurError::not_found(),
        ServiceError::Dictionary(E::NoDictionary) => InspurError::rule("字典不存在"),
        ServiceError::Dictionary(E::InvalidCodeOrName) => {
            InspurError::invalid("dictCode 和 dictName 为 1 到 64 个字符")
        }
        ServiceError::Dictionary(E::InvalidTagOrValue) => {
            InspurError::invalid("dictItemTag 和 dictItemValue 为 1 到 64 个字符")
        }
        ServiceError::Dictionary(E::InvalidDescription) => {
            InspurError::invalid("description 最多 500 个字符")
        }
        ServiceError::Claimed(ClaimKind::DictCode) => InspurError::rule("字典编码已存在"),
        ServiceError::Claimed(ClaimKind::DictName) => InspurError::rule("字典名称已存在"),
        ServiceError::Claimed(ClaimKind::DictItemTag) => {
            InspurError::rule("该字典下字典项Tag已存在")
        }
        ServiceError::Claimed(ClaimKind::DictItemValue) => {
            InspurError::rule("该字典下字典项Value已存在")
        }
        other => other.into(),
    }
}

#[derive(Deserialize)]
pub struct DictBody {
    #[serde(default, deserialize_with = "text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "dictCode")]
    code: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "dictName")]
    name: Option<String>,
    #[serde(default, deserialize_with = "number", rename = "dictOrder")]
    order: Option<i64>,
    #[serde(default, deserialize_with = "number", rename = "dictStatus")]
    status: Option<i64>,
    #[serde(default, deserialize_with = "text")]
    description: Option<String>,
}

fn required(value: Option<String>, what: &str) -> Result<String, InspurError> {
    present(value).ok_or_else(|| InspurError::invalid(format!("{what} 不能为空")))
}

/// DICT-01 `POST /dict`: `data` is the new Dict (enabled unless `dictStatus` is 0).
async fn create(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: DictBody = body(&bytes)?;
    let fields = DictionaryFields {
        code: required(body.code, "dictCode")?,
        name: required(body.name, "dictName")?,
        description: present(body.description),
        order: body.order,
        enabled: yes(body.status, "dictStatus")?.unwrap_or(true),
    };
    let row = cases::create(&state, &caller.context, fields)
        .await
        .map_err(refused)?;
    Ok(ok(view(&row, state.config.utc_offset_minutes)))
}

/// DICT-06 `POST /dict/updatedict`: what the body gives changes, the rest stays; `data` is the
/// Dict after the change, `message` "成功".
async fn update(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: DictBody = body(&bytes)?;
    let id = required(body.id, "id")?;
    let command = DictionaryCommand::Update {
        code: present(body.code),
        name: present(body.name),
        description: present(body.description),
        order: body.order,
        enabled: yes(body.status, "dictStatus")?,
        now: state.now(),
    };
    let row = cases::change(&state, &caller.context, &id, command)
        .await
        .map_err(refused)?;
    Ok(saved(view(&row, state.config.utc_offset_minutes)))
}

/// DICT-02 `GET /dict/{dictId}`: the Dict and, as `items`, its items by order, then tag.
async fn detail(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(id): Path<String>,
) -> Result<Response, InspurError> {
    let row = read::get(state.pool(), &caller.tenant_id, &id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    let items = read::items(state.pool(), &caller.tenant_id, &id).await?;
    let zone = state.config.utc_offset_minutes;
    let mut data = view(&row, zone);
    data["items"] = items.iter().map(|i| item_view(i, zone)).collect();
    Ok(ok(data))
}

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(rename = "dictName")]
    name: Option<String>,
    #[serde(rename = "dictCode")]
    code: Option<String>,
}

/// DICT-05 `GET /dict/listdicts/page/{pageNo}/{pageSize}?dictName=&dictCode=`: the most
/// recently changed first; the filters match parts of names and codes.
async fn page(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path((page_no, page_size)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
) -> Result<Response, InspurError> {
    let request = crate::page::request(&page_no, &page_size)?;
    let filter = DictionaryFilter {
        name_like: query.name.as_deref().filter(|n| !n.trim().is_empty()),
        code_like: query.code.as_deref().filter(|c| !c.trim().is_empty()),
    };
    let rows = read::page(state.pool(), &caller.tenant_id, filter, request).await?;
    let zone = state.config.utc_offset_minutes;
    Ok(ok(crate::page::object(rows.map(|r| short(&r, zone)))))
}

#[derive(Deserialize)]
pub struct ItemBody {
    #[serde(default, deserialize_with = "text", rename = "dictId")]
    dict_id: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "dictItemTag")]
    tag: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "dictItemValue")]
    value: Option<String>,
    #[serde(default, deserialize_with = "number", rename = "dictItemOrder")]
    order: Option<i64>,
    #[serde(default, deserialize_with = "number", rename = "dictStatus")]
    status: Option<i64>,
    #[serde(default, deserialize_with = "text")]
    description: Option<String>,
}

/// DI-01 `POST /dictitems`: an item of an existing dictionary; `data` is the new DictItem.
async fn create_item(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: ItemBody = body(&bytes)?;
    let dict_id = required(body.dict_id, "dictId")?;
    let fields = DictionaryItemFields {
        tag: required(body.tag, "dictItemTag")?,
        value: required(body.value, "dictItemValue")?,
        description: present(body.description),
        order: body.order,
        enabled: yes(body.status, "dictStatus")?.unwrap_or(true),
    };
    let row = cases::add_item(&state, &caller.context, &dict_id, fields)
        .await
        .map_err(refused)?;
    Ok(ok(item_view(&row, state.config.utc_offset_minutes)))
}

/// DI-02 `GET /dictitems/{dictItemId}`.
async fn item_detail(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(id): Path<String>,
) -> Result<Response, InspurError> {
    let row = read::get_item(state.pool(), &caller.tenant_id, &id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    Ok(ok(item_view(&row, state.config.utc_offset_minutes)))
}

/// `true` when no dictionary (or item) of the tenant holds the value; an item's tag or value
/// is checked in every dictionary, or in `dictId` only when given.
async fn verify(
    state: &AppState,
    caller: &InspurCaller,
    what: Unique,
    value: &str,
    dict_id: Option<&str>,
) -> Result<Response, InspurError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(InspurError::invalid("待验证的值不能为空"));
    }
    let dict_id = dict_id.map(str::trim).filter(|d| !d.is_empty());
    let taken = read::taken(state.pool(), &caller.tenant_id, what, value, dict_id).await?;
    Ok(ok(json!(!taken)))
}

/// DICT-03.
async fn verify_code(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(code): Path<String>,
) -> Result<Response, InspurError> {
    verify(&state, &caller, Unique::DictCode, &code, None).await
}

/// DICT-04.
async fn verify_name(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(name): Path<String>,
) -> Result<Response, InspurError> {
    verify(&state, &caller, Unique::DictName, &name, None).await
}

#[derive(Deserialize)]
pub struct ScopeQuery {
    #[serde(rename = "dictId")]
    dict_id: Option<String>,
}

/// DI-03.
async fn verify_tag(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(tag): Path<String>,
    Query(scope): Query<ScopeQuery>,
) -> Result<Response, InspurError> {
    let dict_id = scope.dict_id.as_deref();
    verify(&state, &caller, Unique::ItemTag, &tag, dict_id).await
}

/// DI-04.
async fn verify_value(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(value): Path<String>,
    Query(scope): Query<ScopeQuery>,
) -> Result<Response, InspurError> {
    let dict_id = scope.dict_id.as_deref();
    verify(&state, &caller, Unique::ItemValue, &value, dict_id).await
}
