//! An organisation in the tenant's tree (specs/oneaccess.md §2.3 #14–#18, Inspur organs, Hainan
//! orgs): a code unique in the tenant, a name (unique among its siblings when the tenant's
//! organisation policy says so), an optional parent and a category.
//!
//! The category is free text here: each dialect validates its own vocabulary (OneAccess's four
//! categories and its code charset are OneAccess input rules, ADR 0009).
//!
//! Facts about other organisations (does the parent exist, what are its ancestors, has this one
//! children or members) are read from projections before the decision and passed in the command.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::aggregate::{Aggregate, Claim, Decision, DomainEvent};
use crate::claim_kind::ClaimKind;
use crate::gov_profile::GovProfile;
use crate::tenant::OrganizationPolicy;
use crate::upcast::{FnUpcaster, Upcaster};
use crate::values::is_org_name;

/// The longest code and category any dialect may store.
const MAX_CODE: usize = 128;
const MAX_CATEGORY: usize = 64;

#[derive(Debug, Default, Clone)]
pub struct Organization {
    pub id: Option<String>,
    pub code: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub category: String,
    /// Whether the organisation holds the claim on its name among its siblings.
    pub name_claimed: bool,
    pub deleted: bool,
    pub details: OrgDetails,
    /// Disabled organisations stay in the tree but are hidden where a dialect hides them.
    pub disabled: bool,
}

/// What some dialects keep about an organisation beyond code, name and place (Inspur §2.1): an
/// external system's id (set once), a display order and a description.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrgDetails {
    pub external_id: Option<String>,
    pub order: Option<i64>,
    pub description: Option<String>,
    /// The government profile (Hainan); left out of events when empty.
    #[serde(skip_serializing_if = "GovProfile::is_empty")]
    pub gov: GovProfile,
}

impl OrgDetails {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// These details with `change` applied: given fields replace, absent ones stay; the
    /// external id is set once and never changed.
    pub fn with(&self, change: &OrgDetails) -> Self {
        Self {
            external_id: self.external_id.clone().or(change.external_id.clone()),
            order: change.order.or(self.order),
            description: change.description.clone().or(self.description.clone()),
            gov: self.gov.with(&change.gov),
        }
    }

    fn check(&self) -> Result<(), OrganizationError> {
        let long =
            |v: &Option<String>, max: usize| v.as_ref().is_some_and(|v| v.chars().count() > max);
        if long(&self.external_id, 64) || long(&self.description, 500) {
            return Err(OrganizationError::InvalidDetails);
        }
        self.gov
            .check()
            .map_err(OrganizationError::InvalidGovProfile)
    }
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
        details: OrgDetails,
        policy: OrganizationPolicy,
        now: i64,
    },
    /// `None` fields are left as they are ("if empty, not modified"); `to_root` moves the
    /// organisation to the top level (`parent` is then `None`).
    Update {
        code: Option<String>,
        name: Option<String>,
        parent: Option<ParentFacts>,
        to_root: bool,
        category: Option<String>,
        details: OrgDetails,
        policy: OrganizationPolicy,
        now: i64,
    },
    /// Enables or disables the organisation.
    SetDisabled { disabled: bool, now: i64 },
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
        /// Whether the name was claimed among the siblings (v1 events always claimed it).
        name_claimed: bool,
        #[serde(default, skip_serializing_if = "OrgDetails::is_empty")]
        details: OrgDetails,
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
        /// Whether the organisation holds its sibling-name claim after the change.
        name_claimed: bool,
        #[serde(default, skip_serializing_if = "OrgDetails::is_empty")]
        details: OrgDetails,
    },
    #[serde(rename = "organization.status_changed")]
    OrganizationStatusChanged {
        org_id: String,
        disabled: bool,
        at: i64,
    },
    #[serde(rename = "organization.deleted")]
    OrganizationDeleted { org_id: String, deleted_at: i64 },
}

