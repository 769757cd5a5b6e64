//! The shapes every Inspur answer shares, as the OpenAPI description shows them (§1.4, §1.5):
//! the envelope around a success or an error, and the page object inside it. Each handler's
//! description names its `data` with one of these (`Envelope<Item>`, `Envelope<PageOf<Item>>`).

use serde::Serialize;
use utoipa::ToSchema;

/// The envelope of every answer: `code` the HTTP status as text, `status` as a number.
#[derive(Serialize, ToSchema)]
pub struct Envelope<T> {
    /// The HTTP status as text, e.g. "200".
    pub code: String,
    /// "ok" (or "成功" from update endpoints) on success, the reason otherwise.
    pub message: String,
    pub data: T,
    /// The HTTP status as a number.
    pub status: u16,
    #[serde(rename = "requestId")]
    pub request_id: String,
}

/// An error answer: the envelope with `data` null and the reason in `message` (§4).
#[derive(Serialize, ToSchema)]
pub struct ErrorEnvelope {
    /// The HTTP status as text, e.g. "400".
    pub code: String,
    /// The reason, e.g. "参数错误: …", "资源不存在", "token无效或已过期".
    pub message: String,
    /// Always null.
    pub data: Option<()>,
    pub status: u16,
    #[serde(rename = "requestId")]
    pub request_id: String,
}

/// A page of rows (§1.5): `pageNo` 1-based, `pageSize` 1 to 1000.
#[derive(Serialize, ToSchema)]
pub struct PageOf<T> {
    /// Always 1.
    pub code: i64,
    /// Always null.
    pub msg: Option<String>,
    #[serde(rename = "pageNo")]
    pub page_no: i64,
    #[serde(rename = "pageSize")]
    pub page_size: i64,
    #[serde(rename = "totalCount")]
    pub total_count: i64,
    pub pages: i64,
    pub data: Vec<T>,
}
