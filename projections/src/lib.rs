//! The read side of idaas: one module per projection (its reducer over stored events and the
//! queries that read its tables), plus replay and verification by rebuild.

pub mod access_keys;
pub mod app_accounts;
pub mod app_directory;
pub mod app_grants;
pub mod app_orgs;
pub mod app_roles;
pub mod app_types;
pub mod applications;
pub mod asof;
pub mod audit_search;
pub mod audit_trail;
mod authorization;
pub mod cas;
pub mod dictionaries;
pub mod directory_users;
pub mod effective;
pub mod expiry;
pub mod extended_fields;
pub mod field_values;
pub mod files;
pub mod groups;
pub mod guards;
pub mod management_tokens;
pub mod oauth;
pub mod organizations;
pub mod organs;
pub mod page;
pub mod permissions;
pub mod privileges;
pub mod rebuild;
pub mod role_bindings;
pub mod saml;
pub mod sessions;
pub mod shadow;
pub mod sso_tickets;
mod support;
pub mod tenants;
mod tree;
pub mod uaa;
pub mod user_types;
pub mod users;

use std::sync::Arc;

use store::Projector;

/// Every projection kept inline with the append transaction.
pub fn inline() -> Vec<Arc<dyn Projector>> {
    vec![
        Arc::new(tenants::TenantsProjection),
        Arc::new(applications::ApplicationsProjection),
        Arc::new(management_tokens::ManagementTokensProjection),
        Arc::new(organizations::OrganizationsProjection),
        Arc::new(users::UsersProjection),
        Arc::new(user_types::UserTypesProjection),
        Arc::new(dictionaries::DictionariesProjection),
        Arc::new(app_types::AppTypesProjection),
        Arc::new(groups::GroupsProjection),
        Arc::new(extended_fields::ExtendedFieldsProjection),
        Arc::new(field_values::FieldValuesProjection),
        Arc::new(files::FilesProjection),
        Arc::new(access_keys::AccessKeysProjection),
        Arc::new(app_grants::AppGrantsProjection),
        Arc::new(app_accounts::AppAccountsProjection),
        Arc::new(app_orgs::AppOrgsProjection),
        Arc::new(app_roles::AppRolesProjection),
        Arc::new(privileges::PrivilegesProjection),
        Arc::new(sessions::SessionsProjection),
        Arc::new(sso_tickets::SsoTicketsProjection),
        Arc::new(oauth::OAuthProjection),
        Arc::new(cas::CasProjection),
        Arc::new(saml::SamlProjection),
        // After every projection whose tables it reads (ops/adr/0025).
        Arc::new(asof::AsOfProjection),
        Arc::new(audit_trail::AuditTrailProjection),
    ]
}
