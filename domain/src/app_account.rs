//! An application account (specs/oneaccess.md §2.5, #12, #24–#30): a user's identity inside one
//! application. Its name is unique in the application, and a user holds at most one basic account
//! per application. Facts about the application and the user are read from projections before
//! the decision and re-checked by guards when the events are written.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::aggregate::{Aggregate, Claim, Decision, DomainEvent};
use crate::claim_kind::ClaimKind;
use crate::password::PasswordHasher;
use crate::values::{is_display_name, is_user_name};

pub const BASIC_ACCOUNT: &str = "BASIC_ACCOUNT";
pub const ORPHAN_ACCOUNT: &str = "ORPHAN_ACCOUNT";
pub const PUBLIC_ACCOUNT: &str = "PUBLIC_ACCOUNT";
pub const ACCOUNT_TYPES: &[&str] = &[BASIC_ACCOUNT, ORPHAN_ACCOUNT, PUBLIC_ACCOUNT];

#[derive(Debug, Default, Clone)]
pub struct AppAccount {
    pub id: Option<String>,
    pub application_id: String,
    pub user_id: Option<String>,
    pub account_name: String,
    pub name: String,
    pub org_id: Option<String>,
    pub disabled: bool,
    pub extension: Map<String, Value>,
    pub deleted: bool,
}

/// What a create or update sets; `None` leaves a value as it is.
#[derive(Debug, Clone, Default)]
pub struct AccountChange {
    pub account_name: Option<String>,
    pub name: Option<String>,
    /// The application organisation, already resolved from its code.
    pub org_id: Option<String>,
    pub password: Option<String>,
    pub disabled: Option<bool>,
    pub extension: Option<Map<String, Value>>,
    /// The application's account model: the extension attributes an account may carry.
    pub defined_extensions: Vec<String>,
}

/// The account's personal data (its names often are the person's): sealed in the events under
/// `personal`, like a user's attributes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountPersonal {
    pub account_name: String,
    pub name: String,
    pub extension: Map<String, Value>,
}

#[derive(Debug, Clone)]
pub enum AppAccountCommand {
    /// A basic account linked to a user.
    Create {
        account_id: String,
        application_id: String,
        user_id: String,
        change: AccountChange,
        now: i64,
    },
    Update {
        change: AccountChange,
        now: i64,
    },
    Enable {
        now: i64,
    },
    Disable {
        now: i64,
    },
    Delete {
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum AppAccountEvent {
    #[serde(rename = "app_account.created")]
    AccountCreated {
        account_id: String,
        application_id: String,
        user_id: String,
        org_id: Option<String>,
        password_hash: Option<String>,
        disabled: bool,
        created_at: i64,
        personal: AccountPersonal,
    },
    /// The account after the change; `changed` names the fields that moved.
    #[serde(rename = "app_account.updated")]
    AccountUpdated {
        account_id: String,
        application_id: String,
        org_id: Option<String>,
        changed: Vec<String>,
        updated_at: i64,
        personal: AccountPersonal,
    },
    #[serde(rename = "app_account.password_changed")]
    AccountPasswordChanged {
        account_id: String,
        password_hash: String,
        changed_at: i64,
    },
    #[serde(rename = "app_account.enabled")]
    AccountEnabled { account_id: String, at: i64 },
    #[serde(rename = "app_account.disabled")]
    AccountDisabled { account_id: String, at: i64 },
    #[serde(rename = "app_account.deleted")]
    AccountDeleted {
        account_id: String,
        application_id: String,
        deleted_at: i64,
    },
}

impl DomainEvent for AppAccountEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::AccountCreated { .. } => "app_account.created",
            Self::AccountUpdated { .. } => "app_account.updated",
            Self::AccountPasswordChanged { .. } => "app_account.password_changed",
            Self::AccountEnabled { .. } => "app_account.enabled",
            Self::AccountDisabled { .. } => "app_account.disabled",
            Self::AccountDeleted { .. } => "app_account.deleted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppAccountError {
    #[error("application account does not exist")]
    NotFound,
    #[error("application account already exists")]
    AlreadyExists,
    #[error("application account name required")]
    NameRequired,
    #[error("application account name invalid")]
    NameInvalid,
    #[error("extended attribute {0} is invalid")]
    ExtensionInvalid(String),
    #[error("extended attribute {0} is not in the application's account model")]
    ExtensionUndefined(String),
    #[error("the name of the application account required")]
    DisplayNameRequired,
    #[error(
        "the name of the application account must be 1 to 64 characters without control characters"
    )]
    DisplayNameInvalid,
}

