//! Access keys and signed calls (ops/adr/0019, "Signed calls"; the gateway model of
//! specs/oneaccess-sdk-and-hainan-uaa.md §2.1, §4.1.4): an application's key id and secret, the
//! secret derived from the master key (never stored, shown once at issue), and the check of a
//! signed call — the key is the application's and live, the timestamp within five minutes of
//! the server's clock, the HMAC-SHA256 signature over the call's canonical text matches (compared
//! in constant time), and the nonce was not seen for this key within the window.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use domain::access_key::{AccessKey, AccessKeyCommand, AccessKeyError};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use store::Context;

use crate::state::AppState;
use crate::ServiceError;

/// How far a signed call's timestamp may be from the server's clock, either way.
pub const SKEW_MS: i64 = 5 * 60 * 1000;

/// A newly issued key: the secret is shown this once (and never printed by `Debug`).
#[derive(Clone)]
pub struct IssuedKey {
    pub access_key_id: String,
    pub secret_key: String,
    pub created_at: i64,
}

impl std::fmt::Debug for IssuedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedKey")
            .field("access_key_id", &self.access_key_id)
            .field("secret_key", &"[REDACTED]")
            .field("created_at", &self.created_at)
            .finish()
    }
}

fn secret_of(state: &AppState, tenant: &str, access_key_id: &str) -> String {
    state
        .keys()
        .derived_secret("access key", &format!("{tenant}\0{access_key_id}"))
}

/// Issues a key for the application (at most `MAX_ACTIVE_KEYS` live at once).
pub async fn issue(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
) -> Result<IssuedKey, ServiceError> {
    let tenant = &ctx.tenant_id;
    let keys =
        projections::access_keys::of_application(state.pool(), tenant, application_id).await?;
    let active = keys.iter().filter(|k| k.revoked_at.is_none()).count();
    let access_key_id = format!(
        "AK{}",
        uuid::Uuid::new_v4().simple().to_string().to_uppercase()
    );
    let now = state.now();
    let command = AccessKeyCommand::Issue {
        access_key_id: access_key_id.clone(),
        application_id: application_id.to_string(),
        active,
        now,
    };
    state
        .bus
        .execute::<AccessKey, _>(ctx, &access_key_id, |k| {
            domain::Aggregate::decide(k, command.clone(), &())
        })
        .await?;
    Ok(IssuedKey {
        secret_key: secret_of(state, tenant, &access_key_id),
        access_key_id,
        created_at: now,
    })
}

/// Revokes one of the application's keys (again: nothing changes).
pub async fn revoke(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    access_key_id: &str,
) -> Result<(), ServiceError> {
    let key = projections::access_keys::get(state.pool(), &ctx.tenant_id, access_key_id).await?;
    if key.is_none_or(|k| k.application_id != application_id) {
        return Err(AccessKeyError::NotFound.into());
    }
    let command = AccessKeyCommand::Revoke { now: state.now() };
    state
        .bus
        .execute::<AccessKey, _>(ctx, access_key_id, |k| {
            domain::Aggregate::decide(k, command.clone(), &())
        })
        .await?;
    Ok(())
}

/// What a signed call carries, as received.
#[derive(Debug, Clone)]
pub struct SignedCall<'a> {
    pub access_key_id: &'a str,
    /// Unix milliseconds, as sent.
    pub timestamp: &'a str,
    pub nonce: &'a str,
    /// Base64 of the HMAC-SHA256.
    pub signature: &'a str,
    /// The API name as requested (with `Test` if so).
    pub api_name: &'a str,
    /// `Uaa-App-Key` and `Uaa-Tenant-Id` as sent (empty when absent).
    pub app_key: &'a str,
    pub tenant_header: &'a str,
    pub body: &'a [u8],
}

/// Why a signed call was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureRefused {
    #[error("the access key is unknown or revoked")]
    UnknownKey,
    #[error("the timestamp is not Unix milliseconds within five minutes of the server's clock")]
    Skewed,
    #[error("the nonce is 16 to 64 letters, digits, '-' or '_'")]
    BadNonce,
    #[error("the signature does not match the call")]
    Mismatch,
    #[error("the nonce was already used with this key")]
    Replayed,
}

/// The text a signed call's signature covers, one field a line: `POST`, the API name, the app
/// key, the tenant header, the timestamp, the nonce, and the hex SHA-256 of the body.
pub fn canonical_text(call: &SignedCall<'_>) -> String {
    let body_hash = hex::encode(Sha256::digest(call.body));
    format!(
        "POST\n{}\n{}\n{}\n{}\n{}\n{body_hash}",
        call.api_name, call.app_key, call.tenant_header, call.timestamp, call.nonce
    )
}

/// The signature of `text` with `secret`: base64 (standard alphabet) of the HMAC-SHA256.
pub fn sign(secret: &str, text: &str) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(text.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

fn valid_nonce(nonce: &str) -> bool {
    (16..=64).contains(&nonce.len())
        && nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Checks a signed call: the key is live, the time and nonce are well formed, the signature
/// matches (in constant time), and then the nonce is spent. The application the key belongs to
/// on success; the caller checks it is the `Uaa-App-Key` one.
pub async fn verify(
    state: &AppState,
    tenant: &str,
    call: &SignedCall<'_>,
) -> Result<Result<String, SignatureRefused>, ServiceError> {
    let Some(key) = projections::access_keys::get(state.pool(), tenant, call.access_key_id).await?
    else {
        return Ok(Err(SignatureRefused::UnknownKey));
    };
    if key.revoked_at.is_some() {
        return Ok(Err(SignatureRefused::UnknownKey));
    }
    let now = state.now();
    let at: Option<i64> = (call.timestamp.len() == 13)
        .then(|| call.timestamp.parse().ok())
        .flatten();
    let Some(at) = at.filter(|at| (at - now).abs() <= SKEW_MS) else {
        return Ok(Err(SignatureRefused::Skewed));
    };
    if !valid_nonce(call.nonce) {
        return Ok(Err(SignatureRefused::BadNonce));
    }
    let expected = sign(
        &secret_of(state, tenant, call.access_key_id),
        &canonical_text(call),
    );
    if !domain::pkce::constant_time_eq(expected.as_bytes(), call.signature.as_bytes()) {
        return Ok(Err(SignatureRefused::Mismatch));
    }
    // Kept until the call's time is out of the window on any node whose clock is within the
    // window of this one's.
    let expires_at = at.max(now) + 2 * SKEW_MS;
    let pool = state.pool();
    let fresh = projections::access_keys::spend_nonce(
        pool,
        tenant,
        call.access_key_id,
        call.nonce,
        now - SKEW_MS,
        expires_at,
    )
    .await?;
    if !fresh {
        return Ok(Err(SignatureRefused::Replayed));
    }
    Ok(Ok(key.application_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canonical_text_covers_every_part_of_the_call() {
        let call = SignedCall {
            access_key_id: "AK1",
            timestamp: "1700000000000",
            nonce: "0123456789abcdef",
            signature: "",
            api_name: "pushOrgRootInfoTest",
            app_key: "gov",
            tenant_header: "1",
            body: b"{}",
        };
        assert_eq!(
            canonical_text(&call),
            "POST\npushOrgRootInfoTest\ngov\n1\n1700000000000\n0123456789abcdef\n\
             44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        // RFC 4231 test case 2.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            STANDARD.encode(mac.finalize().into_bytes()),
            sign("Jefe", "what do ya want for nothing?")
        );
        assert!(
            valid_nonce("abcdefgh-ijklmn_p")
                && !valid_nonce("short")
                && !valid_nonce("a b c d e f g h i")
        );
    }
}
