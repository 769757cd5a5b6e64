//! A privilege of an application with its resource items (a tree: each item may name a parent
//! item of the same privilege), as the OneAccess account detail shows them under a role
//! (specs/oneaccess.md §2.5 `PrivilegeInfo`, `ResourceItem`). Roles carry privileges.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Claim, Decision, DomainEvent};
use crate::app_role::is_role_code;
use crate::claim_kind::ClaimKind;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceItem {
    pub item_id: String,
    pub item_code: String,
    pub item_name: String,
    pub item_parentid: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct Privilege {
    pub id: Option<String>,
    pub application_id: String,
    pub code: String,
}

#[derive(Debug, Clone)]
pub enum PrivilegeCommand {
    Define {
        privilege_id: String,
        application_id: String,
        code: String,
        name: String,
        items: Vec<ResourceItem>,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum PrivilegeEvent {
    #[serde(rename = "privilege.defined")]
    PrivilegeDefined {
        privilege_id: String,
        application_id: String,
        code: String,
        name: String,
        items: Vec<ResourceItem>,
        created_at: i64,
    },
}

impl DomainEvent for PrivilegeEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::PrivilegeDefined { .. } => "privilege.defined",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrivilegeError {
    #[error("privilege already exists")]
    AlreadyExists,
    #[error("a privilege code is 1 to 50 letters, digits, '_', '-' or '.'")]
    InvalidCode,
    #[error("a privilege or resource item name is 1 to 100 characters")]
    InvalidName,
    #[error(
        "resource item {0}: codes are unique in the privilege and parents must be items of it"
    )]
    InvalidItem(String),
}

fn valid_name(name: &str) -> bool {
    !name.trim().is_empty() && name.chars().count() <= 100 && !name.chars().any(char::is_control)
}

fn check_items(items: &[ResourceItem]) -> Result<(), PrivilegeError> {
    for (i, item) in items.iter().enumerate() {
        // Following parents from any item must end at a root, never come back round.
        let mut parent = item.item_parentid.as_ref();
        for _ in 0..=items.len() {
            parent = parent.and_then(|p| {
                items
                    .iter()
                    .find(|o| &o.item_id == p)?
                    .item_parentid
                    .as_ref()
            });
        }
        if parent.is_some() {
            return Err(PrivilegeError::InvalidItem(item.item_code.clone()));
        }
        let bad = !is_role_code(&item.item_code)
            || !valid_name(&item.item_name)
            || items[..i]
                .iter()
                .any(|o| o.item_code == item.item_code || o.item_id == item.item_id)
            || item
                .item_parentid
                .as_ref()
                .is_some_and(|p| *p == item.item_id || !items.iter().any(|o| &o.item_id == p));
        if bad {
            return Err(PrivilegeError::InvalidItem(item.item_code.clone()));
        }
    }
    Ok(())
}

impl Aggregate for Privilege {
    type Command = PrivilegeCommand;
    type Event = PrivilegeEvent;
    type Error = PrivilegeError;
    type Services = ();
    const STREAM_TYPE: &'static str = "privilege";

    fn apply(&mut self, event: &PrivilegeEvent) {
        match event {
            PrivilegeEvent::PrivilegeDefined {
                privilege_id,
                application_id,
                code,
                ..
            } => {
                self.id = Some(privilege_id.clone());
                self.application_id = application_id.clone();
                self.code = code.clone();
            }
        }
    }

    fn decide(
        &self,
        command: PrivilegeCommand,
        _: &(),
    ) -> Result<Decision<PrivilegeEvent>, PrivilegeError> {
        match command {
            PrivilegeCommand::Define { .. } if self.id.is_some() => {
                Err(PrivilegeError::AlreadyExists)
            }
            PrivilegeCommand::Define {
                privilege_id,
                application_id,
                code,
                name,
                items,
                now,
            } => {
                if !is_role_code(&code) {
                    return Err(PrivilegeError::InvalidCode);
                }
                if !valid_name(&name) {
                    return Err(PrivilegeError::InvalidName);
                }
                check_items(&items)?;
                let claim =
                    Claim::new(ClaimKind::PrivilegeCode, format!("{application_id}/{code}"));
                Ok(Decision::event(PrivilegeEvent::PrivilegeDefined {
                    privilege_id,
                    application_id,
                    code,
                    name,
                    items,
                    created_at: now,
                })
                .claim(claim))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{given, given_no_events};

    fn item(id: &str, code: &str, parent: Option<&str>) -> ResourceItem {
        ResourceItem {
            item_id: id.into(),
            item_code: code.into(),
            item_name: format!("{code} name"),
            item_parentid: parent.map(str::to_string),
        }
    }

    fn define(code: &str, items: Vec<ResourceItem>) -> PrivilegeCommand {
        PrivilegeCommand::Define {
            privilege_id: "p1".into(),
            application_id: "a1".into(),
            code: code.into(),
            name: "示例权限".into(),
            items,
            now: 1,
        }
    }

    #[test]
    fn a_privilege_with_an_item_tree_claims_its_code() {
        let items = vec![
            item("i1", "menu", None),
            item("i2", "menu_users", Some("i1")),
        ];
        let decision = given_no_events::<Privilege>()
            .when(define("demo_privilege", items.clone()), &())
            .decision();
        assert_eq!(
            decision.claims,
            [Claim::new("privilege.code", "a1/demo_privilege")]
        );
        given::<Privilege>(&decision.events)
            .when(define("other", vec![]), &())
            .then_expect_error(PrivilegeError::AlreadyExists);
    }

    #[test]
    fn bad_codes_names_and_item_trees_are_refused() {
        given_no_events::<Privilege>()
            .when(define("bad code", vec![]), &())
            .then_expect_error(PrivilegeError::InvalidCode);
        given_no_events::<Privilege>()
            .when(define("ok", vec![item("i1", "x", Some("nope"))]), &())
            .then_expect_error(PrivilegeError::InvalidItem("x".into()));
        given_no_events::<Privilege>()
            .when(
                define("ok", vec![item("i1", "x", None), item("i2", "x", None)]),
                &(),
            )
            .then_expect_error(PrivilegeError::InvalidItem("x".into()));
        given_no_events::<Privilege>()
            .when(define("ok", vec![item("i1", "x", Some("i1"))]), &())
            .then_expect_error(PrivilegeError::InvalidItem("x".into()));
        given_no_events::<Privilege>()
            .when(
                define(
                    "ok",
                    vec![item("a", "a", Some("b")), item("b", "b", Some("a"))],
                ),
                &(),
            )
            .then_expect_error(PrivilegeError::InvalidItem("a".into()));
    }
}
