//! Dictionary items — `dictitems` (§2.14, DI-01/02): create an item of a dictionary, read one.

use axum::extract::{Path, State};
use axum::response::Response;
use domain::dictionary::DictionaryItemFields;
use projections::dictionaries::{self as read, DictionaryItemRow};
use serde::{Deserialize, Serialize};
use serde_json::json;
use usecases::{dictionaries as cases, AppState};
use utoipa::ToSchema;

use super::{refused, required};
use crate::apps::described::{body_requiring, CallRefused, LenientNumber, LenientText};
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::extended_fields::{flag, yes};
use crate::lenient::{body, number, present, text};
use crate::schema::{Envelope, ErrorEnvelope};
use crate::time::wire;

/// The DictItem object (L3152-3162), with the status it was given as `dictStatus`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(super) struct DictItem {
    id: String,
    dict_id: String,
    dict_item_tag: String,
    dict_item_value: String,
    /// The order as text.
    #[schema(required = true)]
    dict_item_order: Option<String>,
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

pub(super) fn view(row: &DictionaryItemRow, zone: i32) -> DictItem {
    DictItem {
        id: row.item_id.clone(),
        dict_id: row.dict_id.clone(),
        dict_item_tag: row.tag.clone(),
        dict_item_value: row.value.clone(),
        dict_item_order: row.order.map(|o| o.to_string()),
        dict_status: flag(row.enabled),
        created_time: wire(row.created_at, zone),
        updated_time: wire(row.updated_at, zone),
        creator: row.creator.clone(),
        description: row.description.clone(),
    }
}

/// The body of DI-01: `dictId`, `dictItemTag` and `dictItemValue` required.
#[derive(Deserialize, ToSchema)]
pub struct DictItemBody {
    /// The dictionary the item belongs to.
    #[serde(default, deserialize_with = "text", rename = "dictId")]
    #[schema(value_type = LenientText)]
    dict_id: Option<String>,
    /// 1 to 64 characters, unique in the dictionary.
    #[serde(default, deserialize_with = "text", rename = "dictItemTag")]
    #[schema(value_type = LenientText)]
    tag: Option<String>,
    /// 1 to 64 characters, unique in the dictionary.
    #[serde(default, deserialize_with = "text", rename = "dictItemValue")]
    #[schema(value_type = LenientText)]
    value: Option<String>,
    #[serde(default, deserialize_with = "number", rename = "dictItemOrder")]
    #[schema(value_type = LenientNumber)]
    order: Option<i64>,
    /// 1 enabled, 0 disabled (enabled when absent).
    #[serde(default, deserialize_with = "number", rename = "dictStatus")]
    #[schema(value_type = LenientNumber)]
    status: Option<i64>,
    /// At most 500 characters.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    description: Option<String>,
}

body_requiring!(
    /// The body of DI-01.
    NewDictItem = DictItemBody["dictId", "dictItemTag", "dictItemValue"]
);

/// Adds an item to a dictionary (DI-01).
#[utoipa::path(
    post,
    path = "/dictitems",
    tag = "dictionaries",
    operation_id = "createDictItem",
    request_body = NewDictItem,
    responses(
        (status = 200, description = "The new item.", body = Envelope<DictItem>),
        (status = 400, description = "A bad body or a missing or bad field (`参数错误: …`), no \\
            such dictionary (`字典不存在`), or a tag or value the dictionary has already \\
            (`该字典下字典项Tag已存在`, `该字典下字典项Value已存在`).", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn create_item(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: DictItemBody = body(&bytes)?;
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
    Ok(ok(json!(view(&row, state.config.utc_offset_minutes))))
}

/// One dictionary item (DI-02).
#[utoipa::path(
    get,
    path = "/dictitems/{dictItemId}",
    tag = "dictionaries",
    operation_id = "getDictItem",
    params(("dictItemId" = String, Path, description = "The item.")),
    responses(
        (status = 200, description = "The item.", body = Envelope<DictItem>),
        (status = 404, description = "No such item: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub(super) async fn item_detail(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(id): Path<String>,
) -> Result<Response, InspurError> {
    let row = read::get_item(state.pool(), &caller.tenant_id, &id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    Ok(ok(json!(view(&row, state.config.utc_offset_minutes))))
}
