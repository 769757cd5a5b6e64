//! Pages (§1.5): `…/page/{pageNo}/{pageSize}` path segments, 1-based, 1 to 1000 rows; the page
//! object `{code: 1, msg: null, pageNo, pageSize, totalCount, pages, data}` inside the envelope.

use projections::page::{Page, PageRequest};
use serde::Serialize;
use serde_json::{json, Value};

use crate::envelope::InspurError;

/// The page a request names, from its path segments.
pub fn request(page_no: &str, page_size: &str) -> Result<PageRequest, InspurError> {
    let number: i64 = page_no
        .parse()
        .map_err(|_| InspurError::invalid("pageNo 必须是正整数"))?;
    let size: i64 = page_size
        .parse()
        .map_err(|_| InspurError::invalid("pageSize 必须是正整数"))?;
    if number < 1 || !(1..=projections::page::MAX_LIMIT).contains(&size) {
        return Err(InspurError::invalid(
            "pageNo 从 1 开始, pageSize 为 1 到 1000",
        ));
    }
    PageRequest::page_number(number, size).map_err(InspurError::invalid)
}

/// The page object (`crate::schema::PageOf` describes it).
pub fn object<T: Serialize>(page: Page<T>) -> Value {
    json!({
        "code": 1,
        "msg": null,
        "pageNo": page.request.number(),
        "pageSize": page.request.limit(),
        "totalCount": page.total,
        "pages": page.pages(),
        "data": page.items,
    })
}
