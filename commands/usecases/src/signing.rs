//! Token signing keys (DESIGN.md "Protocols"): each tenant has an RS256 and an ES256 key, created on
//! first use or by `idaas keys rotate`, private halves sealed in the event store. The key ring keeps
//! the parsed keys in memory and reloads a tenant's keys when they may have changed (after a
//! rotation here, or at most a minute later when another process rotated them).

use crate::clock::{Clock, IdSource, RandomIds, SystemClock};
use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context as _;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    EcdsaKeyPair, KeyPair, RsaKeyPair, RsaPublicKeyComponents, UnparsedPublicKey,
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, RSA_PKCS1_2048_8192_SHA256,
    RSA_PKCS1_SHA256,
};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use domain::signing_key::{SigningKey, SigningKeyCommand, SigningKeyEvent, Superseded};
use domain::Aggregate;
use serde_json::{json, Value};
use store::{CommandBus, Context};
use tokio::sync::Mutex;

/// How long a superseded key stays published: longer than any token it can have signed.
pub const PUBLISH_AFTER_ROTATION_MS: i64 = 366 * 24 * 3600 * 1000;
const RELOAD_AFTER_MS: i64 = 60_000;

enum Signer {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

struct ActiveKey {
    key_id: String,
    algorithm: String,
    signer: Signer,
}

/// A published public key, as in JWKS.
#[derive(Clone)]
struct PublicKey {
    key_id: String,
    algorithm: String,
    jwk: Value,
}

#[derive(Default)]
struct TenantKeys {
    active: Vec<Arc<ActiveKey>>,
    published: Vec<PublicKey>,
    loaded_at: i64,
}

#[derive(Default)]
pub struct KeyRing {
    tenants: std::sync::RwLock<HashMap<String, Arc<TenantKeys>>>,
    /// One loader per process at a time, so a first request burst creates one key.
    loading: Mutex<()>,
}

impl KeyRing {
    async fn tenant(&self, bus: &CommandBus, tenant: &str) -> anyhow::Result<Arc<TenantKeys>> {
        let now = SystemClock.now_millis();
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
        let header = json!({"alg": key.algorithm, "typ": "JWT", "kid": key.key_id});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header)?),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims)?)
        );
        let signature = match &key.signer {
            Signer::Rsa(pair) => {
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    input.as_bytes(),
                    &mut signature,
                )
                .map_err(|_| anyhow::anyhow!("RSA signing failed"))?;
                signature
            }
            Signer::Ec(pair) => pair
                .sign(&SystemRandom::new(), input.as_bytes())
                .map_err(|_| anyhow::anyhow!("ECDSA signing failed"))?
                .as_ref()
                .to_vec(),
        };
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }

    /// The claims of a JWS signed by one of the tenant's published keys, or `None` when the
    /// token is malformed or its signature does not verify. Expiry is the caller's to check.
    pub async fn verify(
        &self,
        bus: &CommandBus,
        tenant: &str,
        token: &str,
    ) -> anyhow::Result<Option<Value>> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Ok(None);
        };
        let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).ok();
        let (Some(header_bytes), Some(payload_bytes), Some(signature)) =
            (decode(header), decode(payload), decode(signature))
        else {
            return Ok(None);
        };
        let signed_len = header.len() + 1 + payload.len();
        let Ok(header) = serde_json::from_slice::<Value>(&header_bytes) else {
            return Ok(None);
        };
        let (Some(kid), Some(alg)) = (header["kid"].as_str(), header["alg"].as_str()) else {
            return Ok(None);
        };
        let keys = self.tenant(bus, tenant).await?;
        let Some(key) = keys
            .published
            .iter()
            .find(|k| k.key_id == kid && k.algorithm == alg)
        else {
            return Ok(None);
        };
        let signed = &token.as_bytes()[..signed_len];
        if !verifies(key, signed, &signature) {
            return Ok(None);
        }
        Ok(serde_json::from_slice(&payload_bytes).ok())
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
        let now = SystemClock.now_millis();
        let previous = projections::sessions::keys(&bus.store().database().pool, tenant)
            .await?
            .into_iter()
            .find(|k| k.algorithm == algorithm && k.publish_until.is_none());
        let supersedes = previous.map(|k| Superseded {
            key_id: k.key_id,
            publish_until: now + PUBLISH_AFTER_ROTATION_MS,
        });
        let key_id = create(bus, context, algorithm, supersedes).await?;
        self.forget(tenant);
        Ok(key_id)
    }
}

fn verifies(key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
    let field = |name: &str| {
        key.jwk[name]
            .as_str()
            .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
            .unwrap_or_default()
    };
    match key.algorithm.as_str() {
        "RS256" => RsaPublicKeyComponents {
            n: field("n"),
            e: field("e"),
        }
        .verify(&RSA_PKCS1_2048_8192_SHA256, message, signature)
        .is_ok(),
        "ES256" => {
            let mut point = vec![4u8];
            point.extend(field("x"));
            point.extend(field("y"));
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
                .verify(message, signature)
                .is_ok()
        }
        _ => false,
    }
}

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
) -> anyhow::Result<String> {
    let (private, jwk) = generate(algorithm)?;
    let key_id = RandomIds.base62(16);
    let command = SigningKeyCommand::Create {
        key_id: key_id.clone(),
        algorithm: algorithm.to_string(),
        public_key: jwk.to_string(),
        private_key: STANDARD.encode(private),
        supersedes,
        now: SystemClock.now_millis(),
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
            create(bus, &context, algorithm, None).await?;
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
        let mut jwk: Value = serde_json::from_str(&row.public_key)?;
        jwk["kid"] = json!(row.key_id);
        jwk["alg"] = json!(row.algorithm);
        jwk["use"] = json!("sig");
        keys.published.push(PublicKey {
            key_id: row.key_id.clone(),
            algorithm: row.algorithm.clone(),
            jwk,
        });
        let is_current = row.publish_until.is_none()
            && !keys.active.iter().any(|k| k.algorithm == row.algorithm);
        if is_current {
            keys.active
                .push(Arc::new(private_key(bus, tenant, &row.key_id).await?));
        }
    }
    Ok(keys)
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
    let signer = match algorithm.as_str() {
        "RS256" => {
            Signer::Rsa(RsaKeyPair::from_pkcs8(&der).map_err(|e| anyhow::anyhow!("RSA key: {e}"))?)
        }
        _ => Signer::Ec(
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der)
                .map_err(|e| anyhow::anyhow!("EC key: {e}"))?,
        ),
    };
    Ok(ActiveKey {
        key_id: key_id.to_string(),
        algorithm,
        signer,
    })
}
