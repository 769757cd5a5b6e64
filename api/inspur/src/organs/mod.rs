//! Organisations — "organs" (specs/inspur-idaas.md §2.1, ORG-01…11): the same
//! organisations the OneAccess API manages, with the details Inspur adds (external id, order,
//! description, enabled/disabled). A root's parent is `"-1"` on the wire.

mod grants;
mod read;
mod write;

use idaas_http::openapi::ApiRouter;
use projections::organs::Organ;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::time::wire;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(write::upsert))
        .routes(routes!(write::move_organ))
        .routes(routes!(write::verify_external_id))
        .routes(routes!(write::verify_code))
        .routes(routes!(read::detail, write::delete))
        .routes(routes!(write::change_status))
        .routes(routes!(read::children_page))
        .routes(routes!(read::children))
        .routes(routes!(grants::auth))
        .routes(routes!(grants::for_app))
}

/// The wire parent of a root.
pub const ROOT: &str = "-1";

/// The Organ object (§2.1), short form: what lists, moves and deletes answer.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganView {
    id: String,
    /// Given at creation (a generated 32-hex id when none was), never changed.
    #[schema(required = true)]
    external_id: Option<String>,
    code: String,
    name: String,
    /// Always "1" (the document gives it no meaning).
    #[serde(rename = "type")]
    kind: &'static str,
    #[schema(required = true)]
    description: Option<String>,
    /// The display order.
    #[schema(required = true)]
    order: Option<i64>,
    /// The parent organisation; "-1" for a root.
    parent_id: String,
    /// "1" without child organisations, "0" with some.
    is_leaf: &'static str,
    #[schema(required = true)]
    creator: Option<String>,
    /// "1" enabled, "2" disabled; "0" in the answer to a delete.
    status: &'static str,
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
    created_time: String,
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
    updated_time: String,
    /// Always null.
    #[schema(required = true)]
    account_id: Option<String>,
}

/// The Organ object (§2.1), full form: what the detail and a save answer.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganDetail {
    #[serde(flatten)]
    organ: OrganView,
    /// The names from the root down, `/`-joined (e.g. `/总部/研发`).
    path: String,
    /// Always null.
    #[schema(required = true)]
    region_code: Option<String>,
    /// Always null.
    #[schema(required = true)]
    region_name: Option<String>,
}

/// The short form of an organ with the wire `status`.
pub fn view(organ: &Organ, zone: i32, status: &'static str) -> OrganView {
    OrganView {
        id: organ.org_id.clone(),
        external_id: organ.external_id.clone(),
        code: organ.code.clone(),
        name: organ.name.clone(),
        kind: "1",
        description: organ.description.clone(),
        order: organ.order,
        parent_id: organ.parent_id.clone().unwrap_or_else(|| ROOT.to_string()),
        is_leaf: if organ.has_children { "0" } else { "1" },
        creator: organ.creator.clone(),
        status,
        created_time: wire(organ.created_at, zone),
        updated_time: wire(organ.updated_at, zone),
        account_id: None,
    }
}

/// The full form of an organ: its short form with its name path.
pub fn detail(organ: &Organ, zone: i32, path: String) -> OrganDetail {
    OrganDetail {
        organ: view(organ, zone, status(organ)),
        path,
        region_code: None,
        region_name: None,
    }
}

/// `"1"` enabled, `"2"` disabled.
pub fn status(organ: &Organ) -> &'static str {
    if organ.disabled {
        "2"
    } else {
        "1"
    }
}
