//! An application organisation (specs/oneaccess.md §2.4 #19–#23): a tree that belongs to one
//! application, apart from the enterprise tree. Its code is unique in the application and cannot
//! change; its name is unique among its siblings.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Claim, Decision, DomainEvent};
use crate::claim_kind::ClaimKind;
use crate::organization::ParentFacts;
use crate::values::{is_org_code, is_org_name};

#[derive(Debug, Default, Clone)]
pub struct AppOrganization {
    pub id: Option<String>,
    pub application_id: String,
    pub code: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub deleted: bool,
}

#[derive(Debug, Clone)]
pub enum AppOrganizationCommand {
    Create {
        org_id: String,
        application_id: String,
        code: String,
        name: String,
        parent: Option<ParentFacts>,
        now: i64,
    },
    /// Empty or absent values leave the name and the parent as they are.
    Update {
        name: Option<String>,
        parent: Option<ParentFacts>,
        now: i64,
    },
    Delete {
        has_children: bool,
        has_accounts: bool,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum AppOrganizationEvent {
    #[serde(rename = "app_organization.created")]
    AppOrgCreated {
        org_id: String,
        application_id: String,
        code: String,
        name: String,
        parent_id: Option<String>,
        created_at: i64,
    },
    #[serde(rename = "app_organization.updated")]
    AppOrgUpdated {
        org_id: String,
        application_id: String,
        name: String,
        parent_id: Option<String>,
        changed: Vec<String>,
        updated_at: i64,
    },
    #[serde(rename = "app_organization.deleted")]
    AppOrgDeleted {
        org_id: String,
        application_id: String,
        deleted_at: i64,
    },
}

impl DomainEvent for AppOrganizationEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::AppOrgCreated { .. } => "app_organization.created",
            Self::AppOrgUpdated { .. } => "app_organization.updated",
            Self::AppOrgDeleted { .. } => "app_organization.deleted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppOrganizationError {
    #[error("application organization does not exist")]
    NotFound,
    #[error("application organization already exists")]
    AlreadyExists,
    #[error("parent application organization does not exist")]
    ParentNotFound,
    #[error("application organization and its parent must be different")]
    ParentIsSelf,
    #[error("application organizations cannot be deleted")]
    CannotDelete,
    #[error("application organization code required")]
    CodeRequired,
    #[error("application organization name required")]
    NameRequired,
    #[error("invalid application organization code")]
    CodeInvalid,
    #[error("invalid application organization name")]
    NameInvalid,
}

pub fn code_claim(application_id: &str, code: &str) -> Claim {
    Claim::new(
        ClaimKind::AppOrganizationCode,
        format!("{application_id}/{code}"),
    )
}

pub fn name_claim(application_id: &str, parent_id: Option<&str>, name: &str) -> Claim {
    Claim::new(
        ClaimKind::AppOrganizationSiblingName,
        format!("{application_id}/{}/{name}", parent_id.unwrap_or("")),
    )
}

fn check_name(name: &str) -> Result<(), AppOrganizationError> {
    if name.trim().is_empty() {
        Err(AppOrganizationError::NameRequired)
    } else if !is_org_name(name) {
        Err(AppOrganizationError::NameInvalid)
    } else {
        Ok(())
    }
}

fn parent_id(
    own_id: &str,
    parent: Option<ParentFacts>,
) -> Result<Option<String>, AppOrganizationError> {
    match parent {
        None => Ok(None),
        Some(p) if p.id == own_id || p.ancestors.iter().any(|a| a == own_id) => {
            Err(AppOrganizationError::ParentIsSelf)
        }
        Some(p) if !p.exists => Err(AppOrganizationError::ParentNotFound),
        Some(p) => Ok(Some(p.id)),
    }
}

impl Aggregate for AppOrganization {
    type Command = AppOrganizationCommand;
    type Event = AppOrganizationEvent;
    type Error = AppOrganizationError;
    type Services = ();
    const STREAM_TYPE: &'static str = "app_organization";

    fn apply(&mut self, event: &AppOrganizationEvent) {
        match event {
            AppOrganizationEvent::AppOrgCreated {
                org_id,
                application_id,
                code,
                name,
                parent_id,
                ..
            } => {
                self.id = Some(org_id.clone());
                self.application_id = application_id.clone();
                self.code = code.clone();
                self.name = name.clone();
                self.parent_id = parent_id.clone();
            }
            AppOrganizationEvent::AppOrgUpdated {
                name, parent_id, ..
            } => {
                self.name = name.clone();
                self.parent_id = parent_id.clone();
            }
            AppOrganizationEvent::AppOrgDeleted { .. } => self.deleted = true,
        }
    }

    fn decide(
        &self,
        command: AppOrganizationCommand,
        _: &(),
    ) -> Result<Decision<AppOrganizationEvent>, AppOrganizationError> {
        let live = self.id.is_some() && !self.deleted;
        let org_id = self.id.clone().unwrap_or_default();
        let app = self.application_id.clone();
        match command {
            AppOrganizationCommand::Create { .. } if self.id.is_some() => {
                Err(AppOrganizationError::AlreadyExists)
            }
            AppOrganizationCommand::Create {
                org_id,
                application_id,
                code,
                name,
                parent,
                now,
            } => {
                let code = code.trim().to_string();
                if code.is_empty() {
                    return Err(AppOrganizationError::CodeRequired);
                }
                if !is_org_code(&code) {
                    return Err(AppOrganizationError::CodeInvalid);
                }
                check_name(&name)?;
                let parent_id = parent_id(&org_id, parent)?;
                Ok(Decision::event(AppOrganizationEvent::AppOrgCreated {
                    org_id,
                    application_id: application_id.clone(),
                    code: code.clone(),
                    name: name.clone(),
                    parent_id: parent_id.clone(),
                    created_at: now,
                })
                .claim(code_claim(&application_id, &code))
                .claim(name_claim(&application_id, parent_id.as_deref(), &name)))
            }
            _ if !live => Err(AppOrganizationError::NotFound),
            AppOrganizationCommand::Update { name, parent, now } => {
                let name = name.filter(|n| !n.is_empty());
                if let Some(name) = &name {
                    check_name(name)?;
                }
                let new_parent = match parent {
                    None => self.parent_id.clone(),
                    some => parent_id(&org_id, some)?,
                };
                let new_name = name.unwrap_or_else(|| self.name.clone());
                let mut changed = Vec::new();
                if new_name != self.name {
                    changed.push("name".to_string());
                }
                if new_parent != self.parent_id {
                    changed.push("parent_id".to_string());
                }
                if changed.is_empty() {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(AppOrganizationEvent::AppOrgUpdated {
                    org_id,
                    application_id: app.clone(),
                    name: new_name.clone(),
                    parent_id: new_parent.clone(),
                    changed,
                    updated_at: now,
                })
                .release(name_claim(&app, self.parent_id.as_deref(), &self.name))
                .claim(name_claim(&app, new_parent.as_deref(), &new_name)))
            }
            AppOrganizationCommand::Delete {
                has_children,
                has_accounts,
                now,
            } => {
                if has_children || has_accounts {
                    return Err(AppOrganizationError::CannotDelete);
                }
                Ok(Decision::event(AppOrganizationEvent::AppOrgDeleted {
                    org_id,
                    application_id: app.clone(),
                    deleted_at: now,
                })
                .release(code_claim(&app, &self.code))
                .release(name_claim(&app, self.parent_id.as_deref(), &self.name)))
            }
        }
    }
}

#[cfg(test)]
#[path = "app_organization_tests.rs"]
mod tests;
