//! Access and id tokens as signed JWTs (RFC 9068 shape; OIDC Core §2, §5.1) and the claims
//! released per scope, plus the user's roles and permissions when the application asks for them
//! (ops/adr/0018 "Releasing roles and permissions to applications").

use super::*;

use crate::state::AppState;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::oauth_grant::{AccessGrant, OAuthGrant, Subject};
use projections::applications::ApplicationRow;
use projections::users::UserRow;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// Signs the access token (and id token for `openid`) of a grant.
#[allow(clippy::too_many_arguments)]
pub(super) async fn tokens(
    state: &AppState,
    tenant: &str,
    issuer: &Issuer,
    app: &ApplicationRow,
    grant: &OAuthGrant,
    access: Option<NewAccess>,
    refresh_token: Option<String>,
    now: i64,
) -> Result<TokenSet, OAuthError> {
    let algorithm = &app.protocols.id_token_signing_alg;
    let (access_token, expires_at) = match access {
        Some(NewAccess {
            grant: access,
            opaque,
        }) => match opaque {
            Some(token) => (token, access.expires_at),
            None => (
                sign_access(state, tenant, issuer, app, grant, &access, now).await?,
                access.expires_at,
            ),
        },
        None => (String::new(), now),
    };
    let id_token = match (&grant.subject, has_scope(&grant.scope, "openid")) {
        (Some(subject), true) => {
            let user = crate::cache::lookups::user(state, tenant, &subject.user_id).await?;
            let mut claims = id_claims(issuer, app, subject, grant, now, user.as_ref());
            let released = released_authorization(state, tenant, app, &subject.user_id).await?;
            claims.extend(released.claims());
            if !access_token.is_empty() {
                claims.insert("at_hash".into(), json!(half_hash(&access_token)));
            }
            let claims = Value::Object(claims);
            Some(
                state
                    .signing
                    .sign(&state.bus, tenant, algorithm, &claims)
                    .await
                    .map_err(|e| anyhow::anyhow!("id_token generate error: {e}"))?,
            )
        }
        _ => None,
    };
    Ok(TokenSet {
        access_token,
        expires_in: (expires_at - now) / 1000,
        scope: grant.scope.clone(),
        refresh_token,
        id_token,
    })
}

/// The access token: a JWT naming its grant's subject, client, scope and `jti`.
pub(super) async fn sign_access(
    state: &AppState,
    tenant: &str,
    issuer: &Issuer,
    app: &ApplicationRow,
    grant: &OAuthGrant,
    access: &AccessGrant,
    now: i64,
) -> anyhow::Result<String> {
    let subject = grant
        .subject
        .as_ref()
        .map(|s| s.user_id.clone())
        .unwrap_or_else(|| app.client_id.clone());
    let claims = json!({
        "iss": issuer.url,
        "sub": subject,
        "aud": app.client_id,
        "client_id": app.client_id,
        "scope": grant.scope,
        "jti": access.jti,
        "iat": now / 1000,
        "exp": access.expires_at / 1000,
        "token_use": "access",
    });
    state
        .signing
        .sign(
            &state.bus,
            tenant,
            &app.protocols.id_token_signing_alg,
            &claims,
        )
        .await
}

/// OIDC `at_hash`/`c_hash`: the left half of the SHA-256 of the value, base64url.
pub fn half_hash(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

pub(super) fn id_claims(
    issuer: &Issuer,
    app: &ApplicationRow,
    subject: &Subject,
    grant: &OAuthGrant,
    now: i64,
    user: Option<&UserRow>,
) -> Map<String, Value> {
    let lifetime = i64::from(app.protocols.access_token_lifetime_secs);
    let mut claims = Map::new();
    claims.insert("iss".into(), json!(issuer.url));
    claims.insert("sub".into(), json!(subject.user_id));
    claims.insert("aud".into(), json!(app.client_id));
    claims.insert("azp".into(), json!(app.client_id));
    claims.insert("iat".into(), json!(now / 1000));
    claims.insert("exp".into(), json!(now / 1000 + lifetime));
    claims.insert("auth_time".into(), json!(subject.auth_time / 1000));
    claims.insert("sid".into(), json!(subject.session_id));
    if let Some(nonce) = &grant.nonce {
        claims.insert("nonce".into(), json!(nonce));
    }
    if let Some(user) = user {
        claims.extend(user_claims(user, &grant.scope));
    }
    claims
}

/// The userinfo answer (OIDC Core §5.3.2) for an access token of `application_id` with `scope`:
/// the claims the scope releases, then `roles` and `permissions` when the application releases
/// them — the same answer as the ID token's, read again at the time of the call.
pub async fn userinfo_claims(
    state: &AppState,
    tenant: &str,
    application_id: &str,
    user: &UserRow,
    scope: &str,
) -> anyhow::Result<Map<String, Value>> {
    let mut claims = user_claims(user, scope);
    let app = crate::cache::lookups::application(state, tenant, application_id).await?;
    if let Some(app) = app {
        let released = released_authorization(state, tenant, &app, &user.user_id).await?;
        claims.extend(released.claims());
    }
    Ok(claims)
}

/// The claims about a user that a scope releases: OneAccess's documented `id`, `userName`,
/// `name`, `email`, `mobile` (specs/oneaccess.md #48) for `get_user_info`; `id`, `userName` and
/// `name` for `openid` alone (OIDC Core §5.4: e-mail and phone need their scopes); the standard
/// OIDC claims for `profile`, `email` and `phone`. A claim without a value is left out (Core
/// §5.3.2), never sent as `null`.
pub fn user_claims(user: &UserRow, scope: &str) -> Map<String, Value> {
    let profile = &user.profile;
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(user.user_id));
    let documented = has_scope(scope, "get_user_info");
    if documented || has_scope(scope, "openid") {
        claims.insert("id".into(), json!(user.user_id));
        claims.insert("userName".into(), json!(profile.username));
        claims.insert("name".into(), json!(profile.display_name));
    }
    if documented || has_scope(scope, "email") {
        if let Some(email) = &profile.email {
            claims.insert("email".into(), json!(email));
        }
    }
    if documented || has_scope(scope, "phone") {
        if let Some(mobile) = &profile.mobile {
            claims.insert("mobile".into(), json!(mobile));
        }
    }
    if has_scope(scope, "profile") {
        claims.insert("name".into(), json!(profile.display_name));
        claims.insert("preferred_username".into(), json!(profile.username));
        claims.insert("updated_at".into(), json!(user.updated_at / 1000));
        for (claim, value) in [
            ("given_name", &profile.first_name),
            ("middle_name", &profile.middle_name),
            ("family_name", &profile.last_name),
            ("nickname", &profile.nickname),
            ("birthdate", &profile.birth_date),
        ] {
            if let Some(value) = value {
                claims.insert(claim.into(), json!(value));
            }
        }
    }
    if has_scope(scope, "email") {
        if let Some(email) = &profile.email {
            claims.insert("email".into(), json!(email));
            claims.insert("email_verified".into(), json!(false));
        }
    }
    if has_scope(scope, "phone") {
        if let Some(mobile) = &profile.mobile {
            claims.insert("phone_number".into(), json!(mobile));
            claims.insert("phone_number_verified".into(), json!(false));
        }
    }
    claims
}
