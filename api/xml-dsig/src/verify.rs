//! Verification of the enveloped signature on the root element of a message from a service
//! provider (a signed AuthnRequest, LogoutRequest or LogoutResponse, SAML 2.0 bindings §3.5.4).
//!
//! Signature wrapping attacks (Somorovsky et al., "On Breaking SAML", 2012) work by making the
//! signature check look at one element while the application reads another. The defence here is
//! to accept only one shape: a single `ds:Signature` in the whole document, a direct child of the
//! root, with a single Reference to the root's own `ID`, which no other element may share. What
//! is verified is then exactly what the caller reads: the root.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use roxmltree::{Document, Node};
use sha2::{Digest, Sha256};

use super::c14n::{canonicalize, prefix_list};
use super::keys::{rsa_algorithm, verify_with_any};
use super::names::{DSIG_NS, ENVELOPED_SIGNATURE, EXC_C14N, SHA1, SHA256};
use super::DsigError;

/// True when the root element has a `ds:Signature` child. Says nothing about its validity.
pub fn is_signed(doc: &Document) -> bool {
    doc.root_element()
        .children()
        .any(|child| child.has_tag_name((DSIG_NS, "Signature")))
}

/// Verifies the enveloped signature of the document's root element with the key of one of the
/// trusted certificates, refusing every other signature shape.
///
/// KeyInfo is ignored: the key comes only from `certificates_der`, so a certificate an attacker
/// puts in the message is never trusted. `doc` should come from [`super::parse`], whose depth
/// limit bounds the recursion of canonicalization.
pub fn verify_root(doc: &Document, certificates_der: &[Vec<u8>]) -> Result<(), DsigError> {
    let root = doc.root_element();
    let signature = the_only_signature(doc)?;
    if signature.parent() != Some(root) {
        return Err(DsigError::SignatureShape(
            "the signature is not a direct child of the root element",
        ));
    }
    let id = root
        .attribute("ID")
        .filter(|id| !id.is_empty())
        .ok_or(DsigError::SignatureShape("the root element has no ID"))?;
    refuse_duplicate_ids(doc, root, id)?;

    let [signed_info, signature_value, rest @ ..] = &element_children(signature)?[..] else {
        return Err(DsigError::SignatureShape(
            "SignedInfo or SignatureValue is missing",
        ));
    };
    let (signed_info, signature_value) = (*signed_info, *signature_value);
    expect_name(signed_info, "SignedInfo")?;
    expect_name(signature_value, "SignatureValue")?;
    match rest {
        [] => {}
        [key_info] if key_info.has_tag_name((DSIG_NS, "KeyInfo")) => {}
        _ => {
            return Err(DsigError::SignatureShape(
                "the signature holds elements other than SignedInfo, SignatureValue and KeyInfo",
            ))
        }
    }

    let [c14n_method, signature_method, reference] = element_children(signed_info)?[..] else {
        return Err(DsigError::SignatureShape(
            "SignedInfo must hold a canonicalization method, a signature method and exactly one Reference",
        ));
    };
    expect_name(c14n_method, "CanonicalizationMethod")?;
    expect_name(signature_method, "SignatureMethod")?;
    expect_name(reference, "Reference")?;
    if c14n_method.attribute("Algorithm") != Some(EXC_C14N) {
        return Err(DsigError::UnsupportedAlgorithm(
            "given as the canonicalization method".into(),
        ));
    }
    let algorithm = rsa_algorithm(signature_method.attribute("Algorithm").unwrap_or(""))?;

    let reference_uri = reference.attribute("URI").unwrap_or("");
    if reference_uri.strip_prefix('#') != Some(id) {
        return Err(DsigError::SignatureShape(
            "the Reference does not point at the root element's ID",
        ));
    }
    let digest_prefixes = check_reference(reference)?;
    let expected_digest = base64_content(child(reference, "DigestValue")?, "DigestValue")?;
    let digest = Sha256::digest(canonicalize(root, Some(signature), &digest_prefixes));
    if digest.as_slice() != expected_digest.as_slice() {
        return Err(DsigError::DigestMismatch);
    }

    let signed_octets = canonicalize(signed_info, None, &inclusive_prefixes(c14n_method)?);
    let value = base64_content(signature_value, "SignatureValue")?;
    verify_with_any(
        algorithm,
        signed_octets.as_bytes(),
        &value,
        certificates_der,
    )
}

fn the_only_signature<'a, 'input>(
    doc: &'a Document<'input>,
) -> Result<Node<'a, 'input>, DsigError> {
    let mut signatures = doc
        .descendants()
        .filter(|node| node.has_tag_name((DSIG_NS, "Signature")));
    let signature = signatures.next().ok_or(DsigError::NotSigned)?;
    if signatures.next().is_some() {
        return Err(DsigError::SignatureShape(
            "the document holds more than one signature",
        ));
    }
    Ok(signature)
}

