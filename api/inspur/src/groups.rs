//! User groups (specs/inspur-idaas.md §2.12, GRP-01…09): one save endpoint (an `id` edits the
//! name and description; the organisation and external id are fixed), members added and removed
//! by user id, pages of groups, of a user's groups, of members and of candidates (each marked
//! `isMember`), detail, delete.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::group::{GroupCommand, GroupError, GroupFields};
use idaas_http::openapi::ApiRouter;
use projections::groups::{self, GroupFilter, GroupRow, MemberRow, Users};
use serde::{Deserialize, Serialize};
use serde_json::json;
use usecases::groups::{self as cases, GroupRefused};
use usecases::{AppState, ServiceError};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::apps::described::{CallRefused, LenientText};
use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::lenient::text;
use crate::lenient::{body, present};
use crate::schema::{Envelope, ErrorEnvelope, PageOf};
use crate::time::wire;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(save))
        .routes(routes!(page))
        .routes(routes!(detail, delete))
        .routes(routes!(add_members))
        .routes(routes!(remove_members))
        .routes(routes!(candidates))
        .routes(routes!(members))
        .routes(routes!(groups_of_user))
}

/// The Group object (§2.12).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct Group {
    id: String,
    name: String,
    /// Given at creation, never changed.
    #[schema(required = true)]
    external_id: Option<String>,
    #[schema(required = true)]
    description: Option<String>,
    /// The organisation the group belongs to, never changed.
    organ_id: String,
    #[schema(required = true)]
    organ_name: Option<String>,
    /// Members that are live users who have not left.
    member_count: i64,
    #[schema(required = true)]
    creator: Option<String>,
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
    created_time: String,
    /// `yyyy-MM-dd HH:mm:ss` in the tenant's zone.
    updated_time: String,
    /// Always null.
    #[schema(required = true)]
    account_id: Option<String>,
}

fn view(row: &GroupRow, zone: i32) -> Group {
    Group {
        id: row.group_id.clone(),
        name: row.name.clone(),
        external_id: row.external_id.clone(),
        description: row.description.clone(),
        organ_id: row.organ_id.clone(),
        organ_name: row.organ_name.clone(),
        member_count: row.members,
        creator: row.creator.clone(),
        created_time: wire(row.created_at, zone),
        updated_time: wire(row.updated_at, zone),
        account_id: None,
    }
}

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

fn refused(error: GroupRefused) -> InspurError {
    match error {
        GroupRefused::NoOrgan => InspurError::rule("组织机构不存在"),
        GroupRefused::NoUser(user) => InspurError::rule(format!("用户不存在: {user}")),
        GroupRefused::Service(ServiceError::Group(GroupError::NotFound)) => {
            InspurError::not_found()
        }
        GroupRefused::Service(other) => other.into(),
    }
}

async fn group(state: &AppState, caller: &InspurCaller, id: &str) -> Result<GroupRow, InspurError> {
    groups::get(state.pool(), &caller.tenant_id, id)
        .await?
        .ok_or_else(InspurError::not_found)
}

/// The body of GRP-04: without `id` it creates (`name` and `organId` required), with one it
/// changes `name` and `description` (the organisation and the external id are fixed). Blank
/// text is the same as absent.
#[derive(Deserialize, ToSchema)]
pub struct GroupBody {
    /// The group to change; absent to create one.
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    name: Option<String>,
    /// Create only.
    #[serde(default, deserialize_with = "text", rename = "externalId")]
    #[schema(value_type = LenientText)]
    external_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    #[schema(value_type = LenientText)]
    description: Option<String>,
    /// The organisation the group belongs to (create only).
    #[serde(default, deserialize_with = "text", rename = "organId")]
    #[schema(value_type = LenientText)]
    organ_id: Option<String>,
}

/// Creates a group, or changes one named by `id` (GRP-04).
#[utoipa::path(
    post,
    path = "/groups",
    tag = "groups",
    operation_id = "saveGroup",
    request_body = GroupBody,
    responses(
        (status = 200, description = "The saved group.", body = Envelope<Group>),
        (status = 400, description = "A missing `name` or `organId` on create, a bad body, or an unknown organisation: `组织机构不存在`.", body = ErrorEnvelope),
        (status = 404, description = "No group with that `id`: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn save(
    State(state): State<AppState>,
    caller: InspurCaller,
    bytes: axum::body::Bytes,
) -> Result<Response, InspurError> {
    let body: GroupBody = body(&bytes)?;
    let zone = state.config.utc_offset_minutes;
    if let Some(id) = present(body.id) {
        let command = GroupCommand::Update {
            name: present(body.name),
            description: present(body.description),
            now: state.now(),
        };
        cases::change(&state, &caller.context, &id, command)
            .await
            .map_err(refused)?;
        return Ok(ok(json!(view(&group(&state, &caller, &id).await?, zone))));
    }
    let fields = GroupFields {
        name: present(body.name).ok_or_else(|| InspurError::invalid("name 不能为空"))?,
        external_id: present(body.external_id),
        description: present(body.description),
        organ_id: present(body.organ_id).ok_or_else(|| InspurError::invalid("organId 不能为空"))?,
    };
    let id = cases::create(&state, &caller.context, fields)
        .await
        .map_err(refused)?;
    Ok(ok(json!(view(&group(&state, &caller, &id).await?, zone))))
}

/// One group (GRP-09).
#[utoipa::path(
    get,
    path = "/groups/{groupId}",
    tag = "groups",
    operation_id = "getGroup",
    params(("groupId" = String, Path, description = "The group.")),
    responses(
        (status = 200, description = "The group.", body = Envelope<Group>),
        (status = 404, description = "No such group: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn detail(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(group_id): Path<String>,
) -> Result<Response, InspurError> {
    let row = group(&state, &caller, &group_id).await?;
    Ok(ok(json!(view(&row, state.config.utc_offset_minutes))))
}

/// Deletes a group, its memberships with it (GRP-02).
#[utoipa::path(
    delete,
    path = "/groups/{groupId}",
    tag = "groups",
    operation_id = "deleteGroup",
    params(("groupId" = String, Path, description = "The group.")),
    responses(
        (status = 200, description = "The group as it was.", body = Envelope<Group>),
        (status = 404, description = "No such group: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn delete(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(group_id): Path<String>,
) -> Result<Response, InspurError> {
    let before = group(&state, &caller, &group_id).await?;
    let command = GroupCommand::Delete { now: state.now() };
    cases::change(&state, &caller.context, &group_id, command)
        .await
        .map_err(refused)?;
    Ok(ok(json!(view(&before, state.config.utc_offset_minutes))))
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
        (status = 400, description = "No `userIdList`, a bad body, or an unknown user: `用户不存在: {id}`.", body = ErrorEnvelope),
        (status = 404, description = "No such group: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn add_members(
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
        (status = 400, description = "No `userIdList`, or a bad body.", body = ErrorEnvelope),
        (status = 404, description = "No such group: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn remove_members(
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

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
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
        (status = 400, description = "A page number or size out of range.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn page(
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
        (status = 400, description = "A page number or size out of range.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn groups_of_user(
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
        (status = 400, description = "A page number or size out of range.", body = ErrorEnvelope),
        (status = 404, description = "No such group: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn candidates(
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
        (status = 400, description = "A page number or size out of range.", body = ErrorEnvelope),
        (status = 404, description = "No such group: `资源不存在`.", body = ErrorEnvelope),
        CallRefused,
    ),
    security(("bearer" = []))
)]
async fn members(
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
