//! Token signing keys (DESIGN.md "Protocols"): each tenant has an RS256 and an ES256 key, created on
//! first use or by `idaas keys rotate`, private halves sealed in the event store. The key ring keeps
//! the parsed keys in memory and reloads a tenant's keys when they may have changed (after a
//! rotation here, or at most a minute later when another process rotated them).
//!
//! Keys are generated with aws-lc-rs; tokens are signed and verified with the `jsonwebtoken`
//! crate (its aws-lc-rs backend).

use crate::clock::{Clock, IdSource, RandomIds, SystemClock};
use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context as _;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::signing_key::{
    SigningKey, SigningKeyCommand, SigningKeyError, SigningKeyEvent, Superseded,
};
use domain::Aggregate;
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde_json::{json, Value};
use store::{BusError, CommandBus, Context};
use tokio::sync::Mutex;

mod material;
use material::{encoding_key, generate, verifier, SigningPair};

/// How long a superseded key stays published: longer than any token it can have signed.
pub const PUBLISH_AFTER_ROTATION_MS: i64 = 366 * 24 * 3600 * 1000;
const RELOAD_AFTER_MS: i64 = 60_000;

/// A key that signs: the tenant's current key of its algorithm.
struct ActiveKey {
    key_id: String,
    algorithm: String,
    alg: Algorithm,
    key: SigningPair,
}

/// A published public key, as in JWKS, with what verifies tokens it signed.
#[derive(Clone)]
struct PublicKey {
    key_id: String,
    jwk: Value,
    /// When a superseded key stops being published; `None` for a current key.
    publish_until: Option<i64>,
    /// `None` for a key this build cannot verify with (an unknown algorithm or a broken JWK):
    /// it is still published, but no token verifies against it.
    verifier: Option<Verifier>,
}

#[derive(Clone)]
struct Verifier {
    alg: Algorithm,
    key: DecodingKey,
    validation: Validation,
}

#[derive(Default)]
struct TenantKeys {
    active: Vec<Arc<ActiveKey>>,
    published: Vec<PublicKey>,
    loaded_at: i64,
}

pub struct KeyRing {
    tenants: std::sync::RwLock<HashMap<String, Arc<TenantKeys>>>,
    /// One loader per process at a time, so a first request burst creates one key.
    loading: Mutex<()>,
    /// When keys become active and stop being published (the application state's clock).
    clock: Arc<dyn Clock>,
}

/// Why a rotation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum RotationError {
    /// The decision refused it (too many keys of the algorithm published).
    #[error(transparent)]
    Refused(SigningKeyError),
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

impl Default for KeyRing {
    fn default() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }
}

