//! User groups (specs/inspur-idaas.md §2.12, GRP-01…09): one save endpoint (an `id` edits the
//! name and description; the organisation and external id are fixed) and delete in `write`,
//! members added and removed by user id and the pages of members and of candidates (each marked
//! `isMember`) in `members`, the detail and the pages of groups and of a user's groups in `read`.

mod members;
mod read;
mod write;

use domain::group::GroupError;
use idaas_http::openapi::ApiRouter;
use projections::groups::{self, GroupRow};
use serde::Serialize;
use usecases::groups::GroupRefused;
use usecases::{AppState, ServiceError};
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::caller::InspurCaller;
use crate::envelope::InspurError;
use crate::time::wire;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(write::save))
        .routes(routes!(read::page))
        .routes(routes!(read::detail, write::delete))
        .routes(routes!(members::add))
        .routes(routes!(members::remove))
        .routes(routes!(members::candidates))
        .routes(routes!(members::members))
        .routes(routes!(read::groups_of_user))
}

/// The Group object (§2.12).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Group {
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

/// The Group object of a group.
pub fn view(row: &GroupRow, zone: i32) -> Group {
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

/// A refused group change in the surface's words.
pub fn refused(error: GroupRefused) -> InspurError {
    match error {
        GroupRefused::NoOrgan => InspurError::rule("组织机构不存在"),
        GroupRefused::NoUser(user) => InspurError::rule(format!("用户不存在: {user}")),
        GroupRefused::Service(ServiceError::Group(GroupError::NotFound)) => {
            InspurError::not_found()
        }
        GroupRefused::Service(other) => other.into(),
    }
}

/// The group `id` of the caller's tenant; 404 when there is none.
pub async fn group(
    state: &AppState,
    caller: &InspurCaller,
    id: &str,
) -> Result<GroupRow, InspurError> {
    groups::get(state.pool(), &caller.tenant_id, id)
        .await?
        .ok_or_else(InspurError::not_found)
}

/// A filter's value, trimmed; blank is absent.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}
