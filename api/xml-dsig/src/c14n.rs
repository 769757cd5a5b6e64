//! Exclusive XML Canonicalization 1.0 without comments
//! (<http://www.w3.org/2001/10/xml-exc-c14n#>) of one element subtree.
//!
//! The rules implemented are those of Canonical XML 1.0 §2.3 with the namespace rules of
//! exc-c14n §3: a namespace declaration is written on an element only where its prefix is visibly
//! utilized (by the element name or a prefixed attribute) or listed in the InclusiveNamespaces
//! PrefixList, and only when the nearest output ancestor did not already write the same value.
//! `xml:*` attributes are not inherited and the `xml` prefix is never declared. Comments are
//! dropped; processing instructions are kept; empty elements become start and end tags.

use roxmltree::{Node, NodeType};

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Canonicalizes `element` and its descendants, leaving out the subtree of `omit` (the enveloped
/// signature) when given. `inclusive_prefixes` is the InclusiveNamespaces PrefixList, where
/// `#default` names the default namespace.
pub fn canonicalize(element: Node, omit: Option<Node>, inclusive_prefixes: &[&str]) -> String {
    let mut writer = Writer {
        out: String::new(),
        omit,
        inclusive_prefixes,
        rendered: Vec::new(),
    };
    if element.is_element() {
        writer.element(element);
    }
    writer.out
}

/// Splits an InclusiveNamespaces `PrefixList` attribute value into prefixes.
pub fn prefix_list(value: &str) -> Vec<&str> {
    value.split_ascii_whitespace().collect()
}

struct Writer<'a, 'input, 'list> {
    out: String,
    omit: Option<Node<'a, 'input>>,
    inclusive_prefixes: &'list [&'list str],
    /// Namespace declarations written by output ancestors, innermost last: (prefix, URI), where
    /// the prefix "" is the default namespace.
    rendered: Vec<(&'a str, &'a str)>,
}

impl<'a, 'input: 'a> Writer<'a, 'input, '_> {
    fn element(&mut self, node: Node<'a, 'input>) {
        let prefix = element_prefix(node);
        let local = node.tag_name().name();
        let declarations = self.declarations(node, prefix);
        let scope = self.rendered.len();

        self.out.push('<');
        push_qname(&mut self.out, prefix, local);
        for (ns_prefix, uri) in &declarations {
            if ns_prefix.is_empty() {
                self.out.push_str(" xmlns=\"");
            } else {
                self.out.push_str(" xmlns:");
                self.out.push_str(ns_prefix);
                self.out.push_str("=\"");
            }
            escape_attribute(&mut self.out, uri);
            self.out.push('"');
        }
        self.rendered.extend(declarations);

        let mut attributes: Vec<_> = node
            .attributes()
            .map(|a| {
                (
                    a.namespace().unwrap_or(""),
                    a.name(),
                    attribute_prefix(node, &a),
                    a.value(),
                )
            })
            .collect();
        attributes.sort_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)));
        for (_, name, attr_prefix, value) in attributes {
            self.out.push(' ');
            push_qname(&mut self.out, attr_prefix, name);
            self.out.push_str("=\"");
            escape_attribute(&mut self.out, value);
            self.out.push('"');
        }
        self.out.push('>');

        for child in node.children() {
            match child.node_type() {
                NodeType::Element if Some(child) != self.omit => self.element(child),
                NodeType::Text => escape_text(&mut self.out, child.text().unwrap_or("")),
                NodeType::PI => {
                    if let Some(pi) = child.pi() {
                        self.out.push_str("<?");
                        self.out.push_str(pi.target);
                        if let Some(value) = pi.value.filter(|v| !v.is_empty()) {
                            self.out.push(' ');
                            self.out.push_str(value);
                        }
                        self.out.push_str("?>");
                    }
                }
                _ => {}
            }
        }

        self.out.push_str("</");
        push_qname(&mut self.out, prefix, local);
        self.out.push('>');
        self.rendered.truncate(scope);
    }

    /// The namespace declarations this element must write, sorted by prefix.
    fn declarations(&self, node: Node<'a, 'input>, prefix: &'a str) -> Vec<(&'a str, &'a str)> {
        let mut wanted: Vec<(&'a str, &'a str)> =
            vec![(prefix, node.tag_name().namespace().unwrap_or(""))];
        for attribute in node.attributes() {
            if let Some(uri) = attribute.namespace() {
                if uri != XML_NS {
                    wanted.push((attribute_prefix(node, &attribute), uri));
                }
            }
        }
        for listed in self.inclusive_prefixes {
            if *listed == "#default" {
                wanted.push(("", node.lookup_namespace_uri(None).unwrap_or("")));
            } else if *listed != "xml" {
                if let Some(ns) = node.namespaces().find(|ns| ns.name() == Some(*listed)) {
                    wanted.push((ns.name().unwrap_or(""), ns.uri()));
                }
            }
        }
        wanted.sort();
        wanted.dedup_by(|a, b| a.0 == b.0);
        wanted.retain(|(p, uri)| *p != "xml" && self.in_output_scope(p) != *uri);
        wanted
    }

    /// The URI the nearest output ancestor declared for `prefix`; "" when none did, which also makes
    /// an absent default namespace equal to an undeclared one (no needless `xmlns=""`).
    fn in_output_scope(&self, prefix: &str) -> &'a str {
        self.rendered
            .iter()
            .rev()
            .find(|(p, _)| *p == prefix)
            .map_or("", |(_, uri)| *uri)
    }
}

/// The element's prefix as written in the source. roxmltree keeps only the namespace URI, and two
/// prefixes may be bound to the same URI, so the qualified name is read back from the input text.
fn element_prefix<'a>(node: Node<'a, '_>) -> &'a str {
    let source = node.document().input_text();
    let start = node.range().start + 1;
    let qname_end = source
        .get(start..)
        .and_then(|rest| rest.find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>'))
        .map(|len| start + len);
    let qname = qname_end
        .and_then(|end| source.get(start..end))
        .unwrap_or("");
    match qname.split_once(':') {
        Some((prefix, local)) if local == node.tag_name().name() => prefix,
        _ if qname == node.tag_name().name() => "",
        _ => node
            .tag_name()
            .namespace()
            .and_then(|uri| node.lookup_prefix(uri))
            .unwrap_or(""),
    }
}

/// The attribute's prefix as written in the source ("" when unprefixed).
fn attribute_prefix<'a>(node: Node<'a, '_>, attribute: &roxmltree::Attribute<'a, '_>) -> &'a str {
    let Some(uri) = attribute.namespace() else {
        return "";
    };
    if uri == XML_NS {
        return "xml";
    }
    let source = node.document().input_text();
    match source
        .get(attribute.range_qname())
        .and_then(|qname| qname.split_once(':'))
    {
        Some((prefix, local)) if local == attribute.name() => prefix,
        _ => node.lookup_prefix(uri).unwrap_or(""),
    }
}

fn push_qname(out: &mut String, prefix: &str, local: &str) {
    if !prefix.is_empty() {
        out.push_str(prefix);
        out.push(':');
    }
    out.push_str(local);
}

/// Text node escaping, Canonical XML §2.3.
fn escape_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

/// Attribute value escaping, Canonical XML §2.3.
fn escape_attribute(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

/// Escapes a string for use inside a double-quoted attribute or as text in XML this module writes.
pub(crate) fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}