/// Refuses any element other than the root carrying an ID-like attribute (any name ending in
/// `id` in any case and namespace: `ID`, `Id`, `xml:id`, `wsu:Id`, SAML 1.1 `AssertionID`) with
/// the root's value, since another tool might resolve the Reference to that element instead.
fn refuse_duplicate_ids(doc: &Document, root: Node, id: &str) -> Result<(), DsigError> {
    for node in doc.descendants().filter(|n| n.is_element()) {
        let id_like = node
            .attributes()
            .filter(|a| is_id_like(a.name()) && a.value() == id)
            .count();
        if id_like > usize::from(node == root) {
            return Err(DsigError::DuplicateId);
        }
    }
    Ok(())
}

fn is_id_like(name: &str) -> bool {
    name.get(name.len().saturating_sub(2)..)
        .is_some_and(|end| end.eq_ignore_ascii_case("id"))
}

/// Checks the Reference's transforms (enveloped-signature then exc-c14n) and digest method
/// (SHA-256), returning the exc-c14n InclusiveNamespaces prefixes.
fn check_reference<'a>(reference: Node<'a, '_>) -> Result<Vec<&'a str>, DsigError> {
    let [transforms, digest_method, digest_value] = element_children(reference)?[..] else {
        return Err(DsigError::SignatureShape(
            "the Reference must hold Transforms, DigestMethod and DigestValue",
        ));
    };
    expect_name(transforms, "Transforms")?;
    expect_name(digest_method, "DigestMethod")?;
    expect_name(digest_value, "DigestValue")?;
    match digest_method.attribute("Algorithm") {
        Some(SHA256) => {}
        Some(SHA1) => return Err(DsigError::Sha1NotAccepted),
        _ => {
            return Err(DsigError::UnsupportedAlgorithm(
                "given as the digest method".into(),
            ))
        }
    }
    let [enveloped, exclusive] = element_children(transforms)?[..] else {
        return Err(DsigError::SignatureShape(
            "the transforms must be exactly enveloped-signature then exc-c14n",
        ));
    };
    expect_name(enveloped, "Transform")?;
    expect_name(exclusive, "Transform")?;
    if enveloped.attribute("Algorithm") != Some(ENVELOPED_SIGNATURE)
        || !element_children(enveloped)?.is_empty()
        || exclusive.attribute("Algorithm") != Some(EXC_C14N)
    {
        return Err(DsigError::SignatureShape(
            "the transforms must be exactly enveloped-signature then exc-c14n",
        ));
    }
    inclusive_prefixes(exclusive)
}

/// The PrefixList of an optional `ec:InclusiveNamespaces` child of an exc-c14n method.
fn inclusive_prefixes<'a>(method: Node<'a, '_>) -> Result<Vec<&'a str>, DsigError> {
    match element_children(method)?[..] {
        [] => Ok(Vec::new()),
        [list] if list.has_tag_name((EXC_C14N, "InclusiveNamespaces")) => {
            Ok(prefix_list(list.attribute("PrefixList").unwrap_or("")))
        }
        _ => Err(DsigError::SignatureShape(
            "an exc-c14n method holds something other than InclusiveNamespaces",
        )),
    }
}

/// The element children of a signature element; text other than whitespace is refused.
fn element_children<'a, 'input>(
    node: Node<'a, 'input>,
) -> Result<Vec<Node<'a, 'input>>, DsigError> {
    let mut elements = Vec::new();
    for child in node.children() {
        if child.is_element() {
            elements.push(child);
        } else if child.is_text() && !child.text().unwrap_or("").trim().is_empty() {
            return Err(DsigError::SignatureShape(
                "a signature element holds unexpected text",
            ));
        }
    }
    Ok(elements)
}

fn child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Result<Node<'a, 'input>, DsigError> {
    node.children()
        .find(|c| c.has_tag_name((DSIG_NS, name)))
        .ok_or(DsigError::SignatureShape(
            "a required signature element is missing",
        ))
}

fn expect_name(node: Node, name: &str) -> Result<(), DsigError> {
    if node.has_tag_name((DSIG_NS, name)) {
        Ok(())
    } else {
        Err(DsigError::SignatureShape(
            "a signature element is missing, misplaced or unexpected",
        ))
    }
}

/// Decodes base64 element content, ignoring the line breaks signers put in long values.
fn base64_content(node: Node, what: &'static str) -> Result<Vec<u8>, DsigError> {
    let mut text = String::new();
    for child in node.children() {
        if child.is_element() {
            return Err(DsigError::Base64(what));
        }
        text.extend(
            child
                .text()
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_ascii_whitespace()),
        );
    }
    STANDARD.decode(text).map_err(|_| DsigError::Base64(what))
}
