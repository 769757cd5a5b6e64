//! Parsing XML that arrives from outside: no DTD, bounded size, bounded depth.
//!
//! Refusing the DTD outright closes XXE and entity expansion ("billion laughs"); the size, node and
//! depth limits keep a hostile document from costing more memory or stack than a real SAML message.

use roxmltree::{Document, ParsingOptions};

use super::DsigError;

/// Largest untrusted document accepted, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024;
/// Deepest element nesting accepted; real SAML messages stay under ten.
pub const MAX_DEPTH: usize = 64;
/// Most nodes (elements, attributes' owners, text, comments) accepted in an untrusted document.
pub const MAX_NODES: u32 = 20_000;

/// Bounds applied while parsing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub bytes: usize,
    pub depth: usize,
    pub nodes: u32,
}

/// Bounds for messages from service providers.
pub(crate) const UNTRUSTED: Limits = Limits {
    bytes: MAX_DOCUMENT_BYTES,
    depth: MAX_DEPTH,
    nodes: MAX_NODES,
};

/// Bounds for documents this server builds itself before signing or encrypting them: generous,
/// because a response may carry many attributes, but still finite.
pub(crate) const OWN: Limits = Limits {
    bytes: 16 * 1024 * 1024,
    depth: MAX_DEPTH,
    nodes: u32::MAX,
};

/// Parses an untrusted XML document, refusing DTDs, documents over [`MAX_DOCUMENT_BYTES`] and
/// nesting deeper than [`MAX_DEPTH`].
pub fn parse(xml: &str) -> Result<Document<'_>, DsigError> {
    parse_with(xml, UNTRUSTED)
}

pub(crate) fn parse_with(xml: &str, limits: Limits) -> Result<Document<'_>, DsigError> {
    if xml.len() > limits.bytes {
        return Err(DsigError::DocumentTooLarge {
            limit: limits.bytes,
        });
    }
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: limits.nodes,
    };
    let doc = Document::parse_with_options(xml, options).map_err(|error| match error {
        roxmltree::Error::DtdDetected => DsigError::DtdNotAllowed,
        roxmltree::Error::NodesLimitReached => DsigError::TooManyNodes,
        other => DsigError::Malformed(other.to_string()),
    })?;
    check_depth(&doc, limits.depth)?;
    check_prefix_bindings(&doc)?;
    check_processing_instructions(&doc)?;
    Ok(doc)
}

/// Refuses a processing instruction whose target is `xml` in any case, which XML 1.0 §2.6
/// reserves ("The target names 'XML', 'xml', and so on are reserved") but roxmltree accepts
/// when no space follows it (`<?xml(…?>`): canonicalized (C14N §2.3, a space between target and
/// content), it would read as an XML declaration in the middle of the document.
fn check_processing_instructions(doc: &Document) -> Result<(), DsigError> {
    let reserved = doc.descendants().any(|node| {
        node.pi()
            .is_some_and(|pi| pi.target.eq_ignore_ascii_case("xml"))
    });
    if reserved {
        return Err(DsigError::Malformed(
            "a processing instruction has the reserved target xml".into(),
        ));
    }
    Ok(())
}

/// Refuses a prefix bound to the empty namespace name (`xmlns:p=""`), which Namespaces in XML 1.0
/// §3 forbids ("No Prefix Undeclaring") but roxmltree accepts: an element named with such a
/// prefix has no namespace, and its canonical form, which cannot declare the prefix, would not
/// be well-formed XML.
fn check_prefix_bindings(doc: &Document) -> Result<(), DsigError> {
    let unbound = doc.descendants().filter(|n| n.is_element()).any(|element| {
        element
            .namespaces()
            .any(|ns| ns.name().is_some() && ns.uri().is_empty())
    });
    if unbound {
        return Err(DsigError::Malformed(
            "a namespace prefix is bound to an empty namespace name".into(),
        ));
    }
    Ok(())
}

/// Computes every element's depth in one pre-order pass (a parent comes before its children),
/// without recursion, so the check itself cannot exhaust the stack.
fn check_depth(doc: &Document, limit: usize) -> Result<(), DsigError> {
    let mut depths = vec![0usize; doc.descendants().count()];
    for node in doc.descendants().filter(|n| n.is_element()) {
        let parent_depth = node
            .parent()
            .and_then(|parent| depths.get(parent.id().get_usize()).copied())
            .unwrap_or(0);
        let depth = parent_depth + 1;
        if depth > limit {
            return Err(DsigError::TooDeep { limit });
        }
        if let Some(slot) = depths.get_mut(node.id().get_usize()) {
            *slot = depth;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_processing_instruction_with_the_reserved_target_is_refused() {
        for xml in ["<r><?xml(v?></r>", "<r><?XmL data?></r>"] {
            assert!(matches!(parse(xml), Err(DsigError::Malformed(_))), "{xml}");
        }
        assert!(parse("<r><?xml-stylesheet href=\"a\"?></r>").is_ok());
    }

    #[test]
    fn an_external_entity_is_refused_because_dtds_are_refused() {
        let xml = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#;
        assert_eq!(parse(xml).err(), Some(DsigError::DtdNotAllowed));
    }

    #[test]
    fn billion_laughs_is_refused_because_dtds_are_refused() {
        let xml = r#"<!DOCTYPE r [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>"#;
        assert_eq!(parse(xml).err(), Some(DsigError::DtdNotAllowed));
    }

    #[test]
    fn a_document_over_the_size_limit_is_refused() {
        let xml = format!("<r>{}</r>", "a".repeat(MAX_DOCUMENT_BYTES));
        assert_eq!(
            parse(&xml).err(),
            Some(DsigError::DocumentTooLarge {
                limit: MAX_DOCUMENT_BYTES
            })
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let xml = format!(
            "{}{}",
            "<a>".repeat(MAX_DEPTH + 1),
            "</a>".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(
            parse(&xml).err(),
            Some(DsigError::TooDeep { limit: MAX_DEPTH })
        );
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn too_many_nodes_are_refused() {
        let xml = format!("<r>{}</r>", "<a/>".repeat(MAX_NODES as usize));
        assert_eq!(parse(&xml).err(), Some(DsigError::TooManyNodes));
    }

    /// Found by the `c14n` fuzz target: with `xmlns:saml=""`, `<saml:Issuer>` canonicalized to
    /// an element with an undeclared prefix, which is not XML.
    #[test]
    fn a_prefix_bound_to_an_empty_namespace_name_is_refused() {
        let xml = r#"<r xmlns:saml=""><saml:Issuer>idp</saml:Issuer></r>"#;
        assert!(matches!(parse(xml), Err(DsigError::Malformed(_))));
        let nested = r#"<r xmlns:p="urn:p"><p:a><b xmlns:p=""/></p:a></r>"#;
        assert!(matches!(parse(nested), Err(DsigError::Malformed(_))));
        // Undeclaring the default namespace is allowed, and its canonical form parses.
        let undeclared = r#"<r xmlns="urn:r"><a xmlns=""/></r>"#;
        let doc = parse(undeclared).unwrap();
        let canonical = crate::canonicalize(doc.root_element(), None, &[]);
        assert_eq!(canonical, r#"<r xmlns="urn:r"><a xmlns=""></a></r>"#);
        assert!(parse(&canonical).is_ok());
    }

    #[test]
    fn malformed_xml_is_refused_with_the_parser_message() {
        assert!(matches!(parse("<a><b></a>"), Err(DsigError::Malformed(_))));
    }
}
