//! Members: GRP-03 add and GRP-01 remove by user id, GRP-05 the page of candidates (the
//! tenant's users who have not left, each marked `isMember`) and GRP-08 the page of members.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::group::GroupCommand;
use projections::groups::{self, MemberRow, Users};
use serde::{Deserialize, Serialize};
use serde_json::json;
use usecases::groups as cases;
use usecases::AppState;
use utoipa::{IntoParams, ToSchema};

use super::{given, group, refused};
use crate::apps::described::CallRefused;
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::lenient::body;
use crate::schema::{Envelope, ErrorEnvelope, PageOf};
use crate::time::wire;

/// A user row of the member and candidate pages (the account fields the group pages show).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct GroupUser {
    id: String,
    /// The sign-in name.
    account_name: String,
    /// The display name.
    nick_name: String,
    /// The mobile number.
    #[schema(required = true)]
    phone: Option<String>,
    #[schema(required = true)]
    email: Option<String>,
    #[schema(required = true)]
    organization_id: Option<String>,
    /// "1" normal, "2" disabled.
    status: &'static str,
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
    created_time: String,
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
    updated_time: String,
    /// Only in the candidate page (GRP-05): 1 already a member, 0 not.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    is_member: Option<i64>,
}

fn user_view(row: &MemberRow, zone: i32, with_flag: bool) -> GroupUser {
    GroupUser {
        id: row.user_id.clone(),
        account_name: row.user_name.clone(),
        nick_name: row.name.clone(),
        phone: row.mobile.clone(),
        email: row.email.clone(),
        organization_id: row.org_id.clone(),
        status: if row.disabled { "2" } else { "1" },
        created_time: wire(row.created_at, zone),
        updated_time: wire(row.updated_at, zone),
        is_member: with_flag.then_some(i64::from(row.is_member)),
    }
}

/// The body of GRP-01 and GRP-03.
#[derive(Deserialize, ToSchema)]
pub struct UsersBody {
    /// The users' ids (blank ones are skipped).
    #[serde(default, rename = "userIdList")]
    #[schema(value_type = Vec<String>, required = true)]
    user_id_list: Option<Vec<String>>,
}

fn user_ids(bytes: &[u8]) -> Result<Vec<String>, InspurError> {
    let body: UsersBody = body(bytes)?;
    let ids = body
        .user_id_list
        .ok_or_else(|| InspurError::invalid("userIdList 不能为空"))?;
    Ok(ids.into_iter().filter(|id| !id.trim().is_empty()).collect())
}

