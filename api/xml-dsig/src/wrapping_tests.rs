//! XML signature wrapping (XSW1–XSW8, after Somorovsky et al., "On Breaking SAML: Be Whoever You
//! Want to Be", USENIX Security 2012, as catalogued by SAML Raider), adapted to a signed
//! AuthnRequest: each keeps the genuine signature and digest of the original request but makes the
//! root an attacker's request. Every one must be refused by `verify_root`.

use super::testkit::{signer, xmlsec_verify, AUTHN_REQUEST};
use super::{parse, sign_enveloped, verify_root, DsigError};

const ID: &str = "_authn-request-1";

/// The signed original (without XML declaration), its signature, and the original without it.
struct Parts {
    original: String,
    signature: String,
    unsigned: String,
}

fn parts() -> Parts {
    let idp = signer();
    let signed = sign_enveloped(AUTHN_REQUEST, ID, &idp.key, &idp.certificate_der).unwrap();
    let original = signed[signed.find("<samlp:AuthnRequest").unwrap()..]
        .trim_end()
        .to_owned();
    let start = original.find("<ds:Signature").unwrap();
    let end = original.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let signature = original[start..end].to_owned();
    let unsigned = original.replace(&signature, "");
    Parts {
        original,
        signature,
        unsigned,
    }
}

/// The attacker's request: same issuer, their assertion consumer URL, `id` and `inner` content.
fn evil(id: Option<&str>, inner: &str) -> String {
    let id = id.map_or(String::new(), |id| format!(" ID=\"{id}\""));
    format!(
        "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
         xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"{id} Version=\"2.0\" \
         IssueInstant=\"2024-05-01T10:00:00Z\" AssertionConsumerServiceURL=\"https://attacker.test/acs\">\
         <saml:Issuer>https://sp.test/metadata</saml:Issuer>{inner}</samlp:AuthnRequest>"
    )
}

/// `signature` with `content` added as its last child.
fn inside_signature(signature: &str, content: &str) -> String {
    signature.replace("</ds:Signature>", &format!("{content}</ds:Signature>"))
}

fn in_object(content: &str) -> String {
    format!("<ds:Object>{content}</ds:Object>")
}

fn in_extensions(content: &str) -> String {
    format!("<samlp:Extensions>{content}</samlp:Extensions>")
}

fn assert_refused(xml: &str) {
    let doc = parse(xml).expect("the wrapped document is well-formed");
    let result = verify_root(&doc, &signer().trusted());
    assert!(
        matches!(
            result,
            Err(DsigError::SignatureShape(_) | DsigError::DuplicateId)
        ),
        "expected a wrapping refusal, got {result:?}"
    );
}

/// A wrapped document whose signature `xmlsec1` still accepts: the cryptography alone is fine, so
/// only the shape check stands between the attacker and the evil request.
fn assert_cryptographically_valid(xml: &str) {
    xmlsec_verify(
        xml,
        &signer().certificate_pem,
        "//*[local-name()='Signature']",
    )
    .expect("xmlsec1 accepts the genuine signature inside the wrapper");
}

#[test]
fn xsw1_the_original_inside_the_signature_of_an_evil_root_is_refused() {
    let p = parts();
    // xmlsec1 itself rejects this one (an AuthnRequest is not allowed inside ds:Signature), but
    // libraries that resolve the Reference before checking the Signature schema have not.
    assert_refused(&evil(
        Some("_evil"),
        &inside_signature(&p.signature, &p.unsigned),
    ));
}

#[test]
fn xsw2_a_detached_signature_referencing_a_sibling_of_the_evil_content_is_refused() {
    let p = parts();
    let xml = evil(Some("_evil"), &format!("{}{}", p.unsigned, p.signature));
    assert_cryptographically_valid(&xml);
    assert_refused(&xml);
}

#[test]
fn xsw3_a_cloned_unsigned_root_with_the_signed_original_inside_is_refused() {
    let p = parts();
    assert_refused(&evil(Some(ID), &p.original));
}

#[test]
fn xsw4_the_original_in_extensions_and_its_signature_on_an_evil_root_with_the_same_id_is_refused() {
    let p = parts();
    assert_refused(&evil(
        Some(ID),
        &format!("{}{}", p.signature, in_extensions(&p.unsigned)),
    ));
}

#[test]
fn xsw5_the_original_in_a_signature_object_under_an_evil_root_with_the_same_id_is_refused() {
    let p = parts();
    assert_refused(&evil(
        Some(ID),
        &inside_signature(&p.signature, &in_object(&p.unsigned)),
    ));
}

#[test]
fn xsw6_the_original_in_a_signature_object_under_an_evil_root_with_its_own_id_is_refused() {
    let p = parts();
    // xmlsec1's enveloped transform drops everything inside the Signature, so it reports a digest
    // mismatch; an implementation that only removes the Signature element itself would not.
    assert_refused(&evil(
        Some("_evil"),
        &inside_signature(&p.signature, &in_object(&p.unsigned)),
    ));
}

#[test]
fn xsw7_the_signed_original_wrapped_in_extensions_of_an_evil_root_is_refused() {
    let p = parts();
    let xml = evil(Some("_evil"), &in_extensions(&p.original));
    assert_cryptographically_valid(&xml);
    assert_refused(&xml);
}

#[test]
fn xsw8_a_signature_on_an_evil_root_without_id_referencing_the_original_in_extensions_is_refused() {
    let p = parts();
    let xml = evil(
        None,
        &format!("{}{}", p.signature, in_extensions(&p.unsigned)),
    );
    assert_cryptographically_valid(&xml);
    assert_refused(&xml);
}

#[test]
fn a_second_signature_anywhere_in_the_document_is_refused() {
    let p = parts();
    let extra = in_extensions(&evil(Some("_other"), &p.signature.replace(ID, "_other")));
    let xml = p.original.replace(
        "</samlp:AuthnRequest>",
        &format!("{extra}</samlp:AuthnRequest>"),
    );
    assert!(matches!(
        verify_root(&parse(&xml).unwrap(), &signer().trusted()),
        Err(DsigError::SignatureShape(_))
    ));
}
