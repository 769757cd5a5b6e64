//! Enveloped signing, checked by `xmlsec1` as the independent verifier.

use super::names::{DSIG_NS, SAML_ASSERTION_NS};
use super::testkit::{signature_of, signer, xmlsec_verify, AUTHN_REQUEST, RESPONSE};
use super::{parse, sign_enveloped, verify_root, DsigError};

fn sign(xml: &str, id: &str) -> String {
    let idp = signer();
    sign_enveloped(xml, id, &idp.key, &idp.certificate_der).expect("signing succeeds")
}

#[test]
fn an_assertion_then_its_response_are_signed_and_xmlsec1_verifies_both() {
    let signed = sign(&sign(RESPONSE, "_assertion-1"), "_response-1");
    let pem = &signer().certificate_pem;
    xmlsec_verify(&signed, pem, &signature_of("_assertion-1")).expect("assertion signature");
    xmlsec_verify(&signed, pem, &signature_of("_response-1")).expect("response signature");
}

#[test]
fn the_signature_follows_the_issuer_in_schema_order() {
    let signed = sign(&sign(RESPONSE, "_assertion-1"), "_response-1");
    let doc = parse(&signed).unwrap();
    for id in ["_response-1", "_assertion-1"] {
        let element = doc
            .descendants()
            .find(|n| n.attribute("ID") == Some(id))
            .unwrap();
        let names: Vec<_> = element
            .children()
            .filter(|c| c.is_element())
            .take(2)
            .map(|c| (c.tag_name().namespace().unwrap_or(""), c.tag_name().name()))
            .collect();
        assert_eq!(
            names,
            [(SAML_ASSERTION_NS, "Issuer"), (DSIG_NS, "Signature")]
        );
    }
}

#[test]
fn signing_keeps_the_rest_of_the_document_byte_for_byte() {
    let signed = sign(RESPONSE, "_response-1");
    let start = signed.find("<ds:Signature").unwrap();
    let end = signed.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    assert_eq!(format!("{}{}", &signed[..start], &signed[end..]), RESPONSE);
}

#[test]
fn an_element_without_issuer_gets_the_signature_as_first_child() {
    let xml = "<samlp:LogoutResponse xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
               ID=\"_lr\" Version=\"2.0\" IssueInstant=\"2024-05-01T10:00:00Z\" Note=\"a > b\">\
               <samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/>\
               </samlp:Status></samlp:LogoutResponse>";
    let signed = sign(xml, "_lr");
    assert!(signed.contains("Note=\"a > b\"><ds:Signature"));
    xmlsec_verify(&signed, &signer().certificate_pem, &signature_of("_lr")).unwrap();
    verify_root(&parse(&signed).unwrap(), &signer().trusted()).unwrap();
}

#[test]
fn an_empty_element_written_as_a_self_closing_tag_can_be_signed() {
    let xml = "<samlp:LogoutResponse xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
               ID=\"_empty\" Version=\"2.0\" IssueInstant=\"2024-05-01T10:00:00Z\"/>";
    let signed = sign(xml, "_empty");
    assert!(signed.ends_with("</ds:Signature></samlp:LogoutResponse>"));
    xmlsec_verify(&signed, &signer().certificate_pem, &signature_of("_empty")).unwrap();
    verify_root(&parse(&signed).unwrap(), &signer().trusted()).unwrap();
}

#[test]
fn a_signed_authn_request_verifies_with_xmlsec1_and_with_verify_root() {
    let signed = sign(AUTHN_REQUEST, "_authn-request-1");
    xmlsec_verify(
        &signed,
        &signer().certificate_pem,
        &signature_of("_authn-request-1"),
    )
    .unwrap();
    verify_root(&parse(&signed).unwrap(), &signer().trusted()).unwrap();
}

#[test]
fn signing_an_unknown_id_fails() {
    let idp = signer();
    assert_eq!(
        sign_enveloped(RESPONSE, "_nope", &idp.key, &idp.certificate_der),
        Err(DsigError::IdNotFound)
    );
}

#[test]
fn signing_an_id_carried_by_two_elements_fails() {
    let idp = signer();
    let xml = "<r><a ID=\"_x\"/><b ID=\"_x\"/></r>";
    assert_eq!(
        sign_enveloped(xml, "_x", &idp.key, &idp.certificate_der),
        Err(DsigError::DuplicateId)
    );
}
