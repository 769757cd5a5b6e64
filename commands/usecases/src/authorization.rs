//! The authorisation model of an application (specs/oneaccess-sdk-and-hainan-uaa.md §2.2, seed
//! 003; ops/adr/0018): permissions (003-2…4), role ↔ permission (003-11/12), user ↔ role
//! (003-13/14) and organisation ↔ role (003-15/16) bindings, each one append on the application's
//! `app_authorization` stream. The facts the decision needs (the application, the role, the user,
//! the organisation and its current subtree) are read from projections first, and the ones
//! another command could change meanwhile are checked again in the append transaction (guards).
//! The roles themselves are in `authorization_roles`.

use std::sync::Arc;

use domain::app_authorization::{
    AppAuthorization, AppAuthorizationCommand, AuthorizationError, Entity, NewPermission,
    PermissionChange,
};
use domain::app_role::AppRoleError;
use domain::{Aggregate, ClaimKind};
use projections::app_roles::RoleRow;
use projections::applications::ApplicationRow;
use projections::guards::{org_exists, user_exists, ORG_EXISTS, USER_EXISTS};
use projections::role_bindings::{RolesOfApplication, ROLES_OF_APPLICATION};
use store::store::Guard;
use store::{BusError, Context};

use crate::state::AppState;
use crate::ServiceError;

