//! Public keys taken from trusted X.509 certificates, and RSA signature checks against them.

use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use x509_parser::oid_registry::OID_PKCS1_RSAENCRYPTION;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::names::{RSA_SHA1, RSA_SHA256, RSA_SHA512};
use super::DsigError;

/// The RSA `SubjectPublicKeyInfo` (DER) of a certificate.
pub(crate) fn rsa_public_key_info(certificate_der: &[u8]) -> Result<Vec<u8>, DsigError> {
    let (_, certificate) = X509Certificate::from_der(certificate_der)
        .map_err(|_| DsigError::Certificate("it is not a DER X.509 certificate"))?;
    let spki = certificate.public_key();
    if spki.algorithm.algorithm != OID_PKCS1_RSAENCRYPTION {
        return Err(DsigError::Certificate("its public key is not an RSA key"));
    }
    Ok(spki.raw.to_vec())
}

/// The verification algorithm for a signature method URI; RSA-SHA1 is refused by name.
pub(crate) fn rsa_algorithm(uri: &str) -> Result<&'static dyn VerificationAlgorithm, DsigError> {
    match uri {
        RSA_SHA256 => Ok(&signature::RSA_PKCS1_2048_8192_SHA256),
        RSA_SHA512 => Ok(&signature::RSA_PKCS1_2048_8192_SHA512),
        RSA_SHA1 => Err(DsigError::Sha1NotAccepted),
        _ => Err(DsigError::UnsupportedAlgorithm(
            "given as the signature method".into(),
        )),
    }
}

/// Succeeds when `signature` over `message` verifies with the key of any trusted certificate.
pub(crate) fn verify_with_any(
    algorithm: &'static dyn VerificationAlgorithm,
    message: &[u8],
    signature: &[u8],
    certificates_der: &[Vec<u8>],
) -> Result<(), DsigError> {
    if certificates_der.is_empty() {
        return Err(DsigError::Certificate(
            "no trusted certificate is configured",
        ));
    }
    for certificate in certificates_der {
        let key = rsa_public_key_info(certificate)?;
        if UnparsedPublicKey::new(algorithm, &key)
            .verify(message, signature)
            .is_ok()
        {
            return Ok(());
        }
    }
    Err(DsigError::SignatureInvalid)
}
