//! The OIDC implicit flow (OIDC Core §3.2): `id_token` and `id_token token` from authorize.

use super::*;

use crate::state::AppState;
use domain::oauth_grant::{OAuthGrant, OAuthGrantCommand};
use domain::Aggregate;
use projections::applications::ApplicationRow;
use projections::sessions::SessionRow;
use store::Context;

/// Tokens straight from the authorisation endpoint (OIDC implicit): an id token, and an access
/// token when `with_access` is set.
#[allow(clippy::too_many_arguments)]
pub async fn implicit(
    state: &AppState,
    ctx: &Context,
    issuer: &Issuer,
    app: &ApplicationRow,
    session: &SessionRow,
    scope: &str,
    nonce: Option<String>,
    with_access: bool,
) -> Result<TokenSet, OAuthError> {
    let now = state.now();
    let access = access_grant(state, app, now);
    let grant_id = state.ids.ordered_uuid();
    let command = OAuthGrantCommand::IssueImplicit {
        grant_id: grant_id.clone(),
        application_id: app.application_id.clone(),
        subject: subject_of(session),
        scope: scope.to_string(),
        nonce,
        access: with_access.then(|| access.grant.clone()),
        now,
    };
    let ctx = crate::acting(ctx, "user", &session.user_id);
    let executed = state
        .bus
        .create::<OAuthGrant, _>(&ctx, &grant_id, |g| g.decide(command.clone(), &()))
        .await?;
    let grant = OAuthGrant::from_events(&executed.events);
    let access = with_access.then_some(access);
    tokens(
        state,
        &ctx.tenant_id,
        issuer,
        app,
        &grant,
        access,
        None,
        now,
    )
    .await
}
