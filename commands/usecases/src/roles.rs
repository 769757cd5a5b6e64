//! Application-side roles and members (specs/oneaccess.md §2.6 #31–#38): only for applications
//! with roles switched on (APP_ROLE.0002). Membership calls answer per account: unknown accounts
//! and accounts of other applications fail, existing members succeed again (idempotent).

use std::sync::Arc;

use domain::app_role::{
    AppRole, AppRoleCommand, AppRoleError, MemberOutcome, MAX_MEMBERS_PER_CALL,
};
use domain::Aggregate;
use projections::app_roles::RoleRow;
use projections::guards::{
    accounts_exist, role_has_no_members, ACCOUNTS_EXIST, ROLE_HAS_NO_MEMBERS,
};
use store::store::Guard;
use store::{BusError, Context};

use crate::state::AppState;
use crate::{accounts, ServiceError};

/// The application, if it has application roles switched on.
pub async fn application(
    state: &AppState,
    tenant: &str,
    application_id: &str,
) -> Result<(), ServiceError> {
    let app = accounts::application(state, tenant, application_id).await?;
    if !app.app_roles {
        return Err(ServiceError::AppRolesDisabled);
    }
    Ok(())
}

/// The role, if it belongs to the application (else APP_ROLE.0001).
pub async fn role_of(
    state: &AppState,
    tenant: &str,
    application_id: &str,
    role_id: &str,
) -> Result<RoleRow, ServiceError> {
    application(state, tenant, application_id).await?;
    projections::app_roles::get(state.pool(), tenant, application_id, role_id)
        .await?
        .ok_or_else(|| AppRoleError::NotFound.into())
}

fn guard_error(error: BusError<AppRoleError>) -> ServiceError {
    match error {
        BusError::GuardFailed(ROLE_HAS_NO_MEMBERS) => AppRoleError::HasMembers.into(),
        other => other.into(),
    }
}

async fn run(
    state: &AppState,
    ctx: &Context,
    role_id: &str,
    guards: Vec<Arc<dyn Guard>>,
    command: AppRoleCommand,
) -> Result<(), ServiceError> {
    state
        .bus
        .execute_guarded::<AppRole, _>(ctx, role_id, guards, |r| r.decide(command.clone(), &()))
        .await
        .map_err(guard_error)?;
    Ok(())
}

pub async fn create(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    code: Option<String>,
    name: Option<String>,
) -> Result<String, ServiceError> {
    application(state, &ctx.tenant_id, application_id).await?;
    let now = state.now();
    let role_id = state.ids.entity_id(now);
    let command = AppRoleCommand::Create {
        role_id: role_id.clone(),
        application_id: application_id.to_string(),
        code: code.unwrap_or_default(),
        name,
        now,
    };
    run(state, ctx, &role_id, Vec::new(), command).await?;
    Ok(role_id)
}

pub async fn rename(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    role_id: &str,
    name: Option<String>,
) -> Result<(), ServiceError> {
    role_of(state, &ctx.tenant_id, application_id, role_id).await?;
    let command = AppRoleCommand::Rename {
        name,
        now: state.now(),
    };
    run(state, ctx, role_id, Vec::new(), command).await
}

pub async fn delete(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    role_id: &str,
) -> Result<(), ServiceError> {
    role_of(state, &ctx.tenant_id, application_id, role_id).await?;
    let command = AppRoleCommand::Delete {
        has_members: projections::app_roles::has_members(state.pool(), &ctx.tenant_id, role_id)
            .await?,
        now: state.now(),
    };
    let guards: Vec<Arc<dyn Guard>> = vec![Arc::new(role_has_no_members(role_id.to_string()))];
    run(state, ctx, role_id, guards, command).await
}

fn check_list(account_ids: &[String]) -> Result<(), ServiceError> {
    if account_ids.is_empty() || account_ids.len() > MAX_MEMBERS_PER_CALL {
        return Err(AppRoleError::InvalidList.into());
    }
    Ok(())
}

/// Each id with whether it is in `present`.
fn marked(account_ids: &[String], present: &[String]) -> Vec<(String, bool)> {
    account_ids
        .iter()
        .map(|id| (id.clone(), present.contains(id)))
        .collect()
}

/// #36: adds the application's accounts among `account_ids` to the role. An account deleted
/// while the call runs is read again and lands in the fail list.
pub async fn add_members(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    role_id: Option<String>,
    account_ids: Vec<String>,
) -> Result<MemberOutcome, ServiceError> {
    let role_id = role_id.unwrap_or_default();
    role_of(state, &ctx.tenant_id, application_id, &role_id).await?;
    check_list(&account_ids)?;
    for _ in 0..3 {
        let known = projections::app_roles::accounts_of_application(
            state.pool(),
            &ctx.tenant_id,
            application_id,
            &account_ids,
        )
        .await?;
        let accounts = marked(&account_ids, &known);
        let guards: Vec<Arc<dyn Guard>> = vec![Arc::new(accounts_exist(known))];
        let command = AppRoleCommand::AddMembers {
            accounts: accounts.clone(),
            now: state.now(),
        };
        let mut outcome = MemberOutcome::default();
        let result = state
            .bus
            .execute_guarded::<AppRole, _>(ctx, &role_id, guards, |role| {
                outcome = role.outcome_of_adding(&accounts).0;
                role.decide(command.clone(), &())
            })
            .await;
        match result {
            Ok(_) => return Ok(outcome),
            Err(BusError::GuardFailed(ACCOUNTS_EXIST)) => continue,
            Err(other) => return Err(guard_error(other)),
        }
    }
    Err(ServiceError::Busy)
}

/// #37: removes members from the role; ids that are not current members fail.
pub async fn remove_members(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    role_id: Option<String>,
    account_ids: Vec<String>,
) -> Result<MemberOutcome, ServiceError> {
    let role_id = role_id.unwrap_or_default();
    role_of(state, &ctx.tenant_id, application_id, &role_id).await?;
    check_list(&account_ids)?;
    let members =
        projections::app_roles::members_among(state.pool(), &ctx.tenant_id, &role_id, &account_ids)
            .await?;
    let accounts = marked(&account_ids, &members);
    let command = AppRoleCommand::RemoveMembers {
        accounts: accounts.clone(),
        now: state.now(),
    };
    let mut outcome = MemberOutcome::default();
    state
        .bus
        .execute::<AppRole, _>(ctx, &role_id, |role| {
            outcome = role.outcome_of_removing(&accounts).0;
            role.decide(command.clone(), &())
        })
        .await
        .map_err(guard_error)?;
    Ok(outcome)
}
