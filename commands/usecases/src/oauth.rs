//! OAuth 2.0 / OIDC issuance (specs/oneaccess.md §2.10–§2.11, §3.3–§3.4): codes, access tokens
//! (JWTs signed by the tenant's key), id tokens and rotating refresh tokens. Each issuance is an
//! event on the authorisation's own stream; codes and refresh tokens are kept only as keyed
//! hashes, access tokens only by their `jti`.

use crate::clock::{IdSource, RandomIds};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use domain::oauth_grant::{
    AccessGrant, CodeBinding, OAuthGrant, OAuthGrantCommand, OAuthGrantError, OAuthGrantEvent,
    RefreshGrant, Subject,
};
use domain::Aggregate;
use projections::applications::ApplicationRow;
use projections::oauth::TokenRow;
use projections::sessions::SessionRow;
use projections::users::UserRow;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use store::{BusError, Context};

use crate::state::AppState;

pub const CODE_LIFETIME_MS: i64 = 5 * 60 * 1000;
/// The scopes this provider knows. `get_user_info` is OneAccess's; the rest are OIDC's.
pub const SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "phone",
    "offline_access",
    "get_user_info",
];
pub const DEFAULT_SCOPE: &str = "get_user_info";

/// An OAuth error as the token endpoint reports it (RFC 6749 §5.2).
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("{0}")]
    InvalidClient(String),
    #[error("{0}")]
    InvalidGrant(String),
    #[error("{0}")]
    UnauthorizedClient(String),
    #[error("{0}")]
    UnsupportedGrantType(String),
    #[error("{0}")]
    InvalidScope(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl OAuthError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidClient(_) => "invalid_client",
            Self::InvalidGrant(_) => "invalid_grant",
            Self::UnauthorizedClient(_) => "unauthorized_client",
            Self::UnsupportedGrantType(_) => "unsupported_grant_type",
            Self::InvalidScope(_) => "invalid_scope",
            Self::Internal(_) => "server_error",
        }
    }
}

impl From<BusError<OAuthGrantError>> for OAuthError {
    fn from(error: BusError<OAuthGrantError>) -> Self {
        match error {
            BusError::Domain(OAuthGrantError::RefreshExpired | OAuthGrantError::NoRefresh) => {
                Self::InvalidGrant("Invalid refresh token".into())
            }
            BusError::Domain(e @ OAuthGrantError::RedirectMismatch) => {
                Self::InvalidGrant(e.to_string())
            }
            BusError::Domain(
                e @ (OAuthGrantError::VerifierMissing | OAuthGrantError::VerifierMismatch),
            ) => Self::InvalidGrant(e.to_string()),
            BusError::Domain(_) => Self::InvalidGrant("Invalid authorization code".into()),
            BusError::Conflict => Self::Internal(anyhow::anyhow!("grant kept changing")),
            other => Self::Internal(anyhow::anyhow!("{other}")),
        }
    }
}

/// What the token endpoint answers.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access_token: String,
    pub expires_in: i64,
    pub scope: String,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
}

/// Where tokens are issued from (the issuer URL of the request's host).
#[derive(Debug, Clone)]
pub struct Issuer {
    pub url: String,
}

pub fn has_scope(scope: &str, wanted: &str) -> bool {
    scope.split(' ').any(|s| s == wanted)
}

