//! Token signing keys (DESIGN.md "Protocols"; "Hot paths, caches and several nodes"): each tenant
//! has an RS256 and an ES256 key, created on first use or by `idaas keys rotate`, private halves
//! sealed in the event store. The key ring keeps the parsed keys in memory until a `signing_key`
//! event of the tenant is committed, here or on another node (the change feed, ops/adr/0028).
//!
//! A key is created once across nodes: each new key takes a unique claim on the key it succeeds
//! (or on none, the tenant's first of its algorithm), so of two nodes creating or rotating at the
//! same moment one wins and the other uses the winner's key.
//!
//! Keys are generated with aws-lc-rs; tokens are signed and verified with the `jsonwebtoken`
//! crate (its aws-lc-rs backend).

use crate::cache::{Bounded, Group};
use crate::clock::{Clock, SystemClock};
use std::sync::Arc;

use anyhow::Context as _;
use domain::signing_key::{SigningKey, SigningKeyError, Superseded};
use domain::Aggregate;
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde_json::{json, Value};
use store::{Change, ChangeFeed, ChangeSubscriber, CommandBus, Context};
use tokio::sync::Mutex;

mod material;
use material::SigningPair;
mod stored;
use stored::{create, create_missing, parse};

/// How long a superseded key stays published: longer than any token it can have signed.
pub const PUBLISH_AFTER_ROTATION_MS: i64 = 366 * 24 * 3600 * 1000;

/// The unique claim a new key takes: `<algorithm>:<the key it succeeds>` (empty for the first).
const SUCCESSOR: &str = "signing_key.successor";

/// Tenants whose keys are kept parsed in memory.
const DEFAULT_TENANTS_KEPT: usize = 10_000;

/// A key that signs: the tenant's current key of its algorithm.
struct ActiveKey {
    key_id: String,
    algorithm: String,
    alg: Algorithm,
    key: SigningPair,
    /// Tokens signed by `sign_repeatable`, by their claims' JSON (see there).
    repeated: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

/// The most tokens `sign_repeatable` keeps per key before it starts afresh.
const REPEATED_KEPT: usize = 256;

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
}

pub struct KeyRing {
    /// Each tenant's keys, dropped when a `signing_key` event of the tenant is committed.
    tenants: Bounded<String, Arc<TenantKeys>>,
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
    /// Another rotation of the same key (here or on another node) won.
    #[error("the {0} key was rotated by another request at the same moment")]
    Concurrent(String),
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

impl Default for KeyRing {
    /// A key ring of its own (tools and tests): it hears only its own rotations.
    fn default() -> Self {
        Self::new(
            Arc::new(SystemClock),
            Arc::new(ChangeFeed::default()),
            DEFAULT_TENANTS_KEPT,
        )
    }
}

impl ChangeSubscriber for KeyRing {
    fn changed(&self, changes: &[Change]) {
        for change in changes {
            if change.stream_type == SigningKey::STREAM_TYPE {
                self.tenants.invalidate(tenant_group(&change.tenant_id));
            }
        }
    }

    fn reset(&self) {
        self.tenants.clear();
    }
}

fn tenant_group(tenant: &str) -> Group {
    Group::of(tenant, SigningKey::STREAM_TYPE)
}

impl KeyRing {
    /// A key ring that tells time by `clock` and keeps at most `tenants` tenants' keys, while
    /// `feed` is current. Subscribe it to `feed` so that it hears of new keys.
    pub fn new(clock: Arc<dyn Clock>, feed: Arc<ChangeFeed>, tenants: usize) -> Self {
        Self {
            tenants: Bounded::new("signing_keys", tenants, feed),
            loading: Mutex::new(()),
            clock,
        }
    }

    async fn tenant(&self, bus: &CommandBus, tenant: &str) -> anyhow::Result<Arc<TenantKeys>> {
        let now = self.clock.now_millis();
        let key = tenant.to_string();
        if let Some(keys) = self.tenants.get(&key, now) {
            return Ok(keys);
        }
        let _loading = self.loading.lock().await;
        if let Some(keys) = self.tenants.peek(&key, now) {
            return Ok(keys);
        }
        let pool = &bus.store().database().pool;
        let mut ticket = self.tenants.ticket();
        let mut rows = projections::sessions::keys(pool, tenant).await?;
        if create_missing(bus, tenant, &rows, now).await? {
            // Its own appends invalidated the tenant: the ticket must follow them.
            ticket = self.tenants.ticket();
            rows = projections::sessions::keys(pool, tenant).await?;
        }
        let keys = Arc::new(parse(bus, tenant, rows, now).await?);
        let group = tenant_group(tenant);
        self.tenants.fill(ticket, key, group, keys.clone(), None);
        Ok(keys)
    }

    /// A compact JWS of `claims` signed with the tenant's current key of `algorithm`.
    pub async fn sign(
        &self,
        bus: &CommandBus,
        tenant: &str,
        algorithm: &str,
        claims: &Value,
    ) -> anyhow::Result<String> {
        self.active(bus, tenant, algorithm).await?.sign(claims)
    }

    /// The tenant's current key of `algorithm`.
    async fn active(
        &self,
        bus: &CommandBus,
        tenant: &str,
        algorithm: &str,
    ) -> anyhow::Result<Arc<ActiveKey>> {
        let keys = self.tenant(bus, tenant).await?;
        let key = keys.active.iter().find(|k| k.algorithm == algorithm);
        key.cloned()
            .with_context(|| format!("no {algorithm} signing key"))
    }

    /// As `sign`, for claims that are often exactly the same from one call to the next (the
    /// management token's `id_token`: client, issuer and times in whole seconds): the token
    /// signed for the same claims with the same key is answered again. An RS256 signature
    /// (RSASSA-PKCS1-v1_5) is a function of the key and the signed bytes, so the answer is
    /// byte for byte the token a new signature would give, without its cost.
    pub async fn sign_repeatable(
        &self,
        bus: &CommandBus,
        tenant: &str,
        algorithm: &str,
        claims: &Value,
    ) -> anyhow::Result<String> {
        let key = self.active(bus, tenant, algorithm).await?;
        let text = claims.to_string();
        let kept = |memo: &std::collections::HashMap<String, String>| memo.get(&text).cloned();
        if let Some(token) = key.repeated.lock().ok().and_then(|memo| kept(&memo)) {
            return Ok(token);
        }
        let token = key.sign(claims)?;
        if let Ok(mut memo) = key.repeated.lock() {
            if memo.len() >= REPEATED_KEPT {
                memo.clear();
            }
            memo.insert(text, token.clone());
        }
        Ok(token)
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
    /// whose publication has not ended.
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
    /// `MAX_PUBLISHED_PER_ALGORITHM` keys of the algorithm (ADR 0005, "Keys"), and when another
    /// rotation of the same key won. Returns the new key id.
    pub async fn rotate(
        &self,
        bus: &CommandBus,
        context: &Context,
        algorithm: &str,
    ) -> Result<String, RotationError> {
        // One rotation per process at a time; across processes the successor claim decides.
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
        // The change feed has said so already when this ring is subscribed; a ring of its own
        // (a tool's) hears of its own rotation here.
        self.tenants.invalidate(tenant_group(tenant));
        Ok(key_id)
    }
}

impl PublicKey {
    /// Whether the key is still published at `now`: its publication may end while it is kept.
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

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{EcdsaKeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;

    use super::material::generate;
    use super::stored::{active_key, public_key};

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
