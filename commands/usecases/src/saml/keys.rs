//! A tenant's SAML signing keys: RSA-2048 with a self-signed certificate, created on first use
//! (and on rotation), private halves sealed in the event store and kept in memory once read.

use std::sync::Arc;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::RsaKeyPair;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::Datelike;
use domain::saml_key::{signer_and_published, PublishedKey, SamlKey, SamlKeyCommand, SamlKeyEvent};
use domain::Aggregate;
use projections::saml::KeyRow;
use store::{BusError, Context};

use crate::state::AppState;
use crate::ServiceError;

/// The stream of a tenant's first key: two requests that both find no key create it once.
const FIRST_KEY_ID: &str = "saml-1";

/// The key that signs now, with its certificate.
#[derive(Clone)]
pub struct Signer {
    pub key_id: String,
    pub pair: Arc<RsaKeyPair>,
    pub certificate: Vec<u8>,
}

/// A new RSA key and its self-signed certificate (ten years), both DER.
fn generate(subject: &str, now: i64) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
    let pair = RsaKeyPair::generate(KeySize::Rsa2048)
        .map_err(|_| anyhow::anyhow!("RSA key generation failed"))?;
    let pkcs8 = pair
        .as_der()
        .map_err(|_| anyhow::anyhow!("RSA key encoding failed"))?
        .as_ref()
        .to_vec();
    let key = rcgen::KeyPair::try_from(pkcs8.as_slice())?;
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new())?;
    let mut name = rcgen::DistinguishedName::new();
    name.push(rcgen::DnType::CommonName, subject);
    name.push(rcgen::DnType::OrganizationName, "idaas");
    params.distinguished_name = name;
    let today = chrono::DateTime::from_timestamp_millis(now)
        .unwrap_or_default()
        .date_naive();
    let (year, month, day) = (today.year(), today.month() as u8, today.day().min(28) as u8);
    params.not_before = rcgen::date_time_ymd(year - 1, month, day);
    params.not_after = rcgen::date_time_ymd(year + 10, month, day);
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&uuid_bytes()));
    let certificate = params.self_signed(&key)?.der().to_vec();
    Ok((pkcs8, certificate))
}

fn uuid_bytes() -> Vec<u8> {
    let mut bytes = uuid::Uuid::new_v4().as_bytes().to_vec();
    if let Some(first) = bytes.first_mut() {
        *first &= 0x7f;
    }
    bytes
}

/// Creates a key that signs from `active_from`; with `key_id` `None`, the tenant's first key.
async fn create(
    state: &AppState,
    ctx: &Context,
    key_id: Option<String>,
    active_from: i64,
) -> Result<(), ServiceError> {
    let (pkcs8, certificate) = generate(&format!("idaas SAML {}", ctx.tenant_id), state.now())?;
    let key_id = key_id.unwrap_or_else(|| FIRST_KEY_ID.to_string());
    let now = state.now();
    let command = SamlKeyCommand::Create {
        key_id: key_id.clone(),
        certificate: STANDARD.encode(certificate),
        private_key: STANDARD.encode(pkcs8),
        active_from: active_from.max(now),
        now,
    };
    match state
        .bus
        .execute::<SamlKey, _>(ctx, &key_id, |k| k.decide(command.clone(), &()))
        .await
    {
        Ok(_) | Err(BusError::Domain(_)) => Ok(()),
        Err(BusError::Conflict) => Ok(()),
        Err(e) => Err(ServiceError::Internal(anyhow::anyhow!(
            "creating a SAML key: {e}"
        ))),
    }
}

/// The tenant's keys, creating the first one if there is none.
pub async fn keys(state: &AppState, ctx: &Context) -> Result<Vec<KeyRow>, ServiceError> {
    let rows = projections::saml::keys(state.pool(), &ctx.tenant_id).await?;
    if !rows.is_empty() {
        return Ok(rows);
    }
    let ctx = super::super::acting(ctx, "system", "saml-keys");
    create(state, &ctx, None, state.now()).await?;
    Ok(projections::saml::keys(state.pool(), &ctx.tenant_id).await?)
}

fn published(rows: &[KeyRow]) -> Vec<PublishedKey> {
    rows.iter()
        .map(|r| PublishedKey {
            key_id: r.key_id.clone(),
            active_from: r.active_from,
        })
        .collect()
}

/// The certificates (DER) to publish: the signer's, the next one's, a recently replaced one's.
pub async fn published_certificates(
    state: &AppState,
    ctx: &Context,
) -> Result<Vec<Vec<u8>>, ServiceError> {
    let rows = keys(state, ctx).await?;
    let listed = published(&rows);
    let (_, shown) = signer_and_published(&listed, state.now());
    Ok(rows
        .iter()
        .filter(|r| shown.iter().any(|k| k.key_id == r.key_id))
        .filter_map(|r| STANDARD.decode(&r.certificate).ok())
        .collect())
}

