//! Dictionaries — `dict` and `dictitems` (specs/inspur-idaas.md §2.13–§2.14, DICT-01…06 and
//! DI-01…04): create, read (with the dictionary's items), page and update dictionaries; create
//! and read items (in `items`); whether a code, name, tag or value is free (in `verify`;
//! `true` = free to use). Orders and statuses leave as strings and arrive as strings or numbers. There is no
//! delete (ADR 0015).

mod items;
mod verify;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::dictionary::{DictionaryCommand, DictionaryError, DictionaryFields};
use domain::ClaimKind;
use idaas_http::openapi::ApiRouter;
use projections::dictionaries::{self as read, DictionaryFilter, DictionaryRow};
use serde::{Deserialize, Serialize};
use serde_json::json;
use usecases::{dictionaries as cases, AppState, ServiceError};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::apps::described::{body_requiring, CallRefused, LenientNumber, LenientText};
use crate::caller::InspurCaller;
use crate::envelope::{ok, saved, InspurError};
use crate::extended_fields::{flag, yes};
use crate::lenient::{body, number, present, text};
use crate::schema::{Envelope, ErrorEnvelope, PageOf};
use crate::time::wire;
use items::DictItem;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(update))
        .routes(routes!(page))
        .routes(routes!(detail))
        .routes(routes!(verify::verify_code, verify::verify_code_by_get))
        .routes(routes!(verify::verify_name, verify::verify_name_by_get))
        .routes(routes!(items::create_item))
        .routes(routes!(items::item_detail))
        .routes(routes!(verify::verify_tag, verify::verify_tag_by_get))
        .routes(routes!(verify::verify_value, verify::verify_value_by_get))
}

/// The Dict object (L2944-2956).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct Dict {
    id: String,
    dict_code: String,
    dict_name: String,
    /// Always null: it cannot be set.
    #[schema(required = true)]
    dict_type: Option<String>,
    /// Always null: it cannot be set.
    #[schema(required = true)]
    reference_standard: Option<String>,
    /// The order as text.
    #[schema(required = true)]
    dict_order: Option<String>,
    /// "1" enabled, "0" disabled.
    dict_status: &'static str,
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
    created_time: String,
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
    updated_time: String,
    #[schema(required = true)]
    creator: Option<String>,
    #[schema(required = true)]
    description: Option<String>,
}

fn view(row: &DictionaryRow, zone: i32) -> Dict {
    Dict {
        id: row.dict_id.clone(),
        dict_code: row.code.clone(),
        dict_name: row.name.clone(),
        dict_type: None,
        reference_standard: None,
        dict_order: row.order.map(|o| o.to_string()),
        dict_status: flag(row.enabled),
        created_time: wire(row.created_at, zone),
        updated_time: wire(row.updated_at, zone),
        creator: row.creator.clone(),
        description: row.description.clone(),
    }
}

/// A Dict with its items (DICT-02).
#[derive(Serialize, ToSchema)]
struct DictWithItems {
    #[serde(flatten)]
    dict: Dict,
    /// The dictionary's items, by order, then tag.
    items: Vec<DictItem>,
}

/// A row of the dictionary page (L3052-3060).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct DictRow {
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
    updated_time: String,
    /// "1" enabled, "0" disabled.
    dict_status: &'static str,
    dict_code: String,
    /// The order as text.
    #[schema(required = true)]
    dict_order: Option<String>,
    #[schema(required = true)]
    description: Option<String>,
    dict_name: String,
    id: String,
}