/// Account names are unique per application, case-insensitively.
pub fn name_claim(application_id: &str, account_name: &str) -> Claim {
    Claim::new(
        ClaimKind::AppAccountName,
        format!("{application_id}/{}", account_name.to_lowercase()),
    )
}

/// A user holds at most one basic account per application.
pub fn user_claim(application_id: &str, user_id: &str) -> Claim {
    Claim::new(
        ClaimKind::AppAccountPerUser,
        format!("{application_id}/{user_id}"),
    )
}

fn check_extension(
    extension: &Map<String, Value>,
    defined: &[String],
) -> Result<(), AppAccountError> {
    if let Some(key) = extension.keys().find(|k| !defined.contains(k)) {
        return Err(AppAccountError::ExtensionUndefined(key.clone()));
    }
    for (index, (key, value)) in extension.iter().enumerate() {
        let scalar = match value {
            Value::String(s) => s.chars().count() <= 1024,
            Value::Number(_) | Value::Bool(_) => true,
            _ => false,
        };
        if !scalar || key.is_empty() || key.len() > 64 || index >= 64 {
            return Err(AppAccountError::ExtensionInvalid(key.clone()));
        }
    }
    Ok(())
}

/// The display name: required, 1 to 64 characters without control characters.
fn check_display_name(name: &str) -> Result<(), AppAccountError> {
    if name.is_empty() {
        Err(AppAccountError::DisplayNameRequired)
    } else if !is_display_name(name) {
        Err(AppAccountError::DisplayNameInvalid)
    } else {
        Ok(())
    }
}

fn check_name(account_name: &str) -> Result<(), AppAccountError> {
    if account_name.trim().is_empty() {
        Err(AppAccountError::NameRequired)
    } else if !is_user_name(account_name) {
        Err(AppAccountError::NameInvalid)
    } else {
        Ok(())
    }
}

impl Aggregate for AppAccount {
    type Command = AppAccountCommand;
    type Event = AppAccountEvent;
    type Error = AppAccountError;
    type Services = dyn PasswordHasher;
    const STREAM_TYPE: &'static str = "app_account";
    /// Creating an account or changing its password hashes the password.
    const DECIDES_SLOWLY: bool = true;

    fn apply(&mut self, event: &AppAccountEvent) {
        match event {
            AppAccountEvent::AccountCreated {
                account_id,
                application_id,
                user_id,
                org_id,
                disabled,
                personal,
                ..
            } => {
                self.id = Some(account_id.clone());
                self.application_id = application_id.clone();
                self.user_id = Some(user_id.clone());
                self.account_name = personal.account_name.clone();
                self.name = personal.name.clone();
                self.org_id = org_id.clone();
                self.disabled = *disabled;
                self.extension = personal.extension.clone();
            }
            AppAccountEvent::AccountUpdated {
                org_id, personal, ..
            } => {
                self.account_name = personal.account_name.clone();
                self.name = personal.name.clone();
                self.org_id = org_id.clone();
                self.extension = personal.extension.clone();
            }
            AppAccountEvent::AccountPasswordChanged { .. } => {}
            AppAccountEvent::AccountEnabled { .. } => self.disabled = false,
            AppAccountEvent::AccountDisabled { .. } => self.disabled = true,
            AppAccountEvent::AccountDeleted { .. } => self.deleted = true,
        }
    }

