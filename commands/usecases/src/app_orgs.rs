//! Application organisations (specs/oneaccess.md §2.4 #19–#23): only for applications with the
//! feature switched on (APP_ORG.0002); parents and emptiness re-checked by guards.

use std::sync::Arc;

use domain::app_organization::{AppOrganization, AppOrganizationCommand, AppOrganizationError};
use domain::organization::ParentFacts;
use domain::Aggregate;
use projections::applications::ApplicationRow;
use projections::guards::{
    app_org_exists, app_org_is_empty, app_org_not_under_itself, APP_ORG_EXISTS, APP_ORG_IS_EMPTY,
    APP_ORG_NOT_UNDER_ITSELF,
};
use store::store::Guard;
use store::{BusError, Context};

use crate::state::AppState;
use crate::{accounts, ServiceError};

pub struct AppOrgChange {
    pub org_code: Option<String>,
    pub name: Option<String>,
    pub parent_id: Option<String>,
}

/// The application, if it has application organisations switched on.
pub async fn application(
    state: &AppState,
    tenant: &str,
    application_id: &str,
) -> Result<ApplicationRow, ServiceError> {
    let app = accounts::application(state, tenant, application_id).await?;
    if !app.app_orgs {
        return Err(ServiceError::AppOrgsDisabled);
    }
    Ok(app)
}

async fn parent_facts(
    state: &AppState,
    tenant: &str,
    application_id: &str,
    parent_id: Option<String>,
) -> anyhow::Result<Option<ParentFacts>> {
    let Some(id) = parent_id
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
    else {
        return Ok(None);
    };
    let parent = projections::app_orgs::get(state.pool(), tenant, application_id, &id).await?;
    Ok(Some(ParentFacts {
        exists: parent.is_some(),
        ancestors: parent.map(|p| p.ancestors()).unwrap_or_default(),
        id,
    }))
}

fn parent_guards(org_id: &str, parent: &Option<ParentFacts>) -> Vec<Arc<dyn Guard>> {
    match parent {
        Some(p) => vec![
            Arc::new(app_org_exists(p.id.clone())),
            Arc::new(app_org_not_under_itself(org_id.to_string(), p.id.clone())),
        ],
        None => Vec::new(),
    }
}

fn tree_error(error: BusError<AppOrganizationError>) -> ServiceError {
    match error {
        BusError::GuardFailed(APP_ORG_EXISTS) => AppOrganizationError::ParentNotFound.into(),
        BusError::GuardFailed(APP_ORG_NOT_UNDER_ITSELF) => {
            AppOrganizationError::ParentIsSelf.into()
        }
        BusError::GuardFailed(APP_ORG_IS_EMPTY) => AppOrganizationError::CannotDelete.into(),
        other => other.into(),
    }
}

async fn run(
    state: &AppState,
    ctx: &Context,
    org_id: &str,
    guards: Vec<Arc<dyn Guard>>,
    command: AppOrganizationCommand,
) -> Result<(), ServiceError> {
    state
        .bus
        .execute_guarded::<AppOrganization, _>(ctx, org_id, guards, |o| {
            o.decide(command.clone(), &())
        })
        .await
        .map_err(tree_error)?;
    Ok(())
}

pub async fn create(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    change: AppOrgChange,
) -> Result<String, ServiceError> {
    let tenant = &ctx.tenant_id;
    application(state, tenant, application_id).await?;
    let parent = parent_facts(state, tenant, application_id, change.parent_id).await?;
    let now = state.now();
    let org_id = state.ids.entity_id(now);
    let guards = parent_guards(&org_id, &parent);
    let command = AppOrganizationCommand::Create {
        org_id: org_id.clone(),
        application_id: application_id.to_string(),
        code: change.org_code.unwrap_or_default(),
        name: change.name.unwrap_or_default(),
        parent,
        now,
    };
    run(state, ctx, &org_id, guards, command).await?;
    Ok(org_id)
}

/// The organisation, if it belongs to the application (else APP_ORG.0001).
async fn own(
    state: &AppState,
    tenant: &str,
    application_id: &str,
    org_id: &str,
) -> Result<(), ServiceError> {
    application(state, tenant, application_id).await?;
    projections::app_orgs::get(state.pool(), tenant, application_id, org_id)
        .await?
        .map(|_| ())
        .ok_or_else(|| AppOrganizationError::NotFound.into())
}

pub async fn update(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    org_id: &str,
    change: AppOrgChange,
) -> Result<(), ServiceError> {
    let tenant = &ctx.tenant_id;
    own(state, tenant, application_id, org_id).await?;
    let parent = parent_facts(state, tenant, application_id, change.parent_id).await?;
    let guards = parent_guards(org_id, &parent);
    let command = AppOrganizationCommand::Update {
        name: change.name,
        parent,
        now: state.now(),
    };
    run(state, ctx, org_id, guards, command).await
}

pub async fn delete(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    org_id: &str,
) -> Result<(), ServiceError> {
    let tenant = &ctx.tenant_id;
    own(state, tenant, application_id, org_id).await?;
    let pool = state.pool();
    let command = AppOrganizationCommand::Delete {
        has_children: projections::app_orgs::has_children(pool, tenant, org_id).await?,
        has_accounts: projections::app_orgs::has_accounts(pool, tenant, org_id).await?,
        now: state.now(),
    };
    let guards: Vec<Arc<dyn Guard>> = app_org_is_empty(org_id)
        .into_iter()
        .map(|g| Arc::new(g) as Arc<dyn Guard>)
        .collect();
    run(state, ctx, org_id, guards, command).await
}
