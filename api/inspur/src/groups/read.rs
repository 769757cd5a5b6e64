//! GRP-09 the detail, GRP-07 the pages of groups (by organisation and name) and GRP-06 of the
//! groups a user belongs to.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use projections::groups::{self, GroupFilter};
use serde::Deserialize;
use serde_json::json;
use usecases::AppState;
use utoipa::IntoParams;

use super::{given, group, view, Group};
use crate::apps::described::CallRefused;
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::schema::{Envelope, ErrorEnvelope, PageOf};

/// One group (GRP-09).
#[utoipa::path(
    get,
    path = "/groups/{groupId}",
    tag = "groups",
    operation_id = "getGroup",
    params(("groupId" = String, Path, description = "The group.")),
    responses(
        (status = 200, description = "The group.", body = Envelope<Group>),
        (status = 400, description = "Outside the envelope, in plain text: a path segment that is not UTF-8.", content_type = "text/plain", body = String),
        (status = 404, description = "No such group: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn detail(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(group_id): Path<String>,
) -> Result<Response, InspurError> {
    let row = group(&state, &caller, &group_id).await?;
    Ok(ok(json!(view(&row, state.config.utc_offset_minutes))))
}

/// The filters of GRP-07.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GroupQuery {
    /// Groups of this organisation (not of its sub-organisations).
    #[serde(rename = "organId")]
    organ_id: Option<String>,
    /// Groups whose name contains this.
    name: Option<String>,
}

/// The filter of GRP-06.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GroupNameQuery {
    /// Groups whose name contains this.
    #[serde(rename = "groupName")]
    group_name: Option<String>,
}

/// A page of groups (GRP-07).
#[utoipa::path(
    get,
    path = "/groups/page/{pageNo}/{pageSize}",
    tag = "groups",
    operation_id = "pageGroups",
    params(
        ("pageNo" = i64, Path, minimum = 1, description = "The page, from 1."),
        ("pageSize" = i64, Path, minimum = 1, maximum = 1000, description = "Rows per page."),
        GroupQuery,
    ),
    responses(
        (status = 200, description = "The page.", body = Envelope<PageOf<Group>>),
        (status = 400, description = "A page number or size out of range. Outside the envelope, in plain text: a path segment that is not UTF-8 or a query parameter given twice.", content(
            (ErrorEnvelope = "application/json"),
            (String = "text/plain"),
        )),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn page(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path((page_no, page_size)): Path<(String, String)>,
    Query(query): Query<GroupQuery>,
) -> Result<Response, InspurError> {
    let request = crate::page::request(&page_no, &page_size)?;
    let filter = GroupFilter {
        organ_id: given(&query.organ_id),
        name_like: given(&query.name),
        member: None,
    };
    let rows = groups::page(state.pool(), &caller.tenant_id, filter, request).await?;
    let zone = state.config.utc_offset_minutes;
    Ok(ok(crate::page::object(rows.map(|r| view(&r, zone)))))
}

/// A page of the groups a user belongs to (GRP-06).
#[utoipa::path(
    get,
    path = "/users/{userId}/groups/page/{pageNo}/{pageSize}",
    tag = "groups",
    operation_id = "pageGroupsOfUser",
    params(
        ("userId" = String, Path, description = "The user."),
        ("pageNo" = i64, Path, minimum = 1, description = "The page, from 1."),
        ("pageSize" = i64, Path, minimum = 1, maximum = 1000, description = "Rows per page."),
        GroupNameQuery,
    ),
    responses(
        (status = 200, description = "The page (empty for an unknown user).", body = Envelope<PageOf<Group>>),
        (status = 400, description = "A page number or size out of range. Outside the envelope, in plain text: a path segment that is not UTF-8 or a query parameter given twice.", content(
            (ErrorEnvelope = "application/json"),
            (String = "text/plain"),
        )),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn groups_of_user(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path((user_id, page_no, page_size)): Path<(String, String, String)>,
    Query(query): Query<GroupNameQuery>,
) -> Result<Response, InspurError> {
    let request = crate::page::request(&page_no, &page_size)?;
    let filter = GroupFilter {
        organ_id: None,
        name_like: given(&query.group_name),
        member: Some(&user_id),
    };
    let rows = groups::page(state.pool(), &caller.tenant_id, filter, request).await?;
    let zone = state.config.utc_offset_minutes;
    Ok(ok(crate::page::object(rows.map(|r| view(&r, zone)))))
}
