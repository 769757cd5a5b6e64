//! Opaque access tokens (issue 20 item 2; RFC 7662 §1): random strings that mean something only
//! to this server. The grant records the token's keyed hash as its `jti`, so the token is found
//! by hashing what is presented; introspection and userinfo answer as for a JWT, from the
//! token's row instead of a signature, from memory when cached (ops/adr/0028).

use super::*;

use crate::cache::lookups;
use crate::state::AppState;
use projections::oauth::TokenRow;
use serde_json::{json, Value};

/// Whether a presented access token is opaque: a JWT has three dot-separated parts.
pub(super) fn is_opaque(token: &str) -> bool {
    !token.contains('.')
}

/// A live opaque access token: issued here, unexpired, not revoked, its application enabled;
/// with the claims a JWT of it would carry (its `jti`, a secret's hash, left out).
pub(super) async fn live_opaque_token(
    state: &AppState,
    tenant: &str,
    issuer: &Issuer,
    token: &str,
) -> anyhow::Result<Option<(TokenRow, Value)>> {
    let hash = state.keys().secret_hash(token);
    let Some(row) = lookups::access_token(state, tenant, &hash).await? else {
        return Ok(None);
    };
    let now = state.now();
    if row.revoked || row.expires_at <= now {
        return Ok(None);
    }
    let app = lookups::application(state, tenant, &row.application_id).await?;
    let Some(app) = app.filter(|a| a.enabled) else {
        return Ok(None);
    };
    let subject = row.user_id.clone().unwrap_or_else(|| app.client_id.clone());
    let claims = json!({
        "iss": issuer.url,
        "sub": subject,
        "aud": app.client_id,
        "client_id": app.client_id,
        "scope": row.scope,
        "iat": row.issued_at / 1000,
        "exp": row.expires_at / 1000,
        "token_use": "access",
    });
    Ok(Some((row, claims)))
}