/// Why an authorisation call was refused: the model's rules (`Model`, mapped by the Hainan
/// surface to its `ERR_*` codes), a role's own rules (`Role`: code and name checks, a role
/// that still has account members), or the service (storage, contention).
#[derive(Debug, thiserror::Error)]
pub enum AuthorizationRefused {
    #[error(transparent)]
    Model(#[from] AuthorizationError),
    #[error(transparent)]
    Role(AppRoleError),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<anyhow::Error> for AuthorizationRefused {
    fn from(error: anyhow::Error) -> Self {
        Self::Service(error.into())
    }
}

impl From<AppRoleError> for AuthorizationRefused {
    fn from(error: AppRoleError) -> Self {
        match error {
            AppRoleError::AlreadyExists => AuthorizationError::AlreadyExists("code").into(),
            other => Self::Role(other),
        }
    }
}

impl<E: std::error::Error + Into<AuthorizationRefused>> From<BusError<E>> for AuthorizationRefused {
    fn from(error: BusError<E>) -> Self {
        match error {
            BusError::Domain(e) => e.into(),
            BusError::Claimed(ClaimKind::AppRoleCode) => {
                AuthorizationError::AlreadyExists("code").into()
            }
            BusError::Claimed(kind) => Self::Service(ServiceError::Claimed(kind)),
            BusError::GuardFailed(name) => Self::Service(ServiceError::Internal(anyhow::anyhow!(
                "unexpected guard failure: {name}"
            ))),
            BusError::Conflict => Self::Service(ServiceError::Busy),
            BusError::Internal(e) => e.into(),
        }
    }
}

/// The application, or `NotFound(Application)`.
pub async fn application(
    state: &AppState,
    tenant: &str,
    application_id: &str,
) -> Result<ApplicationRow, AuthorizationRefused> {
    projections::applications::get(state.pool(), tenant, application_id)
        .await?
        .ok_or_else(|| {
            AuthorizationError::NotFound(Entity::Application, application_id.to_string()).into()
        })
}

/// A role named by id or by code (003-15/16, 004-7: "roleId/roleCode 必填一个").
#[derive(Debug, Clone, Default)]
pub struct RoleKey {
    pub role_id: Option<String>,
    pub role_code: Option<String>,
}

/// The application's role named by `key`: by id when it has one (a code given as well must be
/// that role's, spec §4.1.10), else by code.
pub async fn resolve_role(
    state: &AppState,
    tenant: &str,
    application_id: &str,
    key: &RoleKey,
) -> Result<RoleRow, AuthorizationRefused> {
    let found = match (&key.role_id, &key.role_code) {
        (Some(id), code) => {
            let role = projections::app_roles::get(state.pool(), tenant, application_id, id)
                .await?
                .ok_or_else(|| AuthorizationError::NotFound(Entity::Role, id.clone()))?;
            if code.as_ref().is_some_and(|c| c != &role.code) {
                return Err(AuthorizationError::Invalid("role_code", "not the role's").into());
            }
            role
        }
        (None, Some(code)) => {
            projections::role_bindings::role_by_code(state.pool(), tenant, application_id, code)
                .await?
                .ok_or_else(|| AuthorizationError::NotFound(Entity::Role, code.clone()))?
        }
        (None, None) => return Err(AuthorizationError::Invalid("role_id", "required").into()),
    };
    Ok(found)
}

/// Runs one decision on the application's stream. `facts` reads the outside facts and builds
/// the command with its guards; on a guard failure (a role, user or organisation removed
/// meanwhile) the facts are read again, so that the decision itself refuses.
async fn run<F, Fut>(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    mut facts: F,
) -> Result<(), AuthorizationRefused>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<
        Output = Result<(AppAuthorizationCommand, Vec<Arc<dyn Guard>>), AuthorizationRefused>,
    >,
{
    application(state, &ctx.tenant_id, application_id).await?;
    for _ in 0..3 {
        let (command, guards) = facts().await?;
        let result = state
            .bus
            .execute_guarded::<AppAuthorization, _>(ctx, application_id, guards, |a| {
                a.decide(command.clone(), &())
            })
            .await;
        match result {
            Ok(_) => return Ok(()),
            Err(BusError::GuardFailed(ROLES_OF_APPLICATION | USER_EXISTS | ORG_EXISTS)) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(ServiceError::Busy.into())
}

/// 003-2: adds a permission; its new id.
#[tracing::instrument(skip_all, fields(tenant = %ctx.tenant_id, application = %application_id))]
pub async fn add_permission(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    permission: NewPermission,
) -> Result<String, AuthorizationRefused> {
    let now = state.now();
    let permission_id = state.ids.entity_id(now);
    let command = AppAuthorizationCommand::AddPermission {
        application_id: application_id.to_string(),
        permission_id: permission_id.clone(),
        permission,
        now,
    };
    run(state, ctx, application_id, || {
        let command = command.clone();
        async move { Ok((command, Vec::new())) }
    })
    .await?;
    Ok(permission_id)
}

/// 003-3: changes a permission; absent fields keep their value.
#[tracing::instrument(skip_all, fields(tenant = %ctx.tenant_id, application = %application_id))]
pub async fn modify_permission(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    permission_id: &str,
    change: PermissionChange,
) -> Result<(), AuthorizationRefused> {
    let command = AppAuthorizationCommand::ModifyPermission {
        application_id: application_id.to_string(),
        permission_id: permission_id.to_string(),
        change,
        now: state.now(),
    };
    run(state, ctx, application_id, || {
        let command = command.clone();
        async move { Ok((command, Vec::new())) }
    })
    .await
}

/// 003-4: deletes a permission without children; the roles carrying it stop carrying it.
#[tracing::instrument(skip_all, fields(tenant = %ctx.tenant_id, application = %application_id))]
pub async fn delete_permission(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    permission_id: &str,
) -> Result<(), AuthorizationRefused> {
    let command = AppAuthorizationCommand::DeletePermission {
        application_id: application_id.to_string(),
        permission_id: permission_id.to_string(),
        now: state.now(),
    };
    run(state, ctx, application_id, || {
        let command = command.clone();
        async move { Ok((command, Vec::new())) }
    })
    .await
}

fn roles_guard(application_id: &str, role_ids: Vec<String>) -> Arc<dyn Guard> {
    Arc::new(RolesOfApplication {
        application_id: application_id.to_string(),
        role_ids,
    })
}

/// 003-11 (`bind`) / 003-12: binds or unbinds permissions to or from a role of the application;
/// every id must be a permission of the application, else nothing changes.
#[tracing::instrument(skip_all, fields(tenant = %ctx.tenant_id, application = %application_id))]
pub async fn bind_permissions(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    role_id: &str,
    permission_ids: Vec<String>,
    bind: bool,
) -> Result<(), AuthorizationRefused> {
    let tenant = &ctx.tenant_id;
    let permission_ids = &permission_ids;
    run(state, ctx, application_id, move || async move {
        let known = projections::role_bindings::roles_among(
            state.pool(),
            tenant,
            application_id,
            &[role_id.to_string()],
        )
        .await?;
        let command = AppAuthorizationCommand::BindPermissions {
            application_id: application_id.to_string(),
            role_id: role_id.to_string(),
            role_exists: !known.is_empty(),
            permission_ids: permission_ids.clone(),
            bind,
            now: state.now(),
        };
        Ok((command, vec![roles_guard(application_id, known)]))
    })
    .await
}

/// 003-13 (`bind`) / 003-14: binds or unbinds roles of the application to or from a user.
#[tracing::instrument(skip_all, fields(tenant = %ctx.tenant_id, application = %application_id))]
pub async fn bind_user_roles(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    user_id: &str,
    role_ids: Vec<String>,
    bind: bool,
) -> Result<(), AuthorizationRefused> {
    let tenant = &ctx.tenant_id;
    let role_ids = &role_ids;
    run(state, ctx, application_id, move || async move {
        let user = projections::users::get(state.pool(), tenant, user_id).await?;
        let known =
            projections::role_bindings::roles_among(state.pool(), tenant, application_id, role_ids)
                .await?;
        let mut guards = vec![roles_guard(application_id, known.clone())];
        if user.is_some() {
            guards.push(Arc::new(user_exists(user_id)));
        }
        let command = AppAuthorizationCommand::BindRoles {
            application_id: application_id.to_string(),
            user_id: user_id.to_string(),
            user_exists: user.is_some(),
            roles: role_ids
                .iter()
                .map(|id| (id.clone(), known.contains(id)))
                .collect(),
            bind,
            now: state.now(),
        };
        Ok((command, guards))
    })
    .await
}

/// 003-15 (`bind`) / 003-16: binds or unbinds a role to or from an organisation; with
/// `auth_sub`, also to or from every organisation below it now (a snapshot: one taken later is
/// not bound; ADR 0018).
#[tracing::instrument(skip_all, fields(tenant = %ctx.tenant_id, application = %application_id))]
pub async fn bind_org_role(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    role: RoleKey,
    org_id: &str,
    auth_sub: bool,
    bind: bool,
) -> Result<(), AuthorizationRefused> {
    let tenant = &ctx.tenant_id;
    application(state, tenant, application_id).await?;
    let role_id = resolve_role(state, tenant, application_id, &role)
        .await?
        .role_id;
    let role_id = &role_id;
    run(state, ctx, application_id, move || async move {
        let known = projections::role_bindings::roles_among(
            state.pool(),
            tenant,
            application_id,
            std::slice::from_ref(role_id),
        )
        .await?;
        let organizations = projections::role_bindings::subtree(state.pool(), tenant, org_id)
            .await?
            .unwrap_or_default();
        let mut guards = vec![roles_guard(application_id, known.clone())];
        if !organizations.is_empty() {
            guards.push(Arc::new(org_exists(org_id)));
        }
        let command = AppAuthorizationCommand::BindOrganization {
            application_id: application_id.to_string(),
            role_id: role_id.clone(),
            role_exists: !known.is_empty(),
            org_id: org_id.to_string(),
            organizations,
            auth_sub,
            bind,
            now: state.now(),
        };
        Ok((command, guards))
    })
    .await
}
