//! Host name → tenant (DESIGN.md "Surfaces" and "Who may do what"): the tenant that claimed the
//! host name, or the default tenant. The default tenant's public host is reserved: it resolves
//! to the default tenant whatever a store says, and no tenant may claim it. Lookups are kept in
//! memory until a tenant's host names change, here or on another node (the change feed,
//! DESIGN.md "Hot paths, caches and several nodes", ops/adr/0028).

use std::sync::Arc;

use domain::tenant::{normalise_domain, Tenant, TenantCommand, DEFAULT_TENANT_ID};
use domain::Aggregate;
use store::{Change, ChangeFeed, ChangeSubscriber, CommandBus, Context};

use crate::cache::{Bounded, Group};
use crate::config::Config;
use crate::state::AppState;
use crate::ServiceError;

/// The tenant events that give or take a host name (`proj_tenant_domains`).
const HOST_EVENTS: [&str; 3] = [
    "tenant.created",
    "tenant.domain_added",
    "tenant.domain_removed",
];

pub struct TenantResolver {
    known: Bounded<String, String>,
}

impl TenantResolver {
    /// A resolver keeping at most `entries` host names while `feed` is current. Subscribe it to
    /// `feed`.
    pub fn new(entries: usize, feed: &Arc<ChangeFeed>) -> Self {
        Self {
            known: Bounded::new("tenant_host", entries, feed.clone()),
        }
    }
}

impl ChangeSubscriber for TenantResolver {
    fn changed(&self, changes: &[Change]) {
        // A host name that moves may have resolved to the default tenant before: host events
        // are rare, and each forgets every host.
        let moved = changes.iter().any(|c| {
            c.stream_type == Tenant::STREAM_TYPE && HOST_EVENTS.contains(&c.event_type.as_str())
        });
        if moved {
            self.known.clear();
        }
    }

    fn reset(&self) {
        self.known.clear();
    }
}

/// The host names no tenant may claim: the host of the default tenant's public URL.
pub fn reserved_hosts(config: &Config) -> Vec<String> {
    config
        .public_url
        .as_deref()
        .and_then(|url| url.split_once("://"))
        .and_then(|(_, authority)| normalise_domain(authority))
        .into_iter()
        .collect()
}

impl TenantResolver {
    /// The tenant that claimed this host name (a `Host` header value), or the default tenant.
    pub async fn resolve(&self, state: &AppState, host: Option<&str>) -> anyhow::Result<String> {
        let Some(host) = host.and_then(normalise_domain) else {
            return Ok(DEFAULT_TENANT_ID.to_string());
        };
        if reserved_hosts(&state.config).contains(&host) {
            return Ok(DEFAULT_TENANT_ID.to_string());
        }
        if let Some(tenant) = self.known.get(&host, state.now()) {
            return Ok(tenant);
        }
        let ticket = self.known.ticket();
        let tenant = projections::tenants::by_domain(state.pool(), &host)
            .await?
            .unwrap_or_else(|| DEFAULT_TENANT_ID.to_string());
        let group = Group::of("", &host);
        self.known.fill(ticket, host, group, tenant.clone(), None);
        Ok(tenant)
    }
}

/// A tenant's host names, in order.
pub async fn domains(
    bus: &CommandBus,
    tenant_id: &str,
) -> Result<Option<Vec<String>>, ServiceError> {
    let (tenant, _) = bus.load::<Tenant>(tenant_id, tenant_id).await?;
    Ok(tenant.id.map(|_| tenant.domains))
}

/// Claims another host name for the context's tenant (409 when another tenant holds it or it is
/// reserved).
pub async fn add_domain(
    bus: &CommandBus,
    ctx: &Context,
    domain: &str,
    reserved: &[String],
) -> Result<(), ServiceError> {
    if let Some(host) = normalise_domain(domain).filter(|h| reserved.contains(h)) {
        return Err(domain::tenant::TenantError::ReservedDomain(host).into());
    }
    let command = TenantCommand::AddDomain(domain.to_string());
    bus.execute::<Tenant, _>(ctx, &ctx.tenant_id, |t| t.decide(command.clone(), &()))
        .await?;
    Ok(())
}

/// Gives up one of the context tenant's host names.
pub async fn remove_domain(
    bus: &CommandBus,
    ctx: &Context,
    domain: &str,
) -> Result<(), ServiceError> {
    let command = TenantCommand::RemoveDomain(domain.to_string());
    bus.execute::<Tenant, _>(ctx, &ctx.tenant_id, |t| t.decide(command.clone(), &()))
        .await?;
    Ok(())
}
