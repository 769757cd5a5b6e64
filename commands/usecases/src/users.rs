//! User commands (specs/oneaccess.md §2.2 #2–#8): organisation codes are resolved to ids here,
//! the tenant's settings are read here, and the decision is the user aggregate's.

use std::sync::Arc;

use domain::user::{AccountState, OrgRelation, User, UserCommand, UserError, UserInput};
use domain::user_type::UserTypeError;
use domain::Aggregate;
use projections::guards::{org_exists, user_type_enabled, ORG_EXISTS, USER_TYPE_ENABLED};
use store::store::Guard;
use store::{BusError, Context};

use crate::state::AppState;
use crate::Lifecycle;
use crate::{settings, ServiceError};

/// A create or update request in dialect-neutral form.
#[derive(Debug, Default, Clone)]
pub struct UserRequest {
    pub input: UserInput,
    pub password: Option<String>,
    pub pwd_must_modify: Option<bool>,
    /// The primary organisation's code.
    pub org_code: Option<String>,
    /// (organisation code, relation type) pairs; relation type 1 primary, 0 secondary.
    pub relations: Option<Vec<(String, i64)>>,
}

async fn org_id_of(state: &AppState, tenant: &str, code: &str) -> Result<String, ServiceError> {
    projections::organizations::by_code(state.pool(), tenant, code)
        .await?
        .map(|o| o.org_id)
        .ok_or(ServiceError::OrgCodeNotFound)
}

/// Resolves codes to ids. `None` means "leave the relations as they are" (update only).
async fn resolve_relations(
    state: &AppState,
    tenant: &str,
    request: &UserRequest,
    current: Option<&[OrgRelation]>,
) -> Result<Option<Vec<OrgRelation>>, ServiceError> {
    let org_code = request.org_code.as_deref().filter(|c| !c.is_empty());
    let primary = match org_code {
        Some(code) => Some(org_id_of(state, tenant, code).await?),
        None => None,
    };
    if let Some(list) = request.relations.as_ref().filter(|l| !l.is_empty()) {
        let mut relations = Vec::with_capacity(list.len());
        for (code, relation_type) in list {
            let relation_type = match relation_type {
                0 | 1 => *relation_type as u8,
                _ => return Err(UserError::InvalidOrgRelations.into()),
            };
            relations.push(OrgRelation {
                org_id: org_id_of(state, tenant, code).await?,
                relation_type,
                post: None,
                sort: None,
            });
        }
        if let Some(primary) = primary {
            let agrees = relations
                .iter()
                .any(|r| r.is_primary() && r.org_id == primary);
            if !agrees {
                return Err(UserError::InvalidOrgRelations.into());
            }
        }
        return Ok(Some(relations));
    }
    match (primary, current) {
        (Some(primary), Some(current)) => {
            let mut relations = vec![OrgRelation {
                org_id: primary.clone(),
                relation_type: 1,
                post: None,
                sort: None,
            }];
            relations.extend(
                current
                    .iter()
                    .filter(|r| !r.is_primary() && r.org_id != primary)
                    .cloned(),
            );
            Ok(Some(relations))
        }
        (Some(primary), None) => Ok(Some(vec![OrgRelation {
            org_id: primary,
            relation_type: 1,
            post: None,
            sort: None,
        }])),
        (None, Some(_)) => Ok(None),
        (None, None) => {
            let root = projections::organizations::first_root(state.pool(), tenant).await?;
            Ok(Some(
                root.map(|o| OrgRelation {
                    org_id: o.org_id,
                    relation_type: 1,
                    post: None,
                    sort: None,
                })
                .into_iter()
                .collect(),
            ))
        }
    }
}

/// Every organisation a user is placed in must still exist, and a user type it is given must
/// exist and be enabled, when the events are written.
fn placement_guards(relations: Option<&[OrgRelation]>, input: &UserInput) -> Vec<Arc<dyn Guard>> {
    let mut guards: Vec<Arc<dyn Guard>> = relations
        .unwrap_or_default()
        .iter()
        .map(|r| Arc::new(org_exists(r.org_id.clone())) as Arc<dyn Guard>)
        .collect();
    if let Some(type_id) = input
        .account
        .user_type_id
        .as_ref()
        .filter(|t| !t.is_empty())
    {
        guards.push(Arc::new(user_type_enabled(type_id.clone())));
    }
    guards
}

fn placement_error(error: BusError<UserError>) -> ServiceError {
    match error {
        BusError::GuardFailed(ORG_EXISTS) => ServiceError::OrgCodeNotFound,
        BusError::GuardFailed(USER_TYPE_ENABLED) => UserTypeError::Disabled.into(),
        other => other.into(),
    }
}

/// A user type a request names must exist (`NotFound`) and be enabled (`Disabled`).
async fn check_user_type(
    state: &AppState,
    tenant: &str,
    input: &UserInput,
) -> Result<(), ServiceError> {
    let Some(type_id) = input
        .account
        .user_type_id
        .as_ref()
        .filter(|t| !t.is_empty())
    else {
        return Ok(());
    };
    match projections::user_types::get(state.pool(), tenant, type_id).await? {
        None => Err(UserTypeError::NotFound.into()),
        Some(row) if row.disabled => Err(UserTypeError::Disabled.into()),
        Some(_) => Ok(()),
    }
}