impl KeyRing {
    /// A key ring that tells time by `clock`.
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self {
            tenants: Default::default(),
            loading: Mutex::new(()),
            clock,
        }
    }

    async fn tenant(&self, bus: &CommandBus, tenant: &str) -> anyhow::Result<Arc<TenantKeys>> {
        let now = self.clock.now_millis();
        let fresh = |keys: &Arc<TenantKeys>| now - keys.loaded_at < RELOAD_AFTER_MS;
        if let Some(keys) = self.cached(tenant).filter(fresh) {
            return Ok(keys);
        }
        let _loading = self.loading.lock().await;
        if let Some(keys) = self.cached(tenant).filter(fresh) {
            return Ok(keys);
        }
        let keys = Arc::new(load(bus, tenant, now).await?);
        if let Ok(mut tenants) = self.tenants.write() {
            tenants.insert(tenant.to_string(), keys.clone());
        }
        Ok(keys)
    }

    fn cached(&self, tenant: &str) -> Option<Arc<TenantKeys>> {
        self.tenants.read().ok()?.get(tenant).cloned()
    }

    fn forget(&self, tenant: &str) {
        if let Ok(mut tenants) = self.tenants.write() {
            tenants.remove(tenant);
        }
    }

    /// A compact JWS of `claims` signed with the tenant's current key of `algorithm`.
    pub async fn sign(
        &self,
        bus: &CommandBus,
        tenant: &str,
        algorithm: &str,
        claims: &Value,
    ) -> anyhow::Result<String> {
        let keys = self.tenant(bus, tenant).await?;
        let key = keys
            .active
            .iter()
            .find(|k| k.algorithm == algorithm)
            .with_context(|| format!("no {algorithm} signing key"))?;
        key.sign(claims)
    }

    /// The claims of a JWS signed by one of the tenant's published keys, or `None` when the
    /// token is malformed, names no published key of its `alg`, or its signature does not
    /// verify. Only the signature is checked: expiry, issuer and audience are the caller's.
    pub async fn verify(
        &self,
        bus: &CommandBus,
        tenant: &str,
        token: &str,
    ) -> anyhow::Result<Option<Value>> {
        let Ok(header) = jsonwebtoken::decode_header(token) else {
            return Ok(None);
        };
        let Some(kid) = header.kid.as_deref() else {
            return Ok(None);
        };
        let keys = self.tenant(bus, tenant).await?;
        let now = self.clock.now_millis();
        Ok(verify_with(&keys.published, kid, header.alg, token, now))
    }

    /// The tenant's JWK Set (RFC 7517 §5; the `jwks_uri` of specs/oneaccess.md #54): every key
    /// whose publication has not ended, also when the loaded set is up to a minute old.
    pub async fn jwks(&self, bus: &CommandBus, tenant: &str) -> anyhow::Result<Value> {
        let keys = self.tenant(bus, tenant).await?;
        let now = self.clock.now_millis();
        let keys: Vec<Value> = (keys.published.iter())
            .filter(|k| k.published_at(now))
            .map(|k| k.jwk.clone())
            .collect();
        Ok(json!({ "keys": keys }))
    }

    /// Creates a new key of `algorithm` for the tenant; the previous one stays published for
    /// `PUBLISH_AFTER_ROTATION_MS`. Refused while the tenant already publishes
    /// `MAX_PUBLISHED_PER_ALGORITHM` keys of the algorithm (ADR 0005, "Keys"). Returns the new
    /// key id.
    pub async fn rotate(
        &self,
        bus: &CommandBus,
        context: &Context,
        algorithm: &str,
    ) -> Result<String, RotationError> {
        // One rotation per process at a time, so two at once cannot both pass the bound.
        let _rotating = self.loading.lock().await;
        let tenant = &context.tenant_id;
        let now = self.clock.now_millis();
        let keys: Vec<_> = projections::sessions::keys(&bus.store().database().pool, tenant)
            .await?
            .into_iter()
            .filter(|k| k.algorithm == algorithm)
            .collect();
        let supersedes = keys
            .iter()
            .find(|k| k.publish_until.is_none())
            .map(|k| Superseded {
                key_id: k.key_id.clone(),
                publish_until: now + PUBLISH_AFTER_ROTATION_MS,
            });
        let retired_until = keys.iter().filter_map(|k| k.publish_until).collect();
        let key_id = create(bus, context, algorithm, supersedes, retired_until, now).await?;
        self.forget(tenant);
        Ok(key_id)
    }
}

impl PublicKey {
    /// Whether the key is still published at `now`: the loaded set may be up to a minute old.
    fn published_at(&self, now: i64) -> bool {
        self.publish_until.is_none_or(|until| until > now)
    }
}

impl ActiveKey {
    fn sign(&self, claims: &Value) -> anyhow::Result<String> {
        // `Header::new` sets `typ: "JWT"`; with `kid` the header has the three members it always
        // had, serialized as {"typ":"JWT","alg":…,"kid":…} (the hand-written signer wrote alg
        // first; member order carries no meaning, and tokens of either order verify).
        let header = Header {
            kid: Some(self.key_id.clone()),
            ..Header::new(self.alg)
        };
        self.key
            .sign_jwt(&header, claims)
            .with_context(|| format!("signing a JWT with {}", self.algorithm))
    }
}

/// The claims of `token` if it verifies with the key named `kid` published at `now`, whose
/// algorithm must be the header's `alg` (the validation pins it too).
fn verify_with(
    published: &[PublicKey],
    kid: &str,
    alg: Algorithm,
    token: &str,
    now: i64,
) -> Option<Value> {
    let verifier = published
        .iter()
        .find(|k| k.key_id == kid && k.published_at(now))?
        .verifier
        .as_ref()
        .filter(|v| v.alg == alg)?;
    jsonwebtoken::decode::<Value>(token, &verifier.key, &verifier.validation)
        .ok()
        .map(|data| data.claims)
}

