//! ORG-04 paged children (disabled included), ORG-05 children for the tree (enabled only),
//! ORG-06 detail with the name path. `-1` lists the roots.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;
use usecases::AppState;

use super::{status, view, ROOT};
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use projections::organs::{self, Children};

fn parent(organ_id: &str) -> Option<&str> {
    (organ_id != ROOT && !organ_id.is_empty()).then_some(organ_id)
}

pub async fn detail(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(organ_id): Path<String>,
) -> Result<Response, InspurError> {
    let organ = organs::get(state.pool(), &caller.tenant_id, &organ_id)
        .await?
        .ok_or_else(InspurError::not_found)?;
    let path = organs::name_path(state.pool(), &caller.tenant_id, &organ).await?;
    let zone = state.config.utc_offset_minutes;
    Ok(ok(view(&organ, zone, status(&organ), Some(path))))
}

#[derive(Deserialize)]
pub struct NameQuery {
    name: Option<String>,
}

pub async fn children_page(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path((organ_id, page_no, page_size)): Path<(String, String, String)>,
    Query(query): Query<NameQuery>,
) -> Result<Response, InspurError> {
    let request = crate::page::request(&page_no, &page_size)?;
    let which = Children {
        parent_id: parent(&organ_id),
        name_like: query.name.as_deref().filter(|n| !n.trim().is_empty()),
        include_disabled: true,
    };
    let page = organs::children_page(state.pool(), &caller.tenant_id, which, request).await?;
    let zone = state.config.utc_offset_minutes;
    let page = page.map(|o| view(&o, zone, status(&o), None));
    Ok(ok(crate::page::object(page)))
}

pub async fn children(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(organ_id): Path<String>,
) -> Result<Response, InspurError> {
    let which = Children {
        parent_id: parent(&organ_id),
        name_like: None,
        include_disabled: false,
    };
    let rows = organs::children(state.pool(), &caller.tenant_id, which).await?;
    let zone = state.config.utc_offset_minutes;
    Ok(ok(Value::Array(
        rows.iter()
            .map(|o| view(o, zone, status(o), None))
            .collect(),
    )))
}
