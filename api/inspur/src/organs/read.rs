//! ORG-04 paged children (disabled included), ORG-05 children for the tree (enabled only),
//! ORG-06 detail with the name path. `-1` lists the roots.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use usecases::AppState;
use utoipa::IntoParams;

use super::{status, view, OrganDetail, OrganView, ROOT};
use crate::apps::described::CallRefused;
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::schema::{Envelope, ErrorEnvelope, PageOf};
use projections::organs::{self, Children};

fn parent(organ_id: &str) -> Option<&str> {
    (organ_id != ROOT && !organ_id.is_empty()).then_some(organ_id)
}

/// One organisation with its name path (ORG-06).
#[utoipa::path(
    get,
    path = "/organs/{organId}",
    tag = "organs",
    operation_id = "getOrgan",
    params(("organId" = String, Path, description = "The organisation.")),
    responses(
        (status = 200, description = "The organisation, full form.", body = Envelope<OrganDetail>),
        (status = 400, description = "Outside the envelope, in plain text: a path segment that is not UTF-8.", content_type = "text/plain", body = String),
        (status = 404, description = "No such organisation: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
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
    Ok(ok(json!(super::detail(&organ, zone, path))))
}

/// The name filter of ORG-04.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NameQuery {
    /// Only organisations whose name contains this.
    name: Option<String>,
}

/// A page of an organisation's children, disabled ones included, in display order (ORG-04).
#[utoipa::path(
    get,
    path = "/organs/{organId}/sub-organs/page/{pageNo}/{pageSize}",
    tag = "organs",
    operation_id = "pageSubOrgans",
    params(
        ("organId" = String, Path, description = "The parent; \"-1\" for the roots."),
        ("pageNo" = i64, Path, minimum = 1, description = "The page, from 1."),
        ("pageSize" = i64, Path, minimum = 1, maximum = 1000, description = "Rows per page."),
        NameQuery,
    ),
    responses(
        (status = 200, description = "The page.", body = Envelope<PageOf<OrganView>>),
        (status = 400, description = "A page number or size out of range. Outside the envelope, in plain text: a path segment that is not UTF-8 or a query parameter given twice.", content(
            (ErrorEnvelope = "application/json"),
            (String = "text/plain"),
        )),
        CallRefused,
    ),
    security(("bearer" = []))
)]
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
    let page = page.map(|o| view(&o, zone, status(&o)));
    Ok(ok(crate::page::object(page)))
}

/// An organisation's enabled children for the tree, in display order, not paged (ORG-05).
#[utoipa::path(
    get,
    path = "/organs/{organId}/sub-organs/list",
    tag = "organs",
    operation_id = "listSubOrgans",
    params(("organId" = String, Path, description = "The parent; \"-1\" for the roots.")),
    responses(
        (status = 200, description = "The enabled children.", body = Envelope<Vec<OrganView>>),
        (status = 400, description = "Outside the envelope, in plain text: a path segment that is not UTF-8.", content_type = "text/plain", body = String),
        CallRefused,
    ),
    security(("bearer" = []))
)]
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
    let rows: Vec<OrganView> = rows.iter().map(|o| view(o, zone, status(o))).collect();
    Ok(ok(json!(rows)))
}
