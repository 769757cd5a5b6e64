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
mod tests {
    use super::*;
    use crate::testing::{claim_kinds, given, given_no_events};

    const NOW: i64 = 1_700_000_000_000;

    fn parent(id: &str, exists: bool, ancestors: &[&str]) -> ParentFacts {
        ParentFacts {
            id: id.into(),
            exists,
            ancestors: ancestors.iter().map(|a| a.to_string()).collect(),
        }
    }

    fn create(
        code: &str,
        name: &str,
        parent: Option<ParentFacts>,
        category: Option<&str>,
    ) -> OrganizationCommand {
        OrganizationCommand::Create {
            org_id: "o2".into(),
            code: code.into(),
            name: name.into(),
            parent,
            category: category.map(str::to_string),
            now: NOW,
        }
    }

    fn created() -> OrganizationEvent {
        OrganizationEvent::OrganizationCreated {
            org_id: "o2".into(),
            code: "1000001".into(),
            name: "子部门".into(),
            parent_id: Some("o1".into()),
            category: "department".into(),
            created_at: NOW,
        }
    }

    fn update(parent: Option<ParentFacts>) -> OrganizationCommand {
        OrganizationCommand::Update {
            code: None,
            name: None,
            parent,
            category: None,
            now: NOW,
        }
    }

    #[test]
    fn creating_an_organisation_defaults_the_category_and_claims_code_and_sibling_name() {
        let decision = given_no_events::<Organization>()
            .when(
                create("1000001", "子部门", Some(parent("o1", true, &[])), None),
                &(),
            )
            .then_expect_events(&[created()]);
        assert_eq!(
            claim_kinds(&decision.claims),
            ["organization.code", "organization.name"]
        );
        assert_eq!(decision.claims[1].value, "o1/子部门");
    }

    #[test]
    fn creating_refuses_bad_input() {
        let cases = [
            (create("", "n", None, None), OrganizationError::CodeRequired),
            (
                create("c", " ", None, None),
                OrganizationError::NameRequired,
            ),
            (
                create("bad code", "n", None, None),
                OrganizationError::InvalidCode,
            ),
            (
                create("c", "bad/name", None, None),
                OrganizationError::InvalidName,
            ),
            (
                create("c", "n", None, Some("team")),
                OrganizationError::InvalidCategory,
            ),
            (
                create("c", "n", Some(parent("nope", false, &[])), None),
                OrganizationError::ParentNotFound,
            ),
        ];
        for (command, error) in cases {
            given_no_events::<Organization>()
                .when(command, &())
                .then_expect_error(error);
        }
        given::<Organization>(&[created()])
            .when(create("c", "n", None, None), &())
            .then_expect_error(OrganizationError::AlreadyExists);
    }

    #[test]
    fn updating_keeps_what_is_empty_and_moves_claims() {
        let command = OrganizationCommand::Update {
            code: Some("TestOrg".into()),
            name: Some(String::new()),
            parent: None,
            category: Some("company".into()),
            now: NOW + 1,
        };
        let decision = given::<Organization>(&[created()])
            .when(command, &())
            .then_expect_events(&[OrganizationEvent::OrganizationUpdated {
                org_id: "o2".into(),
                code: "TestOrg".into(),
                name: "子部门".into(),
                parent_id: Some("o1".into()),
                category: "company".into(),
                changed: vec!["code".into(), "category".into()],
                updated_at: NOW + 1,
            }]);
        assert_eq!(decision.releases, [code_claim("1000001")]);
        assert_eq!(decision.claims, [code_claim("TestOrg")]);
    }

    #[test]
    fn an_organisation_cannot_become_its_own_parent_or_descendant() {
        given::<Organization>(&[created()])
            .when(update(Some(parent("o2", true, &["o1"]))), &())
            .then_expect_error(OrganizationError::ParentIsSelf);
        given::<Organization>(&[created()])
            .when(update(Some(parent("o9", true, &["o1", "o2"]))), &())
            .then_expect_error(OrganizationError::ParentIsSelf);
        given::<Organization>(&[created()])
            .when(update(Some(parent("o9", false, &[]))), &())
            .then_expect_error(OrganizationError::ParentNotFound);
    }

    #[test]
    fn moving_an_organisation_moves_its_sibling_name_claim() {
        let decision = given::<Organization>(&[created()])
            .when(update(Some(parent("o3", true, &[]))), &())
            .decision();
        assert_eq!(decision.releases, [name_claim(Some("o1"), "子部门")]);
        assert_eq!(decision.claims, [name_claim(Some("o3"), "子部门")]);
    }

    #[test]
    fn an_organisation_with_children_or_members_cannot_be_deleted() {
        for (has_children, has_members) in [(true, false), (false, true)] {
            given::<Organization>(&[created()])
                .when(
                    OrganizationCommand::Delete {
                        has_children,
                        has_members,
                        now: NOW,
                    },
                    &(),
                )
                .then_expect_error(OrganizationError::CannotDelete);
        }
        let decision = given::<Organization>(&[created()])
            .when(
                OrganizationCommand::Delete {
                    has_children: false,
                    has_members: false,
                    now: NOW,
                },
                &(),
            )
            .then_expect_events(&[OrganizationEvent::OrganizationDeleted {
                org_id: "o2".into(),
                deleted_at: NOW,
            }]);
        assert_eq!(decision.releases.len(), 2);
        let deleted = OrganizationEvent::OrganizationDeleted {
            org_id: "o2".into(),
            deleted_at: NOW,
        };
        given::<Organization>(&[created(), deleted])
            .when(update(None), &())
            .then_expect_error(OrganizationError::NotFound);
    }
}
