//! Whether a token is still live (introspection, userinfo) and revocation (RFC 7009).

use super::*;

use crate::cache::lookups;
use crate::state::AppState;
use domain::oauth_grant::{OAuthGrant, OAuthGrantCommand};
use domain::Aggregate;
use projections::applications::ApplicationRow;
use projections::oauth::TokenRow;
use serde_json::{json, Value};
use store::Context;

/// A live access token: opaque (`opaque.rs`), or signed by this tenant's key for this issuer;
/// unexpired, not revoked, its grant not revoked and its application still enabled. From memory
/// when cached: a revocation drops its grant's tokens (ops/adr/0028).
pub async fn live_access_token(
    state: &AppState,
    tenant: &str,
    issuer: &Issuer,
    token: &str,
) -> anyhow::Result<Option<(TokenRow, Value)>> {
    if super::opaque::is_opaque(token) {
        return super::opaque::live_opaque_token(state, tenant, issuer, token).await;
    }
    let Some(claims) = state.signing.verify(&state.bus, tenant, token).await? else {
        return Ok(None);
    };
    let now = state.now();
    let valid = claims["iss"] == json!(issuer.url)
        && claims["token_use"] == "access"
        && claims["exp"].as_i64().is_some_and(|exp| exp * 1000 > now);
    let Some(jti) = claims["jti"].as_str().filter(|_| valid) else {
        return Ok(None);
    };
    let Some(row) = lookups::access_token(state, tenant, jti).await? else {
        return Ok(None);
    };
    if row.revoked || row.expires_at <= now {
        return Ok(None);
    }
    let app = lookups::application(state, tenant, &row.application_id).await?;
    if !app.is_some_and(|a| a.enabled) {
        return Ok(None);
    }
    Ok(Some((row, claims)))
}

/// The grant whose current refresh token this is, if the token is live and this client's.
pub async fn live_refresh_token(
    state: &AppState,
    tenant: &str,
    app: &ApplicationRow,
    token: &str,
) -> anyhow::Result<Option<OAuthGrant>> {
    let hash = state.keys().secret_hash(token);
    let Some(grant_id) = projections::oauth::grant_by_refresh(state.pool(), tenant, &hash).await?
    else {
        return Ok(None);
    };
    let (grant, _) = state.bus.load::<OAuthGrant>(tenant, &grant_id).await?;
    let live = !grant.revoked
        && grant.application_id == app.application_id
        && grant.refresh_hash.as_deref() == Some(hash.as_str())
        && grant.refresh_expires_at > state.now();
    Ok(live.then_some(grant))
}

/// Ends an authorisation and every token it issued.
pub async fn revoke_grant(
    state: &AppState,
    ctx: &Context,
    grant_id: &str,
    reason: &str,
) -> Result<(), crate::ServiceError> {
    let command = OAuthGrantCommand::Revoke {
        reason: reason.to_string(),
        now: state.now(),
    };
    state
        .bus
        .execute::<OAuthGrant, _>(ctx, grant_id, |g| g.decide(command.clone(), &()))
        .await
        .map_err(|e| crate::ServiceError::Internal(anyhow::anyhow!("revoking a grant: {e}")))?;
    Ok(())
}

/// RFC 7009: revokes a refresh token (its whole grant) or an access token of this client.
/// Unknown tokens and tokens of other clients are ignored, as the RFC asks.
pub async fn revoke_token(
    state: &AppState,
    ctx: &Context,
    issuer: &Issuer,
    app: &ApplicationRow,
    token: &str,
) -> Result<(), OAuthError> {
    let tenant = &ctx.tenant_id;
    let ctx = crate::acting(ctx, "application", &app.application_id);
    let hash = state.keys().secret_hash(token);
    if let Some(grant_id) =
        projections::oauth::grant_by_refresh(state.pool(), tenant, &hash).await?
    {
        let (grant, _) = state.bus.load::<OAuthGrant>(tenant, &grant_id).await?;
        if grant.application_id == app.application_id {
            revoke_grant(state, &ctx, &grant_id, "revoked_by_client")
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        return Ok(());
    }
    if let Some((row, _)) = live_access_token(state, tenant, issuer, token).await? {
        if row.application_id == app.application_id {
            let command = OAuthGrantCommand::RevokeToken {
                jti: row.jti.clone(),
                now: state.now(),
            };
            state
                .bus
                .execute::<OAuthGrant, _>(&ctx, &row.grant_id, |g| g.decide(command.clone(), &()))
                .await?;
        }
    }
    Ok(())
}
