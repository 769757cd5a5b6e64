//! The refresh token grant (RFC 6749 §6): rotating refresh tokens; a reused one revokes its
//! family (OAuth 2.0 Security BCP §4.14).

use super::*;

use crate::state::AppState;
use domain::oauth_grant::{OAuthGrant, OAuthGrantCommand, OAuthGrantEvent};
use domain::Aggregate;
use projections::applications::ApplicationRow;
use store::{BusError, Context};

/// Uses a refresh token (RFC 6749 §6): the token is rotated; one used twice revokes its family.
pub async fn refresh(
    state: &AppState,
    ctx: &Context,
    issuer: &Issuer,
    app: &ApplicationRow,
    refresh_token: &str,
) -> Result<TokenSet, OAuthError> {
    let tenant = &ctx.tenant_id;
    let invalid = || OAuthError::InvalidGrant("Invalid refresh token".into());
    let presented_hash = state.keys().secret_hash(refresh_token);
    let grant_id = projections::oauth::grant_by_refresh(state.pool(), tenant, &presented_hash)
        .await?
        .ok_or_else(invalid)?;
    let (grant, _) = state.bus.load::<OAuthGrant>(tenant, &grant_id).await?;
    if grant.application_id != app.application_id || grant.revoked {
        return Err(invalid());
    }
    if let Some(subject) = &grant.subject {
        usable_user(state, tenant, &subject.user_id, &app.application_id).await?;
    }
    let now = state.now();
    let access = access_grant(state, app, now);
    let Some((new_token, new_refresh)) = refresh_grant(state, app, now) else {
        return Err(invalid());
    };
    let command = OAuthGrantCommand::Refresh {
        application_id: app.application_id.clone(),
        presented_hash,
        access: access.grant.clone(),
        refresh: new_refresh,
        now,
    };
    let ctx = crate::acting(ctx, "application", &app.application_id);
    let ticket = crate::cache::lookups::tokens_ticket(state);
    let executed = state
        .bus
        .execute::<OAuthGrant, _>(&ctx, &grant_id, |g| g.decide(command.clone(), &()))
        .await
        .map_err(|e| match e {
            BusError::Domain(_) => invalid(),
            other => other.into(),
        })?;
    if executed
        .events
        .iter()
        .any(|e| matches!(e, OAuthGrantEvent::RefreshReused { .. }))
    {
        return Err(invalid());
    }
    crate::cache::lookups::tokens_issued(state, ticket, tenant, &grant_id, &executed.events);
    // What the command appended, folded into the state it was decided on: no read-back.
    let mut grant = grant;
    for event in &executed.events {
        grant.apply(event);
    }
    tokens(
        state,
        tenant,
        issuer,
        app,
        &grant,
        Some(access),
        Some(new_token),
        now,
    )
    .await
}
