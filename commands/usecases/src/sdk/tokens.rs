//! The tokens the SDK login hands out: `state_token`s (JWTs signed with the tenant's key, naming
//! the login, its step and challenge, the client and the device), `id_token`s (JWTs carrying the
//! user's OneAccess claims) and `session_token`s (opaque, stored only as a keyed hash).

use domain::sdk_login::{SdkChallenge, SdkLogin};
use projections::applications::ApplicationRow;
use projections::users::UserRow;
use serde_json::{json, Value};

use super::SdkError;
use crate::oauth::{user_claims, Issuer};
use crate::state::AppState;

/// `token_use` of a state token, so no other JWT of the tenant passes for one.
const STATE_TOKEN_USE: &str = "sdk_state";
const STATE_TOKEN_ALGORITHM: &str = "RS256";

/// What a valid state token says.
#[derive(Debug, Clone)]
pub struct StateClaims {
    /// The `sdk_login` stream.
    pub login_id: String,
    pub user_id: String,
    pub step: u32,
    pub challenge: SdkChallenge,
}

/// Where a state token was presented: the client and the device it must name.
pub struct Presented<'a> {
    pub token: &'a str,
    pub client_id: &'a str,
    pub device_hash: &'a str,
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn sign_state_token(
    state: &AppState,
    tenant: &str,
    issuer: &Issuer,
    app: &ApplicationRow,
    login_id: &str,
    user_id: &str,
    device_hash: &str,
    step: u32,
    challenge: SdkChallenge,
    expires_at: i64,
) -> Result<String, SdkError> {
    let claims = json!({
        "iss": issuer.url,
        "aud": app.client_id,
        "sub": user_id,
        "jti": login_id,
        "token_use": STATE_TOKEN_USE,
        "challenge": challenge.as_str(),
        "step": step,
        "dev": device_hash,
        // Issued when the login step set its expiry (one reading of the clock: a second
        // boundary between two readings made the lifetime 299 s).
        "iat": (expires_at - super::STATE_TOKEN_LIFETIME_MS) / 1000,
        "exp": expires_at / 1000,
    });
    Ok(state
        .signing
        .sign(&state.bus, tenant, STATE_TOKEN_ALGORITHM, &claims)
        .await?)
}

/// The login a state token is for, if the token is signed by the tenant's key, unexpired, for
/// one of the `allowed` challenges, presented by its client from its device, and the login's
/// current step.
pub async fn verify_state_token(
    state: &AppState,
    tenant: &str,
    presented: &Presented<'_>,
    allowed: &[SdkChallenge],
) -> Result<(StateClaims, SdkLogin), SdkError> {
    if presented.token.len() > 8192 {
        return Err(SdkError::InvalidStateToken);
    }
    let claims = state
        .signing
        .verify(&state.bus, tenant, presented.token)
        .await?
        .ok_or(SdkError::InvalidStateToken)?;
    let now = state.now();
    let text = |name: &str| claims[name].as_str().map(str::to_string);
    let valid = claims["token_use"] == STATE_TOKEN_USE
        && claims["exp"].as_i64().is_some_and(|exp| exp * 1000 > now)
        && claims["aud"] == json!(presented.client_id)
        && claims["dev"] == json!(presented.device_hash);
    let challenge = text("challenge").and_then(|c| SdkChallenge::parse(&c));
    let step = claims["step"].as_u64().and_then(|s| u32::try_from(s).ok());
    let (Some(login_id), Some(user_id), Some(challenge), Some(step), true) =
        (text("jti"), text("sub"), challenge, step, valid)
    else {
        return Err(SdkError::InvalidStateToken);
    };
    if !allowed.contains(&challenge) {
        return Err(SdkError::InvalidStateToken);
    }
    let (login, _) = state.bus.load::<SdkLogin>(tenant, &login_id).await?;
    let bound = login.user_id == user_id && login.device_hash == presented.device_hash;
    if !bound || login.accepts(step, challenge, now).is_err() {
        return Err(SdkError::InvalidStateToken);
    }
    Ok((
        StateClaims {
            login_id,
            user_id,
            step,
            challenge,
        },
        login,
    ))
}

/// A new session token and the keyed hash under which its session is stored. The hash is
/// domain-separated from browser cookies', so a session token is no browser session cookie.
pub(super) fn new_session_token(state: &AppState) -> (String, String) {
    let token = state.ids.base62(43);
    let hash = session_token_hash(state, &token);
    (token, hash)
}

pub fn session_token_hash(state: &AppState, token: &str) -> String {
    state.keys().secret_hash(&format!("sdk-session:{token}"))
}

/// The id token of a completed login: the user's OneAccess claims (`id`, `userName`, `name`,
/// `email`, `mobile`), for the client, valid as long as the application's tokens (2 h default).
#[allow(clippy::too_many_arguments)]
pub(super) async fn sign_id_token(
    state: &AppState,
    tenant: &str,
    issuer: &Issuer,
    app: &ApplicationRow,
    user: &UserRow,
    session_id: &str,
    methods: &[String],
    now: i64,
) -> Result<String, SdkError> {
    let lifetime = i64::from(app.protocols.access_token_lifetime_secs);
    let mut claims = user_claims(user, "get_user_info");
    for (name, value) in [
        ("iss", json!(issuer.url)),
        ("aud", json!(app.client_id)),
        ("azp", json!(app.client_id)),
        ("iat", json!(now / 1000)),
        ("exp", json!(now / 1000 + lifetime)),
        ("auth_time", json!(now / 1000)),
        ("sid", json!(session_id)),
        ("amr", json!(methods)),
    ] {
        claims.insert(name.into(), value);
    }
    let algorithm = &app.protocols.id_token_signing_alg;
    state
        .signing
        .sign(&state.bus, tenant, algorithm, &Value::Object(claims))
        .await
        .map_err(|e| super::internal("id_token generate error", e))
}
