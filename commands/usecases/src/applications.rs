//! Registering and changing applications: the bootstrap's management application, `idaas app
//! create`, and the admin API.

use crate::clock::{IdSource, RandomIds};
use std::sync::Arc;

use domain::application::{
    Application, ApplicationCommand, ApplicationError, Configuration, ProtocolSettings,
};
use projections::guards::{
    application_has_no_accounts, other_management_app, APPLICATION_HAS_NO_ACCOUNTS,
    OTHER_MANAGEMENT_APP,
};
use store::store::Guard;
use store::{BusError, CommandBus, Context};

use crate::{AppState, ServiceError};
use domain::Aggregate;
use serde::Serialize;

/// What a new application is.
#[derive(Debug, Clone, Default)]
pub struct NewApplication {
    pub name: String,
    pub api_product: bool,
    pub app_orgs: bool,
    pub app_roles: bool,
    pub protocols: ProtocolSettings,
    /// The account model's extension attributes.
    pub account_extensions: Vec<String>,
    /// Operator-chosen credentials (checked by the caller); random when absent.
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub details: domain::application::AppDetails,
    /// Registered disabled (Inspur `appStatus` 0); enabled by default.
    pub disabled: bool,
}

/// A new application's credential, shown once.
#[derive(Debug, Clone, Serialize)]
pub struct Registered {
    pub tenant_id: String,
    pub application_id: String,
    pub client_id: String,
    pub client_secret: String,
}

pub async fn register(
    bus: &CommandBus,
    ctx: &Context,
    app: NewApplication,
    guards: Vec<Arc<dyn Guard>>,
    now: i64,
) -> Result<Registered, BusError<ApplicationError>> {
    let client_id = app.client_id.unwrap_or_else(|| RandomIds.base62(32));
    let client_secret = app.client_secret.unwrap_or_else(|| RandomIds.base62(32));
    let application_id = RandomIds.entity_id(now);
    let register = ApplicationCommand::Register {
        application_id: application_id.clone(),
        name: app.name,
        client_id: client_id.clone(),
        client_secret_hash: bus.store().keys().secret_hash(&client_secret),
        api_product: app.api_product,
        app_orgs: app.app_orgs,
        app_roles: app.app_roles,
        protocols: app.protocols,
        account_extensions: app.account_extensions,
        details: app.details,
        enabled: !app.disabled,
        now,
    };
    bus.execute_guarded::<Application, _>(ctx, &application_id, guards, |a| {
        a.decide(register.clone(), &())
    })
    .await?;
    Ok(Registered {
        tenant_id: ctx.tenant_id.clone(),
        application_id,
        client_id,
        client_secret,
    })
}

/// Registers an application at the application state's time (the admin API).
pub async fn register_now(
    state: &AppState,
    ctx: &Context,
    app: NewApplication,
) -> Result<Registered, ServiceError> {
    Ok(register(&state.bus, ctx, app, Vec::new(), state.now()).await?)
}

/// A change an administrator makes to an existing application.
#[derive(Debug, Clone)]
pub enum ApplicationChange {
    Configure(Box<Configuration>),
    Enable,
    Disable,
    /// A new client secret; the old one stops working at once.
    RotateSecret,
    /// Only an application without accounts can go; its client id is free again.
    Delete,
}

/// Why a change was refused beyond the application's own rules.
#[derive(Debug, thiserror::Error)]
pub enum ChangeRefused {
    #[error("the tenant's last management application cannot be disabled, deleted or lose the API product")]
    LastManagementApplication,
    #[error("an application with accounts cannot be deleted")]
    HasAccounts,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// Applies `change` to an application of the caller's tenant. A change that would leave the tenant
/// without a management application, or delete an application with accounts, is refused (both
/// re-checked in the append transaction). Returns the new client secret of a rotation.
pub async fn change(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    change: ApplicationChange,
) -> Result<Option<String>, ChangeRefused> {
    let app = projections::applications::get(state.pool(), &ctx.tenant_id, application_id)
        .await
        .map_err(ServiceError::from)?
        .ok_or(ServiceError::Application(ApplicationError::NotFound))?;
    let now = state.now();
    let mut secret = None;
    let command = match change {
        ApplicationChange::Configure(change) => ApplicationCommand::Configure {
            change: *change,
            now,
        },
        ApplicationChange::Enable => ApplicationCommand::Enable { now },
        ApplicationChange::Disable => ApplicationCommand::Disable { now },
        ApplicationChange::RotateSecret => {
            let new = state.ids.base62(32);
            let client_secret_hash = state.keys().secret_hash(&new);
            secret = Some(new);
            ApplicationCommand::RotateSecret {
                client_secret_hash,
                now,
            }
        }
        ApplicationChange::Delete => {
            let has_accounts = projections::app_accounts::application_has_accounts(
                state.pool(),
                &ctx.tenant_id,
                application_id,
            )
            .await
            .map_err(ServiceError::from)?;
            ApplicationCommand::Delete { has_accounts, now }
        }
    };
    let stops_managing = match &command {
        ApplicationCommand::Disable { .. } | ApplicationCommand::Delete { .. } => true,
        ApplicationCommand::Configure { change, .. } => {
            change.api_product == Some(false) || change.enabled == Some(false)
        }
        _ => false,
    };
    let mut guards: Vec<Arc<dyn Guard>> = Vec::new();
    if stops_managing && app.enabled && app.api_product {
        guards.push(Arc::new(other_management_app(application_id)));
    }
    if matches!(command, ApplicationCommand::Delete { .. }) {
        guards.push(Arc::new(application_has_no_accounts(application_id)));
    }
    state
        .bus
        .execute_guarded::<Application, _>(ctx, application_id, guards, |a| {
            a.decide(command.clone(), &())
        })
        .await
        .map_err(|e| match e {
            BusError::GuardFailed(OTHER_MANAGEMENT_APP) => ChangeRefused::LastManagementApplication,
            BusError::GuardFailed(APPLICATION_HAS_NO_ACCOUNTS) => ChangeRefused::HasAccounts,
            other => ChangeRefused::Service(other.into()),
        })?;
    Ok(secret)
}
