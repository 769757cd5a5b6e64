//! Registering applications: the bootstrap's management application, `idaas app create`, and
//! (later) the admin API.

use std::sync::Arc;

use commands::services::{entity_id, now_millis, random_base62};
use commands::store::Guard;
use commands::{BusError, CommandBus, Context};
use domain::application::{Application, ApplicationCommand, ApplicationError, ProtocolSettings};
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
) -> Result<Registered, BusError<ApplicationError>> {
    let now = now_millis();
    let client_id = app.client_id.unwrap_or_else(|| random_base62(32));
    let client_secret = app.client_secret.unwrap_or_else(|| random_base62(32));
    let application_id = entity_id(now);
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
