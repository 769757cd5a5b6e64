//! The client credentials grant (RFC 6749 §4.4).

use super::*;

use crate::state::AppState;
use domain::oauth_grant::{OAuthGrant, OAuthGrantCommand};
use domain::Aggregate;
use projections::applications::ApplicationRow;
use store::Context;

/// A token for the client itself (RFC 6749 §4.4).
pub async fn client_credentials(
    state: &AppState,
    ctx: &Context,
    issuer: &Issuer,
    app: &ApplicationRow,
    scope: &str,
) -> Result<TokenSet, OAuthError> {
    if has_scope(scope, "openid") || has_scope(scope, "offline_access") {
        return Err(OAuthError::InvalidScope(
            "openid and offline_access need a user".into(),
        ));
    }
    let now = state.now();
    let access = access_grant(state, app, now);
    let grant_id = state.ids.ordered_uuid();
    let command = OAuthGrantCommand::IssueClientToken {
        grant_id: grant_id.clone(),
        application_id: app.application_id.clone(),
        scope: scope.to_string(),
        access: access.grant.clone(),
        now,
    };
    let ctx = crate::acting(ctx, "application", &app.application_id);
    let executed = state
        .bus
        .create::<OAuthGrant, _>(&ctx, &grant_id, |g| g.decide(command.clone(), &()))
        .await?;
    let grant = OAuthGrant::from_events(&executed.events);
    tokens(
        state,
        &ctx.tenant_id,
        issuer,
        app,
        &grant,
        Some(access),
        None,
        now,
    )
    .await
}
