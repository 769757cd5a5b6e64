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

/// What an application is told about the signed-in user's authorisation in it: the codes of
/// the roles and permissions of the one effective-permission query (issue 17 item 4; ops/adr/0018
/// "Releasing roles and permissions to applications"), as OIDC claims, SAML attributes and CAS
/// attributes named `roles` and `permissions`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorizationRelease {
    /// Nothing (every application registered before the setting existed).
    #[default]
    None,
    /// The role codes only.
    Roles,
    /// The role codes and the permission codes (tree permissions and privileges).
    RolesAndPermissions,
}

impl AuthorizationRelease {
    pub fn is_none(&self) -> bool {
        *self == Self::None
    }

    pub fn releases_roles(&self) -> bool {
        !self.is_none()
    }

    pub fn releases_permissions(&self) -> bool {
        *self == Self::RolesAndPermissions
    }
}

/// What an application's OAuth access tokens are (issue 20 item 2): signed JWTs that resource
/// servers can check alone, or opaque random strings that only introspection and userinfo
/// answer for (RFC 7662), known to the server by their keyed hash.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessTokenFormat {
    /// A JWT signed with the application's `id_token_signing_alg` (RFC 9068 shape).
    #[default]
    Jwt,
    Opaque,
}

impl AccessTokenFormat {
    pub fn is_jwt(&self) -> bool {
        *self == Self::Jwt
    }
}

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
    /// CAS services: URLs a service must equal (its query string aside), or prefixes ending in
    /// `*` on the same scheme, host and port.
    pub cas_services: Vec<String>,
    /// CAS proxy callback URLs (`pgtUrl`), matched like services; none means no proxying.
    pub cas_proxy_callbacks: Vec<String>,
    /// Account attributes released to CAS services.
    pub cas_released_attributes: Vec<String>,
    /// The SAML service provider, if the application signs in over SAML.
    pub saml: Option<SamlServiceProvider>,
    /// Authorisation requests must carry a PKCE code challenge (RFC 7636).
    pub require_pkce: bool,
    /// Where RP-initiated logout may send the browser afterwards (exact match).
    pub post_logout_redirect_uris: Vec<String>,
    /// OIDC back-channel logout: where logout tokens are posted when a session ends.
    pub backchannel_logout_uri: Option<String>,
    /// `RS256` (the default, as OneAccess clients expect) or `ES256`.
    pub id_token_signing_alg: String,
    /// The hosted login page's look for this application.
    pub login_theme: Option<LoginTheme>,
    /// Whether the user's roles and permissions go to the application in every protocol.
    /// Left out when `none`, so a payload written before the setting existed reads the same.
    #[serde(skip_serializing_if = "AuthorizationRelease::is_none")]
    pub release_authorization: AuthorizationRelease,
    /// JWT or opaque access tokens; left out when `jwt`, so a payload written before the
    /// setting existed reads the same.
    #[serde(skip_serializing_if = "AccessTokenFormat::is_jwt")]
    pub access_token_format: AccessTokenFormat,
}

/// What the hosted login page shows for an application.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginTheme {
    /// A heading above the form (the application's name when absent).
    pub title: Option<String>,
    /// `#rrggbb`, used for the button and heading.
    pub primary_color: Option<String>,
    /// An https URL of a logo image.
    pub logo_url: Option<String>,
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
            cas_proxy_callbacks: Vec::new(),
            saml: None,
            require_pkce: false,
            post_logout_redirect_uris: Vec::new(),
            backchannel_logout_uri: None,
            id_token_signing_alg: "RS256".to_string(),
            login_theme: None,
            release_authorization: AuthorizationRelease::None,
            access_token_format: AccessTokenFormat::Jwt,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamlServiceProvider {
    pub entity_id: String,
    /// The only place assertions are sent (HTTP-POST binding).
    pub acs_url: String,
    /// The NameID format answered when a request names none (or `unspecified`).
    #[serde(default = "unspecified")]
    pub name_id_format: String,
    /// Answer `name_id_format` only (and `transient`), whatever format a request asks for; by
    /// default a request's format is honoured when the IdP can produce it.
    #[serde(default)]
    pub name_id_format_pinned: bool,
    /// SAML attribute name → account or user attribute it carries.
    #[serde(default)]
    pub attribute_mapping: BTreeMap<String, String>,
    /// The SP's SingleLogoutService, if it takes part in single logout.
    #[serde(default)]
    pub slo_url: Option<String>,
    /// How LogoutRequests reach `slo_url`: `redirect` or `post`.
    #[serde(default = "redirect")]
    pub slo_binding: String,
    /// The SP's signing certificate (base64 DER or PEM). When set, its AuthnRequests and
    /// LogoutRequests must be signed with it.
    #[serde(default)]
    pub signing_certificate: Option<String>,
    /// The SP's encryption certificate: when set, assertions are encrypted for it.
    #[serde(default)]
    pub encryption_certificate: Option<String>,
    #[serde(default = "yes")]
    pub sign_response: bool,
    #[serde(default = "yes")]
    pub sign_assertion: bool,
}

