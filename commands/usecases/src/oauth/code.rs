//! The authorization code grant (RFC 6749 §4.1; RFC 7636 PKCE): a code issued to a signed-in
//! user, redeemed once for tokens.

use super::*;

use crate::state::AppState;
use domain::oauth_grant::{CodeBinding, OAuthGrant, OAuthGrantCommand, OAuthGrantEvent};
use domain::Aggregate;
use projections::applications::ApplicationRow;
use projections::sessions::SessionRow;
use store::Context;

/// A new authorisation code for a signed-in user, bound to the client, redirect URI and PKCE
/// challenge of the request.
#[allow(clippy::too_many_arguments)]
pub async fn issue_code(
    state: &AppState,
    ctx: &Context,
    app: &ApplicationRow,
    session: &SessionRow,
    scope: &str,
    nonce: Option<String>,
    redirect_uri: Option<String>,
    challenge: Option<(String, String)>,
) -> Result<String, OAuthError> {
    let code = state.ids.base62(43);
    let grant_id = state.ids.ordered_uuid();
    let now = state.now();
    let (code_challenge, code_challenge_method) = challenge.unzip();
    let code_hash = state.keys().secret_hash(&code);
    let expires_at = now + CODE_LIFETIME_MS;
    let command = OAuthGrantCommand::IssueCode {
        grant_id: grant_id.clone(),
        application_id: app.application_id.clone(),
        subject: subject_of(session),
        scope: scope.to_string(),
        nonce,
        code: CodeBinding {
            code_hash: code_hash.clone(),
            redirect_uri,
            code_challenge,
            code_challenge_method,
            expires_at,
        },
        now,
    };
    let ctx = crate::acting(ctx, "user", &session.user_id);
    let ticket = crate::cache::lookups::code_ticket(state);
    state
        .bus
        .create::<OAuthGrant, _>(&ctx, &grant_id, |g| g.decide(command.clone(), &()))
        .await?;
    let issued = (ctx.tenant_id.as_str(), code_hash.as_str());
    crate::cache::lookups::code_issued(state, ticket, issued, &grant_id, expires_at);
    Ok(code)
}

/// Exchanges a code (RFC 6749 §4.1.3). A code presented twice revokes what the first exchange
/// issued.
pub async fn redeem_code(
    state: &AppState,
    ctx: &Context,
    issuer: &Issuer,
    app: &ApplicationRow,
    code: &str,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
) -> Result<TokenSet, OAuthError> {
    let tenant = &ctx.tenant_id;
    let invalid = || OAuthError::InvalidGrant("Invalid authorization code".into());
    let code_hash = state.keys().secret_hash(code);
    let grant_id = crate::cache::lookups::grant_of_code(state, tenant, &code_hash)
        .await?
        .ok_or_else(invalid)?;
    // The grant's client and subject never change: its kept state tells them without a read.
    let (mut grant, mut version) = state
        .bus
        .kept_or_load::<OAuthGrant>(tenant, &grant_id)
        .await?;
    let subject = grant.subject.clone().ok_or_else(invalid)?;
    if grant.application_id == app.application_id && !grant.code_redeemed {
        if let Err(refused) =
            usable_user(state, tenant, &subject.user_id, &app.application_id).await
        {
            // The kept state may be behind another node's redemption: a code presented again is
            // a replay, which revokes what the first exchange issued, not merely refused.
            (grant, version) = state.bus.load::<OAuthGrant>(tenant, &grant_id).await?;
            if !grant.code_redeemed {
                return Err(refused);
            }
        }
    }
    let now = state.now();
    let access = access_grant(state, app, now);
    let refresh = refresh_grant(state, app, now);
    let command = OAuthGrantCommand::RedeemCode {
        application_id: app.application_id.clone(),
        redirect_uri,
        code_verifier,
        access: access.grant.clone(),
        refresh: refresh.as_ref().map(|(_, r)| r.clone()),
        now,
    };
    let ctx = crate::acting(ctx, "application", &app.application_id);
    let ticket = crate::cache::lookups::tokens_ticket(state);
    let executed = state
        .bus
        .execute::<OAuthGrant, _>(&ctx, &grant_id, |g| g.decide(command.clone(), &()))
        .await?;
    if executed
        .events
        .iter()
        .any(|e| matches!(e, OAuthGrantEvent::CodeReplayed { .. }))
    {
        return Err(invalid());
    }
    crate::cache::lookups::tokens_issued(state, ticket, tenant, &grant_id, &executed.events);
    // What the command appended, folded into the state it was decided on: no read-back, unless
    // it was decided on a later state than the one read above (another node wrote).
    let grant = if executed.version == version + executed.events.len() as i64 {
        let mut grant = grant;
        for event in &executed.events {
            grant.apply(event);
        }
        grant
    } else {
        state.bus.load::<OAuthGrant>(tenant, &grant_id).await?.0
    };
    tokens(
        state,
        tenant,
        issuer,
        app,
        &grant,
        Some(access),
        refresh.map(|(t, _)| t),
        now,
    )
    .await
}
