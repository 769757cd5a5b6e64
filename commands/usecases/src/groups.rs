//! User groups (Inspur §2.12): create in an organisation, change, add and remove members (users
//! that exist), delete.

use domain::group::{Group, GroupCommand, GroupError, GroupFields};
use domain::Aggregate;
use store::Context;

use crate::state::AppState;
use crate::ServiceError;

/// Why a group command was refused before it reached the group.
#[derive(Debug, thiserror::Error)]
pub enum GroupRefused {
    #[error("the organisation does not exist")]
    NoOrgan,
    #[error("no such user: {0}")]
    NoUser(String),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<GroupError> for GroupRefused {
    fn from(error: GroupError) -> Self {
        Self::Service(error.into())
    }
}

/// A new group in an existing organisation; its id (32 upper-case hex characters).
pub async fn create(
    state: &AppState,
    ctx: &Context,
    fields: GroupFields,
) -> Result<String, GroupRefused> {
    let organ = projections::organizations::get(state.pool(), &ctx.tenant_id, &fields.organ_id)
        .await
        .map_err(ServiceError::from)?;
    if organ.is_none() {
        return Err(GroupRefused::NoOrgan);
    }
    let id = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
    let command = GroupCommand::Create {
        id: id.clone(),
        fields,
        now: state.now(),
    };
    state
        .bus
        .execute::<Group, _>(ctx, &id, |g| g.decide(command.clone(), &()))
        .await
        .map_err(ServiceError::from)?;
    Ok(id)
}

/// Adds members; every user must exist.
pub async fn add_members(
    state: &AppState,
    ctx: &Context,
    group_id: &str,
    user_ids: Vec<String>,
) -> Result<(), GroupRefused> {
    if user_ids.len() > domain::group::MAX_MEMBERS_PER_CALL {
        return Err(GroupError::TooManyUsers.into());
    }
    for user in &user_ids {
        let found = projections::users::get(state.pool(), &ctx.tenant_id, user)
            .await
            .map_err(ServiceError::from)?;
        if found.is_none() {
            return Err(GroupRefused::NoUser(user.clone()));
        }
    }
    change(
        state,
        ctx,
        group_id,
        GroupCommand::AddMembers {
            user_ids,
            now: state.now(),
        },
    )
    .await
}

/// Runs a command on an existing group.
pub async fn change(
    state: &AppState,
    ctx: &Context,
    group_id: &str,
    command: GroupCommand,
) -> Result<(), GroupRefused> {
    state
        .bus
        .execute::<Group, _>(ctx, group_id, |g| g.decide(command.clone(), &()))
        .await
        .map_err(ServiceError::from)?;
    Ok(())
}
