//! The cryptographic floor under the sign-in figures, measured on the same machine: argon2id
//! verification (`usecases::services::Argon2Hasher`, the server's hasher at its default
//! parameters) and RS256 signing with a 2048-bit key (what every access and id token costs), both
//! with the key parsed once and with the key parsed from its DER for every signature, which is
//! what jsonwebtoken 11's aws-lc-rs backend does (`EncodingKey` holds the DER; each `encode`
//! calls `RsaKeyPair::from_der`, checking the key again).

use std::time::Instant;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use domain::password::PasswordHasher;
use usecases::services::Argon2Hasher;

use crate::load::Rate;

const PASSWORD: &str = "Bench#Pass2024";

/// A primitive's rate on one thread (with per-call latency) and on every core.
#[derive(Debug, Clone, Copy)]
pub struct Primitive {
    pub one_thread: Rate,
    pub all_cores: f64,
}

#[derive(Debug, Clone)]
pub struct Figures {
    /// The PHC parameter string of the hashes (`m=…,t=…,p=…`).
    pub argon2_params: String,
    pub argon2_verify: Primitive,
    pub rs256_sign: Primitive,
    /// RS256 with the key parsed (and checked) from PKCS#8 for each signature.
    pub rs256_parse_and_sign: Primitive,
    pub cores: usize,
}

pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Runs `op` `count` times on one thread, then `count` times spread over every core.
fn measure<F: Fn() + Sync>(count: usize, op: F) -> Primitive {
    let mut latencies = Vec::with_capacity(count);
    let began = Instant::now();
    for _ in 0..count {
        let one = Instant::now();
        op();
        latencies.push(one.elapsed());
    }
    let one_thread = Rate::of(count, began.elapsed(), latencies);
    let threads = cores();
    let began = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| (0..count / threads).for_each(|_| op()));
        }
    });
    let all_cores = (count / threads * threads) as f64 / began.elapsed().as_secs_f64();
    Primitive {
        one_thread,
        all_cores,
    }
}

pub fn measure_all(argon2_count: usize, sign_count: usize) -> anyhow::Result<Figures> {
    let hash = Argon2Hasher.hash(PASSWORD);
    let argon2_params = hash.split('$').nth(3).unwrap_or_default().to_string();
    if !Argon2Hasher.verify(PASSWORD, &hash) {
        anyhow::bail!("argon2id does not verify its own hash");
    }
    let argon2_verify = measure(argon2_count, || {
        std::hint::black_box(Argon2Hasher.verify(PASSWORD, &hash));
    });

    let (rs256_sign, rs256_parse_and_sign) = measure_rs256(sign_count)?;
    Ok(Figures {
        argon2_params,
        argon2_verify,
        rs256_sign,
        rs256_parse_and_sign,
        cores: cores(),
    })
}

/// RS256 signatures of a 400-byte input: (the key parsed once, the key parsed for each).
pub fn measure_rs256(count: usize) -> anyhow::Result<(Primitive, Primitive)> {
    let key = RsaKeyPair::generate(KeySize::Rsa2048)
        .map_err(|_| anyhow::anyhow!("RSA key generation failed"))?;
    let pkcs8 = key
        .as_der()
        .map_err(|_| anyhow::anyhow!("RSA key export failed"))?;
    let input = [b'x'; 400];
    let rng = SystemRandom::new();
    let sign = |key: &RsaKeyPair| {
        let mut signature = vec![0; key.public_modulus_len()];
        let signed = key.sign(&RSA_PKCS1_SHA256, &rng, &input, &mut signature);
        std::hint::black_box((signed.is_ok(), signature));
    };
    let cached = measure(count, || sign(&key));
    let parsed = measure(count, || {
        if let Ok(key) = RsaKeyPair::from_pkcs8(pkcs8.as_ref()) {
            sign(&key);
        }
    });
    Ok((cached, parsed))
}
