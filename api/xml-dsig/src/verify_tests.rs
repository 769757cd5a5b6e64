//! `verify_root` on signed AuthnRequests and LogoutRequests: genuine signatures (ours and
//! `xmlsec1`'s) are accepted, tampering, unknown keys, SHA-1 and odd shapes are refused.

use super::names::{RSA_SHA1, RSA_SHA256, SHA1, SHA256};
use super::testkit::{
    signature_of, signer, stranger, xmlsec_sign, xmlsec_verify, Identity, AUTHN_REQUEST,
    LOGOUT_REQUEST,
};
use super::{is_signed, parse, sign_enveloped, text_of, verify_root, DsigError};

fn signed_by(identity: &Identity, xml: &str, id: &str) -> String {
    sign_enveloped(xml, id, &identity.key, &identity.certificate_der).expect("signing succeeds")
}

fn signed_request() -> String {
    signed_by(signer(), AUTHN_REQUEST, "_authn-request-1")
}

fn verify(xml: &str) -> Result<(), DsigError> {
    verify_root(&parse(xml)?, &signer().trusted())
}

/// A signature template for the AuthnRequest fixture, for `xmlsec1 --sign` to fill in.
fn template(prefix_list: Option<&str>) -> String {
    let inclusive = prefix_list.map_or(String::new(), |list| {
        format!("<ec:InclusiveNamespaces xmlns:ec=\"http://www.w3.org/2001/10/xml-exc-c14n#\" PrefixList=\"{list}\"/>")
    });
    let signature = format!(
        "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\n<ds:SignedInfo>\n\
         <ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\">{inclusive}</ds:CanonicalizationMethod>\n\
         <ds:SignatureMethod Algorithm=\"{RSA_SHA256}\"/>\n<ds:Reference URI=\"#_authn-request-1\">\n\
         <ds:Transforms><ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>\
         <ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\">{inclusive}</ds:Transform></ds:Transforms>\n\
         <ds:DigestMethod Algorithm=\"{SHA256}\"/><ds:DigestValue/></ds:Reference>\n</ds:SignedInfo>\n\
         <ds:SignatureValue/>\n<ds:KeyInfo><ds:X509Data/></ds:KeyInfo>\n</ds:Signature>"
    );
    AUTHN_REQUEST.replace("</saml:Issuer>", &format!("</saml:Issuer>\n  {signature}"))
}

#[test]
fn an_authn_request_signed_by_us_verifies() {
    let signed = signed_request();
    assert!(is_signed(&parse(&signed).unwrap()));
    assert_eq!(verify(&signed), Ok(()));
}

#[test]
fn an_authn_request_signed_by_xmlsec1_verifies() {
    let signed = xmlsec_sign(&template(None), signer());
    assert!(signed.contains("<ds:SignatureValue>"));
    assert_eq!(verify(&signed), Ok(()));
}

#[test]
fn an_xmlsec1_signature_with_an_inclusive_prefix_list_verifies() {
    let signed = xmlsec_sign(&template(Some("saml #default")), signer());
    assert!(signed.contains("PrefixList=\"saml #default\""));
    assert_eq!(verify(&signed), Ok(()));
}

