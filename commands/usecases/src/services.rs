//! Services the domain needs from outside: password hashing, the clock, ids and secrets.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::Argon2;
use rand::distributions::Alphanumeric;
use rand::{Rng, RngCore};

/// argon2id with the crate's default parameters (slow on purpose).
pub struct Argon2Hasher;

impl domain::password::PasswordHasher for Argon2Hasher {
    fn hash(&self, password: &str) -> String {
        match Argon2::default().hash_password(password.as_bytes()) {
            Ok(hash) => hash.to_string(),
            // Only a failing system RNG gets here; an unverifiable hash locks the password out.
            Err(_) => String::from("!"),
        }
    }

    fn verify(&self, password: &str, hash: &str) -> bool {
        PasswordHash::new(hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// An entity id in the OneAccess form `yyyyMMddHHmmssSSS-XXXX-XXXXXXXXX` (specs/oneaccess.md §1.6):
/// the creation time (UTC) and 52 random bits in upper-case hex.
pub fn entity_id(now_ms: i64) -> String {
    let time = chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
    let mut rng = rand::thread_rng();
    let a: u16 = rng.gen();
    let b: u64 = rng.next_u64() & 0xF_FFFF_FFFF;
    format!("{}-{a:04X}-{b:09X}", time.format("%Y%m%d%H%M%S%3f"))
}

/// A random base62 string of `len` characters (client ids, client secrets).
pub fn random_base62(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// A random UUID v4 (the OneAccess management token format).
pub fn random_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::password::PasswordHasher;

    #[test]
    fn entity_ids_have_the_oneaccess_shape() {
        let id = entity_id(1_649_840_257_132);
        assert_eq!(id.len(), 32);
        assert!(id.starts_with("20220413085737132-"), "{id}");
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(parts[1].len(), 4);
        assert_eq!(parts[2].len(), 9);
        assert!(parts[2]
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
    }

    #[test]
    fn argon2_hashes_verify_only_their_password() {
        let hash = Argon2Hasher.hash("New#5678");
        assert!(hash.starts_with("$argon2id$"));
        assert!(Argon2Hasher.verify("New#5678", &hash));
        assert!(!Argon2Hasher.verify("New#5679", &hash));
        assert!(!Argon2Hasher.verify("New#5678", "not a hash"));
    }
}
