//! An application registered in a tenant: client credentials (the secret only as a hash), the
//! "API product granted" flag, the feature switches of the OneAccess management API (application
//! organisations, application roles), the enabled flag, and the protocol settings that the SSO
//! surfaces read (OAuth redirect URIs, CAS service URLs, SAML service provider).

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Claim, Decision, DomainEvent};
use crate::claim_kind::ClaimKind;

pub use crate::app_details::AppDetails;
use crate::protocols::{self, ProtocolError};
pub use crate::protocols::{ProtocolSettings, SamlServiceProvider};

#[derive(Debug, Default, Clone)]
pub struct Application {
    pub id: Option<String>,
    pub name: String,
    pub client_id: String,
    pub client_secret_hash: String,
    pub api_product: bool,
    pub app_orgs: bool,
    pub app_roles: bool,
    pub enabled: bool,
    pub protocols: ProtocolSettings,
    /// The application account model: the extension attributes an account may carry.
    pub account_extensions: Vec<String>,
    pub details: AppDetails,
    pub deleted: bool,
    /// What its credential may read of the audit surface (ops/adr/0022).
    pub audit_reading: Option<crate::authority::AuditReading>,
}

/// What a reconfiguration sets; `None` keeps a value.
#[derive(Debug, Clone, Default)]
pub struct Configuration {
    pub name: Option<String>,
    pub api_product: Option<bool>,
    pub app_orgs: Option<bool>,
    pub app_roles: Option<bool>,
    pub protocols: Option<ProtocolSettings>,
    pub account_extensions: Option<Vec<String>>,
    /// Details to set; absent ones stay.
    pub details: Option<AppDetails>,
    /// Enables or disables it in the same decision.
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone)]
pub enum ApplicationCommand {
    Register {
        application_id: String,
        name: String,
        client_id: String,
        /// A keyed hash of the generated secret; the secret itself never reaches the domain.
        client_secret_hash: String,
        api_product: bool,
        app_orgs: bool,
        app_roles: bool,
        protocols: ProtocolSettings,
        account_extensions: Vec<String>,
        details: AppDetails,
        /// Registered disabled when false (Inspur `appStatus` 0).
        enabled: bool,
        now: i64,
    },
    Enable {
        now: i64,
    },
    Disable {
        now: i64,
    },
    /// A new client secret (its keyed hash); the old one stops working at once.
    RotateSecret {
        client_secret_hash: String,
        now: i64,
    },
    /// Removes the application; refused while it has accounts.
    Delete {
        has_accounts: bool,
        now: i64,
    },
    /// Changes the name, the grants and switches, the protocol settings and the account model.
    Configure {
        change: Configuration,
        now: i64,
    },
    /// Grants the management authority (ops/adr/0014): `None` leaves only what the API product
    /// gives; `applications` are the other applications a directory client may manage.
    SetAuthority {
        authority: Option<crate::authority::Authority>,
        applications: Vec<String>,
        now: i64,
    },
    /// Grants or revokes (`None`) reading the audit surface (ops/adr/0022); granting what is
    /// already held records nothing.
    SetAuditReading {
        reading: Option<crate::authority::AuditReading>,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum ApplicationEvent {
    #[serde(rename = "application.registered")]
    ApplicationRegistered {
        application_id: String,
        name: String,
        client_id: String,
        client_secret_hash: String,
        api_product: bool,
        app_orgs: bool,
        app_roles: bool,
        enabled: bool,
        protocols: ProtocolSettings,
        account_extensions: Vec<String>,
        created_at: i64,
        #[serde(default, skip_serializing_if = "AppDetails::is_empty")]
        details: AppDetails,
    },
    #[serde(rename = "application.enabled")]
    ApplicationEnabled { application_id: String, at: i64 },
    #[serde(rename = "application.disabled")]
    ApplicationDisabled { application_id: String, at: i64 },
    #[serde(rename = "application.secret_rotated")]
    SecretRotated {
        application_id: String,
        client_secret_hash: String,
        at: i64,
    },
    #[serde(rename = "application.deleted")]
    ApplicationDeleted { application_id: String, at: i64 },
    #[serde(rename = "application.authority_changed")]
    AuthorityChanged {
        application_id: String,
        authority: Option<crate::authority::Authority>,
        applications: Vec<String>,
        at: i64,
    },
    /// What the credential may read of the audit surface from now on (`None`: nothing).
    #[serde(rename = "application.audit_reading_changed")]
    AuditReadingChanged {
        application_id: String,
        reading: Option<crate::authority::AuditReading>,
        at: i64,
    },
    /// The application's settings after the change; `changed` names what moved.
    #[serde(rename = "application.configured")]
    ApplicationConfigured {
        application_id: String,
        name: String,
        api_product: bool,
        app_orgs: bool,
        app_roles: bool,
        protocols: ProtocolSettings,
        account_extensions: Vec<String>,
        changed: Vec<String>,
        at: i64,
        /// The details after the change.
        #[serde(default, skip_serializing_if = "AppDetails::is_empty")]
        details: AppDetails,
    },
}

impl DomainEvent for ApplicationEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::ApplicationRegistered { .. } => "application.registered",
            Self::ApplicationEnabled { .. } => "application.enabled",
            Self::ApplicationDisabled { .. } => "application.disabled",
            Self::SecretRotated { .. } => "application.secret_rotated",
            Self::ApplicationConfigured { .. } => "application.configured",
            Self::ApplicationDeleted { .. } => "application.deleted",
            Self::AuthorityChanged { .. } => "application.authority_changed",
            Self::AuditReadingChanged { .. } => "application.audit_reading_changed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplicationError {
    #[error("application does not exist")]
    NotFound,
    #[error("application id required")]
    IdRequired,
    #[error("application disabled")]
    Disabled,
    #[error("an application with accounts cannot be deleted")]
    HasAccounts,
    #[error("application already exists")]
    AlreadyExists,
    #[error("application name must be 1 to 100 characters")]
    InvalidName,
    #[error("client id must be 8 to 128 letters, digits, '-' or '_'")]
    InvalidClientId,
    #[error("client secret must be 16 to 128 visible ASCII characters")]
    InvalidClientSecret,
    #[error(transparent)]
    Protocol(ProtocolError),
    #[error("an account extension attribute is 1 to 64 letters, digits or '_', named once: {0}")]
    InvalidExtension(String),
    #[error(
        "application details are too long, or the code is not letters, digits, '-', '_' or '.'"
    )]
    InvalidDetails,
}

