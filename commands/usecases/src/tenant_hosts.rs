//! Host name → tenant (DESIGN.md "Surfaces": the tenant comes from the request), remembered once
//! found: a claimed host name never moves.

use std::collections::HashMap;
use std::sync::RwLock;

use domain::tenant::{normalise_domain, DEFAULT_TENANT_ID};

use crate::state::AppState;

#[derive(Default)]
pub struct TenantResolver {
    known: RwLock<HashMap<String, String>>,
}

impl TenantResolver {
    /// The tenant that claimed this host name (a `Host` header value), or the default tenant.
    pub async fn resolve(&self, state: &AppState, host: Option<&str>) -> anyhow::Result<String> {
        let Some(host) = host.and_then(normalise_domain) else {
            return Ok(DEFAULT_TENANT_ID.to_string());
        };
        if let Some(tenant) = self.known.read().ok().and_then(|k| k.get(&host).cloned()) {
            return Ok(tenant);
        }
        match projections::tenants::by_domain(state.pool(), &host).await? {
            Some(tenant) => {
                if let Ok(mut known) = self.known.write() {
                    known.insert(host, tenant.clone());
                }
                Ok(tenant)
            }
            None => Ok(DEFAULT_TENANT_ID.to_string()),
        }
    }
}
