//! Privileges of an application (resource-item trees) and the privileges a role carries: what an
//! account's detail shows under each role (OneAccess `PrivilegeInfo`, `ResourceItem`).

use domain::app_role::{AppRole, AppRoleCommand};
use domain::privilege::{Privilege, PrivilegeCommand, ResourceItem};
use domain::Aggregate;

use crate::{accounts, roles, AppState, Context, ServiceError};

/// A resource item to define; its parent is named by code.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
}

/// Why a privilege change was refused beyond the domain's own rules.
#[derive(Debug, thiserror::Error)]
pub enum PrivilegeRefused {
    #[error("unknown parent item code: {0}")]
    UnknownParent(String),
    #[error("not a privilege of this application: {0}")]
    NotOfApplication(String),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// Items get server ids; parents are named by code.
fn items(
    state: &AppState,
    new: Vec<NewItem>,
    now: i64,
) -> Result<Vec<ResourceItem>, PrivilegeRefused> {
    let ids: Vec<(String, String)> = new
        .iter()
        .map(|b| (b.code.clone(), state.ids.entity_id(now)))
        .collect();
    let id_of = |code: &str| {
        ids.iter()
            .find(|(c, _)| c == code)
            .map(|(_, id)| id.clone())
    };
    new.into_iter()
        .map(|b| {
            let item_parentid = match &b.parent_code {
                None => None,
                Some(code) => {
                    Some(id_of(code).ok_or_else(|| PrivilegeRefused::UnknownParent(code.clone()))?)
                }
            };
            Ok(ResourceItem {
                item_id: id_of(&b.code).unwrap_or_default(),
                item_code: b.code,
                item_name: b.name,
                item_parentid,
            })
        })
        .collect()
}

/// Defines a privilege of an application; returns its id.
pub async fn define(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    code: String,
    name: String,
    new_items: Vec<NewItem>,
) -> Result<String, PrivilegeRefused> {
    accounts::application(state, &ctx.tenant_id, application_id).await?;
    let now = state.now();
    let privilege_id = state.ids.entity_id(now);
    let command = PrivilegeCommand::Define {
        privilege_id: privilege_id.clone(),
        application_id: application_id.to_string(),
        code,
        name,
        items: items(state, new_items, now)?,
        now,
    };
    state
        .bus
        .execute::<Privilege, _>(ctx, &privilege_id, |p| p.decide(command.clone(), &()))
        .await
        .map_err(ServiceError::from)?;
    Ok(privilege_id)
}

/// Replaces the privileges a role carries; every id must be a privilege of the application.
pub async fn set_role_privileges(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    role_id: &str,
    privilege_ids: Vec<String>,
) -> Result<(), PrivilegeRefused> {
    let tenant = &ctx.tenant_id;
    roles::role_of(state, tenant, application_id, role_id).await?;
    let known = projections::privileges::of_application_among(
        state.pool(),
        tenant,
        application_id,
        &privilege_ids,
    )
    .await
    .map_err(ServiceError::from)?;
    if let Some(unknown) = privilege_ids.iter().find(|id| !known.contains(id)) {
        return Err(PrivilegeRefused::NotOfApplication(unknown.clone()));
    }
    let command = AppRoleCommand::SetPrivileges {
        privilege_ids,
        now: state.now(),
    };
    state
        .bus
        .execute::<AppRole, _>(ctx, role_id, |r| r.decide(command.clone(), &()))
        .await
        .map_err(ServiceError::from)?;
    Ok(())
}
