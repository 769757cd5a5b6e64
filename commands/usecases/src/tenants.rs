//! Tenants and their management applications: the bootstrap on first start and
//! `idaas tenant create`.

use crate::clock::{IdSource, RandomIds};
use crate::AppState;
use std::sync::Arc;

use domain::application::{is_client_id, is_client_secret, ApplicationError};
use domain::tenant::{normalise_domain, Tenant, TenantCommand, TenantError, DEFAULT_TENANT_ID};
use domain::Aggregate;
use projections::guards::{no_management_app, NO_MANAGEMENT_APP};
use store::store::Guard;
use store::{BusError, CommandBus, Context, Metadata};

use crate::applications::{self, NewApplication, Registered};
use crate::ServiceError;

/// A tenant's management credential, printed once.
pub type Credentials = Registered;

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

/// Operator-chosen credentials must be valid before anything is written.
fn check_fixed(fixed: &(Option<String>, Option<String>)) -> Result<(), ServiceError> {
    if fixed.0.as_deref().is_some_and(|id| !is_client_id(id)) {
        return Err(ApplicationError::InvalidClientId.into());
    }
    if fixed
        .1
        .as_deref()
        .is_some_and(|secret| !is_client_secret(secret))
    {
        return Err(ApplicationError::InvalidClientSecret.into());
    }
    Ok(())
}

async fn create_tenant(
    bus: &CommandBus,
    ctx: &Context,
    name: &str,
    domains: Vec<String>,
    now: i64,
) -> Result<(), ServiceError> {
    let create = TenantCommand::Create {
        tenant_id: ctx.tenant_id.clone(),
        name: name.to_string(),
        domains,
        now,
    };
    bus.execute::<Tenant, _>(ctx, &ctx.tenant_id, |t| t.decide(create.clone(), &()))
        .await?;
    Ok(())
}

/// Registers the tenant's management application (API product granted).
async fn register_management_app(
    bus: &CommandBus,
    ctx: &Context,
    fixed: (Option<String>, Option<String>),
    guards: Vec<Arc<dyn Guard>>,
    now: i64,
) -> Result<Credentials, BusError<ApplicationError>> {
    let app = NewApplication {
        name: "Management API".to_string(),
        api_product: true,
        client_id: fixed.0,
        client_secret: fixed.1,
        ..Default::default()
    };
    applications::register(bus, ctx, app, guards, now).await
}

/// Creates a tenant with a management application that holds the API product.
pub async fn create_with_management_app(
    bus: &CommandBus,
    name: &str,
    domains: Vec<String>,
    reserved: &[String],
    fixed: (Option<String>, Option<String>),
    surface: &str,
    now: i64,
) -> Result<Credentials, ServiceError> {
    check_fixed(&fixed)?;
    for domain in &domains {
        let Some(host) = normalise_domain(domain) else {
            return Err(TenantError::InvalidDomain(domain.clone()).into());
        };
        if reserved.contains(&host) {
            return Err(TenantError::ReservedDomain(host).into());
        }
    }
    let tenant_id = RandomIds.entity_id(now);
    let ctx = system_context(&tenant_id, surface);
    create_tenant(bus, &ctx, name, domains, now).await?;
    Ok(register_management_app(bus, &ctx, fixed, Vec::new(), now).await?)
}

/// Creates a tenant with its management application, at the application state's time (the admin
/// API).
pub async fn create(
    state: &AppState,
    name: &str,
    domains: Vec<String>,
    surface: &str,
) -> Result<Credentials, ServiceError> {
    create_with_management_app(
        &state.bus,
        name,
        domains,
        &crate::tenant_hosts::reserved_hosts(&state.config),
        (None, None),
        surface,
        state.now(),
    )
    .await
}

/// On a store without a default tenant, or whose default tenant has no management application
/// (an interrupted first start): creates what is missing and returns the new credential. Two
/// servers starting at once create one application: the registration is guarded.
pub async fn bootstrap(
    bus: &CommandBus,
    fixed: (Option<String>, Option<String>),
    now: i64,
) -> Result<Option<Credentials>, ServiceError> {
    let pool = &bus.store().database().pool;
    let tenant_exists = projections::tenants::get(pool, DEFAULT_TENANT_ID)
        .await?
        .is_some();
    if tenant_exists
        && projections::applications::has_management_app(pool, DEFAULT_TENANT_ID).await?
    {
        return Ok(None);
    }
    check_fixed(&fixed)?;
    let ctx = system_context(DEFAULT_TENANT_ID, "bootstrap");
    if !tenant_exists {
        match create_tenant(bus, &ctx, "Default", Vec::new(), now).await {
            Ok(()) | Err(ServiceError::Tenant(TenantError::AlreadyExists)) => {}
            Err(other) => return Err(other),
        }
    }
    let guards: Vec<Arc<dyn Guard>> = vec![Arc::new(no_management_app(DEFAULT_TENANT_ID))];
    match register_management_app(bus, &ctx, fixed, guards, now).await {
        Ok(credentials) => Ok(Some(credentials)),
        Err(BusError::GuardFailed(NO_MANAGEMENT_APP)) => Ok(None),
        Err(other) => Err(other.into()),
    }
}
