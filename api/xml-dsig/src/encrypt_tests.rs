//! Assertion encryption, decrypted by `xmlsec1 --decrypt` with the service provider's key.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::c14n::canonicalize;
use super::names::{AES256_GCM, RSA_OAEP_MGF1P};
use super::testkit::{path_arg, signature_of, signer, xmlsec1, xmlsec_verify, Scratch, ASSERTION};
use super::{encrypt_assertion, parse, sign_enveloped, DsigError};

/// Decrypts with `xmlsec1 --decrypt --privkey-pem <sp key>` and returns the resulting document.
fn xmlsec_decrypt(encrypted: &str) -> String {
    let scratch = Scratch::new();
    let input = scratch.write("encrypted.xml", encrypted);
    let key = scratch.write("sp.key", &signer().key_pem);
    let output = scratch.path("decrypted.xml");
    let (ok, stdout, stderr) = xmlsec1(&[
        "--decrypt".to_owned(),
        "--privkey-pem".to_owned(),
        path_arg(&key),
        "--output".to_owned(),
        path_arg(&output),
        path_arg(&input),
    ]);
    assert!(ok, "xmlsec1 --decrypt failed: {stdout}{stderr}");
    std::fs::read_to_string(output).expect("xmlsec1 output")
}

/// Exclusive C14N of the first `saml:Assertion` in `xml`, to compare content and not spelling.
fn canonical_assertion(xml: &str) -> String {
    let doc = parse(xml).unwrap();
    let assertion = doc
        .descendants()
        .find(|n| n.tag_name().name() == "Assertion")
        .expect("an Assertion");
    canonicalize(assertion, None, &[])
}

#[test]
fn xmlsec1_decrypts_the_assertion_with_the_service_provider_key() {
    let encrypted = encrypt_assertion(ASSERTION, &signer().certificate_der).unwrap();
    assert!(encrypted.starts_with(
        "<saml:EncryptedAssertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\">"
    ));
    let decrypted = xmlsec_decrypt(&encrypted);
    assert_eq!(
        canonical_assertion(&decrypted),
        canonical_assertion(ASSERTION)
    );
}

#[test]
fn a_signed_assertion_still_verifies_after_decryption() {
    let idp = signer();
    let signed = sign_enveloped(ASSERTION, "_assertion-2", &idp.key, &idp.certificate_der).unwrap();
    let decrypted = xmlsec_decrypt(&encrypt_assertion(&signed, &idp.certificate_der).unwrap());
    xmlsec_verify(
        &decrypted,
        &idp.certificate_pem,
        &signature_of("_assertion-2"),
    )
    .unwrap();
}

#[test]
fn the_encrypted_data_uses_aes256_gcm_with_the_iv_first_and_an_rsa_oaep_wrapped_key() {
    let encrypted = encrypt_assertion(ASSERTION, &signer().certificate_der).unwrap();
    let doc = parse(&encrypted).unwrap();
    let methods: Vec<_> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "EncryptionMethod")
        .filter_map(|n| n.attribute("Algorithm"))
        .collect();
    assert_eq!(methods, [AES256_GCM, RSA_OAEP_MGF1P]);
    let values: Vec<_> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "CipherValue")
        .map(|n| STANDARD.decode(n.text().unwrap()).unwrap().len())
        .collect();
    assert_eq!(values, [256, 12 + ASSERTION.len() + 16]);
}

#[test]
fn each_encryption_uses_a_fresh_key_and_iv() {
    let der = &signer().certificate_der;
    assert_ne!(
        encrypt_assertion(ASSERTION, der).unwrap(),
        encrypt_assertion(ASSERTION, der).unwrap()
    );
}

#[test]
fn only_a_saml_assertion_element_is_encrypted() {
    let der = &signer().certificate_der;
    assert!(matches!(
        encrypt_assertion("<a/>", der),
        Err(DsigError::Malformed(_))
    ));
    let declared = format!("<?xml version=\"1.0\"?>{ASSERTION}");
    assert!(matches!(
        encrypt_assertion(&declared, der),
        Err(DsigError::Malformed(_))
    ));
}

#[test]
fn a_certificate_without_an_rsa_key_is_refused() {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let certificate = rcgen::CertificateParams::new(vec!["sp.test".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    assert!(matches!(
        encrypt_assertion(ASSERTION, certificate.der()),
        Err(DsigError::Certificate(_))
    ));
    assert!(matches!(
        encrypt_assertion(ASSERTION, b"junk"),
        Err(DsigError::Certificate(_))
    ));
}
