//! Tenants and their management applications: the bootstrap on first start and
//! `idaas tenant create`.

use commands::services::{entity_id, now_millis, random_base62};
use commands::{CommandBus, Context, Metadata};
use domain::application::{Application, ApplicationCommand};
use domain::tenant::{Tenant, TenantCommand, DEFAULT_TENANT_ID};
use domain::Aggregate;
use serde::Serialize;

use super::ServiceError;

/// A tenant's management credential, printed once.
#[derive(Debug, Clone, Serialize)]
pub struct Credentials {
    pub tenant_id: String,
    pub application_id: String,
    pub client_id: String,
    pub client_secret: String,
}

fn system_context(tenant_id: &str, surface: &str) -> Context {
    Context {
        tenant_id: tenant_id.to_string(),
        metadata: Metadata {
            actor_kind: Some("system".into()),
            actor_id: Some(surface.into()),
            surface: Some(surface.into()),
            ..Default::default()
        },
    }
}

/// Creates a tenant with a management application that holds the API product.
pub async fn create_with_management_app(
    bus: &CommandBus,
    tenant_id: &str,
    name: &str,
    domains: Vec<String>,
    fixed: (Option<String>, Option<String>),
    surface: &str,
) -> Result<Credentials, ServiceError> {
    let ctx = system_context(tenant_id, surface);
    let now = now_millis();
    let create = TenantCommand::Create {
        tenant_id: tenant_id.to_string(),
        name: name.to_string(),
        domains,
        now,
    };
    bus.execute::<Tenant, _>(&ctx, tenant_id, |t| t.decide(create.clone(), &()))
        .await?;
    let client_id = fixed.0.unwrap_or_else(|| random_base62(32));
    let client_secret = fixed.1.unwrap_or_else(|| random_base62(32));
    let application_id = entity_id(now);
    let register = ApplicationCommand::Register {
        application_id: application_id.clone(),
        name: "Management API".to_string(),
        client_id: client_id.clone(),
        client_secret_hash: bus.store().keys().secret_hash(&client_secret),
        api_product: true,
        now,
    };
    bus.execute::<Application, _>(&ctx, &application_id, |a| a.decide(register.clone(), &()))
        .await?;
    Ok(Credentials {
        tenant_id: tenant_id.to_string(),
        application_id,
        client_id,
        client_secret,
    })
}

/// On first start with an empty store: the default tenant and its management application.
pub async fn bootstrap(
    bus: &CommandBus,
    fixed: (Option<String>, Option<String>),
) -> Result<Option<Credentials>, ServiceError> {
    if projections::tenants::count(&bus.store().database().pool).await? > 0 {
        return Ok(None);
    }
    create_with_management_app(
        bus,
        DEFAULT_TENANT_ID,
        "Default",
        Vec::new(),
        fixed,
        "bootstrap",
    )
    .await
    .map(Some)
}