    fn decide(
        &self,
        command: AppAccountCommand,
        hasher: &dyn PasswordHasher,
    ) -> Result<Decision<AppAccountEvent>, AppAccountError> {
        let exists = self.id.is_some() && !self.deleted;
        let account_id = self.id.clone().unwrap_or_default();
        match command {
            AppAccountCommand::Create { .. } if self.id.is_some() => {
                Err(AppAccountError::AlreadyExists)
            }
            AppAccountCommand::Create {
                account_id,
                application_id,
                user_id,
                change,
                now,
            } => {
                let account_name = change.account_name.unwrap_or_default().trim().to_string();
                check_name(&account_name)?;
                let extension = change.extension.unwrap_or_default();
                check_extension(&extension, &change.defined_extensions)?;
                let name = change.name.unwrap_or_default().trim().to_string();
                check_display_name(&name)?;
                let password_hash = change
                    .password
                    .filter(|p| !p.is_empty())
                    .map(|p| hasher.hash(&p));
                Ok(Decision::event(AppAccountEvent::AccountCreated {
                    account_id,
                    application_id: application_id.clone(),
                    user_id: user_id.clone(),
                    org_id: change.org_id,
                    password_hash,
                    disabled: change.disabled.unwrap_or(false),
                    created_at: now,
                    personal: AccountPersonal {
                        account_name: account_name.clone(),
                        name,
                        extension,
                    },
                })
                .claim(name_claim(&application_id, &account_name))
                .claim(user_claim(&application_id, &user_id)))
            }
            _ if !exists => Err(AppAccountError::NotFound),
            AppAccountCommand::Update { change, now } => self.update(change, now, hasher),
            AppAccountCommand::Enable { now } if self.disabled => {
                Ok(Decision::event(AppAccountEvent::AccountEnabled {
                    account_id,
                    at: now,
                }))
            }
            AppAccountCommand::Disable { now } if !self.disabled => {
                Ok(Decision::event(AppAccountEvent::AccountDisabled {
                    account_id,
                    at: now,
                }))
            }
            AppAccountCommand::Enable { .. } | AppAccountCommand::Disable { .. } => {
                Ok(Decision::none())
            }
            AppAccountCommand::Delete { now } => {
                let mut decision = Decision::event(AppAccountEvent::AccountDeleted {
                    account_id,
                    application_id: self.application_id.clone(),
                    deleted_at: now,
                })
                .release(name_claim(&self.application_id, &self.account_name));
                if let Some(user_id) = &self.user_id {
                    decision = decision.release(user_claim(&self.application_id, user_id));
                }
                Ok(decision)
            }
        }
    }
}

impl AppAccount {
    fn update(
        &self,
        change: AccountChange,
        now: i64,
        hasher: &dyn PasswordHasher,
    ) -> Result<Decision<AppAccountEvent>, AppAccountError> {
        let account_id = self.id.clone().unwrap_or_default();
        let mut changed = Vec::new();
        let account_name = match change.account_name.map(|n| n.trim().to_string()) {
            Some(n) if !n.is_empty() && n != self.account_name => {
                check_name(&n)?;
                changed.push("account_name".to_string());
                n
            }
            _ => self.account_name.clone(),
        };
        let name = match change.name.map(|n| n.trim().to_string()) {
            Some(n) if !n.is_empty() && n != self.name => {
                check_display_name(&n)?;
                changed.push("name".to_string());
                n
            }
            _ => self.name.clone(),
        };
        let org_id = match change.org_id {
            Some(o) if Some(&o) != self.org_id.as_ref() => {
                changed.push("org_code".to_string());
                Some(o)
            }
            _ => self.org_id.clone(),
        };
        let extension = match change.extension.filter(|e| !e.is_empty()) {
            Some(e) if e != self.extension => {
                check_extension(&e, &change.defined_extensions)?;
                changed.push("extension".to_string());
                e
            }
            _ => self.extension.clone(),
        };
        let mut decision = Decision::none();
        if account_name != self.account_name {
            decision = decision
                .release(name_claim(&self.application_id, &self.account_name))
                .claim(name_claim(&self.application_id, &account_name));
        }
        if !changed.is_empty() {
            decision.events.push(AppAccountEvent::AccountUpdated {
                account_id: account_id.clone(),
                application_id: self.application_id.clone(),
                org_id,
                changed,
                updated_at: now,
                personal: AccountPersonal {
                    account_name,
                    name,
                    extension,
                },
            });
        }
        if let Some(password) = change.password.filter(|p| !p.is_empty()) {
            decision
                .events
                .push(AppAccountEvent::AccountPasswordChanged {
                    account_id: account_id.clone(),
                    password_hash: hasher.hash(&password),
                    changed_at: now,
                });
        }
        match change.disabled {
            Some(true) if !self.disabled => {
                decision.events.push(AppAccountEvent::AccountDisabled {
                    account_id,
                    at: now,
                })
            }
            Some(false) if self.disabled => decision.events.push(AppAccountEvent::AccountEnabled {
                account_id,
                at: now,
            }),
            _ => {}
        }
        Ok(decision)
    }
}

#[cfg(test)]
#[path = "app_account_tests.rs"]
mod tests;
