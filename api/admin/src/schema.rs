//! The OpenAPI schemas of the domain values the admin API reads and answers as they are (an
//! application's protocol settings, the tenant's settings, an organisation's government
//! profile). The domain knows nothing of HTTP or its descriptions, so these mirror its types
//! field for field, for the description only; the tests below keep the field names equal to
//! what the domain types serialise.

// Never built: each type exists for its `ToSchema` implementation alone.
#![allow(dead_code)]

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use utoipa::ToSchema;

/// An application's OAuth 2.0 / OIDC, CAS and SAML settings (`domain::protocols`). In a body
/// every field may be left out and takes its default; given, they replace the current settings
/// whole. An answer has every field but `release_authorization` while that is `none`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Protocols {
    /// OAuth 2.0 / OIDC redirect URIs: https, or http to a loopback host.
    #[serde(default)]
    #[schema(format = "uri")]
    redirect_uris: Vec<String>,
    /// `exact`: one of `redirect_uris`; `domain`: any URI on the scheme, host and port of one
    /// (the OneAccess rule).
    #[serde(default)]
    #[schema(default = "exact")]
    redirect_uri_match: RedirectUriMatch,
    #[serde(default)]
    #[schema(default = json!(["authorization_code"]))]
    grant_types: Vec<GrantType>,
    #[serde(default)]
    #[schema(default = 7200, minimum = 60, maximum = 31_536_000)]
    access_token_lifetime_secs: u32,
    /// Refresh tokens are issued only when set.
    #[schema(minimum = 60, maximum = 31_536_000)]
    refresh_token_lifetime_secs: Option<u32>,
    /// CAS service URLs: a service equals one (its query string aside), or starts with one that
    /// ends in `*`, on the same scheme, host and port.
    #[serde(default)]
    cas_services: Vec<String>,
    /// CAS proxy callback URLs (`pgtUrl`) matched like services; none means the application may
    /// not proxy.
    #[serde(default)]
    cas_proxy_callbacks: Vec<String>,
    /// Account attributes released to CAS services.
    #[serde(default)]
    cas_released_attributes: Vec<String>,
    /// The SAML service provider, if the application signs in over SAML.
    saml: Option<Saml>,
    /// Authorisation requests must carry a PKCE `code_challenge` (RFC 7636).
    #[serde(default)]
    #[schema(default = false)]
    require_pkce: bool,
    /// Exact targets of RP-initiated logout.
    #[serde(default)]
    #[schema(format = "uri")]
    post_logout_redirect_uris: Vec<String>,
    /// OIDC back-channel logout: logout tokens are posted here when a session ends.
    #[schema(format = "uri")]
    backchannel_logout_uri: Option<String>,
    #[serde(default)]
    #[schema(default = "RS256")]
    id_token_signing_alg: SigningAlgorithm,
    /// The hosted login page's look for this application.
    login_theme: Option<LoginTheme>,
    /// Release the user's role codes (`roles`) and permission codes (`permissions`, with
    /// privileges) from the effective-permission query in the ID token, userinfo, SAML assertion
    /// attributes and CAS validation attributes; sorted, each once, left out when empty
    /// (ops/adr/0018). Not in an answer while `none`.
    #[serde(default)]
    #[schema(default = "none")]
    release_authorization: ReleaseAuthorization,
    /// `jwt`: access tokens are JWTs signed with `id_token_signing_alg`; `opaque`: random
    /// strings that only introspection and userinfo answer for. Not in an answer while `jwt`.
    #[serde(default)]
    #[schema(default = "jwt")]
    access_token_format: AccessTokenFormat,
}

#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessTokenFormat {
    Jwt,
    Opaque,
}

#[derive(ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RedirectUriMatch {
    Exact,
    Domain,
}

#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    Implicit,
    ClientCredentials,
}

/// A token signing algorithm.
#[derive(ToSchema)]
pub enum SigningAlgorithm {
    #[serde(rename = "RS256")]
    Rs256,
    #[serde(rename = "ES256")]
    Es256,
}

#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseAuthorization {
    None,
    Roles,
    RolesAndPermissions,
}

