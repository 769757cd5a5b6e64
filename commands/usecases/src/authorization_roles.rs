//! The Hainan role calls (specs/oneaccess-sdk-and-hainan-uaa.md §2.2 003-7…9; ops/adr/0018)
//! over the OneAccess application roles (`AppRole`): create a batch, configure one (name, code,
//! remark, enabled), delete one. Unlike the OneAccess surface these do not ask for the
//! application's `app_roles` switch: a Hainan application always has roles.

use std::collections::BTreeSet;
use std::sync::Arc;

use domain::app_authorization::{AuthorizationError, Entity, Remark, MAX_IDS_PER_CALL};
use domain::app_role::{AppRole, AppRoleCommand, AppRoleError};
use domain::Aggregate;
use projections::app_roles::RoleRow;
use projections::guards::{role_has_no_members, ROLE_HAS_NO_MEMBERS};
use store::store::Guard;
use store::{BusError, Context};

use crate::authorization::{application, AuthorizationRefused};
use crate::state::AppState;

/// One role of a 003-7 batch.
#[derive(Debug, Clone, Default)]
pub struct NewRole {
    pub code: String,
    pub name: Option<String>,
    pub remark: Option<String>,
}

/// A 003-8 change: absent fields keep their value.
#[derive(Debug, Clone, Default)]
pub struct RoleChange {
    pub name: Option<String>,
    pub code: Option<String>,
    pub remark: Option<String>,
    pub enabled: Option<bool>,
}

/// The application's role, or `NotFound(Role)`.
pub async fn role_of(
    state: &AppState,
    tenant: &str,
    application_id: &str,
    role_id: &str,
) -> Result<RoleRow, AuthorizationRefused> {
    application(state, tenant, application_id).await?;
    projections::app_roles::get(state.pool(), tenant, application_id, role_id)
        .await?
        .ok_or_else(|| AuthorizationError::NotFound(Entity::Role, role_id.to_string()).into())
}

async fn run(
    state: &AppState,
    ctx: &Context,
    role_id: &str,
    guards: Vec<Arc<dyn Guard>>,
    command: AppRoleCommand,
) -> Result<(), AuthorizationRefused> {
    let result = state
        .bus
        .execute_guarded::<AppRole, _>(ctx, role_id, guards, |r| r.decide(command.clone(), &()))
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(BusError::GuardFailed(ROLE_HAS_NO_MEMBERS)) => Err(AppRoleError::HasMembers.into()),
        Err(other) => Err(other.into()),
    }
}

/// 003-7: creates the roles, in order; their ids. Every item is checked first (code and name
/// valid, remark not too long, code free in the application and not repeated in the batch), so
/// a bad item creates nothing. Each role is then its own append: a code claimed concurrently by
/// another caller stops the batch at that item with `AlreadyExists`, the earlier items staying
/// created (ADR 0018).
#[tracing::instrument(skip_all, fields(tenant = %ctx.tenant_id, application = %application_id))]
pub async fn create_roles(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    roles: Vec<NewRole>,
) -> Result<Vec<String>, AuthorizationRefused> {
    let tenant = &ctx.tenant_id;
    application(state, tenant, application_id).await?;
    if roles.is_empty() {
        return Err(AuthorizationError::Invalid("role_list", "required").into());
    }
    if roles.len() > MAX_IDS_PER_CALL {
        return Err(AuthorizationError::LimitExceeded.into());
    }
    let now = state.now();
    let mut commands = Vec::with_capacity(roles.len());
    let mut codes = BTreeSet::new();
    for role in roles {
        let role_id = state.ids.entity_id(now);
        let command = AppRoleCommand::CreateWithRemark {
            role_id: role_id.clone(),
            application_id: application_id.to_string(),
            code: role.code.clone(),
            name: role.name,
            remark: Remark::parse(role.remark.unwrap_or_default())?,
            now,
        };
        // The decision on an empty role is pure: it checks the item without writing anything.
        AppRole::default().decide(command.clone(), &())?;
        let code = role.code.trim().to_string();
        let taken =
            projections::role_bindings::role_by_code(state.pool(), tenant, application_id, &code)
                .await?
                .is_some();
        if taken || !codes.insert(code) {
            return Err(AuthorizationError::AlreadyExists("code").into());
        }
        commands.push((role_id, command));
    }
    let mut created = Vec::with_capacity(commands.len());
    for (role_id, command) in commands {
        run(state, ctx, &role_id, Vec::new(), command).await?;
        created.push(role_id);
    }
    Ok(created)
}

/// 003-8: changes a role's name, code, remark or enabled flag (absent fields keep theirs); a new
/// code must be free in the application.
#[tracing::instrument(skip_all, fields(tenant = %ctx.tenant_id, application = %application_id))]
pub async fn configure_role(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    role_id: &str,
    change: RoleChange,
) -> Result<(), AuthorizationRefused> {
    role_of(state, &ctx.tenant_id, application_id, role_id).await?;
    let command = AppRoleCommand::Configure {
        name: change.name,
        code: change.code,
        remark: change.remark.map(Remark::parse).transpose()?,
        enabled: change.enabled,
        now: state.now(),
    };
    run(state, ctx, role_id, Vec::new(), command).await
}

/// 003-9: deletes a role. A role that application accounts are members of is refused as on the
/// OneAccess surface (`AppRoleError::HasMembers`); its permission, user and organisation
/// bindings go with it.
#[tracing::instrument(skip_all, fields(tenant = %ctx.tenant_id, application = %application_id))]
pub async fn delete_role(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    role_id: &str,
) -> Result<(), AuthorizationRefused> {
    let tenant = &ctx.tenant_id;
    role_of(state, tenant, application_id, role_id).await?;
    let command = AppRoleCommand::Delete {
        has_members: projections::app_roles::has_members(state.pool(), tenant, role_id).await?,
        now: state.now(),
    };
    let guards: Vec<Arc<dyn Guard>> = vec![Arc::new(role_has_no_members(role_id.to_string()))];
    run(state, ctx, role_id, guards, command).await
}
