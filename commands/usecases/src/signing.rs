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
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use domain::signing_key::{SigningKey, SigningKeyCommand, SigningKeyEvent, Superseded};
use domain::Aggregate;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{json, Value};
use store::{CommandBus, Context};
use tokio::sync::Mutex;

/// How long a superseded key stays published: longer than any token it can have signed.
pub const PUBLISH_AFTER_ROTATION_MS: i64 = 366 * 24 * 3600 * 1000;
const RELOAD_AFTER_MS: i64 = 60_000;

/// A key that signs: the tenant's current key of its algorithm.
struct ActiveKey {
    key_id: String,
    algorithm: String,
    alg: Algorithm,
    key: EncodingKey,
}

/// A published public key, as in JWKS, with what verifies tokens it signed.
#[derive(Clone)]
struct PublicKey {
    key_id: String,
    jwk: Value,
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
        Ok(verify_with(&keys.published, kid, header.alg, token))
    }

    /// The tenant's JWK Set: every published key.
    pub async fn jwks(&self, bus: &CommandBus, tenant: &str) -> anyhow::Result<Value> {
        let keys = self.tenant(bus, tenant).await?;
        let keys: Vec<Value> = keys.published.iter().map(|k| k.jwk.clone()).collect();
        Ok(json!({ "keys": keys }))
    }

    /// Creates a new key of `algorithm` for the tenant; the previous one stays published for
    /// `PUBLISH_AFTER_ROTATION_MS`. Returns the new key id.
    pub async fn rotate(
        &self,
        bus: &CommandBus,
        context: &Context,
        algorithm: &str,
    ) -> anyhow::Result<String> {
        let tenant = &context.tenant_id;
        let now = self.clock.now_millis();
        let previous = projections::sessions::keys(&bus.store().database().pool, tenant)
            .await?
            .into_iter()
            .find(|k| k.algorithm == algorithm && k.publish_until.is_none());
        let supersedes = previous.map(|k| Superseded {
            key_id: k.key_id,
            publish_until: now + PUBLISH_AFTER_ROTATION_MS,
        });
        let key_id = create(bus, context, algorithm, supersedes, now).await?;
        self.forget(tenant);
        Ok(key_id)
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
        jsonwebtoken::encode(&header, claims, &self.key)
            .with_context(|| format!("signing a JWT with {}", self.algorithm))
    }
}

/// The claims of `token` if it verifies with the published key named `kid`, whose algorithm
/// must be the header's `alg` (the validation pins it too).
fn verify_with(published: &[PublicKey], kid: &str, alg: Algorithm, token: &str) -> Option<Value> {
    let verifier = published
        .iter()
        .find(|k| k.key_id == kid)?
        .verifier
        .as_ref()
        .filter(|v| v.alg == alg)?;
    jsonwebtoken::decode::<Value>(token, &verifier.key, &verifier.validation)
        .ok()
        .map(|data| data.claims)
}

/// What verifies tokens signed by a published key: its public half from the JWK, and a
/// validation that checks the signature only, with `alg` pinned to the key's algorithm.
fn verifier(algorithm: &str, jwk: &Value) -> Option<Verifier> {
    let field = |name: &str| jwk[name].as_str();
    let (alg, key) = match algorithm {
        "RS256" => (
            Algorithm::RS256,
            DecodingKey::from_rsa_components(field("n")?, field("e")?).ok()?,
        ),
        "ES256" => (
            Algorithm::ES256,
            DecodingKey::from_ec_components(field("x")?, field("y")?).ok()?,
        ),
        _ => return None,
    };
    Some(Verifier {
        alg,
        key,
        validation: signature_only(alg),
    })
}

