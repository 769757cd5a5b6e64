//! An application's protocol settings: what the SSO surfaces (OAuth 2.0 / OIDC, CAS, SAML) read
//! about it. Settings only; the protocol endpoints come with their own issues.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const GRANT_TYPES: &[&str] = &[
    "authorization_code",
    "refresh_token",
    "implicit",
    "client_credentials",
];
pub const NAME_ID_FORMATS: &[&str] = &["unspecified", "emailAddress", "persistent", "transient"];

/// How a redirect URI is matched against the registered ones (specs/oneaccess.md §5.7 #56).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RedirectUriMatch {
    /// Exactly one of the registered URIs (the default for new applications).
    #[default]
    Exact,
    /// Any URI on the host of a registered one, same scheme (the documented OneAccess rule).
    Domain,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProtocolSettings {
    /// OAuth 2.0 / OIDC redirect URIs.
    pub redirect_uris: Vec<String>,
    pub redirect_uri_match: RedirectUriMatch,
    pub grant_types: Vec<String>,
    pub access_token_lifetime_secs: u32,
    /// Refresh tokens are issued only when this is set (as in OneAccess).
    pub refresh_token_lifetime_secs: Option<u32>,
    /// CAS service URLs.
    pub cas_services: Vec<String>,
    /// Account attributes released to CAS services.
    pub cas_released_attributes: Vec<String>,
    /// The SAML service provider, if the application signs in over SAML.
    pub saml: Option<SamlServiceProvider>,
}

impl Default for ProtocolSettings {
    fn default() -> Self {
        Self {
            redirect_uris: Vec::new(),
            redirect_uri_match: RedirectUriMatch::Exact,
            grant_types: vec!["authorization_code".to_string()],
            access_token_lifetime_secs: 7200,
            refresh_token_lifetime_secs: None,
            cas_services: Vec::new(),
            cas_released_attributes: Vec::new(),
            saml: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamlServiceProvider {
    pub entity_id: String,
    pub acs_url: String,
    #[serde(default = "unspecified")]
    pub name_id_format: String,
    /// SAML attribute name → account or user attribute it carries.
    #[serde(default)]
    pub attribute_mapping: BTreeMap<String, String>,
}

fn unspecified() -> String {
    "unspecified".to_string()
}

/// Why protocol settings were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error("not an absolute http(s) URL without a fragment: {0}")]
    InvalidUrl(String),
    #[error("a SAML entity id must be 1 to 1024 characters")]
    InvalidEntityId,
    #[error("unknown {0}")]
    Unknown(String),
    #[error("token lifetimes must be 60 to 31536000 seconds")]
    InvalidLifetime,
}

/// An absolute `http` or `https` URL with a host and no fragment, at most 2048 characters.
pub fn is_web_url(value: &str) -> bool {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let Some(rest) = rest else { return false };
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    value.len() <= 2048
        && !host.is_empty()
        && !value.contains('#')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn lifetime_ok(seconds: u32) -> bool {
    (60..=31_536_000).contains(&seconds)
}

pub fn check(protocols: &ProtocolSettings) -> Result<(), ProtocolError> {
    let urls = protocols
        .redirect_uris
        .iter()
        .chain(&protocols.cas_services);
    let saml_acs = protocols.saml.iter().map(|s| &s.acs_url);
    for url in urls.chain(saml_acs) {
        if !is_web_url(url) {
            return Err(ProtocolError::InvalidUrl(url.clone()));
        }
    }
    if let Some(grant) = protocols
        .grant_types
        .iter()
        .find(|g| !GRANT_TYPES.contains(&g.as_str()))
    {
        return Err(ProtocolError::Unknown(format!("grant type {grant}")));
    }
    let refresh_ok = protocols
        .refresh_token_lifetime_secs
        .is_none_or(lifetime_ok);
    if !lifetime_ok(protocols.access_token_lifetime_secs) || !refresh_ok {
        return Err(ProtocolError::InvalidLifetime);
    }
    if let Some(saml) = &protocols.saml {
        if saml.entity_id.trim().is_empty() || saml.entity_id.chars().count() > 1024 {
            return Err(ProtocolError::InvalidEntityId);
        }
        if !NAME_ID_FORMATS.contains(&saml.name_id_format.as_str()) {
            return Err(ProtocolError::Unknown(format!(
                "NameID format {}",
                saml.name_id_format
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_settings_are_checked() {
        assert_eq!(check(&ProtocolSettings::default()), Ok(()));
        let bad_grant = ProtocolSettings {
            grant_types: vec!["password".into()],
            ..Default::default()
        };
        assert_eq!(
            check(&bad_grant),
            Err(ProtocolError::Unknown("grant type password".into()))
        );
        let bad_lifetime = ProtocolSettings {
            refresh_token_lifetime_secs: Some(1),
            ..Default::default()
        };
        assert_eq!(check(&bad_lifetime), Err(ProtocolError::InvalidLifetime));
        let bad_format = ProtocolSettings {
            saml: Some(SamlServiceProvider {
                entity_id: "sp".into(),
                acs_url: "https://sp.example.com/acs".into(),
                name_id_format: "x509".into(),
                attribute_mapping: BTreeMap::new(),
            }),
            ..Default::default()
        };
        assert_eq!(
            check(&bad_format),
            Err(ProtocolError::Unknown("NameID format x509".into()))
        );
        let parsed: ProtocolSettings =
            serde_json::from_str(r#"{"redirect_uris": ["https://a.example.com/cb"]}"#).unwrap();
        assert_eq!(parsed.grant_types, ["authorization_code"]);
        assert_eq!(parsed.redirect_uri_match, RedirectUriMatch::Exact);
    }
}