async fn create(
    bus: &CommandBus,
    context: &Context,
    algorithm: &str,
    supersedes: Option<Superseded>,
    retired_until: Vec<i64>,
    now: i64,
) -> Result<String, RotationError> {
    let (private, jwk) = generate(algorithm)?;
    let key_id = RandomIds.base62(16);
    let command = SigningKeyCommand::Create {
        key_id: key_id.clone(),
        algorithm: algorithm.to_string(),
        public_key: jwk.to_string(),
        private_key: STANDARD.encode(private),
        supersedes,
        retired_until,
        now,
    };
    match bus
        .execute::<SigningKey, _>(context, &key_id, |k| k.decide(command.clone(), &()))
        .await
    {
        Ok(_) => Ok(key_id),
        Err(BusError::Domain(refusal @ SigningKeyError::TooManyPublished { .. })) => {
            Err(RotationError::Refused(refusal))
        }
        Err(e) => Err(anyhow::anyhow!("creating a signing key: {e}").into()),
    }
}

/// Reads the tenant's keys; creates the missing ones (RS256 and ES256) on first use.
async fn load(bus: &CommandBus, tenant: &str, now: i64) -> anyhow::Result<TenantKeys> {
    let pool = &bus.store().database().pool;
    let mut rows = projections::sessions::keys(pool, tenant).await?;
    let mut created = false;
    for algorithm in domain::signing_key::ALGORITHMS {
        if !rows.iter().any(|k| k.algorithm == *algorithm) {
            let context = Context {
                tenant_id: tenant.to_string(),
                metadata: store::Metadata {
                    actor_kind: Some("system".into()),
                    actor_id: Some("key-ring".into()),
                    surface: Some("oidc".into()),
                    ..Default::default()
                },
            };
            match create(bus, &context, algorithm, None, vec![], now).await {
                Ok(_) => {}
                Err(RotationError::Failed(e)) => return Err(e),
                Err(RotationError::Refused(e)) => return Err(e.into()),
            }
            created = true;
        }
    }
    if created {
        rows = projections::sessions::keys(pool, tenant).await?;
    }
    let mut keys = TenantKeys {
        loaded_at: now,
        ..Default::default()
    };
    for row in rows {
        if row.publish_until.is_some_and(|until| until <= now) {
            continue;
        }
        let mut published = public_key(&row.key_id, &row.algorithm, &row.public_key)?;
        published.publish_until = row.publish_until;
        keys.published.push(published);
        let is_current = row.publish_until.is_none()
            && !keys.active.iter().any(|k| k.algorithm == row.algorithm);
        if is_current {
            keys.active
                .push(Arc::new(private_key(bus, tenant, &row.key_id).await?));
        }
    }
    Ok(keys)
}

/// A published key from its stored public JWK.
fn public_key(key_id: &str, algorithm: &str, public_jwk: &str) -> anyhow::Result<PublicKey> {
    let mut jwk: Value = serde_json::from_str(public_jwk)?;
    jwk["kid"] = json!(key_id);
    jwk["alg"] = json!(algorithm);
    jwk["use"] = json!("sig");
    Ok(PublicKey {
        key_id: key_id.to_string(),
        verifier: verifier(algorithm, &jwk),
        jwk,
        publish_until: None,
    })
}

async fn private_key(bus: &CommandBus, tenant: &str, key_id: &str) -> anyhow::Result<ActiveKey> {
    let events = bus
        .store()
        .load(tenant, SigningKey::STREAM_TYPE, key_id)
        .await?;
    let event = events.first().context("signing key stream is empty")?;
    let SigningKeyEvent::Created {
        algorithm,
        personal,
        ..
    } = domain::aggregate::from_stored(&event.event_type, event.payload.clone())?;
    let der = STANDARD.decode(personal.private_key)?;
    active_key(key_id, &algorithm, &der)
}