/// An application's SAML service provider.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Saml {
    /// 1 to 1024 characters.
    #[schema(max_length = 1024)]
    entity_id: String,
    /// The only place assertions are sent (HTTP-POST binding).
    #[schema(format = "uri")]
    acs_url: String,
    /// The NameID format answered when a request names none (or `unspecified`).
    #[serde(default)]
    #[schema(default = "unspecified")]
    name_id_format: NameIdFormat,
    /// Answer `name_id_format` (or `transient`) whatever format a request asks for; by default a
    /// requested format the IdP can produce (`emailAddress` when the user has one, `persistent`,
    /// `transient`) is honoured.
    #[serde(default)]
    #[schema(default = false)]
    name_id_format_pinned: bool,
    /// SAML attribute name → the account or user attribute it carries.
    #[serde(default)]
    attribute_mapping: BTreeMap<String, String>,
    /// The SP's SingleLogoutService; without it the SP takes no part in single logout.
    #[serde(default)]
    #[schema(format = "uri")]
    slo_url: Option<String>,
    /// How LogoutRequests reach `slo_url`.
    #[serde(default)]
    #[schema(default = "redirect")]
    slo_binding: SloBinding,
    /// The SP's signing certificate (PEM or base64 DER). When set, its AuthnRequests and
    /// LogoutRequests must be signed with it.
    #[serde(default)]
    signing_certificate: Option<String>,
    /// When set, assertions are encrypted for this certificate (AES-256-GCM, RSA-OAEP).
    #[serde(default)]
    encryption_certificate: Option<String>,
    #[serde(default)]
    #[schema(default = true)]
    sign_response: bool,
    #[serde(default)]
    #[schema(default = true)]
    sign_assertion: bool,
}

#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum NameIdFormat {
    Unspecified,
    EmailAddress,
    Persistent,
    Transient,
}

#[derive(ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SloBinding {
    Redirect,
    Post,
}

/// What the hosted login page shows for an application.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginTheme {
    /// A heading above the form (the application's name when absent).
    #[schema(max_length = 100)]
    title: Option<String>,
    /// `#rrggbb`, used for the button and heading.
    #[schema(pattern = "^#[0-9a-fA-F]{6}$")]
    primary_color: Option<String>,
    /// An https URL of a logo image.
    #[schema(format = "uri")]
    logo_url: Option<String>,
}

/// What an application's management credential may do (ops/adr/0014).
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthorityName {
    Directory,
    TenantAdmin,
    Operator,
    /// Reads the audit API and manages nothing (ops/adr/0022).
    Auditor,
}

/// A resource item of a privilege (specs/oneaccess.md §2.5 `ResourceItem`).
#[derive(ToSchema)]
pub struct ResourceItem {
    item_id: String,
    item_code: String,
    item_name: String,
    /// The parent item's id; null for a root item.
    #[schema(required = true)]
    item_parentid: Option<String>,
}

/// The tenant's settings (`domain::tenant::TenantSettings`).
#[derive(ToSchema)]
pub struct Settings {
    password_policy: PasswordPolicy,
    user_attributes: UserAttributes,
    #[schema(minimum = 60, maximum = 86_400, default = 1800)]
    management_token_lifetime_secs: u32,
    lockout: Lockout,
    organizations: OrganizationPolicy,
    retention: Retention,
}

/// The tenant's retention policy (ops/adr/0026). In a body every field may be left out.
#[derive(Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Retention {
    /// Days after which request metadata (client address, user agent) is forgotten and a
    /// deleted user is erased, by the next retention run; null (the default) keeps them.
    #[schema(minimum = 0, maximum = 3650, required = true)]
    de_identify_after_days: Option<u32>,
}