/// The requested scope, checked against the known scopes; the default when none is requested.
pub fn parse_scope(requested: Option<&str>) -> Result<String, OAuthError> {
    let requested = requested.map(str::trim).filter(|s| !s.is_empty());
    let Some(requested) = requested else {
        return Ok(DEFAULT_SCOPE.to_string());
    };
    let mut scopes: Vec<&str> = Vec::new();
    for scope in requested.split(' ').filter(|s| !s.is_empty()) {
        if !SCOPES.contains(&scope) {
            return Err(OAuthError::InvalidScope(format!("unknown scope {scope}")));
        }
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    Ok(scopes.join(" "))
}

fn subject_of(session: &SessionRow) -> Subject {
    Subject {
        user_id: session.user_id.clone(),
        session_id: session.session_id.clone(),
        auth_time: session.auth_time,
    }
}

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
    let grant_id = state.ids.uuid();
    let now = state.now();
    let (code_challenge, code_challenge_method) = challenge.unzip();
    let command = OAuthGrantCommand::IssueCode {
        grant_id: grant_id.clone(),
        application_id: app.application_id.clone(),
        subject: subject_of(session),
        scope: scope.to_string(),
        nonce,
        code: CodeBinding {
            code_hash: state.keys().secret_hash(&code),
            redirect_uri,
            code_challenge,
            code_challenge_method,
            expires_at: now + CODE_LIFETIME_MS,
        },
        now,
    };
    let ctx = crate::acting(ctx, "user", &session.user_id);
    state
        .bus
        .execute::<OAuthGrant, _>(&ctx, &grant_id, |g| g.decide(command.clone(), &()))
        .await?;
    Ok(code)
}

fn access_grant(app: &ApplicationRow, now: i64) -> AccessGrant {
    AccessGrant {
        jti: RandomIds.uuid(),
        expires_at: now + i64::from(app.protocols.access_token_lifetime_secs) * 1000,
    }
}

/// A refresh token, when the application has a refresh-token lifetime (as in OneAccess).
fn refresh_grant(
    state: &AppState,
    app: &ApplicationRow,
    now: i64,
) -> Option<(String, RefreshGrant)> {
    let lifetime = app.protocols.refresh_token_lifetime_secs?;
    let token = state.ids.base62(48);
    Some((
        token.clone(),
        RefreshGrant {
            refresh_hash: state.keys().secret_hash(&token),
            expires_at: now + i64::from(lifetime) * 1000,
        },
    ))
}