impl DomainEvent for OrganizationEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::OrganizationCreated { .. } => "organization.created",
            Self::OrganizationUpdated { .. } => "organization.updated",
            Self::OrganizationStatusChanged { .. } => "organization.status_changed",
            Self::OrganizationDeleted { .. } => "organization.deleted",
        }
    }

    /// Version 2 records `name_claimed` (the sibling-name rule became a tenant policy).
    fn schema_version(&self) -> u32 {
        match self {
            Self::OrganizationDeleted { .. } => 1,
            _ => 2,
        }
    }
}

/// A version-1 `organization.created` or `.updated` held its sibling-name claim: the rule was
/// unconditional then.
fn claimed_its_name(mut payload: Value) -> Value {
    if let Value::Object(fields) = &mut payload {
        fields.insert("name_claimed".into(), Value::Bool(true));
    }
    payload
}

pub fn upcasters() -> Vec<Box<dyn Upcaster>> {
    ["organization.created", "organization.updated"]
        .into_iter()
        .map(|event_type| {
            Box::new(FnUpcaster {
                event_type,
                reads_version: 1,
                upcast: claimed_its_name,
            }) as Box<dyn Upcaster>
        })
        .collect()
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
    #[error("an external id is at most 64 characters and a description at most 500")]
    InvalidDetails,
    #[error("the government profile is not valid: {0}")]
    InvalidGovProfile(crate::gov_profile::GovProfileError),
    #[error("organization and its parent must be different")]
    ParentIsSelf,
}

pub fn code_claim(code: &str) -> Claim {
    Claim::new(ClaimKind::OrganizationCode, code)
}

/// The claim on a name among siblings: its key joins the parent id and the name.
pub fn name_claim(parent_id: Option<&str>, name: &str) -> Claim {
    Claim::new(
        ClaimKind::OrganizationSiblingName,
        format!("{}/{}", parent_id.unwrap_or(""), name),
    )
}

/// Text a dialect may store as a code or a category: no control characters, no surrounding
/// whitespace, bounded. Dialects narrow it (OneAccess: letters, digits, `_`, `-`, at most 64).
fn is_plain_text(value: &str, max: usize) -> bool {
    value.chars().count() <= max && value.trim() == value && !value.chars().any(char::is_control)
}

pub fn check_code(code: &str) -> Result<(), OrganizationError> {
    if code.is_empty() {
        Err(OrganizationError::CodeRequired)
    } else if !is_plain_text(code, MAX_CODE) {
        Err(OrganizationError::InvalidCode)
    } else {
        Ok(())
    }
}

pub fn check_name(name: &str) -> Result<(), OrganizationError> {
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
        Some(c) if !is_plain_text(&c, MAX_CATEGORY) => Err(OrganizationError::InvalidCategory),
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
                name_claimed,
                details,
                ..
            }
            | OrganizationEvent::OrganizationUpdated {
                org_id,
                code,
                name,
                parent_id,
                category,
                name_claimed,
                details,
                ..
            } => {
                self.id = Some(org_id.clone());
                self.code = code.clone();
                self.name = name.clone();
                self.parent_id = parent_id.clone();
                self.category = category.clone();
                self.name_claimed = *name_claimed;
                self.details = details.clone();
            }
            OrganizationEvent::OrganizationStatusChanged { disabled, .. } => {
                self.disabled = *disabled
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
                details,
                policy,
                now,
            } => {
                details.check()?;
                let mut decision =
                    self.create(org_id, code, name, parent, category, policy, now)?;
                for event in &mut decision.events {
                    if let OrganizationEvent::OrganizationCreated { details: d, .. } = event {
                        *d = details.clone();
                    }
                }
                Ok(decision)
            }
            OrganizationCommand::Update {
                code,
                name,
                parent,
                to_root,
                category,
                details,
                policy,
                now,
            } => {
                details.check()?;
                let place = match (parent, to_root) {
                    (_, true) => Place::Root,
                    (Some(parent), false) => Place::Under(parent),
                    (None, false) => Place::Unchanged,
                };
                self.update(code, name, place, category, details, policy, now)
            }
            OrganizationCommand::SetDisabled { disabled, now } => {
                let org_id = self.live_id()?.to_string();
                if disabled == self.disabled {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(
                    OrganizationEvent::OrganizationStatusChanged {
                        org_id,
                        disabled,
                        at: now,
                    },
                ))
            }
            OrganizationCommand::Delete {
                has_children,
                has_members,
                now,
            } => {
                let id = self.live_id()?;
                if has_children || has_members {
                    return Err(OrganizationError::CannotDelete);
                }
                let mut decision = Decision::event(OrganizationEvent::OrganizationDeleted {
                    org_id: id.to_string(),
                    deleted_at: now,
                })
                .release(code_claim(&self.code));
                if self.name_claimed {
                    decision = decision.release(self.held_name_claim());
                }
                Ok(decision)
            }
        }
    }
}