impl SamlServiceProvider {
    /// A service provider with the defaults: NameID `unspecified`, no attributes, no single
    /// logout, unsigned requests accepted, Response and Assertion signed, nothing encrypted.
    pub fn new(entity_id: impl Into<String>, acs_url: impl Into<String>) -> Self {
        Self {
            entity_id: entity_id.into(),
            acs_url: acs_url.into(),
            name_id_format: unspecified(),
            name_id_format_pinned: false,
            attribute_mapping: BTreeMap::new(),
            slo_url: None,
            slo_binding: redirect(),
            signing_certificate: None,
            encryption_certificate: None,
            sign_response: true,
            sign_assertion: true,
        }
    }
}

fn unspecified() -> String {
    "unspecified".to_string()
}

fn redirect() -> String {
    "redirect".to_string()
}

fn yes() -> bool {
    true
}

/// The DER bytes of a certificate given as PEM or as bare base64, if it looks like one.
pub fn certificate_der(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .flat_map(|l| l.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .ok()
        .filter(|der| der.len() > 64 && der[0] == 0x30)
}

/// Why protocol settings were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error("not an absolute http(s) URL without a fragment: {0}")]
    InvalidUrl(String),
    #[error("http:// is allowed only for loopback hosts (127.0.0.1, [::1], localhost): {0}")]
    InsecureUrl(String),
    #[error("a SAML entity id must be 1 to 1024 characters")]
    InvalidEntityId,
    #[error("unknown {0}")]
    Unknown(String),
    #[error("token lifetimes must be 60 to 31536000 seconds")]
    InvalidLifetime,
    #[error("a SAML certificate must be an X.509 certificate in PEM or base64 DER")]
    InvalidCertificate,
    #[error("a login theme needs a title of at most 100 characters, a #rrggbb colour and an https logo URL")]
    InvalidTheme,
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

/// An `https` URL, or an `http` one to a loopback host (a native or development client,
/// RFC 8252 §7.3): where codes, logout redirects and CAS tickets may be sent.
pub fn is_safe_callback(value: &str) -> bool {
    if value.starts_with("https://") {
        return true;
    }
    let Some(rest) = value.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.contains('@') {
        return false;
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn lifetime_ok(seconds: u32) -> bool {
    (60..=31_536_000).contains(&seconds)
}

pub fn check(protocols: &ProtocolSettings) -> Result<(), ProtocolError> {
    let urls = protocols
        .redirect_uris
        .iter()
        .chain(&protocols.cas_services)
        .chain(&protocols.cas_proxy_callbacks)
        .chain(&protocols.post_logout_redirect_uris)
        .chain(&protocols.backchannel_logout_uri);
    let saml_acs = protocols
        .saml
        .iter()
        .flat_map(|s| std::iter::once(&s.acs_url).chain(&s.slo_url));
    for url in urls.chain(saml_acs) {
        if !is_web_url(url) {
            return Err(ProtocolError::InvalidUrl(url.clone()));
        }
    }
    let callbacks = protocols
        .redirect_uris
        .iter()
        .chain(&protocols.cas_services)
        .chain(&protocols.post_logout_redirect_uris);
    if let Some(url) = callbacks.into_iter().find(|u| !is_safe_callback(u)) {
        return Err(ProtocolError::InsecureUrl(url.clone()));
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
    if !crate::signing_key::ALGORITHMS.contains(&protocols.id_token_signing_alg.as_str()) {
        return Err(ProtocolError::Unknown(format!(
            "signing algorithm {}",
            protocols.id_token_signing_alg
        )));
    }
    if let Some(theme) = &protocols.login_theme {
        let title_ok = theme
            .title
            .as_ref()
            .is_none_or(|t| t.chars().count() <= 100 && !t.chars().any(char::is_control));
        let color_ok = theme.primary_color.as_ref().is_none_or(|c| {
            c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit())
        });
        let logo_ok = theme
            .logo_url
            .as_ref()
            .is_none_or(|u| u.starts_with("https://") && is_web_url(u));
        if !(title_ok && color_ok && logo_ok) {
            return Err(ProtocolError::InvalidTheme);
        }
    }
    if let Some(saml) = &protocols.saml {
        if saml.entity_id.trim().is_empty() || saml.entity_id.chars().count() > 1024 {
            return Err(ProtocolError::InvalidEntityId);
        }
        if !["redirect", "post"].contains(&saml.slo_binding.as_str()) {
            return Err(ProtocolError::Unknown(format!(
                "SLO binding {}",
                saml.slo_binding
            )));
        }
        let certificates = [&saml.signing_certificate, &saml.encryption_certificate];
        if certificates
            .into_iter()
            .flatten()
            .any(|c| certificate_der(c).is_none())
        {
            return Err(ProtocolError::InvalidCertificate);
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

/// Scheme, host and port of an absolute http(s) URL, lower-cased, with default ports made explicit.
fn origin(url: &str) -> Option<(String, String)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let authority = authority.to_ascii_lowercase();
    let with_port = if authority.contains(':') {
        authority
    } else {
        let port = if scheme == "https" { 443 } else { 80 };
        format!("{authority}:{port}")
    };
    Some((scheme, with_port))
}

/// A URL matches a registered entry when it equals it, when it equals it once its own query
/// string is removed, or when the entry ends in `*` and the URL has the entry's scheme, host and
/// port and starts with the entry's text before the `*`.
fn cas_url_matches(registered: &[String], url: &str) -> bool {
    if !is_web_url(url) {
        return false;
    }
    let without_query = url.split('?').next().unwrap_or(url);
    registered
        .iter()
        .any(|entry| match entry.strip_suffix('*') {
            Some(prefix) => {
                let same_origin = origin(prefix).is_some() && origin(prefix) == origin(url);
                let rest = url
                    .get(prefix.len()..)
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let climbs = rest.contains("..") || rest.contains("%2e");
                same_origin && url.starts_with(prefix) && !climbs
            }
            None => entry == url || entry == without_query,
        })
}

impl ProtocolSettings {
    /// Whether `uri` may receive codes and tokens: one of the registered redirect URIs exactly, or,
    /// under the documented OneAccess rule, any URI on the scheme, host and port of one of them.
    pub fn redirect_allowed(&self, uri: &str) -> bool {
        if !is_web_url(uri) {
            return false;
        }
        match self.redirect_uri_match {
            RedirectUriMatch::Exact => self.redirect_uris.iter().any(|r| r == uri),
            RedirectUriMatch::Domain => {
                let Some(wanted) = origin(uri) else {
                    return false;
                };
                self.redirect_uris
                    .iter()
                    .any(|r| origin(r).as_ref() == Some(&wanted))
            }
        }
    }

    /// Whether a CAS `service` is one of this application's (CAS Protocol 3.0 §2.2.1: a ticket
    /// goes only to a registered service, never to an arbitrary URL).
    pub fn cas_service_allowed(&self, service: &str) -> bool {
        cas_url_matches(&self.cas_services, service)
    }

    /// Whether a CAS proxy callback (`pgtUrl`) may receive this application's PGTs.
    pub fn cas_proxy_callback_allowed(&self, url: &str) -> bool {
        cas_url_matches(&self.cas_proxy_callbacks, url)
    }

    pub fn allows_grant(&self, grant: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant)
    }
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
                name_id_format: "x509".into(),
                ..SamlServiceProvider::new("sp", "https://sp.example.com/acs")
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
        assert_eq!(parsed.id_token_signing_alg, "RS256");
    }

    #[test]
    fn releasing_authorization_is_off_unless_asked_and_absent_from_the_payload_when_off() {
        let before = r#"{"redirect_uris": ["https://a.example.com/cb"]}"#;
        let parsed: ProtocolSettings = serde_json::from_str(before).unwrap();
        assert_eq!(parsed.release_authorization, AuthorizationRelease::None);
        let written = serde_json::to_value(&parsed).unwrap();
        assert!(written.get("release_authorization").is_none(), "{written}");
        let default = serde_json::to_value(ProtocolSettings::default()).unwrap();
        assert!(default.get("release_authorization").is_none(), "{default}");

        for (text, release, roles, permissions) in [
            ("roles", AuthorizationRelease::Roles, true, false),
            (
                "roles_and_permissions",
                AuthorizationRelease::RolesAndPermissions,
                true,
                true,
            ),
            ("none", AuthorizationRelease::None, false, false),
        ] {
            let parsed: ProtocolSettings =
                serde_json::from_value(serde_json::json!({ "release_authorization": text }))
                    .unwrap();
            assert_eq!(parsed.release_authorization, release);
            assert_eq!(
                (release.releases_roles(), release.releases_permissions()),
                (roles, permissions)
            );
            assert_eq!(check(&parsed), Ok(()));
            let written = serde_json::to_value(&parsed).unwrap();
            let expected = (!release.is_none()).then(|| serde_json::json!(text));
            assert_eq!(written.get("release_authorization").cloned(), expected);
        }
        for refused in [r#""all""#, "true", r#""Roles""#] {
            let text = format!(r#"{{"release_authorization": {refused}}}"#);
            assert!(
                serde_json::from_str::<ProtocolSettings>(&text).is_err(),
                "{text}"
            );
        }
    }

    #[test]
    fn plain_http_callbacks_only_to_loopback_hosts() {
        for safe in [
            "https://app.example.com/cb",
            "http://127.0.0.1:8000/cb",
            "http://localhost/cb",
            "http://[::1]:9000/cb",
        ] {
            assert!(is_safe_callback(safe), "{safe}");
        }
        for unsafe_url in [
            "http://app.example.com/cb",
            "http://127.0.0.1.evil.com/cb",
            "http://localhost@evil.com/cb",
            "http://10.0.0.1/cb",
        ] {
            assert!(!is_safe_callback(unsafe_url), "{unsafe_url}");
        }
        let plain = ProtocolSettings {
            cas_services: vec!["http://app.example.com/cas".into()],
            ..Default::default()
        };
        assert_eq!(
            check(&plain),
            Err(ProtocolError::InsecureUrl(
                "http://app.example.com/cas".into()
            ))
        );
    }

    #[test]
    fn cas_services_match_exactly_without_query_or_by_prefix() {
        let settings = ProtocolSettings {
            cas_services: vec![
                "https://app.example.com/cas/callback".into(),
                "https://portal.example.com/apps/*".into(),
            ],
            ..Default::default()
        };
        assert!(settings.cas_service_allowed("https://app.example.com/cas/callback"));
        assert!(settings.cas_service_allowed("https://app.example.com/cas/callback?next=%2Fhome"));
        assert!(!settings.cas_service_allowed("https://app.example.com/cas/callback/x"));
        assert!(!settings.cas_service_allowed("https://app.example.com/cas"));
        assert!(settings.cas_service_allowed("https://portal.example.com/apps/mail?x=1"));
        assert!(!settings.cas_service_allowed("https://portal.example.com/other"));
        assert!(!settings.cas_service_allowed("https://portal.example.com.evil.com/apps/"));
        assert!(!settings.cas_service_allowed("https://evil.com@portal.example.com/apps/"));
        assert!(!settings.cas_service_allowed("http://portal.example.com/apps/x"));
        assert!(!settings.cas_service_allowed("https://portal.example.com/apps/../admin"));
        assert!(!settings.cas_service_allowed("https://app.example.com/cas/callback#f"));
        assert!(!settings.cas_proxy_callback_allowed("https://app.example.com/cas/callback"));
    }

    #[test]
    fn redirect_uris_match_exactly_or_by_origin() {
        let mut settings = ProtocolSettings {
            redirect_uris: vec!["https://app.example.com/cb".into()],
            ..Default::default()
        };
        assert!(settings.redirect_allowed("https://app.example.com/cb"));
        assert!(!settings.redirect_allowed("https://app.example.com/cb/"));
        assert!(!settings.redirect_allowed("https://app.example.com/other"));
        settings.redirect_uri_match = RedirectUriMatch::Domain;
        assert!(settings.redirect_allowed("https://app.example.com/other?x=1"));
        assert!(settings.redirect_allowed("https://APP.example.com:443/"));
        assert!(!settings.redirect_allowed("http://app.example.com/cb"));
        assert!(!settings.redirect_allowed("https://app.example.com.evil.com/cb"));
        assert!(!settings.redirect_allowed("https://evil.com@app.example.com/cb"));
        assert!(!settings.redirect_allowed("https://app.example.com:8443/cb"));
        assert!(!settings.redirect_allowed("https://app.example.com/cb#frag"));
    }
}