#[test]
fn an_xmlsec1_signature_in_the_default_namespace_verifies() {
    // Some service providers (.NET among them) write `<Signature xmlns="...xmldsig#">`.
    let unprefixed = template(None)
        .replace("<ds:Signature xmlns:ds=", "<Signature xmlns=")
        .replace("<ds:", "<")
        .replace("</ds:", "</");
    let signed = xmlsec_sign(&unprefixed, signer());
    assert!(signed.contains("<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">"));
    assert_eq!(verify(&signed), Ok(()));
}

#[test]
fn a_logout_request_signed_by_us_verifies_and_xmlsec1_agrees() {
    let signed = signed_by(signer(), LOGOUT_REQUEST, "_logout-request-1");
    xmlsec_verify(
        &signed,
        &signer().certificate_pem,
        &signature_of("_logout-request-1"),
    )
    .unwrap();
    assert_eq!(verify(&signed), Ok(()));
}

#[test]
fn an_unsigned_document_is_refused() {
    assert!(!is_signed(&parse(AUTHN_REQUEST).unwrap()));
    assert_eq!(verify(AUTHN_REQUEST), Err(DsigError::NotSigned));
}

#[test]
fn a_signature_by_an_unknown_key_is_refused_even_with_its_certificate_in_key_info() {
    let signed = signed_by(stranger(), AUTHN_REQUEST, "_authn-request-1");
    xmlsec_verify(
        &signed,
        &stranger().certificate_pem,
        &signature_of("_authn-request-1"),
    )
    .unwrap();
    assert_eq!(verify(&signed), Err(DsigError::SignatureInvalid));
}

#[test]
fn any_of_several_trusted_certificates_may_have_signed() {
    let signed = signed_by(signer(), AUTHN_REQUEST, "_authn-request-1");
    let trusted = vec![
        stranger().certificate_der.clone(),
        signer().certificate_der.clone(),
    ];
    assert_eq!(verify_root(&parse(&signed).unwrap(), &trusted), Ok(()));
}

#[test]
fn no_trusted_certificate_means_nothing_verifies() {
    let signed = signed_request();
    assert!(matches!(
        verify_root(&parse(&signed).unwrap(), &[]),
        Err(DsigError::Certificate(_))
    ));
}

#[test]
fn a_tampered_digest_value_is_refused() {
    let signed = signed_request();
    let start = signed.find("<ds:DigestValue>").unwrap() + "<ds:DigestValue>".len();
    let mut tampered = signed.clone();
    let flipped = if &signed[start..start + 1] == "A" {
        "B"
    } else {
        "A"
    };
    tampered.replace_range(start..start + 1, flipped);
    assert_eq!(verify(&tampered), Err(DsigError::DigestMismatch));
}

#[test]
fn a_tampered_attribute_is_refused() {
    let tampered = signed_request().replace("https://sp.test/acs", "https://attacker.test/acs");
    assert_eq!(verify(&tampered), Err(DsigError::DigestMismatch));
}

#[test]
fn a_tampered_signature_value_is_refused() {
    let signed = signed_request();
    let start = signed.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
    let mut tampered = signed.clone();
    let flipped = if &signed[start..start + 1] == "A" {
        "B"
    } else {
        "A"
    };
    tampered.replace_range(start..start + 1, flipped);
    assert_eq!(verify(&tampered), Err(DsigError::SignatureInvalid));
}

#[test]
fn an_rsa_sha1_signature_method_is_refused() {
    let tampered = signed_request().replace(RSA_SHA256, RSA_SHA1);
    assert_eq!(verify(&tampered), Err(DsigError::Sha1NotAccepted));
}

#[test]
fn a_sha1_digest_method_is_refused() {
    let tampered = signed_request().replace(SHA256, SHA1);
    assert_eq!(verify(&tampered), Err(DsigError::Sha1NotAccepted));
}

#[test]
fn an_xmlsec1_signature_made_with_rsa_sha1_is_refused() {
    let sha1_template = template(None)
        .replace(RSA_SHA256, RSA_SHA1)
        .replace(SHA256, SHA1);
    let signed = xmlsec_sign(&sha1_template, signer());
    assert_eq!(verify(&signed), Err(DsigError::Sha1NotAccepted));
}

#[test]
fn a_reference_without_the_enveloped_transform_is_refused() {
    let tampered = signed_request().replace(
        "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>",
        "",
    );
    assert!(matches!(
        verify(&tampered),
        Err(DsigError::SignatureShape(_))
    ));
}

#[test]
fn an_empty_reference_uri_is_refused() {
    let tampered = signed_request().replace("URI=\"#_authn-request-1\"", "URI=\"\"");
    assert!(matches!(
        verify(&tampered),
        Err(DsigError::SignatureShape(_))
    ));
}

#[test]
fn a_second_reference_is_refused() {
    let signed = signed_request();
    let start = signed.find("<ds:Reference").unwrap();
    let end = signed.find("</ds:Reference>").unwrap() + "</ds:Reference>".len();
    let reference = signed[start..end].to_owned();
    let tampered = signed.replacen(&reference, &format!("{reference}{reference}"), 1);
    assert!(matches!(
        verify(&tampered),
        Err(DsigError::SignatureShape(_))
    ));
}

#[test]
fn another_element_with_an_id_like_attribute_of_the_same_value_is_refused() {
    // Signed as is, so digest and signature are genuine: only the duplicate ID is wrong.
    for attribute in ["x:Id", "xml:id", "AssertionID", "ID"] {
        let xml = AUTHN_REQUEST.replace(
            "</saml:Issuer>",
            &format!(
                "</saml:Issuer><samlp:Extensions><x:Other xmlns:x=\"urn:x\" \
                 {attribute}=\"_authn-request-1\"/></samlp:Extensions>"
            ),
        );
        let signed = if attribute == "ID" {
            // sign_enveloped itself refuses to sign an ambiguous ID; sign a unique one and rename.
            signed_by(
                signer(),
                &xml.replace("\"_authn-request-1\"/>", "\"_tmp\"/>"),
                "_authn-request-1",
            )
            .replace("\"_tmp\"/>", "\"_authn-request-1\"/>")
        } else {
            signed_by(signer(), &xml, "_authn-request-1")
        };
        assert_eq!(verify(&signed), Err(DsigError::DuplicateId), "{attribute}");
    }
}

#[test]
fn a_comment_in_a_signed_name_id_still_verifies_but_text_of_refuses_the_name_id() {
    let xml = LOGOUT_REQUEST.replace("user@example.com", "admin@example.com.evil.test");
    let signed = signed_by(signer(), &xml, "_logout-request-1");
    let injected = signed.replace(
        "admin@example.com.evil.test",
        "admin@example.com<!---->.evil.test",
    );
    // Exclusive C14N without comments drops the comment: the signature is still valid...
    xmlsec_verify(
        &injected,
        &signer().certificate_pem,
        &signature_of("_logout-request-1"),
    )
    .unwrap();
    let doc = parse(&injected).unwrap();
    assert_eq!(verify_root(&doc, &signer().trusted()), Ok(()));
    // ...so a reader taking the first text node would see "admin@example.com".
    let name_id = doc
        .descendants()
        .find(|n| n.tag_name().name() == "NameID")
        .unwrap();
    assert_eq!(name_id.text(), Some("admin@example.com"));
    assert_eq!(text_of(name_id), Err(DsigError::NotPlainText));
}

#[test]
fn text_of_returns_the_whole_text_of_a_plain_element() {
    let signed = signed_by(signer(), LOGOUT_REQUEST, "_logout-request-1");
    let doc = parse(&signed).unwrap();
    let name_id = doc
        .descendants()
        .find(|n| n.tag_name().name() == "NameID")
        .unwrap();
    assert_eq!(text_of(name_id).as_deref(), Ok("user@example.com"));
    let doc = parse("<a>x &amp; <![CDATA[<y>]]> z</a>").unwrap();
    assert_eq!(text_of(doc.root_element()).as_deref(), Ok("x & <y> z"));
    let doc = parse("<a/>").unwrap();
    assert_eq!(text_of(doc.root_element()).as_deref(), Ok(""));
    let doc = parse("<a>x<b/>y</a>").unwrap();
    assert_eq!(text_of(doc.root_element()), Err(DsigError::NotPlainText));
    let doc = parse("<a>x<?pi?></a>").unwrap();
    assert_eq!(text_of(doc.root_element()), Err(DsigError::NotPlainText));
}

#[test]
fn changing_any_single_byte_outside_key_info_breaks_verification_without_panicking() {
    let signed = signed_request();
    let root_start = signed.find("<samlp:AuthnRequest").unwrap();
    let key_info = signed.find("<ds:KeyInfo>").unwrap()..signed.find("</ds:KeyInfo>").unwrap();
    for (at, byte) in signed.bytes().enumerate() {
        if !byte.is_ascii() {
            continue;
        }
        let replacement = if byte == b'x' { "y" } else { "x" };
        let mut mutated = signed.clone();
        mutated.replace_range(at..at + 1, replacement);
        let accepted = verify(&mutated).is_ok();
        assert!(
            !accepted || at < root_start || key_info.contains(&at),
            "a change at byte {at} went unnoticed"
        );
    }
}
