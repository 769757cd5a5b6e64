//! HTTP-Redirect binding signatures (SAML 2.0 bindings §3.4.4.1), with `openssl dgst` as the
//! independent verifier and deflate/inflate round trips.

use std::process::Command;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::names::{RSA_SHA1, RSA_SHA256};
use super::redirect::{url_decode, url_encode};
use super::sign::rsa_sha256;
use super::testkit::{signer, stranger, Scratch, AUTHN_REQUEST};
use super::{deflate, inflate, parse, sign_redirect, verify_redirect, DsigError};

fn saml_request() -> String {
    url_encode(&STANDARD.encode(deflate(AUTHN_REQUEST.as_bytes())))
}

fn trusted() -> Vec<Vec<u8>> {
    signer().trusted()
}

/// A query signed over exactly `octets`, the way any other implementation might have encoded it.
fn signed_over(octets: &str) -> String {
    let signature = rsa_sha256(&signer().key, octets.as_bytes()).unwrap();
    format!(
        "{octets}&Signature={}",
        url_encode(&STANDARD.encode(signature))
    )
}

#[test]
fn a_signed_redirect_query_verifies_and_its_request_inflates_back() {
    let query = format!(
        "SAMLRequest={}&RelayState={}",
        saml_request(),
        url_encode("/app?x=1 2")
    );
    let signed = sign_redirect(&query, &signer().key).unwrap();
    assert!(signed.starts_with(&query));
    assert!(signed.contains(&format!("&SigAlg={}&Signature=", url_encode(RSA_SHA256))));
    assert_eq!(verify_redirect(&signed, &trusted()), Ok(()));

    let encoded = signed
        .split('&')
        .next()
        .unwrap()
        .trim_start_matches("SAMLRequest=");
    let deflated = STANDARD.decode(url_decode(encoded).unwrap()).unwrap();
    let xml = String::from_utf8(inflate(&deflated, 64 * 1024).unwrap()).unwrap();
    assert_eq!(
        parse(&xml).unwrap().root_element().attribute("ID"),
        Some("_authn-request-1")
    );
}

#[test]
fn the_signed_octets_follow_the_binding_order_whatever_the_input_order() {
    let request = saml_request();
    let signed = sign_redirect(
        &format!("RelayState=abc&SAMLRequest={request}"),
        &signer().key,
    )
    .unwrap();
    assert!(signed.starts_with(&format!("SAMLRequest={request}&RelayState=abc&SigAlg=")));
    assert_eq!(verify_redirect(&signed, &trusted()), Ok(()));
}

#[test]
fn a_saml_response_without_relay_state_is_signed_and_verified() {
    let signed = sign_redirect("SAMLResponse=abc%2Bdef", &signer().key).unwrap();
    assert!(signed.starts_with("SAMLResponse=abc%2Bdef&SigAlg="));
    assert_eq!(verify_redirect(&format!("?{signed}"), &trusted()), Ok(()));
}

#[test]
fn verification_uses_the_raw_encoding_the_sender_signed() {
    // Lower-case escapes and `+` for spaces: re-encoding would produce other octets and fail.
    let octets = format!(
        "SAMLRequest=abc%2bdef&RelayState=a+b%2fc&SigAlg={}",
        url_encode(RSA_SHA256).to_lowercase().replace("%3a", "%3A")
    );
    let query = signed_over(&octets);
    assert_eq!(verify_redirect(&query, &trusted()), Ok(()));
    let reencoded = query.replace("a+b%2fc", "a%20b%2Fc");
    assert_eq!(
        verify_redirect(&reencoded, &trusted()),
        Err(DsigError::SignatureInvalid)
    );
}

#[test]
fn parameters_outside_the_binding_are_not_signed_and_do_not_matter() {
    let signed = sign_redirect(&format!("SAMLRequest={}", saml_request()), &signer().key).unwrap();
    assert_eq!(
        verify_redirect(&format!("{signed}&extra=1"), &trusted()),
        Ok(())
    );
    assert!(matches!(
        sign_redirect("SAMLRequest=a&extra=1", &signer().key),
        Err(DsigError::Query(_))
    ));
}

