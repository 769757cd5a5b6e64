//! Management API credentials (specs/oneaccess.md §1.3, §2.1 #1): client credentials in, an opaque
//! token out. Only the token's keyed hash is stored; older tokens stay valid until they expire.

use domain::management_token::{ManagementToken, ManagementTokenCommand};
use domain::Aggregate;
use store::Context;

use crate::cache::lookups;
use crate::state::AppState;
use crate::{settings, ServiceError};

pub const SCOPE: &str = "all";

pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: u32,
    pub scope: &'static str,
    pub application_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Unknown client or wrong secret.
    #[error("bad client credentials")]
    BadCredentials,
    /// The application is disabled or has not been granted the API product.
    #[error("client not authorized for the management API")]
    Unauthorized,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

pub async fn issue(
    state: &AppState,
    ctx: &Context,
    client_id: &str,
    client_secret: &str,
) -> Result<IssuedToken, TokenError> {
    let tenant = &ctx.tenant_id;
    let app = crate::cache::lookups::application_by_client_id(state, tenant, client_id)
        .await
        .map_err(ServiceError::from)?;
    let Some(app) = app.filter(|a| {
        state
            .keys()
            .secret_matches(client_secret, &a.client_secret_hash)
    }) else {
        return Err(TokenError::BadCredentials);
    };
    if !app.enabled || !app.api_product {
        return Err(TokenError::Unauthorized);
    }
    let lifetime = settings(state, tenant)
        .await
        .map_err(ServiceError::from)?
        .management_token_lifetime_secs;
    let access_token = state.ids.uuid();
    let token_id = state.ids.ordered_uuid();
    let command = ManagementTokenCommand::Issue {
        token_id: token_id.clone(),
        application_id: app.application_id.clone(),
        token_hash: state.keys().secret_hash(&access_token),
        scope: SCOPE.to_string(),
        now: state.now(),
        lifetime_secs: lifetime,
    };
    let ctx = crate::acting(ctx, "application", &app.application_id);
    state
        .bus
        .create::<ManagementToken, _>(&ctx, &token_id, |t| t.decide(command.clone(), &()))
        .await
        .map_err(ServiceError::from)?;
    Ok(IssuedToken {
        access_token,
        expires_in: lifetime,
        scope: SCOPE,
        application_id: app.application_id,
    })
}

/// The application a live management token belongs to, in this tenant: the token unexpired,
/// its application still enabled with the API product. From memory when cached (ops/adr/0028).
pub async fn authenticate(
    state: &AppState,
    tenant: &str,
    token: &str,
) -> anyhow::Result<Option<String>> {
    let hash = state.keys().secret_hash(token);
    let Some(application_id) = lookups::management_token(state, tenant, &hash).await? else {
        return Ok(None);
    };
    let app = lookups::application(state, tenant, &application_id).await?;
    Ok(app
        .filter(|a| a.enabled && a.api_product)
        .map(|_| application_id))
}

/// The `id_token` of a management token response (specs/oneaccess.md §2.1 #1): a JWT signed with
/// the tenant's RS256 key, naming the client as subject and audience (what it holds beyond that
/// is not specified), valid as long as the access token.
pub async fn id_token(
    state: &AppState,
    tenant: &str,
    issuer: &crate::oauth::Issuer,
    client_id: &str,
    expires_in: u32,
) -> anyhow::Result<String> {
    let now = state.now() / 1000;
    let claims = serde_json::json!({
        "iss": issuer.url,
        "sub": client_id,
        "aud": client_id,
        "iat": now,
        "exp": now + i64::from(expires_in),
    });
    state
        .signing
        .sign_repeatable(&state.bus, tenant, "RS256", &claims)
        .await
}