/// A client id: 1 to 128 letters, digits, `-`, `_` or `.` (an application's code is its client
/// id when it is registered with one, Inspur APP-05).
pub fn is_client_id(value: &str) -> bool {
    (1..=128).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A client secret chosen by an operator: 16 to 128 visible ASCII characters.
pub fn is_client_secret(value: &str) -> bool {
    (16..=128).contains(&value.len()) && value.chars().all(|c| c.is_ascii_graphic())
}

fn check_protocols(settings: &ProtocolSettings) -> Result<(), ApplicationError> {
    protocols::check(settings).map_err(ApplicationError::Protocol)
}

/// Account extension attribute names: 1 to 64 letters, digits or `_`, no repeats.
fn check_extensions(names: &[String]) -> Result<(), ApplicationError> {
    for (i, name) in names.iter().enumerate() {
        let valid = (1..=64).contains(&name.len())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !names[..i].contains(name);
        if !valid {
            return Err(ApplicationError::InvalidExtension(name.clone()));
        }
    }
    Ok(())
}

impl Application {
    fn configure(
        &self,
        application_id: String,
        change: Configuration,
        now: i64,
    ) -> Result<Decision<ApplicationEvent>, ApplicationError> {
        let mut changed = Vec::new();
        let name = match change.name.map(|n| n.trim().to_string()) {
            Some(n) if n != self.name => {
                if n.is_empty() || n.chars().count() > 100 {
                    return Err(ApplicationError::InvalidName);
                }
                changed.push("name".to_string());
                n
            }
            _ => self.name.clone(),
        };
        let mut flag = |given: Option<bool>, current: bool, field: &str| match given {
            Some(v) if v != current => {
                changed.push(field.to_string());
                v
            }
            _ => current,
        };
        let api_product = flag(change.api_product, self.api_product, "api_product");
        let app_orgs = flag(change.app_orgs, self.app_orgs, "app_orgs");
        let app_roles = flag(change.app_roles, self.app_roles, "app_roles");
        let protocols = match change.protocols {
            Some(p) if p != self.protocols => {
                check_protocols(&p)?;
                changed.push("protocols".to_string());
                p
            }
            _ => self.protocols.clone(),
        };
        let account_extensions = match change.account_extensions {
            Some(e) if e != self.account_extensions => {
                check_extensions(&e)?;
                changed.push("account_extensions".to_string());
                e
            }
            _ => self.account_extensions.clone(),
        };
        let details = match change.details {
            Some(given) => {
                let (details, moved) = self.details.with(&given);
                if !details.is_valid() {
                    return Err(ApplicationError::InvalidDetails);
                }
                changed.extend(moved.into_iter().map(|m| format!("details.{m}")));
                details
            }
            None => self.details.clone(),
        };
        let switch = match change.enabled {
            Some(true) if !self.enabled => Some(ApplicationEvent::ApplicationEnabled {
                application_id: application_id.clone(),
                at: now,
            }),
            Some(false) if self.enabled => Some(ApplicationEvent::ApplicationDisabled {
                application_id: application_id.clone(),
                at: now,
            }),
            _ => None,
        };
        if changed.is_empty() {
            return Ok(Decision::events(switch.into_iter().collect()));
        }
        let (held, claimed) = (self.details.claims(&self.name), details.claims(&name));
        let mut decision = Decision::event(ApplicationEvent::ApplicationConfigured {
            application_id,
            name,
            api_product,
            app_orgs,
            app_roles,
            protocols,
            account_extensions,
            changed,
            at: now,
            details,
        });
        decision.releases = held
            .iter()
            .filter(|c| !claimed.contains(c))
            .cloned()
            .collect();
        decision.claims = claimed.into_iter().filter(|c| !held.contains(c)).collect();
        decision.events.extend(switch);
        Ok(decision)
    }
}

impl Aggregate for Application {
    type Command = ApplicationCommand;
    type Event = ApplicationEvent;
    type Error = ApplicationError;
    type Services = ();
    const STREAM_TYPE: &'static str = "application";

    fn apply(&mut self, event: &ApplicationEvent) {
        match event {
            ApplicationEvent::ApplicationRegistered {
                application_id,
                name,
                client_id,
                client_secret_hash,
                api_product,
                app_orgs,
                app_roles,
                enabled,
                protocols,
                account_extensions,
                details,
                ..
            } => {
                self.account_extensions = account_extensions.clone();
                self.details = details.clone();
                self.id = Some(application_id.clone());
                self.name = name.clone();
                self.client_id = client_id.clone();
                self.client_secret_hash = client_secret_hash.clone();
                self.api_product = *api_product;
                self.app_orgs = *app_orgs;
                self.app_roles = *app_roles;
                self.enabled = *enabled;
                self.protocols = protocols.clone();
            }
            ApplicationEvent::ApplicationDeleted { .. } => self.deleted = true,
            ApplicationEvent::AuthorityChanged { .. } => {}
            ApplicationEvent::AuditReadingChanged { reading, .. } => self.audit_reading = *reading,
            ApplicationEvent::ApplicationEnabled { .. } => self.enabled = true,
            ApplicationEvent::ApplicationDisabled { .. } => self.enabled = false,
            ApplicationEvent::SecretRotated {
                client_secret_hash, ..
            } => self.client_secret_hash = client_secret_hash.clone(),
            ApplicationEvent::ApplicationConfigured {
                name,
                api_product,
                app_orgs,
                app_roles,
                protocols,
                account_extensions,
                details,
                ..
            } => {
                self.account_extensions = account_extensions.clone();
                self.details = details.clone();
                self.name = name.clone();
                self.api_product = *api_product;
                self.app_orgs = *app_orgs;
                self.app_roles = *app_roles;
                self.protocols = protocols.clone();
            }
        }
    }

    fn decide(
        &self,
        command: ApplicationCommand,
        _: &(),
    ) -> Result<Decision<ApplicationEvent>, ApplicationError> {
        let application_id = match (&self.id, &command) {
            (Some(_), ApplicationCommand::Register { .. }) => {
                return Err(ApplicationError::AlreadyExists)
            }
            (None, ApplicationCommand::Register { .. }) => String::new(),
            (Some(_), _) if self.deleted => return Err(ApplicationError::NotFound),
            (Some(id), _) => id.clone(),
            (None, _) => return Err(ApplicationError::NotFound),
        };
        match command {
            ApplicationCommand::Register {
                application_id,
                name,
                client_id,
                client_secret_hash,
                api_product,
                app_orgs,
                app_roles,
                protocols,
                account_extensions,
                details,
                enabled,
                now,
            } => {
                let name = name.trim().to_string();
                if name.is_empty() || name.chars().count() > 100 {
                    return Err(ApplicationError::InvalidName);
                }
                if !is_client_id(&client_id) {
                    return Err(ApplicationError::InvalidClientId);
                }
                check_protocols(&protocols)?;
                check_extensions(&account_extensions)?;
                if !details.is_valid() {
                    return Err(ApplicationError::InvalidDetails);
                }
                let claims = details.claims(&name);
                let mut decision = Decision::event(ApplicationEvent::ApplicationRegistered {
                    application_id,
                    name,
                    client_id: client_id.clone(),
                    client_secret_hash,
                    api_product,
                    app_orgs,
                    app_roles,
                    enabled,
                    protocols,
                    account_extensions,
                    created_at: now,
                    details,
                });
                decision.claims = claims;
                Ok(decision.claim(Claim::new(ClaimKind::ClientId, client_id)))
            }
            ApplicationCommand::Enable { now } if !self.enabled => {
                Ok(Decision::event(ApplicationEvent::ApplicationEnabled {
                    application_id,
                    at: now,
                }))
            }
            ApplicationCommand::Disable { now } if self.enabled => {
                Ok(Decision::event(ApplicationEvent::ApplicationDisabled {
                    application_id,
                    at: now,
                }))
            }
            ApplicationCommand::Enable { .. } | ApplicationCommand::Disable { .. } => {
                Ok(Decision::none())
            }
            ApplicationCommand::Delete { has_accounts, now } => {
                if has_accounts {
                    return Err(ApplicationError::HasAccounts);
                }
                let mut decision = Decision::event(ApplicationEvent::ApplicationDeleted {
                    application_id,
                    at: now,
                });
                decision.releases = self.details.claims(&self.name);
                Ok(decision.release(Claim::new(ClaimKind::ClientId, self.client_id.clone())))
            }
            ApplicationCommand::RotateSecret {
                client_secret_hash,
                now,
            } => Ok(Decision::event(ApplicationEvent::SecretRotated {
                application_id,
                client_secret_hash,
                at: now,
            })),
            ApplicationCommand::Configure { change, now } => {
                self.configure(application_id, change, now)
            }
            ApplicationCommand::SetAuthority {
                authority,
                applications,
                now,
            } => Ok(Decision::event(ApplicationEvent::AuthorityChanged {
                application_id,
                authority,
                applications,
                at: now,
            })),
            ApplicationCommand::SetAuditReading { reading, .. }
                if reading == self.audit_reading =>
            {
                Ok(Decision::none())
            }
            ApplicationCommand::SetAuditReading { reading, now } => {
                Ok(Decision::event(ApplicationEvent::AuditReadingChanged {
                    application_id,
                    reading,
                    at: now,
                }))
            }
        }
    }
}

#[cfg(test)]
#[path = "application_tests.rs"]
mod tests;
