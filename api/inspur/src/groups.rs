//! User groups (specs/inspur-idaas.md §2.12, GRP-01…09): one save endpoint (an `id` edits the
//! name and description; the organisation and external id are fixed), members added and removed
//! by user id, pages of groups, of a user's groups, of members and of candidates (each marked
//! `isMember`), detail, delete.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use domain::group::{GroupCommand, GroupError, GroupFields};
use projections::groups::{self, GroupFilter, GroupRow, MemberRow, Users};
use serde::Deserialize;
use serde_json::{json, Value};
use usecases::groups::{self as cases, GroupRefused};
use usecases::{AppState, ServiceError};

use crate::caller::InspurCaller;
use crate::envelope::{ok, InspurError};
use crate::lenient::text;
use crate::lenient::{body, present};
use crate::time::wire;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/groups", post(save))
        .route("/groups/page/{page_no}/{page_size}", get(page))
        .route("/groups/{group_id}", get(detail).delete(delete))
        .route("/groups/{group_id}/users", post(add_members))
        .route("/groups/{group_id}/users/remove", post(remove_members))
        .route(
            "/groups/{group_id}/users/page/{page_no}/{page_size}",
            get(candidates),
        )
        .route(
            "/groups/{group_id}/members/page/{page_no}/{page_size}",
            get(members),
        )
        .route(
            "/users/{user_id}/groups/page/{page_no}/{page_size}",
            get(groups_of_user),
        )
}

fn view(row: &GroupRow, zone: i32) -> Value {
    json!({
        "id": row.group_id,
        "name": row.name,
        "externalId": row.external_id,
        "description": row.description,
        "organId": row.organ_id,
        "organName": row.organ_name,
        "memberCount": row.members,
        "creator": row.creator,
        "createdTime": wire(row.created_at, zone),
        "updatedTime": wire(row.updated_at, zone),
        "accountId": null,
    })
}

/// A user row of the member and candidate pages (the account fields the group pages show).
fn user_view(row: &MemberRow, zone: i32, with_flag: bool) -> Value {
    let mut user = json!({
        "id": row.user_id,
        "accountName": row.user_name,
        "nickName": row.name,
        "phone": row.mobile,
        "email": row.email,
        "organizationId": row.org_id,
        "status": if row.disabled { "2" } else { "1" },
        "createdTime": wire(row.created_at, zone),
        "updatedTime": wire(row.updated_at, zone),
    });
    if with_flag {
        user["isMember"] = json!(i64::from(row.is_member));
    }
    user
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

#[derive(Deserialize)]
pub struct GroupBody {
    #[serde(default, deserialize_with = "text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    name: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "externalId")]
    external_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    description: Option<String>,
    #[serde(default, deserialize_with = "text", rename = "organId")]
    organ_id: Option<String>,
}

/// `POST /groups`: the saved group.
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
        return Ok(ok(view(&group(&state, &caller, &id).await?, zone)));
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
    Ok(ok(view(&group(&state, &caller, &id).await?, zone)))
}

async fn detail(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path(group_id): Path<String>,
) -> Result<Response, InspurError> {
    let row = group(&state, &caller, &group_id).await?;
    Ok(ok(view(&row, state.config.utc_offset_minutes)))
}

/// `DELETE /groups/{groupId}`: the deleted group, its memberships gone with it.
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
    Ok(ok(view(&before, state.config.utc_offset_minutes)))
}

#[derive(Deserialize)]
pub struct UsersBody {
    #[serde(default, rename = "userIdList")]
    user_id_list: Option<Vec<String>>,
}

fn user_ids(bytes: &[u8]) -> Result<Vec<String>, InspurError> {
    let body: UsersBody = body(bytes)?;
    let ids = body
        .user_id_list
        .ok_or_else(|| InspurError::invalid("userIdList 不能为空"))?;
    Ok(ids.into_iter().filter(|id| !id.trim().is_empty()).collect())
}

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

#[derive(Deserialize)]
pub struct GroupQuery {
    #[serde(rename = "organId")]
    organ_id: Option<String>,
    name: Option<String>,
    #[serde(rename = "groupName")]
    group_name: Option<String>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

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

async fn groups_of_user(
    State(state): State<AppState>,
    caller: InspurCaller,
    Path((user_id, page_no, page_size)): Path<(String, String, String)>,
    Query(query): Query<GroupQuery>,
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

#[derive(Deserialize)]
pub struct UserQuery {
    #[serde(rename = "accountName")]
    account_name: Option<String>,
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
