//! Membership posts (ops/adr/0019; Hainan pushOrgUsers `posJob` and `sortNum`, searchByExtendProp
//! `belongs`): the post a user holds in each organisation it belongs to and its place among that
//! organisation's members, set on the user's memberships in one `user.updated` decision.

use domain::user::{User, UserCommand, UserError, UserInput};
use domain::Aggregate;
use store::Context;

use crate::state::AppState;
use crate::{settings, ServiceError};

/// The longest post kept.
pub const MAX_POST_CHARS: usize = 100;

/// A post for one of the user's memberships: `None` leaves that part as it is.
#[derive(Debug, Clone)]
pub struct PostChange {
    pub org_id: String,
    pub post: Option<String>,
    pub sort: Option<i64>,
}

/// Why a change of posts was refused.
#[derive(Debug, thiserror::Error)]
pub enum PostRefused {
    #[error("the user is not a member of organisation {0}")]
    NotAMember(String),
    #[error("a post is 1 to {MAX_POST_CHARS} characters without control characters")]
    InvalidPost,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// Sets posts on the user's memberships.
pub async fn set(
    state: &AppState,
    ctx: &Context,
    user_id: &str,
    changes: Vec<PostChange>,
) -> Result<(), PostRefused> {
    let tenant = &ctx.tenant_id;
    let current = projections::users::get(state.pool(), tenant, user_id)
        .await
        .map_err(ServiceError::from)?
        .ok_or(ServiceError::User(UserError::NotFound))?;
    let mut relations = current.relations.clone();
    for change in changes {
        if let Some(post) = &change.post {
            let chars = post.chars().count();
            if chars == 0 || chars > MAX_POST_CHARS || post.chars().any(char::is_control) {
                return Err(PostRefused::InvalidPost);
            }
        }
        let relation = relations
            .iter_mut()
            .find(|r| r.org_id == change.org_id)
            .ok_or(PostRefused::NotAMember(change.org_id.clone()))?;
        relation.post = change.post.or(relation.post.take());
        relation.sort = change.sort.or(relation.sort);
    }
    let command = UserCommand::Update {
        input: UserInput::default(),
        pwd_must_modify: None,
        org_relations: Some(relations),
        settings: settings(state, tenant).await.map_err(ServiceError::from)?,
        now: state.now(),
    };
    let hasher = state.hasher.clone();
    state
        .bus
        .execute::<User, _>(ctx, user_id, |user| {
            user.decide(command.clone(), hasher.as_ref())
        })
        .await
        .map_err(ServiceError::from)?;
    Ok(())
}
