//! Password hashing, which the domain needs from outside (argon2id). Each thread keeps its argon2
//! working memory (19 MiB with the default parameters) and reuses it, so hashing on the bounded
//! pool (`password_pool`) costs a fixed amount of memory however many sign-ins arrive.

use std::cell::RefCell;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// The most working memory one hash may ask for (a stored hash with larger parameters is not
/// verified rather than allowed to take the machine's memory): 256 MiB.
const MAX_BLOCKS: usize = 256 * 1024;

thread_local! {
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with `blocks` blocks of this thread's reusable argon2 memory.
fn with_memory<R>(blocks: usize, f: impl FnOnce(&mut [Block]) -> R) -> Option<R> {
    if blocks > MAX_BLOCKS {
        return None;
    }
    MEMORY.with(|memory| {
        let mut memory = memory.try_borrow_mut().ok()?;
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        Some(f(&mut memory[..blocks]))
    })
}

/// argon2id with the crate's default parameters (slow on purpose).
pub struct Argon2Hasher;

impl Argon2Hasher {
    fn try_hash(password: &str) -> Option<String> {
        let params = Params::default();
        let salt: [u8; 16] = rand::random();
        let mut out = [0u8; 32];
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        with_memory(params.block_count(), |memory| {
            argon2.hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, memory)
        })?
        .ok()?;
        let hash = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params).ok()?,
            salt: Some(Salt::new(&salt).ok()?),
            hash: Some(Output::new(&out).ok()?),
        };
        Some(hash.to_string())
    }

    fn try_verify(password: &str, hash: &str) -> Option<bool> {
        let parsed = PasswordHash::new(hash).ok()?;
        let algorithm = Algorithm::try_from(parsed.algorithm.as_str()).ok()?;
        let version = match parsed.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(&parsed).ok()?;
        let (salt, expected) = (parsed.salt?, parsed.hash?);
        let mut out = vec![0u8; expected.len()];
        let argon2 = Argon2::new(algorithm, version, params.clone());
        with_memory(params.block_count(), |memory| {
            argon2.hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, memory)
        })?
        .ok()?;
        Some(domain::pkce::constant_time_eq(&out, expected.as_bytes()))
    }
}

impl domain::password::PasswordHasher for Argon2Hasher {
    fn hash(&self, password: &str) -> String {
        // Only a failing system RNG gets "!"; an unverifiable hash locks the password out.
        Self::try_hash(password).unwrap_or_else(|| String::from("!"))
    }

    fn verify(&self, password: &str, hash: &str) -> bool {
        Self::try_verify(password, hash).unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
    use domain::password::PasswordHasher;

    #[test]
    fn argon2_hashes_verify_only_their_password() {
        let hash = Argon2Hasher.hash("New#5678");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(Argon2Hasher.verify("New#5678", &hash));
        assert!(!Argon2Hasher.verify("New#5679", &hash));
        assert!(!Argon2Hasher.verify("New#5678", "not a hash"));
    }

    #[test]
    fn hashes_agree_with_the_argon2_crate_both_ways() {
        let ours = Argon2Hasher.hash("Ünïcode#123");
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password("Ünïcode#123".as_bytes(), &parsed)
            .is_ok());
        let theirs = Argon2::default()
            .hash_password("Theirs#456".as_bytes())
            .unwrap()
            .to_string();
        assert!(Argon2Hasher.verify("Theirs#456", &theirs));
        assert!(!Argon2Hasher.verify("Theirs#457", &theirs));
    }

    #[test]
    fn a_hash_asking_for_too_much_memory_is_not_verified() {
        let huge = "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHRzYWx0$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXphYmNkZWY";
        assert!(!Argon2Hasher.verify("x", huge));
    }
}
