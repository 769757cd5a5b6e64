//! The SAML 2.0 messages the IdP writes: Response with its Assertion, LogoutRequest,
//! LogoutResponse and the metadata. Each element declares the namespaces it uses itself, so a
//! signed element keeps its canonical form wherever it is placed.

use crate::clock::{IdSource, RandomIds};
use chrono::{TimeZone, Utc};

use xml_dsig::escape;

pub const PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub const ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub const METADATA: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
pub const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const BINDING_REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
pub const BINDING_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
pub const STATUS: &str = "urn:oasis:names:tc:SAML:2.0:status:";

/// How long an assertion may be used, and the clock skew allowed before it.
pub const ASSERTION_LIFETIME_MS: i64 = 5 * 60 * 1000;
pub const CLOCK_SKEW_MS: i64 = 60 * 1000;

/// The NameID format URI of a configured format name.
pub fn name_id_format_uri(format: &str) -> &'static str {
    match format {
        "emailAddress" => "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        "persistent" => "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
        "transient" => "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
        _ => "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
    }
}

/// The configured format name of a NameID format URI.
pub fn name_id_format_name(uri: &str) -> Option<&'static str> {
    domain::protocols::NAME_ID_FORMATS
        .iter()
        .find(|name| name_id_format_uri(name) == uri)
        .copied()
}

/// A fresh SAML ID (an NCName: it starts with `_`).
pub fn new_id() -> String {
    format!("_{}", RandomIds.base62(32))
}

pub fn instant(millis: i64) -> String {
    Utc.timestamp_millis_opt(millis)
        .single()
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn issuer(idp: &str) -> String {
    format!(
        "<saml:Issuer xmlns:saml=\"{ASSERTION}\">{}</saml:Issuer>",
        escape(idp)
    )
}

/// A top-level status code, an optional second-level one, an optional message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub code: &'static str,
    pub detail: Option<&'static str>,
    pub message: Option<String>,
}

impl Status {
    pub fn success() -> Self {
        Self {
            code: "Success",
            detail: None,
            message: None,
        }
    }

    pub fn requester(detail: Option<&'static str>, message: impl Into<String>) -> Self {
        Self {
            code: "Requester",
            detail,
            message: Some(message.into()),
        }
    }

    pub fn responder(detail: Option<&'static str>, message: impl Into<String>) -> Self {
        Self {
            code: "Responder",
            detail,
            message: Some(message.into()),
        }
    }

    /// `urn:…:status:Requester/RequestDenied: message`, for pages and logs.
    pub fn describe(&self) -> String {
        let mut text = format!("{STATUS}{}", self.code);
        if let Some(detail) = self.detail {
            text.push_str(&format!("/{detail}"));
        }
        if let Some(message) = &self.message {
            text.push_str(&format!(": {message}"));
        }
        text
    }

    fn xml(&self) -> String {
        let inner = self
            .detail
            .map(|d| format!("<samlp:StatusCode Value=\"{STATUS}{d}\"></samlp:StatusCode>"))
            .unwrap_or_default();
        let message = self
            .message
            .as_ref()
            .map(|m| format!("<samlp:StatusMessage>{}</samlp:StatusMessage>", escape(m)))
            .unwrap_or_default();
        format!(
            "<samlp:Status><samlp:StatusCode Value=\"{STATUS}{}\">{inner}</samlp:StatusCode>{message}</samlp:Status>",
            self.code
        )
    }
}

/// What an assertion says.
pub struct AssertionParts<'a> {
    pub id: &'a str,
    pub idp: &'a str,
    pub sp_entity_id: &'a str,
    pub acs_url: &'a str,
    pub in_response_to: Option<&'a str>,
    pub name_id: &'a str,
    pub name_id_format: &'a str,
    pub session_index: &'a str,
    pub auth_instant: i64,
    pub attributes: &'a [(String, Vec<String>)],
    pub now: i64,
}