/// The password policy (specs/oneaccess.md §4.9, PWD.0001–PWD.0008). In a body every field may
/// be left out and takes its default.
#[derive(ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordPolicy {
    /// Shortest password in characters; at least 1.
    #[schema(minimum = 1, default = 8)]
    min_length: u32,
    /// Longest password in characters; at least `min_length`.
    #[schema(minimum = 1, maximum = 128, default = 128)]
    max_length: u32,
    /// How many of the four classes (lower, upper, digit, other) a password must mix.
    #[schema(maximum = 4, default = 3)]
    min_char_classes: u32,
    /// The most times one character may repeat in a row; 0 means no limit.
    #[schema(default = 3)]
    max_repeated_chars: u32,
    /// How many earlier passwords (the current one included) may not be reused; 0 means none.
    #[schema(default = 3)]
    history: u32,
    #[schema(default = true)]
    forbid_reversed_user_name: bool,
    /// The password may not contain the username, mobile number or email prefix.
    #[schema(default = true)]
    forbid_personal_info: bool,
    #[schema(default = true)]
    forbid_weak_list: bool,
    /// Days a password lasts; 0 means it never expires.
    #[schema(minimum = 0, maximum = 3650, default = 0)]
    max_age_days: u32,
    /// Days before expiry from which sign-in offers the change.
    #[schema(minimum = 0, maximum = 365, default = 7)]
    expiry_warning_days: u32,
}

/// The user-attribute rules, keyed by canonical attribute name (`username`, `display_name`,
/// `mobile`, `email`, `employee_id`, `identity_number`, `nickname`…; `extension.NAME` for an
/// extension). Rules given under the version-1 (OneAccess) names such as
/// `attr_identity_number` are accepted and stored under the canonical name (ADR 0009). At most
/// 100 rules.
#[derive(ToSchema)]
pub struct UserAttributes(BTreeMap<String, AttributeRule>);

/// Whether one user attribute must be present and whether its value must be unique in the
/// tenant.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeRule {
    #[serde(default)]
    #[schema(default = false)]
    required: bool,
    #[serde(default)]
    #[schema(default = false)]
    unique: bool,
    /// A regular expression the whole value must match (besides the built-in format rules).
    #[schema(max_length = 256)]
    pattern: Option<String>,
}

/// Login lockout (LOGIN.0001, LOGIN.0002): failures before an account is locked, and for how
/// long. In a body a field left out takes its default.
#[derive(ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Lockout {
    #[schema(minimum = 1, maximum = 100, default = 5)]
    max_failures: u32,
    #[schema(minimum = 1, maximum = 1440, default = 30)]
    lock_minutes: u32,
}

/// Rules about organisations that only some dialects have (ADR 0009). In a body a field left
/// out takes its default.
#[derive(ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OrganizationPolicy {
    /// Organisation names must be unique among siblings (OneAccess ORG.0013). Off allows
    /// duplicates, as Inspur does; organisations keep the claims they hold until they are
    /// renamed, moved or updated.
    #[schema(default = true)]
    unique_sibling_names: bool,
    /// A grant of an application to an organisation (Inspur ORG-08, APP-02) also lets the users
    /// of its sub-organisations sign in to the application. Off: only the organisation's own
    /// members (primary or secondary).
    #[schema(default = false)]
    grants_reach_sub_organizations: bool,
}

/// An organisation's government profile (`domain::gov_profile`); a field it does not know is
/// left out.
#[derive(ToSchema)]
pub struct Government {
    #[serde(default)]
    org_type: OrgTypeCode,
    /// The administrative division's code.
    #[serde(default)]
    area_code: String,
    #[serde(default)]
    area_name: String,
    #[serde(default)]
    unified_social_credit_code: String,
    #[serde(default)]
    address: String,
    /// The contact person.
    #[serde(default)]
    contacts: String,
    #[serde(default)]
    contact_tel: String,
    #[serde(default)]
    contact_tel_area_code: String,
    /// The unit's full name.
    #[serde(default)]
    unit_name: String,
    /// The sector line.
    #[serde(default)]
    belong_line: String,
    #[serde(default)]
    department_level: String,
    #[serde(default)]
    zip_code: String,
    /// Extended attributes, free.
    #[serde(default)]
    extend_map: Map<String, Value>,
}

