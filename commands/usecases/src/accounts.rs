//! Application accounts (specs/oneaccess.md §2.2 #12–#13, §2.5 #24–#30): the application and the
//! user are read from projections, the decision is the account aggregate's, and guards re-check
//! that the user still exists and the application is still enabled when the events are written.

use std::sync::Arc;

use domain::app_account::{AccountChange, AppAccount, AppAccountCommand, AppAccountError};
use domain::app_organization::AppOrganizationError;
use domain::application::ApplicationError;
use domain::user::UserError;
use domain::Aggregate;
use projections::app_accounts::AccountRow;
use projections::applications::ApplicationRow;
use projections::guards::{
    app_org_exists, application_enabled, user_exists, APPLICATION_ENABLED, APP_ORG_EXISTS,
    USER_EXISTS,
};
use serde_json::{Map, Value};
use store::store::Guard;
use store::{BusError, Context};

use crate::state::AppState;
use crate::Lifecycle;
use crate::ServiceError;

/// An account request in dialect-neutral form; empty strings count as absent.
#[derive(Debug, Clone, Default)]
pub struct AccountRequest {
    pub user_id: Option<String>,
    pub account_name: Option<String>,
    pub name: Option<String>,
    pub org_code: Option<String>,
    pub password: Option<String>,
    pub disabled: Option<bool>,
    pub extension: Option<Map<String, Value>>,
}

fn present(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The application, or APP.0002 (blank id) / APP.0001 (unknown).
pub async fn application(
    state: &AppState,
    tenant: &str,
    application_id: &str,
) -> Result<ApplicationRow, ServiceError> {
    if application_id.trim().is_empty() {
        return Err(ApplicationError::IdRequired.into());
    }
    projections::applications::get(state.pool(), tenant, application_id)
        .await?
        .ok_or_else(|| ApplicationError::NotFound.into())
}

/// The account, if it belongs to the application (else APP_ACCOUNT.0001).
pub async fn account_of(
    state: &AppState,
    tenant: &str,
    application_id: &str,
    account_id: &str,
) -> Result<AccountRow, ServiceError> {
    application(state, tenant, application_id).await?;
    projections::app_accounts::get(state.pool(), tenant, account_id)
        .await?
        .filter(|a| a.application_id == application_id)
        .ok_or_else(|| AppAccountError::NotFound.into())
}

/// The application organisation named by its code (APP_ORG.0002 with the feature off,
/// APP_ORG.0001 when the application has no organisation with that code).
async fn resolve_org(
    state: &AppState,
    tenant: &str,
    app: &ApplicationRow,
    org_code: Option<String>,
) -> Result<Option<String>, ServiceError> {
    let Some(code) = present(org_code) else {
        return Ok(None);
    };
    if !app.app_orgs {
        return Err(ServiceError::AppOrgsDisabled);
    }
    projections::app_orgs::by_code(state.pool(), tenant, &app.application_id, &code)
        .await?
        .map(|o| Some(o.org_id))
        .ok_or_else(|| AppOrganizationError::NotFound.into())
}

/// The account's organisation, if any, must still exist when the events are written.
fn org_guard(org_id: &Option<String>) -> Option<Arc<dyn Guard>> {
    org_id
        .clone()
        .map(|id| Arc::new(app_org_exists(id)) as Arc<dyn Guard>)
}

fn guard_error(error: BusError<AppAccountError>) -> ServiceError {
    match error {
        BusError::GuardFailed(USER_EXISTS) => UserError::NotFound.into(),
        BusError::GuardFailed(APPLICATION_ENABLED) => ApplicationError::Disabled.into(),
        BusError::GuardFailed(APP_ORG_EXISTS) => AppOrganizationError::NotFound.into(),
        other => other.into(),
    }
}

/// Creates a basic account for a user (#24, and #12 with only a name).
pub async fn create(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    request: AccountRequest,
) -> Result<String, ServiceError> {
    let tenant = &ctx.tenant_id;
    let app = application(state, tenant, application_id).await?;
    if !app.enabled {
        return Err(ApplicationError::Disabled.into());
    }
    let user_id = present(request.user_id).ok_or(ServiceError::UserIdRequired)?;
    let user = projections::users::get(state.pool(), tenant, &user_id)
        .await?
        .ok_or(UserError::NotFound)?;
    let change = AccountChange {
        account_name: Some(present(request.account_name).unwrap_or(user.profile.username.clone())),
        name: Some(present(request.name).unwrap_or(user.profile.display_name.clone())),
        org_id: resolve_org(state, tenant, &app, request.org_code).await?,
        password: present(request.password),
        disabled: request.disabled,
        extension: request.extension,
        defined_extensions: app.account_extensions.clone(),
    };
    let now = state.now();
    let account_id = state.ids.entity_id(now);
    let change_org = change.org_id.clone();
    let command = AppAccountCommand::Create {
        account_id: account_id.clone(),
        application_id: application_id.to_string(),
        user_id: user_id.clone(),
        change,
        now,
    };
    let mut guards: Vec<Arc<dyn Guard>> = vec![
        Arc::new(user_exists(user_id)),
        Arc::new(application_enabled(application_id.to_string())),
    ];
    guards.extend(org_guard(&change_org));
    let hasher = state.hasher.clone();
    state
        .bus
        .execute_guarded::<AppAccount, _>(ctx, &account_id, guards, |a| {
            a.decide(command.clone(), hasher.as_ref())
        })
        .await
        .map_err(guard_error)?;
    Ok(account_id)
}

/// Updates an account (#25); the linked user cannot change.
pub async fn update(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    account_id: &str,
    request: AccountRequest,
) -> Result<(), ServiceError> {
    let app = application(state, &ctx.tenant_id, application_id).await?;
    account_of(state, &ctx.tenant_id, application_id, account_id).await?;
    let change = AccountChange {
        account_name: request.account_name,
        name: request.name,
        org_id: resolve_org(state, &ctx.tenant_id, &app, request.org_code).await?,
        password: present(request.password),
        disabled: request.disabled,
        extension: request.extension,
        defined_extensions: app.account_extensions.clone(),
    };
    let guards: Vec<Arc<dyn Guard>> = org_guard(&change.org_id).into_iter().collect();
    let command = AppAccountCommand::Update {
        change,
        now: state.now(),
    };
    let hasher = state.hasher.clone();
    state
        .bus
        .execute_guarded::<AppAccount, _>(ctx, account_id, guards, |a| {
            a.decide(command.clone(), hasher.as_ref())
        })
        .await
        .map_err(guard_error)?;
    Ok(())
}

/// Enables, disables or deletes an account of the application (#26, #29, #30).
pub async fn act(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    account_id: &str,
    change: Lifecycle,
) -> Result<(), ServiceError> {
    account_of(state, &ctx.tenant_id, application_id, account_id).await?;
    let now = state.now();
    let command = match change {
        Lifecycle::Enable => AppAccountCommand::Enable { now },
        Lifecycle::Disable => AppAccountCommand::Disable { now },
        Lifecycle::Delete => AppAccountCommand::Delete { now },
    };
    run(state, ctx, account_id, command).await
}

async fn run(
    state: &AppState,
    ctx: &Context,
    account_id: &str,
    command: AppAccountCommand,
) -> Result<(), ServiceError> {
    let hasher = state.hasher.clone();
    state
        .bus
        .execute::<AppAccount, _>(ctx, account_id, |a| {
            a.decide(command.clone(), hasher.as_ref())
        })
        .await?;
    Ok(())
}