/// The user behind a grant, if they may still receive tokens for the application.
async fn usable_user(
    state: &AppState,
    tenant: &str,
    user_id: &str,
    application_id: &str,
) -> Result<UserRow, OAuthError> {
    let user = projections::users::get(state.pool(), tenant, user_id).await?;
    let Some(user) = user.filter(|u| !u.disabled) else {
        return Err(OAuthError::InvalidGrant(
            "the user is disabled or deleted".into(),
        ));
    };
    if !crate::signin::has_account(state, tenant, user_id, application_id).await? {
        return Err(OAuthError::InvalidGrant(
            "the user has no enabled account in this application".into(),
        ));
    }
    Ok(user)
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
    let grant_id = projections::oauth::grant_by_code(state.pool(), tenant, &code_hash)
        .await?
        .ok_or_else(invalid)?;
    let (grant, _) = state.bus.load::<OAuthGrant>(tenant, &grant_id).await?;
    let subject = grant.subject.clone().ok_or_else(invalid)?;
    if grant.application_id == app.application_id && !grant.code_redeemed {
        usable_user(state, tenant, &subject.user_id, &app.application_id).await?;
    }
    let now = state.now();
    let access = access_grant(app, now);
    let refresh = refresh_grant(state, app, now);
    let command = OAuthGrantCommand::RedeemCode {
        application_id: app.application_id.clone(),
        redirect_uri,
        code_verifier,
        access: access.clone(),
        refresh: refresh.as_ref().map(|(_, r)| r.clone()),
        now,
    };
    let ctx = crate::acting(ctx, "application", &app.application_id);
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
    let (grant, _) = state.bus.load::<OAuthGrant>(tenant, &grant_id).await?;
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
    let access = access_grant(app, now);
    let Some((new_token, new_refresh)) = refresh_grant(state, app, now) else {
        return Err(invalid());
    };
    let command = OAuthGrantCommand::Refresh {
        application_id: app.application_id.clone(),
        presented_hash,
        access: access.clone(),
        refresh: new_refresh,
        now,
    };
    let ctx = crate::acting(ctx, "application", &app.application_id);
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
    let (grant, _) = state.bus.load::<OAuthGrant>(tenant, &grant_id).await?;
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
    let access = access_grant(app, now);
    let grant_id = state.ids.uuid();
    let command = OAuthGrantCommand::IssueClientToken {
        grant_id: grant_id.clone(),
        application_id: app.application_id.clone(),
        scope: scope.to_string(),
        access: access.clone(),
        now,
    };
    let ctx = crate::acting(ctx, "application", &app.application_id);
    state
        .bus
        .execute::<OAuthGrant, _>(&ctx, &grant_id, |g| g.decide(command.clone(), &()))
        .await?;
    let (grant, _) = state
        .bus
        .load::<OAuthGrant>(&ctx.tenant_id, &grant_id)
        .await?;
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
    let access = access_grant(app, now);
    let grant_id = state.ids.uuid();
    let command = OAuthGrantCommand::IssueImplicit {
        grant_id: grant_id.clone(),
        application_id: app.application_id.clone(),
        subject: subject_of(session),
        scope: scope.to_string(),
        nonce,
        access: with_access.then(|| access.clone()),
        now,
    };
    let ctx = crate::acting(ctx, "user", &session.user_id);
    state
        .bus
        .execute::<OAuthGrant, _>(&ctx, &grant_id, |g| g.decide(command.clone(), &()))
        .await?;
    let (grant, _) = state
        .bus
        .load::<OAuthGrant>(&ctx.tenant_id, &grant_id)
        .await?;
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

/// Signs the access token (and id token for `openid`) of a grant.
#[allow(clippy::too_many_arguments)]
async fn tokens(
    state: &AppState,
    tenant: &str,
    issuer: &Issuer,
    app: &ApplicationRow,
    grant: &OAuthGrant,
    access: Option<AccessGrant>,
    refresh_token: Option<String>,
    now: i64,
) -> Result<TokenSet, OAuthError> {
    let algorithm = &app.protocols.id_token_signing_alg;
    let (access_token, expires_at) = match access {
        Some(access) => (
            sign_access(state, tenant, issuer, app, grant, &access, now).await?,
            access.expires_at,
        ),
        None => (String::new(), now),
    };
    let id_token = match (&grant.subject, has_scope(&grant.scope, "openid")) {
        (Some(subject), true) => {
            let user = projections::users::get(state.pool(), tenant, &subject.user_id).await?;
            let mut claims = id_claims(issuer, app, subject, grant, now, user.as_ref());
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
async fn sign_access(
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

fn id_claims(
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

/// The claims about a user that a scope releases: OneAccess's documented `id`, `userName`,
/// `name`, `email`, `mobile` (specs/oneaccess.md #48) for `get_user_info` and `openid`, and the
/// standard OIDC claims for `profile`, `email` and `phone`.
pub fn user_claims(user: &UserRow, scope: &str) -> Map<String, Value> {
    let profile = &user.profile;
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(user.user_id));
    if has_scope(scope, "get_user_info") || has_scope(scope, "openid") {
        claims.insert("id".into(), json!(user.user_id));
        claims.insert("userName".into(), json!(profile.username));
        claims.insert("name".into(), json!(profile.display_name));
        claims.insert("email".into(), json!(profile.email));
        claims.insert("mobile".into(), json!(profile.mobile));
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

/// A live access token: signed by this tenant's key for this issuer, unexpired, not revoked,
/// its grant not revoked and its application still enabled.
pub async fn live_access_token(
    state: &AppState,
    tenant: &str,
    issuer: &Issuer,
    token: &str,
) -> anyhow::Result<Option<(TokenRow, Value)>> {
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
    let Some(row) = projections::oauth::token(state.pool(), tenant, jti).await? else {
        return Ok(None);
    };
    if row.revoked || row.expires_at <= now {
        return Ok(None);
    }
    let app = projections::applications::get(state.pool(), tenant, &row.application_id).await?;
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
