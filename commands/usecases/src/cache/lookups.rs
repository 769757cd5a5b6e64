//! The hot reads through the caches (DESIGN.md "Hot paths, caches and several nodes",
//! ops/adr/0028): a hit touches no database; a miss reads the projection and keeps the answer
//! unless an event made it stale meanwhile. What is not there (an unknown client id or token)
//! is never kept, so nothing a caller sends can fill a cache.

use std::sync::Arc;

use domain::tenant::TenantSettings;
use projections::applications::ApplicationRow;
use projections::oauth::TokenRow;

use super::{key, Group};
use crate::state::AppState;

/// The application `application_id` of the tenant.
pub async fn application(
    state: &AppState,
    tenant: &str,
    application_id: &str,
) -> anyhow::Result<Option<ApplicationRow>> {
    let caches = &state.caches;
    let key = key(tenant, application_id);
    if let Some(app) = caches.applications.get(&key, state.now()) {
        return Ok(Some(ApplicationRow::clone(&app)));
    }
    let ticket = caches.applications.ticket();
    let app = projections::applications::get(state.pool(), tenant, application_id).await?;
    if let Some(app) = &app {
        let group = Group::of(tenant, application_id);
        let row = Arc::new(app.clone());
        caches.applications.fill(ticket, key, group, row, None);
    }
    Ok(app)
}

/// The application whose OAuth client id (or OneAccess client id) this is, in the tenant.
pub async fn application_by_client_id(
    state: &AppState,
    tenant: &str,
    client_id: &str,
) -> anyhow::Result<Option<ApplicationRow>> {
    let caches = &state.caches;
    let now = state.now();
    let client = key(tenant, client_id);
    let known = caches.client_ids.get(&client, now);
    let cached = known.and_then(|id| caches.applications.get(&key(tenant, &id), now));
    if let Some(app) = cached.filter(|app| app.client_id == client_id) {
        return Ok(Some(ApplicationRow::clone(&app)));
    }
    let ticket = caches.applications.ticket();
    let client_ticket = caches.client_ids.ticket();
    let app = projections::applications::by_client_id(state.pool(), tenant, client_id).await?;
    if let Some(app) = &app {
        let id = &app.application_id;
        let group = Group::of(tenant, id);
        let row = Arc::new(app.clone());
        caches
            .applications
            .fill(ticket, key(tenant, id), group, row, None);
        caches
            .client_ids
            .fill(client_ticket, client, group, id.clone(), None);
    }
    Ok(app)
}

/// The OAuth access token `jti` of the tenant as recorded (revoked or not; the caller decides).
pub async fn access_token(
    state: &AppState,
    tenant: &str,
    jti: &str,
) -> anyhow::Result<Option<TokenRow>> {
    let caches = &state.caches;
    let key = key(tenant, jti);
    if let Some(row) = caches.access_tokens.get(&key, state.now()) {
        return Ok(Some(TokenRow::clone(&row)));
    }
    let ticket = caches.access_tokens.ticket();
    let row = projections::oauth::token(state.pool(), tenant, jti).await?;
    if let Some(row) = &row {
        let group = Group::of(tenant, &row.grant_id);
        let until = Some(row.expires_at);
        let kept = Arc::new(row.clone());
        caches.access_tokens.fill(ticket, key, group, kept, until);
    }
    Ok(row)
}

/// The application a management token (by keyed hash) of the tenant was issued to, while the
/// token has not expired; whether the application may still use it is the caller's to check.
pub async fn management_token(
    state: &AppState,
    tenant: &str,
    token_hash: &str,
) -> anyhow::Result<Option<String>> {
    let caches = &state.caches;
    let now = state.now();
    let key = key(tenant, token_hash);
    if let Some(application_id) = caches.management_tokens.get(&key, now) {
        return Ok(Some(application_id));
    }
    let ticket = caches.management_tokens.ticket();
    let found = projections::applications::management_token(state.pool(), tenant, token_hash);
    let Some((application_id, expires_at)) = found.await?.filter(|(_, at)| *at > now) else {
        return Ok(None);
    };
    let group = Group::of(tenant, &application_id);
    let tokens = &caches.management_tokens;
    tokens.fill(ticket, key, group, application_id.clone(), Some(expires_at));
    Ok(Some(application_id))
}

/// The tenant's settings (the defaults for a tenant not recorded).
pub async fn settings(state: &AppState, tenant: &str) -> anyhow::Result<TenantSettings> {
    let caches = &state.caches;
    let key = tenant.to_string();
    if let Some(settings) = caches.settings.get(&key, state.now()) {
        return Ok(TenantSettings::clone(&settings));
    }
    let ticket = caches.settings.ticket();
    let row = projections::tenants::get(state.pool(), tenant).await?;
    let Some(row) = row else {
        return Ok(TenantSettings::default());
    };
    let group = Group::of(tenant, tenant);
    let kept = Arc::new(row.settings.clone());
    caches.settings.fill(ticket, key, group, kept, None);
    Ok(row.settings)
}