fn active_key(key_id: &str, algorithm: &str, pkcs8: &[u8]) -> anyhow::Result<ActiveKey> {
    let (alg, key) = encoding_key(algorithm, pkcs8)?;
    Ok(ActiveKey {
        key_id: key_id.to_string(),
        algorithm: algorithm.to_string(),
        alg,
        key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{EcdsaKeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    /// A fresh key of `algorithm`: (signing half, published half).
    fn key(algorithm: &str, key_id: &str) -> (ActiveKey, PublicKey) {
        let (private, jwk) = generate(algorithm).unwrap();
        (
            active_key(key_id, algorithm, &private).unwrap(),
            public_key(key_id, algorithm, &jwk.to_string()).unwrap(),
        )
    }

    fn verify(published: &[PublicKey], token: &str) -> Option<Value> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        verify_with(published, header.kid.as_deref()?, header.alg, token, 0)
    }

    fn part(token: &str, index: usize) -> Value {
        let part = token.split('.').nth(index).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    /// A token made the way the hand-written signer made them before jsonwebtoken (header
    /// members in the order alg, typ, kid), so tokens issued before an upgrade still verify.
    fn signed_the_old_way(algorithm: &str, key_id: &str, pkcs8: &[u8], claims: &Value) -> String {
        use aws_lc_rs::signature::RSA_PKCS1_SHA256;
        let header = json!({"alg": algorithm, "typ": "JWT", "kid": key_id});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).unwrap()),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap())
        );
        let signature = if algorithm == "RS256" {
            let pair = RsaKeyPair::from_pkcs8(pkcs8).unwrap();
            let mut signature = vec![0; pair.public_modulus_len()];
            pair.sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .unwrap();
            signature
        } else {
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8)
                .unwrap()
                .sign(&SystemRandom::new(), input.as_bytes())
                .unwrap()
                .as_ref()
                .to_vec()
        };
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    #[test]
    fn rs256_and_es256_tokens_verify_and_carry_the_same_header_and_claims() {
        for algorithm in ["RS256", "ES256"] {
            let (signer, published) = key(algorithm, "k1");
            let claims = json!({"iss": "https://idp.test", "sub": "u1", "exp": 4_000_000_000i64});
            let token = signer.sign(&claims).unwrap();
            assert_eq!(
                part(&token, 0),
                json!({"alg": algorithm, "typ": "JWT", "kid": "k1"})
            );
            assert_eq!(part(&token, 1), claims);
            assert_eq!(verify(&[published], &token), Some(claims), "{algorithm}");
        }
    }

    #[test]
    fn tokens_signed_by_the_previous_hand_written_code_still_verify() {
        for algorithm in ["RS256", "ES256"] {
            let (private, jwk) = generate(algorithm).unwrap();
            let published = public_key("k1", algorithm, &jwk.to_string()).unwrap();
            let claims = json!({"sub": "u1", "token_use": "access"});
            let token = signed_the_old_way(algorithm, "k1", &private, &claims);
            assert_eq!(verify(&[published], &token), Some(claims), "{algorithm}");
        }
    }

    /// Expiry, not-before, issuer and audience are the callers' to check, as they always were
    /// (an expired id_token_hint is still a hint): jsonwebtoken's defaults must not creep in.
    #[test]
    fn claims_are_not_validated_here() {
        let (signer, published) = key("RS256", "k1");
        for claims in [
            json!({"exp": 1, "aud": "client", "iss": "elsewhere"}),
            json!({"nbf": 4_000_000_000i64, "aud": ["a", "b"]}),
            json!({"exp": "soon"}),
            json!({}),
        ] {
            let token = signer.sign(&claims).unwrap();
            assert_eq!(
                verify(std::slice::from_ref(&published), &token),
                Some(claims)
            );
        }
    }

    #[test]
    fn a_token_is_refused_unless_its_kid_and_alg_name_a_published_key_that_signed_it() {
        let (rsa, rsa_public) = key("RS256", "rsa");
        let (ec, ec_public) = key("ES256", "ec");
        let (_, other_rsa_public) = key("RS256", "rsa");
        let published = [rsa_public.clone(), ec_public];
        let claims = json!({"sub": "u1"});
        let token = rsa.sign(&claims).unwrap();
        assert!(verify(&published, &token).is_some());

        // Another key under the same kid, an unknown kid, another key's alg.
        assert_eq!(verify(&[other_rsa_public], &token), None);
        let (header, payload, signature) = {
            let mut parts = token.split('.');
            (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            )
        };
        let with_header = |header: Value| {
            format!(
                "{}.{payload}.{signature}",
                URL_SAFE_NO_PAD.encode(header.to_string())
            )
        };
        assert_eq!(
            verify(
                &published,
                &with_header(json!({"alg": "RS256", "kid": "nope"}))
            ),
            None
        );
        assert_eq!(
            verify(&published, &with_header(json!({"alg": "RS256"}))),
            None
        );
        assert_eq!(
            verify(
                &published,
                &with_header(json!({"alg": "ES256", "kid": "rsa"}))
            ),
            None
        );
        assert_eq!(
            verify(
                &published,
                &with_header(json!({"alg": "RS512", "kid": "rsa"}))
            ),
            None
        );
        assert_eq!(
            verify(
                &published,
                &with_header(json!({"alg": "none", "kid": "rsa"}))
            ),
            None
        );
        // The header is signed too: the same alg and kid in another order do not verify.
        assert_eq!(
            verify(
                &published,
                &with_header(json!({"kid": "rsa", "alg": "RS256", "typ": "JWT"}))
            ),
            None
        );

        // An HS256 token MAC'd with the RSA public key (algorithm confusion).
        let secret = serde_json::to_vec(&rsa_public.jwk).unwrap();
        let hs256 = jsonwebtoken::encode(
            &Header {
                kid: Some("rsa".into()),
                ..Header::new(Algorithm::HS256)
            },
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(&secret),
        )
        .unwrap();
        assert_eq!(verify(&published, &hs256), None);

        // Tampering and malformed tokens.
        let forged_payload = URL_SAFE_NO_PAD.encode(json!({"sub": "admin"}).to_string());
        assert_eq!(
            verify(
                &published,
                &format!("{header}.{forged_payload}.{signature}")
            ),
            None
        );
        assert_eq!(
            verify(
                &published,
                &format!("{header}.{payload}.{}", &signature[1..])
            ),
            None
        );
        assert_eq!(verify(&published, &format!("{header}.{payload}.")), None);
        assert_eq!(verify(&published, &format!("{header}.{payload}")), None);
        assert_eq!(verify(&published, &format!("{token}.{signature}")), None);
        assert_eq!(
            verify(&published, &format!("{header}.{payload}.{signature}=")),
            None
        );

        // The ES256 key still verifies its own tokens.
        assert!(verify(&published, &ec.sign(&claims).unwrap()).is_some());
    }

    #[test]
    fn broken_or_mismatched_private_keys_fail_to_load() {
        let (rsa_private, _) = generate("RS256").unwrap();
        let (ec_private, _) = generate("ES256").unwrap();
        assert!(active_key("k", "RS256", &rsa_private).is_ok());
        assert!(active_key("k", "ES256", &ec_private).is_ok());
        assert!(active_key("k", "RS256", &ec_private).is_err());
        assert!(active_key("k", "ES256", &rsa_private).is_err());
        assert!(active_key("k", "RS256", &rsa_private[..100]).is_err());
        assert!(active_key("k", "HS256", &rsa_private).is_err());
    }

    #[test]
    fn a_published_key_of_an_unknown_algorithm_is_published_but_verifies_nothing() {
        let key = public_key("k", "PS256", r#"{"kty":"RSA","n":"AQAB","e":"AQAB"}"#).unwrap();
        assert!(key.verifier.is_none());
        assert_eq!(key.jwk["alg"], "PS256");
    }

    #[test]
    fn a_superseded_key_verifies_nothing_once_its_publication_ends() {
        let (signer, mut published) = key("RS256", "k1");
        published.publish_until = Some(1_000);
        let token = signer.sign(&json!({"sub": "u1"})).unwrap();
        let keys = std::slice::from_ref(&published);
        assert!(verify_with(keys, "k1", Algorithm::RS256, &token, 999).is_some());
        assert!(verify_with(keys, "k1", Algorithm::RS256, &token, 1_000).is_none());
    }
}