fn short(row: &DictionaryRow, zone: i32) -> DictRow {
    DictRow {
        updated_time: wire(row.updated_at, zone),
        dict_status: flag(row.enabled),
        dict_code: row.code.clone(),
        dict_order: row.order.map(|o| o.to_string()),
        description: row.description.clone(),
        dict_name: row.name.clone(),
        id: row.dict_id.clone(),
    }
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

/// The body of DICT-01 (create: `dictCode` and `dictName` required) and DICT-06 (update: `id`
/// required, what the body gives changes, the rest stays).
#[derive(Deserialize, ToSchema)]
pub struct DictBody {
    /// The dictionary to update (DICT-06 only).
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    id: Option<String>,
    /// 1 to 64 characters, unique in the tenant.
    #[serde(default, deserialize_with = "text", rename = "dictCode")]
    #[schema(value_type = LenientText)]
    code: Option<String>,
    /// 1 to 64 characters, unique in the tenant.
    #[serde(default, deserialize_with = "text", rename = "dictName")]
    #[schema(value_type = LenientText)]
    name: Option<String>,
    #[serde(default, deserialize_with = "number", rename = "dictOrder")]
    #[schema(value_type = LenientNumber)]
    order: Option<i64>,
    /// 1 enabled, 0 disabled (on create: enabled when absent).
    #[serde(default, deserialize_with = "number", rename = "dictStatus")]
    #[schema(value_type = LenientNumber)]
    status: Option<i64>,
    /// At most 500 characters.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    description: Option<String>,
}

body_requiring!(
    /// The body of DICT-01.
    NewDict = DictBody["dictCode", "dictName"]
);
body_requiring!(
    /// The body of DICT-06.
    DictChange = DictBody["id"]
);

fn required(value: Option<String>, what: &str) -> Result<String, InspurError> {
    present(value).ok_or_else(|| InspurError::invalid(format!("{what} 不能为空")))
}

/// Creates a dictionary (DICT-01).
#[utoipa::path(
    post,
    path = "/dict",
    tag = "dictionaries",
    operation_id = "createDict",
    request_body = NewDict,
    responses(
        (status = 200, description = "The new dictionary.", body = Envelope<Dict>),
        (status = 400, description = "A bad body or a missing or bad field (`参数错误: …`), or a \\
            code or name already taken (`字典编码已存在`, `字典名称已存在`).", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
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
    Ok(ok(json!(view(&row, state.config.utc_offset_minutes))))
}

/// Changes a dictionary (DICT-06): what the body gives changes, the rest stays; `message`
/// "成功".
#[utoipa::path(
    post,
    path = "/dict/updatedict",
    tag = "dictionaries",
    operation_id = "updateDict",
    request_body = DictChange,
    responses(
        (status = 200, description = "The dictionary after the change.", body = Envelope<Dict>),
        (status = 400, description = "A bad body, a missing `id` or a bad field (`参数错误: …`), \\
            or a code or name already taken.", body = ErrorEnvelope),
        (status = 404, description = "No such dictionary: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
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
    Ok(saved(json!(view(&row, state.config.utc_offset_minutes))))
}

/// One dictionary with its items (DICT-02).
#[utoipa::path(
    get,
    path = "/dict/{dictId}",
    tag = "dictionaries",
    operation_id = "getDict",
    params(("dictId" = String, Path, description = "The dictionary.")),
    responses(
        (status = 200, description = "The dictionary and its items.",
            body = Envelope<DictWithItems>),
        (status = 404, description = "No such dictionary: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
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
    let data = DictWithItems {
        dict: view(&row, zone),
        items: items.iter().map(|i| items::view(i, zone)).collect(),
    };
    Ok(ok(json!(data)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// A part of the name.
    #[serde(rename = "dictName")]
    name: Option<String>,
    /// A part of the code.
    #[serde(rename = "dictCode")]
    code: Option<String>,
}

/// A page of the dictionaries, the most recently changed first (DICT-05).
#[utoipa::path(
    get,
    path = "/dict/listdicts/page/{pageNo}/{pageSize}",
    tag = "dictionaries",
    operation_id = "pageDicts",
    params(
        ("pageNo" = i64, Path, minimum = 1, description = "The page, from 1."),
        ("pageSize" = i64, Path, minimum = 1, maximum = 1000, description = "Rows per page."),
        PageQuery,
    ),
    responses(
        (status = 200, description = "The page.", body = Envelope<PageOf<DictRow>>),
        (status = 400, description = "A page number or size out of range.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
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
