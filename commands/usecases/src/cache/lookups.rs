//! The hot reads through the caches (DESIGN.md "Hot paths, caches and several nodes",
//! ops/adr/0028): a hit touches no database; a miss reads the projection and keeps the answer
//! unless an event made it stale meanwhile. What is not there (an unknown client id or token)
//! is never kept, so nothing a caller sends can fill a cache.

use std::sync::Arc;

use domain::tenant::TenantSettings;
use projections::applications::ApplicationRow;
use projections::oauth::TokenRow;
use projections::sessions::SessionRow;
use projections::users::UserRow;

use super::{key, reach_group, Bounded, Group, Key, Ticket};
use crate::state::AppState;

/// What `cache` keeps under `key`, or else what `read` finds, kept where `file` says (its group
/// and until when) unless an event made it stale while it was read.
async fn through<V: Clone>(
    state: &AppState,
    cache: &Bounded<Key, Arc<V>>,
    key: Key,
    read: impl std::future::Future<Output = anyhow::Result<Option<V>>>,
    file: impl FnOnce(&V) -> (Group, Option<i64>),
) -> anyhow::Result<Option<V>> {
    if let Some(kept) = cache.get(&key, state.now()) {
        return Ok(Some(V::clone(&kept)));
    }
    // Taken before the read begins (`read` runs only when awaited).
    let ticket = cache.ticket();
    let found = read.await?;
    if let Some(found) = &found {
        let (group, until) = file(found);
        cache.fill(ticket, key, group, Arc::new(found.clone()), until);
    }
    Ok(found)
}

/// The application `application_id` of the tenant.
pub async fn application(
    state: &AppState,
    tenant: &str,
    application_id: &str,
) -> anyhow::Result<Option<ApplicationRow>> {
    let read = projections::applications::get(state.pool(), tenant, application_id);
    let cache = &state.caches.applications;
    through(state, cache, key(tenant, application_id), read, |_| {
        (Group::of(tenant, application_id), None)
    })
    .await
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
    let read = projections::oauth::token(state.pool(), tenant, jti);
    let cache = &state.caches.access_tokens;
    through(state, cache, key(tenant, jti), read, |row| {
        (Group::of(tenant, &row.grant_id), Some(row.expires_at))
    })
    .await
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

/// The user `user_id` of the tenant, with their organisation relations (enabled or not, the
/// caller decides). A user's row changes only by their own events, which drop it.
pub async fn user(
    state: &AppState,
    tenant: &str,
    user_id: &str,
) -> anyhow::Result<Option<UserRow>> {
    let read = projections::users::get(state.pool(), tenant, user_id);
    let cache = &state.caches.users;
    through(state, cache, key(tenant, user_id), read, |_| {
        (Group::of(tenant, user_id), None)
    })
    .await
}

/// The session whose cookie has this keyed hash (ended or expired too: the caller decides).
pub async fn session_by_cookie(
    state: &AppState,
    tenant: &str,
    cookie_hash: &str,
) -> anyhow::Result<Option<SessionRow>> {
    let read = projections::sessions::by_cookie(state.pool(), tenant, cookie_hash);
    let cache = &state.caches.sessions;
    through(state, cache, key(tenant, cookie_hash), read, |session| {
        (
            Group::of(tenant, &session.session_id),
            Some(session.expires_at),
        )
    })
    .await
}

/// Whether the user may use the application, as `decide` reads it from the projections when
/// it is not kept; `accounts_only` is part of the question.
pub async fn reach<F>(
    state: &AppState,
    (tenant, user_id, application_id, accounts_only): (&str, &str, &str, bool),
    decide: F,
) -> anyhow::Result<bool>
where
    F: std::future::Future<Output = anyhow::Result<bool>>,
{
    let caches = &state.caches;
    let key = (
        tenant.to_string(),
        user_id.to_string(),
        application_id.to_string(),
        accounts_only,
    );
    if let Some(reaches) = caches.reach.get(&key, state.now()) {
        return Ok(reaches);
    }
    let ticket = caches.reach.ticket();
    let reaches = decide.await?;
    caches
        .reach
        .fill(ticket, key, reach_group(tenant), reaches, None);
    Ok(reaches)
}

/// Taken before a code is issued (`code_issued`).
pub fn code_ticket(state: &AppState) -> Ticket {
    state.caches.codes.ticket()
}

/// Remembers the grant of a code this node issued (by the code's keyed hash), until it expires.
pub fn code_issued(
    state: &AppState,
    ticket: Ticket,
    (tenant, code_hash): (&str, &str),
    grant_id: &str,
    expires_at: i64,
) {
    let group = Group::of(tenant, grant_id);
    let key = key(tenant, code_hash);
    let grant = grant_id.to_string();
    state
        .caches
        .codes
        .fill(ticket, key, group, grant, Some(expires_at));
}

/// The grant a code (by keyed hash) was issued to.
pub async fn grant_of_code(
    state: &AppState,
    tenant: &str,
    code_hash: &str,
) -> anyhow::Result<Option<String>> {
    if let Some(grant_id) = state.caches.codes.get(&key(tenant, code_hash), state.now()) {
        return Ok(Some(grant_id));
    }
    projections::oauth::grant_by_code(state.pool(), tenant, code_hash).await
}

/// Keeps the access tokens a grant's events just issued, as the OAuth projection records them:
/// the first use of a token needs no read. `ticket` was taken before the events were appended.
pub fn tokens_issued(
    state: &AppState,
    ticket: Ticket,
    tenant: &str,
    grant_id: &str,
    events: &[domain::oauth_grant::OAuthGrantEvent],
) {
    let tokens = &state.caches.access_tokens;
    for row in events.iter().filter_map(|e| TokenRow::issued(grant_id, e)) {
        let group = Group::of(tenant, grant_id);
        let (key, until) = (key(tenant, &row.jti), Some(row.expires_at));
        tokens.fill(ticket, key, group, Arc::new(row), until);
    }
}

/// Taken before appending a grant's events (`tokens_issued`).
pub fn tokens_ticket(state: &AppState) -> Ticket {
    state.caches.access_tokens.ticket()
}