/// The key that signs now.
pub async fn signer(state: &AppState, ctx: &Context) -> Result<Signer, ServiceError> {
    let rows = keys(state, ctx).await?;
    let listed = published(&rows);
    let (active, _) = signer_and_published(&listed, state.now());
    let row = active
        .and_then(|k| rows.iter().find(|r| r.key_id == k.key_id))
        .ok_or_else(|| anyhow::anyhow!("no SAML key is active"))?;
    let cached = state
        .saml_keys
        .lock()
        .ok()
        .and_then(|c| c.get(&row.key_id).cloned());
    let pair = match cached {
        Some(pair) => pair,
        None => {
            let pair = Arc::new(private_key(state, &ctx.tenant_id, &row.key_id).await?);
            if let Ok(mut cache) = state.saml_keys.lock() {
                cache.insert(row.key_id.clone(), pair.clone());
            }
            pair
        }
    };
    Ok(Signer {
        key_id: row.key_id.clone(),
        pair,
        certificate: STANDARD
            .decode(&row.certificate)
            .map_err(anyhow::Error::from)?,
    })
}

async fn private_key(state: &AppState, tenant: &str, key_id: &str) -> anyhow::Result<RsaKeyPair> {
    let events = state
        .bus
        .store()
        .load(tenant, SamlKey::STREAM_TYPE, key_id)
        .await?;
    let event = events
        .first()
        .ok_or_else(|| anyhow::anyhow!("SAML key stream {key_id} is empty"))?;
    let SamlKeyEvent::Created { personal, .. } =
        domain::aggregate::from_stored(&event.event_type, event.payload.clone())?;
    let der = STANDARD.decode(personal.private_key)?;
    RsaKeyPair::from_pkcs8(&der).map_err(|e| anyhow::anyhow!("SAML key: {e}"))
}

/// Why a rotation was refused (ops/adr/0012).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RotationRefused {
    #[error(
        "the metadata already publishes {published} SAML keys, the most it may; a key can be \
         added again {}",
        match .possible_from {
            Some(at) => format!("from {at} (epoch milliseconds), when a replaced key leaves it"),
            None => "once a key dated ahead starts signing".to_string(),
        }
    )]
    TooMany {
        published: usize,
        possible_from: Option<i64>,
    },
    #[error("activate_in_secs is at most 7776000 (90 days)")]
    TooFarAhead,
}

/// A new key that starts signing after `activate_in_ms` (published in the metadata meanwhile),
/// unless the metadata already publishes `MAX_PUBLISHED` keys.
pub async fn rotate(
    state: &AppState,
    ctx: &Context,
    activate_in_ms: i64,
) -> Result<Result<KeyRow, RotationRefused>, ServiceError> {
    if activate_in_ms > domain::saml_key::MAX_ACTIVATION_DELAY_MS {
        return Ok(Err(RotationRefused::TooFarAhead));
    }
    let listed = published(&keys(state, ctx).await?);
    let (_, shown) = signer_and_published(&listed, state.now());
    if shown.len() >= domain::saml_key::MAX_PUBLISHED {
        return Ok(Err(RotationRefused::TooMany {
            published: shown.len(),
            possible_from: domain::saml_key::next_unpublished(&listed, state.now()),
        }));
    }
    let key_id = state.ids.uuid();
    create(
        state,
        ctx,
        Some(key_id.clone()),
        state.now() + activate_in_ms.max(0),
    )
    .await?;
    projections::saml::keys(state.pool(), &ctx.tenant_id)
        .await?
        .into_iter()
        .find(|r| r.key_id == key_id)
        .map(Ok)
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("the new SAML key is missing")))
}

/// A key as the admin API lists it: whether it signs now and whether the metadata publishes it.
pub struct KeyStatus {
    pub row: KeyRow,
    pub signing: bool,
    pub published: bool,
}

/// The tenant's SAML keys (the first one created on first use) with their status at this moment.
pub async fn statuses(state: &AppState, ctx: &Context) -> Result<Vec<KeyStatus>, ServiceError> {
    let rows = keys(state, ctx).await?;
    let listed: Vec<PublishedKey> = rows
        .iter()
        .map(|r| PublishedKey {
            key_id: r.key_id.clone(),
            active_from: r.active_from,
        })
        .collect();
    let (signer, published) = signer_and_published(&listed, state.now());
    let signer = signer.map(|s| s.key_id.clone());
    let published: Vec<String> = published.iter().map(|p| p.key_id.clone()).collect();
    Ok(rows
        .into_iter()
        .map(|row| KeyStatus {
            signing: signer.as_deref() == Some(row.key_id.as_str()),
            published: published.contains(&row.key_id),
            row,
        })
        .collect())
}
