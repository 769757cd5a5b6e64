//! Organisations — "organs" (specs/inspur-idaas.md §2.1, ORG-01…11): the same
//! organisations the OneAccess API manages, with the details Inspur adds (external id, order,
//! description, enabled/disabled). A root's parent is `"-1"` on the wire.

mod grants;
mod read;
mod write;

use axum::routing::{get, post};
use axum::Router;
use projections::organs::Organ;
use serde_json::{json, Value};
use usecases::AppState;

use crate::time::wire;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organs", post(write::upsert))
        .route("/organs/action/move", post(write::move_organ))
        .route(
            "/organs/action/verify-externalId",
            post(write::verify_external_id),
        )
        .route("/organs/action/verify-code", post(write::verify_code))
        .route(
            "/organs/{organ_id}",
            get(read::detail).delete(write::delete),
        )
        .route(
            "/organs/{organ_id}/action/change-status",
            post(write::change_status),
        )
        .route(
            "/organs/{organ_id}/sub-organs/page/{page_no}/{page_size}",
            get(read::children_page),
        )
        .route("/organs/{organ_id}/sub-organs/list", get(read::children))
        .route("/organs/{organ_id}/action/auth", post(grants::auth))
        .route(
            "/organs/auth-app/{app_id}/page/{page_no}/{page_size}",
            post(grants::for_app),
        )
}

/// The wire parent of a root.
pub const ROOT: &str = "-1";

/// The Organ object (§2.1): `path` (names from the root), `regionCode` and `regionName` only in
/// the full form.
pub fn view(organ: &Organ, zone: i32, status: &str, path: Option<String>) -> Value {
    let mut object = json!({
        "id": organ.org_id,
        "externalId": organ.external_id,
        "code": organ.code,
        "name": organ.name,
        "type": "1",
        "description": organ.description,
        "order": organ.order,
        "parentId": organ.parent_id.clone().unwrap_or_else(|| ROOT.to_string()),
        "isLeaf": if organ.has_children { "0" } else { "1" },
        "creator": organ.creator,
        "status": status,
        "createdTime": wire(organ.created_at, zone),
        "updatedTime": wire(organ.updated_at, zone),
        "accountId": null,
    });
    if let Some(path) = path {
        object["path"] = json!(path);
        object["regionCode"] = Value::Null;
        object["regionName"] = Value::Null;
    }
    object
}

/// `"1"` enabled, `"2"` disabled.
pub fn status(organ: &Organ) -> &'static str {
    if organ.disabled {
        "2"
    } else {
        "1"
    }
}