/// Where an update puts the organisation.
enum Place {
    Unchanged,
    Root,
    Under(ParentFacts),
}

impl Organization {
    fn live_id(&self) -> Result<&str, OrganizationError> {
        match &self.id {
            Some(id) if !self.deleted => Ok(id),
            _ => Err(OrganizationError::NotFound),
        }
    }

    fn held_name_claim(&self) -> Claim {
        name_claim(self.parent_id.as_deref(), &self.name)
    }

    #[allow(clippy::too_many_arguments)]
    fn create(
        &self,
        org_id: String,
        code: String,
        name: String,
        parent: Option<ParentFacts>,
        category: Option<String>,
        policy: OrganizationPolicy,
        now: i64,
    ) -> Result<Decision<OrganizationEvent>, OrganizationError> {
        if self.id.is_some() {
            return Err(OrganizationError::AlreadyExists);
        }
        check_code(&code)?;
        check_name(&name)?;
        let category = check_category(category)?.unwrap_or_default();
        let parent_id = match parent {
            Some(p) if !p.exists => return Err(OrganizationError::ParentNotFound),
            Some(p) => Some(p.id),
            None => None,
        };
        let name_claimed = policy.unique_sibling_names;
        let mut decision = Decision::event(OrganizationEvent::OrganizationCreated {
            org_id,
            code: code.clone(),
            name: name.clone(),
            parent_id: parent_id.clone(),
            category,
            created_at: now,
            name_claimed,
            details: OrgDetails::default(),
        })
        .claim(code_claim(&code));
        if name_claimed {
            decision = decision.claim(name_claim(parent_id.as_deref(), &name));
        }
        Ok(decision)
    }

    #[allow(clippy::too_many_arguments)]
    fn update(
        &self,
        code: Option<String>,
        name: Option<String>,
        place: Place,
        category: Option<String>,
        details: OrgDetails,
        policy: OrganizationPolicy,
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
        let parent_id = match place {
            Place::Unchanged => self.parent_id.clone(),
            Place::Root => None,
            Place::Under(p) if p.id == id || p.ancestors.contains(&id) => {
                return Err(OrganizationError::ParentIsSelf)
            }
            Place::Under(p) if !p.exists => return Err(OrganizationError::ParentNotFound),
            Place::Under(p) => Some(p.id),
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
        let placed_anew = new_name != self.name || parent_id != self.parent_id;
        if new_name != self.name {
            changed.push("name".to_string());
        }
        if parent_id != self.parent_id {
            changed.push("parent_id".to_string());
        }
        if new_category != self.category {
            changed.push("category".to_string());
        }
        let new_details = self.details.with(&details);
        if new_details != self.details {
            changed.push("details".to_string());
        }
        if changed.is_empty() {
            return Ok(decision);
        }
        // Like a user's unique attributes: release what is held, claim under the policy in force
        // now, but only a name this update places; an unchanged name the organisation did not
        // hold (a duplicate from before the policy was switched on) stays unheld.
        let name_claimed = policy.unique_sibling_names && (placed_anew || self.name_claimed);
        if self.name_claimed && (placed_anew || !name_claimed) {
            decision = decision.release(self.held_name_claim());
        }
        if name_claimed && (placed_anew || !self.name_claimed) {
            decision = decision.claim(name_claim(parent_id.as_deref(), &new_name));
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
                name_claimed,
                details: new_details,
            });
        Ok(decision)
    }
}

#[cfg(test)]
#[path = "organization_tests.rs"]
mod tests;
