//! Password hashing, which the domain needs from outside (argon2id).

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::Argon2;

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

#[cfg(test)]
mod tests {
    use super::*;
    use domain::password::PasswordHasher;

    #[test]
    fn argon2_hashes_verify_only_their_password() {
        let hash = Argon2Hasher.hash("New#5678");
        assert!(hash.starts_with("$argon2id$"));
        assert!(Argon2Hasher.verify("New#5678", &hash));
        assert!(!Argon2Hasher.verify("New#5679", &hash));
        assert!(!Argon2Hasher.verify("New#5678", "not a hash"));
    }
}