/// A `Validation` that checks what `KeyRing::verify` always checked, the signature with `alg`
/// pinned to the key's algorithm, and no claim: callers check `exp`, `iss`, `aud` and
/// `token_use` themselves, against their own rules (milliseconds, an expired `id_token_hint` is
/// still a hint). jsonwebtoken's defaults would add checks that differ from those, so they are
/// turned off explicitly: `exp` required and validated with 60 s of leeway, and `aud` refused
/// whenever the token has one and no audience is configured (every id token has one).
fn signature_only(alg: Algorithm) -> Validation {
    let mut validation = Validation::new(alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.leeway = 0;
    validation.iss = None;
    validation.sub = None;
    validation.aud = None;
    validation
}

/// The signing half of a stored key, checked here so that a broken key fails the load, not each
/// signature. Keys are stored as PKCS#8. jsonwebtoken reads an EC key as PKCS#8, but an RSA key
/// (aws-lc-rs `RsaKeyPair::from_der`) only as PKCS#1 `RSAPrivateKey`, which is what the PKCS#8
/// `privateKey` octet string of an rsaEncryption key holds.
fn encoding_key(algorithm: &str, pkcs8: &[u8]) -> anyhow::Result<(Algorithm, EncodingKey)> {
    match algorithm {
        "RS256" => {
            let info = pkcs8::PrivateKeyInfo::try_from(pkcs8)
                .map_err(|e| anyhow::anyhow!("RSA key: {e}"))?;
            anyhow::ensure!(
                info.algorithm.oid == RSA_ENCRYPTION,
                "RSA key: PKCS#8 holds a key of algorithm {}",
                info.algorithm.oid
            );
            RsaKeyPair::from_der(info.private_key).map_err(|e| anyhow::anyhow!("RSA key: {e}"))?;
            Ok((
                Algorithm::RS256,
                EncodingKey::from_rsa_der(info.private_key),
            ))
        }
        "ES256" => {
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8)
                .map_err(|e| anyhow::anyhow!("EC key: {e}"))?;
            Ok((Algorithm::ES256, EncodingKey::from_ec_der(pkcs8)))
        }
        other => anyhow::bail!("unsupported signing algorithm {other}"),
    }
}

/// rsaEncryption (RFC 8017 appendix C).
const RSA_ENCRYPTION: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// A new key pair: (private PKCS#8 DER, public JWK without `kid`).
fn generate(algorithm: &str) -> anyhow::Result<(Vec<u8>, Value)> {
    match algorithm {
        "RS256" => {
            let pair = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
                .map_err(|_| anyhow::anyhow!("RSA key generation failed"))?;
            let der = pair
                .as_der()
                .map_err(|_| anyhow::anyhow!("RSA key encoding failed"))?;
            let public = pair.public_key();
            let jwk = json!({
                "kty": "RSA",
                "n": URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
                "e": URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
            });
            Ok((der.as_ref().to_vec(), jwk))
        }
        "ES256" => {
            let document = EcdsaKeyPair::generate_pkcs8(
                &ECDSA_P256_SHA256_FIXED_SIGNING,
                &SystemRandom::new(),
            )
            .map_err(|_| anyhow::anyhow!("EC key generation failed"))?;
            let pair =
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, document.as_ref())
                    .map_err(|_| anyhow::anyhow!("EC key parsing failed"))?;
            let point = pair.public_key().as_ref();
            let jwk = json!({
                "kty": "EC",
                "crv": "P-256",
                "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
                "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
            });
            Ok((document.as_ref().to_vec(), jwk))
        }
        other => anyhow::bail!("unsupported signing algorithm {other}"),
    }
}

async fn create(
    bus: &CommandBus,
    context: &Context,
    algorithm: &str,
    supersedes: Option<Superseded>,
    now: i64,
) -> anyhow::Result<String> {
    let (private, jwk) = generate(algorithm)?;
    let key_id = RandomIds.base62(16);
    let command = SigningKeyCommand::Create {
        key_id: key_id.clone(),
        algorithm: algorithm.to_string(),
        public_key: jwk.to_string(),
        private_key: STANDARD.encode(private),
        supersedes,
        now,
    };
    bus.execute::<SigningKey, _>(context, &key_id, |k| k.decide(command.clone(), &()))
        .await
        .map_err(|e| anyhow::anyhow!("creating a signing key: {e}"))?;
    Ok(key_id)
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
            create(bus, &context, algorithm, None, now).await?;
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
        keys.published
            .push(public_key(&row.key_id, &row.algorithm, &row.public_key)?);
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
        verify_with(published, header.kid.as_deref()?, header.alg, token)
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
            &EncodingKey::from_secret(&secret),
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
}
