//! The application layer every surface shares: each use case gathers the facts a decision needs
//! from projections, runs one command through the bus, and reports domain errors untranslated.
//! Surfaces translate their wire to these inputs and these outputs or errors to their envelopes;
//! nothing here knows about HTTP.

pub mod access_keys;
pub mod accounts;
pub mod app_grants;
pub mod app_orgs;
pub mod app_types;
pub mod applications;
pub mod attributes;
pub mod audit;
pub mod authority;
pub mod authorization;
pub mod authorization_roles;
pub mod cache;
pub mod captcha;
pub mod captcha_image;
pub mod cas;
pub mod cas_outbox;
pub mod clock;
pub mod config;
pub mod dictionaries;
pub mod erasure;
pub mod export;
pub mod extended_fields;
pub mod field_values;
pub mod files;
pub mod groups;
pub mod limits;
pub mod login_themes;
pub mod oauth;
pub mod organizations;
pub mod posts;
pub mod privileges;
pub mod retention;
pub mod roles;
pub mod saml;
pub mod sdk;
pub mod services;
pub mod session_end;
pub mod signin;
pub mod signing;
pub mod sms;
pub mod sso;
pub mod state;
pub mod tenant_hosts;
pub mod tenants;
pub mod tokens;
pub mod user_types;
pub mod users;

/// Storage faults: what the surfaces answer "temporarily unavailable" for.
pub use store::fault;
use store::BusError;
pub use store::{Context, Metadata};

pub use config::Config;
use domain::app_account::AppAccountError;
use domain::app_organization::AppOrganizationError;
use domain::app_role::AppRoleError;
use domain::application::ApplicationError;
use domain::management_token::ManagementTokenError;
use domain::organization::OrganizationError;
use domain::tenant::{TenantError, TenantSettings};
use domain::user::UserError;
pub use state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    User(#[from] UserError),
    #[error(transparent)]
    Organization(#[from] OrganizationError),
    #[error(transparent)]
    Tenant(#[from] TenantError),
    #[error(transparent)]
    Application(#[from] ApplicationError),
    #[error(transparent)]
    ManagementToken(#[from] ManagementTokenError),
    #[error(transparent)]
    AppAccount(#[from] AppAccountError),
    /// A request names no user.
    #[error("user id required")]
    UserIdRequired,
    /// The application has application organisations switched off.
    #[error("application organizations are not enabled")]
    AppOrgsDisabled,
    #[error(transparent)]
    AppOrganization(#[from] AppOrganizationError),
    #[error(transparent)]
    AppRole(#[from] AppRoleError),
    #[error(transparent)]
    Privilege(#[from] domain::privilege::PrivilegeError),
    #[error(transparent)]
    UserType(#[from] domain::user_type::UserTypeError),
    #[error(transparent)]
    Dictionary(#[from] domain::dictionary::DictionaryError),
    #[error(transparent)]
    AppType(#[from] domain::app_type::AppTypeError),
    #[error(transparent)]
    Group(#[from] domain::group::GroupError),
    #[error(transparent)]
    ExtendedField(#[from] domain::extended_field::ExtendedFieldError),
    #[error(transparent)]
    FieldValues(#[from] domain::field_values::FieldValuesError),
    #[error(transparent)]
    AppGrants(#[from] domain::app_grant::AppGrantsError),
    #[error(transparent)]
    File(#[from] domain::file::FileError),
    #[error(transparent)]
    AccessKey(#[from] domain::access_key::AccessKeyError),
    /// The application has application roles switched off.
    #[error("application roles are not enabled")]
    AppRolesDisabled,
    /// An organisation named by its code does not exist.
    #[error("organization code not found")]
    OrgCodeNotFound,
    /// A unique value of this claim kind is held by someone else.
    #[error("already exists: {0}")]
    Claimed(domain::ClaimKind),
    #[error("system busy, try again")]
    Busy,
    /// Every password thread is busy and the queue is full: answered 503 with `Retry-After`.
    #[error("password checks are at capacity")]
    Overloaded,
    /// A rate limit refused the request: answered 429 with `Retry-After`.
    #[error("too many requests; retry after {retry_after_seconds} seconds")]
    Throttled { retry_after_seconds: u64 },
    /// Storage cannot take the request now (a full disk, an unreachable database): nothing was
    /// written; the client should retry after `store::fault::RETRY_AFTER_SECONDS`.
    #[error(transparent)]
    Unavailable(store::Unavailable),
    #[error(transparent)]
    Internal(anyhow::Error),
}

impl From<anyhow::Error> for ServiceError {
    fn from(error: anyhow::Error) -> Self {
        match store::fault::unavailable(&error) {
            Some(fault) => Self::Unavailable(fault),
            None => Self::Internal(error),
        }
    }
}

impl From<limits::Overloaded> for ServiceError {
    fn from(_: limits::Overloaded) -> Self {
        Self::Overloaded
    }
}

impl From<limits::Limited> for ServiceError {
    fn from(limited: limits::Limited) -> Self {
        Self::Throttled {
            retry_after_seconds: limited.retry_after_seconds,
        }
    }
}

impl<E: std::error::Error + Into<ServiceError>> From<BusError<E>> for ServiceError {
    fn from(error: BusError<E>) -> Self {
        match error {
            BusError::Domain(e) => e.into(),
            BusError::Claimed(kind) => Self::Claimed(kind),
            // Each service maps the guards it sets to its own errors first; one that reaches
            // here is a guard that service did not expect.
            BusError::GuardFailed(name) => {
                Self::Internal(anyhow::anyhow!("unexpected guard failure: {name}"))
            }
            BusError::Conflict => Self::Busy,
            BusError::Internal(e) => e.into(),
        }
    }
}

/// A change of an entity's life: the same three verbs for users and accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Enable,
    Disable,
    Delete,
}

/// The context of a command made by `kind` `id` (a user, an application) within a request.
pub fn acting(ctx: &Context, kind: &str, id: &str) -> Context {
    let mut ctx = ctx.clone();
    ctx.metadata.actor_kind = Some(kind.to_string());
    ctx.metadata.actor_id = Some(id.to_string());
    ctx
}

pub fn context(tenant_id: &str, metadata: Metadata) -> Context {
    Context {
        tenant_id: tenant_id.to_string(),
        metadata,
    }
}

/// The tenant's current settings (defaults if the tenant row is missing).
pub async fn settings(state: &AppState, tenant_id: &str) -> anyhow::Result<TenantSettings> {
    cache::lookups::settings(state, tenant_id).await
}
