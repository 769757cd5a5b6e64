//! Key material: generating key pairs (aws-lc-rs), reading a stored PKCS#8 key into a key pair
//! kept parsed that signs JWTs, and the verifier of a published JWK.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    EcdsaKeyPair, KeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING, RSA_PKCS1_SHA256,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
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

/// The signing half of a stored key, parsed once when the key is loaded. jsonwebtoken's `encode`
/// parses the private key again for every signature (and aws-lc then rebuilds the RSA key's
/// Montgomery contexts): most of an RS256 token's cost. So the key pair is kept parsed and signs
/// the JWS here; jsonwebtoken still writes the header and verifies (ops/adr/0029).
pub(super) enum SigningPair {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

impl SigningPair {
    /// The JWS compact serialization (RFC 7515 §7.1) of `claims` under `header`: RS256 is
    /// RSASSA-PKCS1-v1_5 with SHA-256, ES256 the fixed-width `r ‖ s` ECDSA P-256 signature
    /// (RFC 7518 §3.3, §3.4).
    pub(super) fn sign_jwt(&self, header: &Header, claims: &Value) -> anyhow::Result<String> {
        let mut message = URL_SAFE_NO_PAD.encode(serde_json::to_vec(header)?);
        message.push('.');
        message.push_str(&URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims)?));
        let rng = SystemRandom::new();
        let signature = match (self, header.alg) {
            (Self::Rsa(pair), Algorithm::RS256) => {
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &rng, message.as_bytes(), &mut signature)
                    .map_err(|_| anyhow::anyhow!("RS256 signing failed"))?;
                signature
            }
            (Self::Ec(pair), Algorithm::ES256) => pair
                .sign(&rng, message.as_bytes())
                .map_err(|_| anyhow::anyhow!("ES256 signing failed"))?
                .as_ref()
                .to_vec(),
            (_, alg) => anyhow::bail!("the key does not sign {alg:?}"),
        };
        message.push('.');
        message.push_str(&URL_SAFE_NO_PAD.encode(signature));
        Ok(message)
    }
}

/// The signing half of a stored key, checked here so that a broken key fails the load, not each
/// signature. Keys are stored as PKCS#8; an RSA key is read (aws-lc-rs `RsaKeyPair::from_der`)
/// from the PKCS#1 `RSAPrivateKey` that the PKCS#8 `privateKey` octet string of an
/// rsaEncryption key holds.
pub(super) fn encoding_key(
    algorithm: &str,
    pkcs8: &[u8],
) -> anyhow::Result<(Algorithm, SigningPair)> {
    match algorithm {
        "RS256" => {
            let info = pkcs8::PrivateKeyInfo::try_from(pkcs8)
                .map_err(|e| anyhow::anyhow!("RSA key: {e}"))?;
            anyhow::ensure!(
                info.algorithm.oid == RSA_ENCRYPTION,
                "RSA key: PKCS#8 holds a key of algorithm {}",
                info.algorithm.oid
            );
            let pair = RsaKeyPair::from_der(info.private_key)
                .map_err(|e| anyhow::anyhow!("RSA key: {e}"))?;
            Ok((Algorithm::RS256, SigningPair::Rsa(pair)))
        }
        "ES256" => {
            let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8)
                .map_err(|e| anyhow::anyhow!("EC key: {e}"))?;
            Ok((Algorithm::ES256, SigningPair::Ec(pair)))
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