pub fn assertion(parts: &AssertionParts) -> String {
    let now = parts.now;
    let until = instant(now + ASSERTION_LIFETIME_MS);
    let in_response_to = parts
        .in_response_to
        .map(|id| format!(" InResponseTo=\"{}\"", escape(id)))
        .unwrap_or_default();
    let qualifiers = if parts.name_id_format == "persistent" {
        format!(
            " NameQualifier=\"{}\" SPNameQualifier=\"{}\"",
            escape(parts.idp),
            escape(parts.sp_entity_id)
        )
    } else {
        String::new()
    };
    let attributes: String = parts
        .attributes
        .iter()
        .map(|(name, values)| {
            let values: String = values
                .iter()
                .map(|v| format!("<saml:AttributeValue>{}</saml:AttributeValue>", escape(v)))
                .collect();
            format!(
                "<saml:Attribute Name=\"{}\" NameFormat=\"urn:oasis:names:tc:SAML:2.0:attrname-format:basic\">{values}</saml:Attribute>",
                escape(name)
            )
        })
        .collect();
    let statement = if attributes.is_empty() {
        String::new()
    } else {
        format!("<saml:AttributeStatement>{attributes}</saml:AttributeStatement>")
    };
    format!(
        "<saml:Assertion xmlns:saml=\"{ASSERTION}\" ID=\"{id}\" IssueInstant=\"{now}\" Version=\"2.0\">\
         <saml:Issuer>{idp}</saml:Issuer>\
         <saml:Subject><saml:NameID Format=\"{format}\"{qualifiers}>{name_id}</saml:NameID>\
         <saml:SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\">\
         <saml:SubjectConfirmationData{in_response_to} NotOnOrAfter=\"{until}\" Recipient=\"{acs}\">\
         </saml:SubjectConfirmationData></saml:SubjectConfirmation></saml:Subject>\
         <saml:Conditions NotBefore=\"{not_before}\" NotOnOrAfter=\"{until}\"><saml:AudienceRestriction>\
         <saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>\
         <saml:AuthnStatement AuthnInstant=\"{auth_instant}\" SessionIndex=\"{session_index}\">\
         <saml:AuthnContext><saml:AuthnContextClassRef>\
         urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef>\
         </saml:AuthnContext></saml:AuthnStatement>{statement}</saml:Assertion>",
        id = escape(parts.id),
        now = instant(now),
        idp = escape(parts.idp),
        format = name_id_format_uri(parts.name_id_format),
        name_id = escape(parts.name_id),
        acs = escape(parts.acs_url),
        not_before = instant(now - CLOCK_SKEW_MS),
        audience = escape(parts.sp_entity_id),
        auth_instant = instant(parts.auth_instant),
        session_index = escape(parts.session_index),
    )
}

/// A Response carrying `status` and, on success, the (signed or encrypted) assertion.
pub fn response(
    id: &str,
    idp: &str,
    destination: &str,
    in_response_to: Option<&str>,
    status: &Status,
    assertion: &str,
    now: i64,
) -> String {
    let in_response_to = in_response_to
        .map(|r| format!(" InResponseTo=\"{}\"", escape(r)))
        .unwrap_or_default();
    format!(
        "<samlp:Response xmlns:samlp=\"{PROTOCOL}\" Destination=\"{}\" ID=\"{}\"{in_response_to} IssueInstant=\"{}\" Version=\"2.0\">{}{}{assertion}</samlp:Response>",
        escape(destination),
        escape(id),
        instant(now),
        issuer(idp),
        status.xml()
    )
}

pub fn logout_request(
    id: &str,
    idp: &str,
    destination: &str,
    name_id: &str,
    name_id_format: &str,
    session_index: &str,
    now: i64,
) -> String {
    format!(
        "<samlp:LogoutRequest xmlns:samlp=\"{PROTOCOL}\" Destination=\"{}\" ID=\"{}\" IssueInstant=\"{}\" NotOnOrAfter=\"{}\" Version=\"2.0\">{}\
         <saml:NameID xmlns:saml=\"{ASSERTION}\" Format=\"{}\">{}</saml:NameID>\
         <samlp:SessionIndex>{}</samlp:SessionIndex></samlp:LogoutRequest>",
        escape(destination),
        escape(id),
        instant(now),
        instant(now + ASSERTION_LIFETIME_MS),
        issuer(idp),
        name_id_format_uri(name_id_format),
        escape(name_id),
        escape(session_index)
    )
}

pub fn logout_response(
    id: &str,
    idp: &str,
    destination: &str,
    in_response_to: &str,
    status: &Status,
    now: i64,
) -> String {
    format!(
        "<samlp:LogoutResponse xmlns:samlp=\"{PROTOCOL}\" Destination=\"{}\" ID=\"{}\" InResponseTo=\"{}\" IssueInstant=\"{}\" Version=\"2.0\">{}{}</samlp:LogoutResponse>",
        escape(destination),
        escape(id),
        escape(in_response_to),
        instant(now),
        issuer(idp),
        status.xml()
    )
}

/// The IdP metadata: entity id, signing certificates, NameID formats, SSO and SLO endpoints.
pub fn metadata(idp: &str, sso_url: &str, slo_url: &str, certificates: &[String]) -> String {
    let keys: String = certificates
        .iter()
        .map(|c| {
            format!(
                "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo xmlns:ds=\"{DSIG}\"><ds:X509Data>\
                 <ds:X509Certificate>{c}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
            )
        })
        .collect();
    let formats: String = domain::protocols::NAME_ID_FORMATS
        .iter()
        .map(|f| {
            format!(
                "<md:NameIDFormat>{}</md:NameIDFormat>",
                name_id_format_uri(f)
            )
        })
        .collect();
    let endpoints = |element: &str, url: &str| -> String {
        [BINDING_REDIRECT, BINDING_POST]
            .iter()
            .map(|binding| {
                format!(
                    "<md:{element} Binding=\"{binding}\" Location=\"{}\"/>",
                    escape(url)
                )
            })
            .collect()
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <md:EntityDescriptor xmlns:md=\"{METADATA}\" entityID=\"{}\">\
         <md:IDPSSODescriptor WantAuthnRequestsSigned=\"false\" protocolSupportEnumeration=\"{PROTOCOL}\">\
         {keys}{}{formats}{}</md:IDPSSODescriptor></md:EntityDescriptor>\n",
        escape(idp),
        endpoints("SingleLogoutService", slo_url),
        endpoints("SingleSignOnService", sso_url),
    )
}
