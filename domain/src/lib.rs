//! The pure model of idaas: aggregates, commands, events, value objects and domain errors.
//! No IO, no async runtime, no web or SQL: outside facts come in through small traits.

pub mod aggregate;
pub mod app_account;
pub mod app_grant;
pub mod app_organization;
pub mod app_role;
pub mod application;
pub mod attribute_rules;
pub mod authority;
pub mod cas_logout;
pub mod cas_ticket;
pub mod claim_kind;
pub mod extended_field;
pub mod field_values;
pub mod group;
pub mod ids;
pub mod login_attempts;
pub mod management_access;
pub mod management_token;
pub mod oauth_grant;
pub mod organization;
pub mod password;
pub mod pkce;
pub mod privilege;
pub mod protocols;
pub mod saml_key;
pub mod saml_login;
pub mod saml_logout;
pub mod sdk_login;
pub mod second_factor;
pub mod signing_key;
pub mod sms_code;
pub mod sso_session;
pub mod sso_ticket;
pub mod tenant;
pub mod testing;
pub mod totp;
pub mod upcast;
pub mod user;
pub mod user_type;
pub mod values;

pub use aggregate::{Aggregate, Claim, Decision, DomainEvent};
pub use claim_kind::ClaimKind;
pub use ids::{ApplicationId, OrganizationId, TenantId, UserId};
