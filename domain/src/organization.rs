//! An organisation in the tenant's tree (specs/oneaccess.md §2.3 #14–#18): a code unique in the
//! tenant, a name unique among its siblings, an optional parent and a category.
//!
//! Facts about other organisations (does the parent exist, what are its ancestors, has this one
//! children or members) are read from projections before the decision and passed in the command.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Claim, Decision, DomainEvent};
use crate::values::{is_org_code, is_org_name};

pub const CATEGORIES: &[&str] = &["department", "company", "unit", "group"];

#[derive(Debug, Default, Clone)]
pub struct Organization {
    pub id: Option<String>,
    pub code: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub category: String,
    pub deleted: bool,
}

/// The parent an organisation is placed under, as the read side found it.
#[derive(Debug, Clone)]
pub struct ParentFacts {
    pub id: String,
    /// False when no such organisation exists.
    pub exists: bool,
    /// The parent's ancestors, root first (to refuse cycles).
    pub ancestors: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum OrganizationCommand {
    Create {
        org_id: String,
        code: String,
        name: String,
        parent: Option<ParentFacts>,
        category: Option<String>,
        now: i64,
    },
    /// `None` fields are left as they are ("if empty, not modified").
    Update {
        code: Option<String>,
        name: Option<String>,
        parent: Option<ParentFacts>,
        category: Option<String>,
        now: i64,
    },
    Delete {
        has_children: bool,
        has_members: bool,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum OrganizationEvent {
    #[serde(rename = "organization.created")]
    OrganizationCreated {
        org_id: String,
        code: String,
        name: String,
        parent_id: Option<String>,
        category: String,
        created_at: i64,
    },
    /// The organisation's state after the change; `changed` names the fields that moved.
    #[serde(rename = "organization.updated")]
    OrganizationUpdated {
        org_id: String,
        code: String,
        name: String,
        parent_id: Option<String>,
        category: String,
        changed: Vec<String>,
        updated_at: i64,
    },
    #[serde(rename = "organization.deleted")]
    OrganizationDeleted { org_id: String, deleted_at: i64 },
}

impl DomainEvent for OrganizationEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::OrganizationCreated { .. } => "organization.created",
            Self::OrganizationUpdated { .. } => "organization.updated",
            Self::OrganizationDeleted { .. } => "organization.deleted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrganizationError {
    #[error("organization does not exist")]
    NotFound,
    #[error("organization already exists")]
    AlreadyExists,
    #[error("parent organization does not exist")]
    ParentNotFound,
    #[error("organization code required")]
    CodeRequired,
    #[error("organization name required")]
    NameRequired,
    #[error("invalid organization code")]
    InvalidCode,
    #[error("invalid organization name")]
    InvalidName,
    #[error("invalid organization category")]
    InvalidCategory,
    #[error("organization cannot be deleted while it has children or users")]
    CannotDelete,
    #[error("organization and its parent must be different")]
    ParentIsSelf,
}

pub fn code_claim(code: &str) -> Claim {
    Claim::new("organization.code", code)
}

/// Names are unique among siblings: the claim key joins the parent id and the name.
pub fn name_claim(parent_id: Option<&str>, name: &str) -> Claim {
    Claim::new(
        "organization.name",
        format!("{}/{}", parent_id.unwrap_or(""), name),
    )
}

fn check_code(code: &str) -> Result<(), OrganizationError> {
    if code.is_empty() {
        Err(OrganizationError::CodeRequired)
    } else if !is_org_code(code) {
        Err(OrganizationError::InvalidCode)
    } else {
        Ok(())
    }
}

fn check_name(name: &str) -> Result<(), OrganizationError> {
    if name.trim().is_empty() {
        Err(OrganizationError::NameRequired)
    } else if !is_org_name(name) {
        Err(OrganizationError::InvalidName)
    } else {
        Ok(())
    }
}

fn check_category(category: Option<String>) -> Result<Option<String>, OrganizationError> {
    match category.filter(|c| !c.is_empty()) {
        Some(c) if !CATEGORIES.contains(&c.as_str()) => Err(OrganizationError::InvalidCategory),
        other => Ok(other),
    }
}

impl Aggregate for Organization {
    type Command = OrganizationCommand;
    type Event = OrganizationEvent;
    type Error = OrganizationError;
    type Services = ();
    const STREAM_TYPE: &'static str = "organization";

    fn apply(&mut self, event: &OrganizationEvent) {
        match event {
            OrganizationEvent::OrganizationCreated {
                org_id,
                code,
                name,
                parent_id,
                category,
                ..
            }
            | OrganizationEvent::OrganizationUpdated {
                org_id,
                code,
                name,
                parent_id,
                category,
                ..
            } => {
                self.id = Some(org_id.clone());
                self.code = code.clone();
                self.name = name.clone();
                self.parent_id = parent_id.clone();
                self.category = category.clone();
            }
            OrganizationEvent::OrganizationDeleted { .. } => self.deleted = true,
        }
    }

    fn decide(
        &self,
        command: OrganizationCommand,
        _: &(),
    ) -> Result<Decision<OrganizationEvent>, OrganizationError> {
        match command {
            OrganizationCommand::Create {
                org_id,
                code,
                name,
                parent,
                category,
                now,
            } => self.create(org_id, code, name, parent, category, now),
            OrganizationCommand::Update {
                code,
                name,
                parent,
                category,
                now,
            } => self.update(code, name, parent, category, now),
            OrganizationCommand::Delete {
                has_children,
                has_members,
                now,
            } => {
                let id = self.live_id()?;
                if has_children || has_members {
                    return Err(OrganizationError::CannotDelete);
                }
                Ok(Decision::event(OrganizationEvent::OrganizationDeleted {
                    org_id: id.to_string(),
                    deleted_at: now,
                })
                .release(code_claim(&self.code))
                .release(name_claim(self.parent_id.as_deref(), &self.name)))
            }
        }
    }
}

impl Organization {
    fn live_id(&self) -> Result<&str, OrganizationError> {
        match &self.id {
            Some(id) if !self.deleted => Ok(id),
            _ => Err(OrganizationError::NotFound),
        }
    }

    fn create(
        &self,
        org_id: String,
        code: String,
        name: String,
        parent: Option<ParentFacts>,
        category: Option<String>,
        now: i64,
    ) -> Result<Decision<OrganizationEvent>, OrganizationError> {
        if self.id.is_some() {
            return Err(OrganizationError::AlreadyExists);
        }
        check_code(&code)?;
        check_name(&name)?;
        let category = check_category(category)?.unwrap_or_else(|| "department".to_string());
        let parent_id = match parent {
            Some(p) if !p.exists => return Err(OrganizationError::ParentNotFound),
            Some(p) => Some(p.id),
            None => None,
        };
        Ok(Decision::event(OrganizationEvent::OrganizationCreated {
            org_id,
            code: code.clone(),
            name: name.clone(),
            parent_id: parent_id.clone(),
            category,
            created_at: now,
        })
        .claim(code_claim(&code))
        .claim(name_claim(parent_id.as_deref(), &name)))
    }

    fn update(
        &self,
        code: Option<String>,
        name: Option<String>,
        parent: Option<ParentFacts>,
        category: Option<String>,
        now: i64,
    ) -> Result<Decision<OrganizationEvent>, OrganizationError> {
        let id = self.live_id()?.to_string();
        let code = code.filter(|c| !c.is_empty());
        let name = name.filter(|n| !n.is_empty());
        if let Some(code) = &code {
            check_code(code)?;
        }
        if let Some(name) = &name {
            check_name(name)?;
        }
        let category = check_category(category)?;
        let parent_id = match parent {
            None => self.parent_id.clone(),
            Some(p) if p.id == id || p.ancestors.contains(&id) => {
                return Err(OrganizationError::ParentIsSelf)
            }
            Some(p) if !p.exists => return Err(OrganizationError::ParentNotFound),
            Some(p) => Some(p.id),
        };
        let new_code = code.unwrap_or_else(|| self.code.clone());
        let new_name = name.unwrap_or_else(|| self.name.clone());
        let new_category = category.unwrap_or_else(|| self.category.clone());
        let mut changed = Vec::new();
        let mut decision = Decision::none();
        if new_code != self.code {
            changed.push("code".to_string());
            decision = decision
                .release(code_claim(&self.code))
                .claim(code_claim(&new_code));
        }
        if new_name != self.name || parent_id != self.parent_id {
            if new_name != self.name {
                changed.push("name".to_string());
            }
            if parent_id != self.parent_id {
                changed.push("parent_id".to_string());
            }
            decision = decision
                .release(name_claim(self.parent_id.as_deref(), &self.name))
                .claim(name_claim(parent_id.as_deref(), &new_name));
        }
        if new_category != self.category {
            changed.push("category".to_string());
        }
        if changed.is_empty() {
            return Ok(decision);
        }
        decision
            .events
            .push(OrganizationEvent::OrganizationUpdated {
                org_id: id,
                code: new_code,
                name: new_name,
                parent_id,
                category: new_category,
                changed,
                updated_at: now,
            });
        Ok(decision)
    }
}

#[cfg(test)]
#[path = "organization_tests.rs"]
mod tests;
