//! Reading element text without being fooled by comments.
//!
//! Exclusive C14N without comments drops comments, so `<NameID>admin<!---->@evil</NameID>` carries
//! the same signature as `admin@evil`, while a parser that returns only the first text node reads
//! `admin` (CVE-2017-11427 and its siblings). Signed values must be read with [`text_of`].

use roxmltree::Node;

use super::DsigError;

/// The complete text of `element`, refusing an element whose content is anything but a single
/// run of character data (comments, child elements or processing instructions are refused).
/// An empty element yields "".
pub fn text_of(element: Node) -> Result<String, DsigError> {
    let mut children = element.children();
    match (children.next(), children.next()) {
        (None, _) => Ok(String::new()),
        (Some(only), None) if only.is_text() => Ok(only.text().unwrap_or("").to_owned()),
        _ => Err(DsigError::NotPlainText),
    }
}

/// Escapes text for an XML (or HTML) text node or a quoted attribute value.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
