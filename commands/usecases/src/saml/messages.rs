//! The SAML 2.0 messages a service provider sends: AuthnRequest, LogoutRequest and
//! LogoutResponse, read from the root of a parsed (and, where required, verified) document.
//! Only the root is read: that is the element a signature was checked on.

use chrono::DateTime;
use roxmltree::{Document, Node};

use super::xml::{ASSERTION, PROTOCOL, STATUS};

/// Why a message could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unreadable(pub String);

fn unreadable(text: impl Into<String>) -> Unreadable {
    Unreadable(text.into())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Common {
    pub id: String,
    pub issuer: String,
    pub issue_instant: i64,
    pub destination: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthnRequest {
    pub common: Common,
    pub acs_url: Option<String>,
    pub protocol_binding: Option<String>,
    pub force_authn: bool,
    pub is_passive: bool,
    pub name_id_format: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutRequest {
    pub common: Common,
    pub name_id: String,
    pub session_indexes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutResponse {
    pub common: Common,
    pub in_response_to: String,
    /// The top-level status code's last part (`Success`, `Requester`, …).
    pub status: String,
}

fn root<'a>(doc: &'a Document<'a>, name: &str) -> Result<Node<'a, 'a>, Unreadable> {
    let root = doc.root_element();
    let tag = root.tag_name();
    if tag.namespace() != Some(PROTOCOL) || tag.name() != name {
        return Err(unreadable(format!("expected a samlp:{name}")));
    }
    Ok(root)
}

fn child<'a>(node: Node<'a, 'a>, ns: &str, name: &str) -> Option<Node<'a, 'a>> {
    node.children().find(|c| {
        c.is_element() && c.tag_name().namespace() == Some(ns) && c.tag_name().name() == name
    })
}

/// The whole text of an element that holds only text: a comment or child element inside it (the
/// trick that splits a NameID so that parts of it go unsigned or unnoticed) is refused.
pub fn only_text(node: Node) -> Result<String, Unreadable> {
    let mut text = String::new();
    for part in node.children() {
        if part.is_text() {
            text.push_str(part.text().unwrap_or_default());
        } else {
            return Err(unreadable(format!(
                "{} must hold text only",
                node.tag_name().name()
            )));
        }
    }
    Ok(text.trim().to_string())
}

fn boolean(node: Node, name: &str) -> Result<bool, Unreadable> {
    match node.attribute(name) {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(other) => Err(unreadable(format!("{name} must be a boolean, not {other}"))),
    }
}

fn common(node: Node) -> Result<Common, Unreadable> {
    if node.attribute("Version") != Some("2.0") {
        return Err(unreadable("Version must be 2.0"));
    }
    let id = node
        .attribute("ID")
        .filter(|id| !id.is_empty() && id.len() <= 256)
        .ok_or_else(|| unreadable("the message has no ID"))?;
    let instant = node
        .attribute("IssueInstant")
        .ok_or_else(|| unreadable("the message has no IssueInstant"))?;
    let issue_instant = DateTime::parse_from_rfc3339(instant)
        .map_err(|_| unreadable("IssueInstant is not an xs:dateTime"))?
        .timestamp_millis();
    let issuer = child(node, ASSERTION, "Issuer")
        .map(only_text)
        .transpose()?
        .filter(|i| !i.is_empty())
        .ok_or_else(|| unreadable("the message has no Issuer"))?;
    Ok(Common {
        id: id.to_string(),
        issuer,
        issue_instant,
        destination: node.attribute("Destination").map(str::to_string),
    })
}

pub fn authn_request(doc: &Document) -> Result<AuthnRequest, Unreadable> {
    let node = root(doc, "AuthnRequest")?;
    let policy = child(node, PROTOCOL, "NameIDPolicy");
    Ok(AuthnRequest {
        common: common(node)?,
        acs_url: node
            .attribute("AssertionConsumerServiceURL")
            .map(str::to_string),
        protocol_binding: node.attribute("ProtocolBinding").map(str::to_string),
        force_authn: boolean(node, "ForceAuthn")?,
        is_passive: boolean(node, "IsPassive")?,
        name_id_format: policy
            .and_then(|p| p.attribute("Format"))
            .map(str::to_string),
    })
}

pub fn logout_request(doc: &Document) -> Result<LogoutRequest, Unreadable> {
    let node = root(doc, "LogoutRequest")?;
    let name_id = child(node, ASSERTION, "NameID")
        .ok_or_else(|| unreadable("the LogoutRequest has no NameID"))?;
    let session_indexes = node
        .children()
        .filter(|c| {
            c.is_element()
                && c.tag_name().namespace() == Some(PROTOCOL)
                && c.tag_name().name() == "SessionIndex"
        })
        .map(only_text)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(LogoutRequest {
        common: common(node)?,
        name_id: only_text(name_id)?,
        session_indexes,
    })
}

pub fn logout_response(doc: &Document) -> Result<LogoutResponse, Unreadable> {
    let node = root(doc, "LogoutResponse")?;
    let status = child(node, PROTOCOL, "Status")
        .and_then(|s| child(s, PROTOCOL, "StatusCode"))
        .and_then(|c| c.attribute("Value"))
        .ok_or_else(|| unreadable("the LogoutResponse has no StatusCode"))?;
    Ok(LogoutResponse {
        common: common(node)?,
        in_response_to: node
            .attribute("InResponseTo")
            .ok_or_else(|| unreadable("the LogoutResponse has no InResponseTo"))?
            .to_string(),
        status: status.strip_prefix(STATUS).unwrap_or(status).to_string(),
    })
}
