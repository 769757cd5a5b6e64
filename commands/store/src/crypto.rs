//! The store's keys, all derived from one master key: claim keys (keyed hashes of unique values),
//! the secret key (keyed hashes of server-generated secrets), and AES-256-GCM sealing of
//! personal data with per-subject data keys wrapped by the master key.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{anyhow, Context};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

pub const KEY_LEN: usize = 32;

#[derive(Clone)]
pub struct Keys {
    master: [u8; KEY_LEN],
    claim_key: [u8; KEY_LEN],
    secret_key: [u8; KEY_LEN],
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; KEY_LEN] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

impl Keys {
    pub fn from_master(master: [u8; KEY_LEN]) -> Self {
        Self {
            claim_key: hmac(&master, &[b"idaas unique claims"]),
            secret_key: hmac(&master, &[b"idaas server secrets"]),
            master,
        }
    }

    /// Parses a master key written as base64 (standard alphabet) or 64 hex digits.
    pub fn parse_master(text: &str) -> anyhow::Result<Self> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
            hex::decode(text)?
        } else {
            B64.decode(text)
                .context("the master key is neither hex nor base64")?
        };
        let master: [u8; KEY_LEN] = bytes
            .try_into()
            .map_err(|_| anyhow!("the master key must be 32 bytes"))?;
        Ok(Self::from_master(master))
    }

    pub fn generate_master() -> String {
        B64.encode(random_key())
    }

    /// A fingerprint of the master key, stored with the data to detect a wrong key.
    pub fn key_check(&self) -> String {
        hex::encode(hmac(&self.master, &[b"idaas master key check"]))
    }

    /// The keyed hash under which a unique value is claimed.
    pub fn claim_key(&self, kind: &str, value: &str) -> String {
        hex::encode(hmac(
            &self.claim_key,
            &[kind.as_bytes(), b"\0", value.as_bytes()],
        ))
    }

    /// A secret derived for `purpose` and `subject` (an access key's secret from its id): never
    /// stored, the same on every node that holds the master key; 43 characters, base64url.
    pub fn derived_secret(&self, purpose: &str, subject: &str) -> String {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let key = hmac(
            &self.master,
            &[b"idaas derived secrets\0", purpose.as_bytes()],
        );
        URL_SAFE_NO_PAD.encode(hmac(&key, &[subject.as_bytes()]))
    }

    /// The keyed SHA-256 of a server-generated secret (client secret, token, ticket, code).
    pub fn secret_hash(&self, secret: &str) -> String {
        hex::encode(hmac(&self.secret_key, &[secret.as_bytes()]))
    }

    /// Compares a presented secret with a stored hash in constant time.
    pub fn secret_matches(&self, secret: &str, stored_hash: &str) -> bool {
        let Ok(expected) = hex::decode(stored_hash) else {
            return false;
        };
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.secret_key)
            .expect("HMAC takes any key length");
        mac.update(secret.as_bytes());
        mac.verify_slice(&expected).is_ok()
    }

    pub fn wrap_key(&self, data_key: &[u8; KEY_LEN]) -> anyhow::Result<String> {
        seal_bytes(&self.master, data_key)
    }

    pub fn unwrap_key(&self, wrapped: &str) -> anyhow::Result<[u8; KEY_LEN]> {
        open_bytes(&self.master, wrapped)?
            .try_into()
            .map_err(|_| anyhow!("a wrapped data key has the wrong length"))
    }
}

pub fn random_key() -> [u8; KEY_LEN] {
    let mut key = [0u8; KEY_LEN];
    rand::rngs::OsRng.fill_bytes(&mut key);
    key
}

/// AES-256-GCM: base64 of nonce ‖ ciphertext.
pub fn seal_bytes(key: &[u8; KEY_LEN], plain: &[u8]) -> anyhow::Result<String> {
    let cipher = Aes256Gcm::new(key.into());
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(Nonce::from_slice(&nonce), plain)
        .map_err(|_| anyhow!("sealing failed"))?;
    let mut out = nonce.to_vec();
    out.extend(sealed);
    Ok(B64.encode(out))
}

pub fn open_bytes(key: &[u8; KEY_LEN], sealed: &str) -> anyhow::Result<Vec<u8>> {
    let bytes = B64.decode(sealed).context("sealed data is not base64")?;
    if bytes.len() < 12 {
        anyhow::bail!("sealed data is too short");
    }
    let (nonce, ciphertext) = bytes.split_at(12);
    Aes256Gcm::new(key.into())
        .decrypt(Nonce::from_slice(nonce), ciphertext)
        .map_err(|_| anyhow!("sealed data does not open with this key"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_data_opens_only_with_its_key() {
        let key = random_key();
        let sealed = seal_bytes(&key, b"zhangsan").unwrap();
        assert_eq!(open_bytes(&key, &sealed).unwrap(), b"zhangsan");
        assert!(open_bytes(&random_key(), &sealed).is_err());
    }

    #[test]
    fn secrets_are_compared_by_keyed_hash() {
        let keys = Keys::from_master(random_key());
        let hash = keys.secret_hash("s3cret");
        assert!(keys.secret_matches("s3cret", &hash));
        assert!(!keys.secret_matches("s3creT", &hash));
        assert_ne!(
            keys.claim_key("user.user_name", "a"),
            keys.claim_key("user.mobile", "a")
        );
    }
}
