//! Enveloped XML signatures on SAML elements: RSA-SHA256 over exclusive-C14N, as SAML 2.0 core
//! §5.4 profiles XML Signature.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use roxmltree::{Document, Node};
use sha2::{Digest, Sha256};

use super::c14n::{canonicalize, escape};
use super::names::{DSIG_NS, ENVELOPED_SIGNATURE, EXC_C14N, RSA_SHA256, SAML_ASSERTION_NS, SHA256};
use super::parse::{parse_with, OWN};
use super::DsigError;

/// Returns `xml` with a `<ds:Signature>` inserted into the element whose `ID` attribute is `id`:
/// right after its `saml:Issuer` child (the schema order of SAML 2.0 core §5.4.1), or as its first
/// child when it has none.
///
/// The element is digested with SHA-256 after the enveloped-signature and exc-c14n transforms and
/// SignedInfo is signed with RSA-SHA256; KeyInfo carries `certificate_der`. Signatures already
/// present elsewhere (an assertion signed before its response) are left as they are and become
/// part of what this signature covers.
pub fn sign_enveloped(
    xml: &str,
    id: &str,
    key: &RsaKeyPair,
    certificate_der: &[u8],
) -> Result<String, DsigError> {
    let doc = parse_with(xml, OWN)?;
    let target = element_with_id(&doc, id)?;
    let digest = STANDARD.encode(Sha256::digest(canonicalize(target, None, &[])));
    let signed_info = signed_info(id, &digest);
    let signature_value = STANDARD.encode(rsa_sha256(key, &canonical_signed_info(&signed_info)?)?);
    let signature = format!(
        "<ds:Signature xmlns:ds=\"{DSIG_NS}\">{signed_info}\
         <ds:SignatureValue>{signature_value}</ds:SignatureValue>\
         <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data>\
         </ds:KeyInfo></ds:Signature>",
        STANDARD.encode(certificate_der)
    );
    Ok(insert(xml, target, &signature))
}

/// Signs `message` with RSASSA-PKCS1-v1_5 and SHA-256.
pub(crate) fn rsa_sha256(key: &RsaKeyPair, message: &[u8]) -> Result<Vec<u8>, DsigError> {
    let mut signature = vec![0u8; key.public_modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        message,
        &mut signature,
    )
    .map_err(|_| DsigError::Crypto("RSA signing failed"))?;
    Ok(signature)
}

/// The one element whose unqualified `ID` attribute equals `id`.
fn element_with_id<'a, 'input>(
    doc: &'a Document<'input>,
    id: &str,
) -> Result<Node<'a, 'input>, DsigError> {
    let mut found = doc
        .descendants()
        .filter(|node| node.is_element() && node.attribute("ID") == Some(id));
    let target = found.next().ok_or(DsigError::IdNotFound)?;
    if found.next().is_some() {
        return Err(DsigError::DuplicateId);
    }
    Ok(target)
}

/// SignedInfo as it will appear inside `<ds:Signature xmlns:ds=..>`, using the `ds` prefix
/// declared there.
fn signed_info(id: &str, digest: &str) -> String {
    format!(
        "<ds:SignedInfo>\
         <ds:CanonicalizationMethod Algorithm=\"{EXC_C14N}\"/>\
         <ds:SignatureMethod Algorithm=\"{RSA_SHA256}\"/>\
         <ds:Reference URI=\"#{}\"><ds:Transforms>\
         <ds:Transform Algorithm=\"{ENVELOPED_SIGNATURE}\"/>\
         <ds:Transform Algorithm=\"{EXC_C14N}\"/></ds:Transforms>\
         <ds:DigestMethod Algorithm=\"{SHA256}\"/>\
         <ds:DigestValue>{digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>",
        escape(id)
    )
}

/// The octets the signature covers. Exclusive C14N only writes namespaces SignedInfo uses, so the
/// result is the same whether SignedInfo stands alone with `xmlns:ds` or sits in the document.
fn canonical_signed_info(signed_info: &str) -> Result<Vec<u8>, DsigError> {
    let standalone = signed_info.replacen(
        "<ds:SignedInfo>",
        &format!("<ds:SignedInfo xmlns:ds=\"{DSIG_NS}\">"),
        1,
    );
    let doc = parse_with(&standalone, OWN)?;
    Ok(canonicalize(doc.root_element(), None, &[]).into_bytes())
}

/// Splices `signature` into the source text of `target`, after its Issuer or start tag.
fn insert(xml: &str, target: Node, signature: &str) -> String {
    let issuer = target
        .children()
        .find(|c| c.is_element() && c.has_tag_name((SAML_ASSERTION_NS, "Issuer")));
    let range = target.range();
    if let Some(issuer) = issuer {
        let at = issuer.range().end;
        return [&xml[..at], signature, &xml[at..]].concat();
    }
    let start_tag_end = start_tag_end(xml, range.start);
    if xml[..start_tag_end].ends_with("/>") {
        // `<X ID=".."/>` has no room for a child: write it as `<X ID="..">signature</X>`.
        let qname = &xml[range.start + 1..]
            .split(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .next()
            .unwrap_or("");
        return format!(
            "{}>{signature}</{qname}>{}",
            &xml[..start_tag_end - 2],
            &xml[start_tag_end..]
        );
    }
    [&xml[..start_tag_end], signature, &xml[start_tag_end..]].concat()
}

/// The byte offset just past the `>` ending the start tag that begins at `start`, skipping any
/// `>` inside quoted attribute values.
fn start_tag_end(xml: &str, start: usize) -> usize {
    let mut quote = None;
    for (offset, byte) in xml.as_bytes()[start..].iter().enumerate() {
        match (quote, byte) {
            (None, b'"' | b'\'') => quote = Some(*byte),
            (Some(q), b) if q == *b => quote = None,
            (None, b'>') => return start + offset + 1,
            _ => {}
        }
    }
    xml.len()
}
