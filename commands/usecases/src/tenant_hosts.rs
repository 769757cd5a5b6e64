//! Host name → tenant (DESIGN.md "Surfaces" and "Who may do what"): the tenant that claimed the
//! host name, or the default tenant. The default tenant's public host is reserved: it resolves
//! to the default tenant whatever a store says, and no tenant may claim it. Lookups are
//! remembered for a minute, and forgotten at once on this node when a host name is given up.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use domain::tenant::{normalise_domain, Tenant, TenantCommand, DEFAULT_TENANT_ID};
use domain::Aggregate;
use store::{CommandBus, Context};

use crate::config::Config;
use crate::state::AppState;
use crate::ServiceError;

/// How long a lookup is remembered (another node's removal is seen within it).
const REMEMBERED: Duration = Duration::from_secs(60);

#[derive(Default)]
pub struct TenantResolver {
    known: RwLock<HashMap<String, (String, Instant)>>,
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
        let remembered = self.known.read().ok().and_then(|k| k.get(&host).cloned());
        if let Some((tenant, _)) = remembered.filter(|(_, at)| at.elapsed() < REMEMBERED) {
            metrics::counter!("idaas_cache_lookups_total", "cache" => "tenant_host", "result" => "hit").increment(1);
            return Ok(tenant);
        }
        metrics::counter!("idaas_cache_lookups_total", "cache" => "tenant_host", "result" => "miss").increment(1);
        let tenant = projections::tenants::by_domain(state.pool(), &host)
            .await?
            .unwrap_or_else(|| DEFAULT_TENANT_ID.to_string());
        if let Ok(mut known) = self.known.write() {
            if known.len() > 10_000 {
                known.clear();
            }
            known.insert(host, (tenant.clone(), Instant::now()));
        }
        Ok(tenant)
    }

    /// Forgets what this node remembers of a host name.
    pub fn forget(&self, host: &str) {
        if let Ok(mut known) = self.known.write() {
            known.remove(host);
        }
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