/// Adds users to a group; idempotent (GRP-03).
#[utoipa::path(
    post,
    path = "/groups/{groupId}/users",
    tag = "groups",
    operation_id = "addGroupMembers",
    params(("groupId" = String, Path, description = "The group.")),
    request_body = UsersBody,
    responses(
        (status = 200, description = "`true`.", body = Envelope<bool>),
        (status = 400, description = "No `userIdList`, a bad body, or an unknown user: `用户不存在: {id}`. Outside the envelope, in plain text: a path segment that is not UTF-8.", content(
            (ErrorEnvelope = "application/json"),
            (String = "text/plain"),
        )),
        (status = 404, description = "No such group: `资源不存在`.", body = ErrorEnvelope),
        (status = 413, description = "A body over 2 MiB, outside the envelope, in plain text.", content_type = "text/plain", body = String),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn add(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(group_id): Path<String>,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let users = user_ids(&bytes)?;
    group(&state, &caller, &group_id).await?;
    cases::add_members(&state, &caller.context, &group_id, users)
        .await
        .map_err(refused)?;
    Ok(ok(json!(true)))
}

/// Removes users from a group; users who are not members are skipped (GRP-01).
#[utoipa::path(
    post,
    path = "/groups/{groupId}/users/remove",
    tag = "groups",
    operation_id = "removeGroupMembers",
    params(("groupId" = String, Path, description = "The group.")),
    request_body = UsersBody,
    responses(
        (status = 200, description = "`true`.", body = Envelope<bool>),
        (status = 400, description = "No `userIdList`, or a bad body. Outside the envelope, in plain text: a path segment that is not UTF-8.", content(
            (ErrorEnvelope = "application/json"),
            (String = "text/plain"),
        )),
        (status = 404, description = "No such group: `资源不存在`.", body = ErrorEnvelope),
        (status = 413, description = "A body over 2 MiB, outside the envelope, in plain text.", content_type = "text/plain", body = String),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn remove(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(group_id): Path<String>,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let users = user_ids(&bytes)?;
    group(&state, &caller, &group_id).await?;
    let command = GroupCommand::RemoveMembers {
        user_ids: users,
        now: state.now(),
    };
    cases::change(&state, &caller.context, &group_id, command)
        .await
        .map_err(refused)?;
    Ok(ok(json!(true)))
}

/// The filters of GRP-05 and GRP-08.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Users whose sign-in name contains this.
    #[serde(rename = "accountName")]
    account_name: Option<String>,
    /// Users whose display name contains this.
    #[serde(rename = "nickName")]
    nick_name: Option<String>,
}

async fn users_page(
    state: &AppState,
    caller: &InspurCaller,
    group_id: &str,
    (page_no, page_size): (String, String),
    query: UserQuery,
    members_only: bool,
) -> Result<Response, InspurError> {
    let request = crate::page::request(&page_no, &page_size)?;
    group(state, caller, group_id).await?;
    let which = Users {
        group_id,
        members_only,
        account_like: given(&query.account_name),
        nick_like: given(&query.nick_name),
    };
    let rows = groups::users(state.pool(), &caller.tenant_id, which, request).await?;
    let zone = state.config.utc_offset_minutes;
    Ok(ok(crate::page::object(
        rows.map(|r| user_view(&r, zone, !members_only)),
    )))
}

/// A page of the tenant's users who have not left, each marked `isMember` (GRP-05).
#[utoipa::path(
    get,
    path = "/groups/{groupId}/users/page/{pageNo}/{pageSize}",
    tag = "groups",
    operation_id = "pageGroupCandidates",
    params(
        ("groupId" = String, Path, description = "The group."),
        ("pageNo" = i64, Path, minimum = 1, description = "The page, from 1."),
        ("pageSize" = i64, Path, minimum = 1, maximum = 1000, description = "Rows per page."),
        UserQuery,
    ),
    responses(
        (status = 200, description = "The page, rows with `isMember`.", body = Envelope<PageOf<GroupUser>>),
        (status = 400, description = "A page number or size out of range. Outside the envelope, in plain text: a path segment that is not UTF-8 or a query parameter given twice.", content(
            (ErrorEnvelope = "application/json"),
            (String = "text/plain"),
        )),
        (status = 404, description = "No such group: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn candidates(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path((group_id, page_no, page_size)): Path<(String, String, String)>,
    Query(query): Query<UserQuery>,
) -> Result<Response, InspurError> {
    users_page(
        &state,
        &caller,
        &group_id,
        (page_no, page_size),
        query,
        false,
    )
    .await
}

/// A page of a group's members who have not left (GRP-08).
#[utoipa::path(
    get,
    path = "/groups/{groupId}/members/page/{pageNo}/{pageSize}",
    tag = "groups",
    operation_id = "pageGroupMembers",
    params(
        ("groupId" = String, Path, description = "The group."),
        ("pageNo" = i64, Path, minimum = 1, description = "The page, from 1."),
        ("pageSize" = i64, Path, minimum = 1, maximum = 1000, description = "Rows per page."),
        UserQuery,
    ),
    responses(
        (status = 200, description = "The page, rows without `isMember`.", body = Envelope<PageOf<GroupUser>>),
        (status = 400, description = "A page number or size out of range. Outside the envelope, in plain text: a path segment that is not UTF-8 or a query parameter given twice.", content(
            (ErrorEnvelope = "application/json"),
            (String = "text/plain"),
        )),
        (status = 404, description = "No such group: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
pub async fn members(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path((group_id, page_no, page_size)): Path<(String, String, String)>,
    Query(query): Query<UserQuery>,
) -> Result<Response, InspurError> {
    users_page(
        &state,
        &caller,
        &group_id,
        (page_no, page_size),
        query,
        true,
    )
    .await
}