#[test]
fn a_redirect_signature_verifies_with_openssl() {
    let signed = sign_redirect(
        &format!("SAMLRequest={}&RelayState=xyz", saml_request()),
        &signer().key,
    )
    .unwrap();
    let (octets, signature) = signed.split_once("&Signature=").unwrap();
    let scratch = Scratch::new();
    std::fs::write(scratch.path("octets"), octets).unwrap();
    let signature = STANDARD.decode(url_decode(signature).unwrap()).unwrap();
    std::fs::write(scratch.path("signature"), signature).unwrap();
    scratch.write("cert.pem", &signer().certificate_pem);
    let openssl = |args: &[&str]| match Command::new("openssl")
        .args(args)
        .current_dir(scratch.path(""))
        .output()
    {
        Ok(output) => output,
        Err(error) => {
            panic!("cannot run openssl ({error}); install it to run this interoperability test")
        }
    };
    let public_key = openssl(&["x509", "-pubkey", "-noout", "-in", "cert.pem"]);
    std::fs::write(scratch.path("public.pem"), public_key.stdout).unwrap();
    let verified = openssl(&[
        "dgst",
        "-sha256",
        "-verify",
        "public.pem",
        "-signature",
        "signature",
        "octets",
    ]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
}

#[test]
fn rsa_sha1_in_sig_alg_is_refused() {
    let octets = format!("SAMLRequest=abc&SigAlg={}", url_encode(RSA_SHA1));
    assert_eq!(
        verify_redirect(&signed_over(&octets), &trusted()),
        Err(DsigError::Sha1NotAccepted)
    );
}

#[test]
fn a_redirect_signature_by_an_unknown_key_is_refused() {
    let signed = sign_redirect("SAMLRequest=abc", &stranger().key).unwrap();
    assert_eq!(
        verify_redirect(&signed, &trusted()),
        Err(DsigError::SignatureInvalid)
    );
}

#[test]
fn a_tampered_request_or_relay_state_is_refused() {
    let signed = sign_redirect("SAMLRequest=abc&RelayState=home", &signer().key).unwrap();
    let tampered = signed.replace("SAMLRequest=abc", "SAMLRequest=abd");
    assert_eq!(
        verify_redirect(&tampered, &trusted()),
        Err(DsigError::SignatureInvalid)
    );
    let tampered = signed.replace("RelayState=home", "RelayState=evil");
    assert_eq!(
        verify_redirect(&tampered, &trusted()),
        Err(DsigError::SignatureInvalid)
    );
    let dropped = signed.replace("&RelayState=home", "");
    assert_eq!(
        verify_redirect(&dropped, &trusted()),
        Err(DsigError::SignatureInvalid)
    );
}

#[test]
fn unsigned_or_ambiguous_queries_are_refused() {
    assert_eq!(
        verify_redirect("SAMLRequest=abc", &trusted()),
        Err(DsigError::NotSigned)
    );
    let signed = sign_redirect("SAMLRequest=abc", &signer().key).unwrap();
    assert!(matches!(
        verify_redirect(&format!("{signed}&SAMLRequest=evil"), &trusted()),
        Err(DsigError::Query(_))
    ));
    assert!(matches!(
        verify_redirect(&format!("SAMLResponse=x&{signed}"), &trusted()),
        Err(DsigError::Query(_))
    ));
    assert!(matches!(
        verify_redirect("RelayState=x", &trusted()),
        Err(DsigError::Query(_))
    ));
    let bad_signature = format!(
        "SAMLRequest=abc&SigAlg={}&Signature=%%%",
        url_encode(RSA_SHA256)
    );
    assert!(matches!(
        verify_redirect(&bad_signature, &trusted()),
        Err(DsigError::Query(_))
    ));
}
