//! Key material: generating key pairs (aws-lc-rs), reading a stored PKCS#8 key into a
//! jsonwebtoken signing key, and the verifier of a published JWK.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Validation};
use serde_json::{json, Value};

use super::Verifier;

/// What verifies tokens signed by a published key: its public half from the JWK, and a
/// validation that checks the signature only, with `alg` pinned to the key's algorithm.
pub(super) fn verifier(algorithm: &str, jwk: &Value) -> Option<Verifier> {
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
pub(super) fn signature_only(alg: Algorithm) -> Validation {
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
pub(super) fn encoding_key(
    algorithm: &str,
    pkcs8: &[u8],
) -> anyhow::Result<(Algorithm, EncodingKey)> {
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
pub(super) fn generate(algorithm: &str) -> anyhow::Result<(Vec<u8>, Value)> {
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