pub async fn create(
    state: &AppState,
    ctx: &Context,
    request: UserRequest,
) -> Result<String, ServiceError> {
    let tenant = &ctx.tenant_id;
    let org_relations = resolve_relations(state, tenant, &request, None)
        .await?
        .unwrap_or_default();
    check_user_type(state, tenant, &request.input).await?;
    let now = state.now();
    let user_id = state.ids.entity_id(now);
    let guards = placement_guards(Some(&org_relations), &request.input);
    let command = UserCommand::Create {
        user_id: user_id.clone(),
        input: request.input,
        password: request.password,
        pwd_must_modify: request.pwd_must_modify.unwrap_or(true),
        org_relations,
        settings: settings(state, tenant).await?,
        now,
    };
    let hasher = state.hasher.clone();
    state
        .bus
        .execute_guarded::<User, _>(ctx, &user_id, guards, |user| {
            user.decide(command.clone(), hasher.as_ref())
        })
        .await
        .map_err(placement_error)?;
    Ok(user_id)
}

pub async fn update(
    state: &AppState,
    ctx: &Context,
    user_id: &str,
    request: UserRequest,
) -> Result<(), ServiceError> {
    let tenant = &ctx.tenant_id;
    let current = projections::users::get(state.pool(), tenant, user_id)
        .await?
        .ok_or(UserError::NotFound)?;
    let org_relations =
        resolve_relations(state, tenant, &request, Some(&current.relations)).await?;
    check_user_type(state, tenant, &request.input).await?;
    let guards = placement_guards(org_relations.as_deref(), &request.input);
    let command = UserCommand::Update {
        input: request.input,
        pwd_must_modify: request.pwd_must_modify,
        org_relations,
        settings: settings(state, tenant).await?,
        now: state.now(),
    };
    let hasher = state.hasher.clone();
    state
        .bus
        .execute_guarded::<User, _>(ctx, user_id, guards, |user| {
            user.decide(command.clone(), hasher.as_ref())
        })
        .await
        .map_err(placement_error)?;
    Ok(())
}

/// An update, an administrator's new password (`request.password`) and a new state in one
/// decision (Inspur USR-03): all of it is written, or none.
pub async fn revise(
    state: &AppState,
    ctx: &Context,
    user_id: &str,
    request: UserRequest,
    target: Option<AccountState>,
) -> Result<(), ServiceError> {
    let tenant = &ctx.tenant_id;
    let current = projections::users::get(state.pool(), tenant, user_id)
        .await?
        .ok_or(UserError::NotFound)?;
    let org_relations =
        resolve_relations(state, tenant, &request, Some(&current.relations)).await?;
    check_user_type(state, tenant, &request.input).await?;
    let guards = placement_guards(org_relations.as_deref(), &request.input);
    let command = UserCommand::Revise {
        input: request.input,
        org_relations,
        password: request.password,
        state: target,
        settings: settings(state, tenant).await?,
        now: state.now(),
    };
    let hasher = state.hasher.clone();
    state
        .bus
        .execute_guarded::<User, _>(ctx, user_id, guards, |user| {
            user.decide(command.clone(), hasher.as_ref())
        })
        .await
        .map_err(placement_error)?;
    Ok(())
}

/// Enables, disables or deletes a user (OneAccess #4–#6).
pub async fn change_life(
    state: &AppState,
    ctx: &Context,
    user_id: &str,
    change: Lifecycle,
) -> Result<(), ServiceError> {
    let now = state.now();
    let command = match change {
        Lifecycle::Enable => UserCommand::Enable { now },
        Lifecycle::Disable => UserCommand::Disable { now },
        Lifecycle::Delete => UserCommand::Delete { now },
    };
    run(state, ctx, user_id, command).await
}

/// The user leaves (Inspur's dimission): kept, unable to sign in, listed only when asked for.
pub async fn leave(state: &AppState, ctx: &Context, user_id: &str) -> Result<(), ServiceError> {
    let now = state.now();
    run(state, ctx, user_id, UserCommand::Leave { now }).await
}

/// Runs a user command that needs no facts from other aggregates.
pub async fn run(
    state: &AppState,
    ctx: &Context,
    user_id: &str,
    command: UserCommand,
) -> Result<(), ServiceError> {
    let hasher = state.hasher.clone();
    state
        .bus
        .execute::<User, _>(ctx, user_id, |user| {
            user.decide(command.clone(), hasher.as_ref())
        })
        .await?;
    Ok(())
}

pub async fn change_password(
    state: &AppState,
    ctx: &Context,
    user_id: &str,
    password: Option<String>,
    pwd_must_modify: Option<bool>,
) -> Result<(), ServiceError> {
    let command = UserCommand::ChangePassword {
        password,
        pwd_must_modify: pwd_must_modify.unwrap_or(true),
        settings: settings(state, &ctx.tenant_id).await?,
        now: state.now(),
    };
    run(state, ctx, user_id, command).await
}

pub async fn change_password_verified(
    state: &AppState,
    ctx: &Context,
    user_id: &str,
    old_password: Option<String>,
    password: Option<String>,
) -> Result<(), ServiceError> {
    let command = UserCommand::ChangePasswordVerified {
        old_password,
        password,
        settings: settings(state, &ctx.tenant_id).await?,
        now: state.now(),
    };
    run(state, ctx, user_id, command).await
}