/// An organisation type of the Hainan directory (`orgType`): a virtual node of a sector line,
/// an agency unit, a virtual node of an administrative division, an internal department, a
/// virtual or a temporary organisation.
#[derive(ToSchema)]
pub enum OrgTypeCode {
    #[serde(rename = "GOV_HOLLOW_STRIP_NODE")]
    HollowStripNode,
    #[serde(rename = "GOV_UNIT")]
    Unit,
    #[serde(rename = "GOV_HOLLOW_DIVISION_NODE")]
    HollowDivisionNode,
    #[serde(rename = "GOV_INTERNAL_INSTITUTION")]
    InternalInstitution,
    #[serde(rename = "GOV_VIRTUAL")]
    Virtual,
    #[serde(rename = "GOV_TEMPORARY")]
    Temporary,
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::gov_profile::{GovProfile, OrgType};
    use domain::protocols::{
        AuthorizationRelease, LoginTheme as Theme, ProtocolSettings, SamlServiceProvider,
    };
    use domain::tenant::{AttributeRule as Rule, TenantSettings};
    use serde_json::json;
    use utoipa::PartialSchema;

    /// The property names of a schema, in order.
    fn properties<T: PartialSchema>() -> Vec<String> {
        let schema = serde_json::to_value(T::schema()).expect("a schema");
        schema["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The keys a domain value serialises with, in order.
    fn keys(value: impl serde::Serialize) -> Vec<String> {
        let value = serde_json::to_value(value).expect("serialisable");
        value
            .as_object()
            .expect("an object")
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn the_mirrors_have_the_fields_of_the_domain_types() {
        let protocols = ProtocolSettings {
            release_authorization: AuthorizationRelease::Roles,
            access_token_format: domain::protocols::AccessTokenFormat::Opaque,
            ..ProtocolSettings::default()
        };
        assert_eq!(properties::<Protocols>(), keys(protocols));
        assert_eq!(
            properties::<Saml>(),
            keys(SamlServiceProvider::new("e", "a"))
        );
        assert_eq!(properties::<LoginTheme>(), keys(Theme::default()));
        let settings = TenantSettings::default();
        assert_eq!(properties::<Settings>(), keys(&settings));
        assert_eq!(
            properties::<PasswordPolicy>(),
            keys(&settings.password_policy)
        );
        assert_eq!(properties::<Lockout>(), keys(settings.lockout));
        assert_eq!(
            properties::<OrganizationPolicy>(),
            keys(settings.organizations)
        );
        assert_eq!(properties::<Retention>(), keys(settings.retention));
        assert_eq!(properties::<AttributeRule>(), keys(Rule::default()));
        let item = domain::privilege::ResourceItem {
            item_id: "i".into(),
            item_code: "c".into(),
            item_name: "n".into(),
            item_parentid: None,
        };
        assert_eq!(properties::<ResourceItem>(), keys(item));
        let text = Some("x".to_string());
        let government = GovProfile {
            org_type: Some(OrgType::Unit),
            area_code: text.clone(),
            area_name: text.clone(),
            unified_social_credit_code: text.clone(),
            address: text.clone(),
            contacts: text.clone(),
            contact_tel: text.clone(),
            contact_tel_area_code: text.clone(),
            unit_name: text.clone(),
            belong_line: text.clone(),
            department_level: text.clone(),
            zip_code: text,
            extend_map: Map::from_iter([("k".to_string(), json!("v"))]),
        };
        assert_eq!(properties::<Government>(), keys(government));
    }

    #[test]
    fn the_mirrored_codes_are_the_domain_codes() {
        let codes: Vec<&str> = OrgType::ALL.iter().map(|t| t.code()).collect();
        let schema = serde_json::to_value(OrgTypeCode::schema()).expect("a schema");
        assert_eq!(schema["enum"], json!(codes));
        let formats = serde_json::to_value(NameIdFormat::schema()).expect("a schema");
        assert_eq!(formats["enum"], json!(domain::protocols::NAME_ID_FORMATS));
        let grants = serde_json::to_value(GrantType::schema()).expect("a schema");
        assert_eq!(grants["enum"], json!(domain::protocols::GRANT_TYPES));
        let algorithms = serde_json::to_value(SigningAlgorithm::schema()).expect("a schema");
        assert_eq!(algorithms["enum"], json!(domain::signing_key::ALGORITHMS));
    }
}
