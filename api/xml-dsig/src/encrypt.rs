//! Assertion encryption for a service provider's certificate (SAML 2.0 core §6.2, XML Encryption
//! 1.1): the assertion is sealed with a fresh AES-256-GCM key, and that key is wrapped with
//! RSA-OAEP (MGF1-SHA1, SHA-1 digest), the combination every SAML service provider can decrypt.

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::rsa::{OaepPublicEncryptingKey, PublicEncryptingKey, OAEP_SHA1_MGF1SHA1};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::keys::rsa_public_key_info;
use super::names::{
    AES256_GCM, DSIG_NS, RSA_OAEP_MGF1P, SAML_ASSERTION_NS, SHA1, XENC_ELEMENT, XENC_NS,
};
use super::parse::{parse_with, OWN};
use super::DsigError;

/// Returns `<saml:EncryptedAssertion>` holding `assertion_xml` encrypted for the holder of
/// `certificate_der`'s RSA key. `assertion_xml` must be one self-contained `saml:Assertion`
/// element (its own namespace declarations, no XML declaration), signed first if it is to be.
pub fn encrypt_assertion(assertion_xml: &str, certificate_der: &[u8]) -> Result<String, DsigError> {
    check_assertion(assertion_xml)?;
    let rng = SystemRandom::new();

    let mut content_key = [0u8; 32];
    let mut iv = [0u8; NONCE_LEN];
    rng.fill(&mut content_key)
        .and_then(|()| rng.fill(&mut iv))
        .map_err(|_| DsigError::Crypto("no random bytes available"))?;

    // XML Encryption 1.1 §5.2.4: the CipherValue is IV || ciphertext || tag.
    let cipher = LessSafeKey::new(
        UnboundKey::new(&AES_256_GCM, &content_key)
            .map_err(|_| DsigError::Crypto("AES key setup failed"))?,
    );
    let mut sealed = assertion_xml.as_bytes().to_vec();
    cipher
        .seal_in_place_append_tag(Nonce::assume_unique_for_key(iv), Aad::empty(), &mut sealed)
        .map_err(|_| DsigError::Crypto("AES-GCM encryption failed"))?;
    let mut cipher_value = iv.to_vec();
    cipher_value.extend_from_slice(&sealed);

    let wrapped_key = wrap_key(&content_key, certificate_der)?;

    Ok(format!(
        "<saml:EncryptedAssertion xmlns:saml=\"{SAML_ASSERTION_NS}\">\
         <xenc:EncryptedData xmlns:xenc=\"{XENC_NS}\" Type=\"{XENC_ELEMENT}\">\
         <xenc:EncryptionMethod Algorithm=\"{AES256_GCM}\"/>\
         <ds:KeyInfo xmlns:ds=\"{DSIG_NS}\"><xenc:EncryptedKey>\
         <xenc:EncryptionMethod Algorithm=\"{RSA_OAEP_MGF1P}\">\
         <ds:DigestMethod Algorithm=\"{SHA1}\"/></xenc:EncryptionMethod>\
         <xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData>\
         </xenc:EncryptedKey></ds:KeyInfo>\
         <xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData>\
         </xenc:EncryptedData></saml:EncryptedAssertion>",
        STANDARD.encode(wrapped_key),
        STANDARD.encode(cipher_value),
    ))
}

/// Refuses anything but a single well-formed `saml:Assertion` element, which is what the service
/// provider will parse in place of the EncryptedData.
fn check_assertion(assertion_xml: &str) -> Result<(), DsigError> {
    let doc = parse_with(assertion_xml, OWN)?;
    if !doc
        .root_element()
        .has_tag_name((SAML_ASSERTION_NS, "Assertion"))
    {
        return Err(DsigError::Malformed(
            "the element to encrypt is not a saml:Assertion".into(),
        ));
    }
    if assertion_xml.trim_start().starts_with("<?") {
        return Err(DsigError::Malformed(
            "the assertion to encrypt must not start with an XML declaration".into(),
        ));
    }
    Ok(())
}

/// Encrypts the content key with RSA-OAEP (MGF1-SHA1) under the certificate's public key.
fn wrap_key(content_key: &[u8], certificate_der: &[u8]) -> Result<Vec<u8>, DsigError> {
    let public_key = PublicEncryptingKey::from_der(&rsa_public_key_info(certificate_der)?)
        .map_err(|_| DsigError::Certificate("its RSA key cannot be used for encryption"))?;
    let oaep = OaepPublicEncryptingKey::new(public_key)
        .map_err(|_| DsigError::Certificate("its RSA key cannot be used for encryption"))?;
    let mut wrapped = vec![0u8; oaep.ciphertext_size()];
    let length = oaep
        .encrypt(&OAEP_SHA1_MGF1SHA1, content_key, &mut wrapped, None)
        .map_err(|_| DsigError::Crypto("RSA-OAEP key wrapping failed"))?
        .len();
    wrapped.truncate(length);
    Ok(wrapped)
}
