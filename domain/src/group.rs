//! A user group (Inspur §2.12, 用户组): a name, an external id and an organisation fixed at
//! creation, a description, and its members (users).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};

#[derive(Debug, Default, Clone)]
pub struct Group {
    pub id: Option<String>,
    pub fields: GroupFields,
    pub members: BTreeSet<String>,
    pub deleted: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupFields {
    pub name: String,
    pub external_id: Option<String>,
    pub description: Option<String>,
    pub organ_id: String,
}

/// The most members one command adds or removes.
pub const MAX_MEMBERS_PER_CALL: usize = 1000;

#[derive(Debug, Clone)]
pub enum GroupCommand {
    Create {
        id: String,
        fields: GroupFields,
        now: i64,
    },
    /// The name and description; the external id and organisation never change.
    Update {
        name: Option<String>,
        description: Option<String>,
        now: i64,
    },
    AddMembers {
        user_ids: Vec<String>,
        now: i64,
    },
    RemoveMembers {
        user_ids: Vec<String>,
        now: i64,
    },
    Delete {
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum GroupEvent {
    #[serde(rename = "group.created")]
    Created {
        id: String,
        fields: GroupFields,
        at: i64,
    },
    /// The group's fields after the change.
    #[serde(rename = "group.updated")]
    Updated {
        id: String,
        fields: GroupFields,
        at: i64,
    },
    #[serde(rename = "group.members_added")]
    MembersAdded {
        id: String,
        user_ids: Vec<String>,
        at: i64,
    },
    #[serde(rename = "group.members_removed")]
    MembersRemoved {
        id: String,
        user_ids: Vec<String>,
        at: i64,
    },
    #[serde(rename = "group.deleted")]
    Deleted { id: String, at: i64 },
}

impl DomainEvent for GroupEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Created { .. } => "group.created",
            Self::Updated { .. } => "group.updated",
            Self::MembersAdded { .. } => "group.members_added",
            Self::MembersRemoved { .. } => "group.members_removed",
            Self::Deleted { .. } => "group.deleted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupError {
    #[error("group does not exist")]
    NotFound,
    #[error("group already exists")]
    AlreadyExists,
    #[error("a group needs a name of 1 to 100 characters")]
    InvalidName,
    #[error("a description is at most 500 characters and an external id at most 64")]
    InvalidField,
    #[error("at most 1000 users at a time")]
    TooManyUsers,
}

fn check(fields: &GroupFields) -> Result<(), GroupError> {
    let name = fields.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(GroupError::InvalidName);
    }
    let long = |v: &Option<String>, max: usize| v.as_ref().is_some_and(|v| v.chars().count() > max);
    if long(&fields.description, 500) || long(&fields.external_id, 64) {
        return Err(GroupError::InvalidField);
    }
    Ok(())
}

impl Group {
    fn live_id(&self) -> Result<String, GroupError> {
        match &self.id {
            Some(id) if !self.deleted => Ok(id.clone()),
            _ => Err(GroupError::NotFound),
        }
    }
}

impl Aggregate for Group {
    type Command = GroupCommand;
    type Event = GroupEvent;
    type Error = GroupError;
    type Services = ();
    const STREAM_TYPE: &'static str = "group";

    fn apply(&mut self, event: &GroupEvent) {
        match event {
            GroupEvent::Created { id, fields, .. } | GroupEvent::Updated { id, fields, .. } => {
                self.id = Some(id.clone());
                self.fields = fields.clone();
            }
            GroupEvent::MembersAdded { user_ids, .. } => {
                self.members.extend(user_ids.iter().cloned())
            }
            GroupEvent::MembersRemoved { user_ids, .. } => {
                for user in user_ids {
                    self.members.remove(user);
                }
            }
            GroupEvent::Deleted { .. } => self.deleted = true,
        }
    }

    fn decide(&self, command: GroupCommand, _: &()) -> Result<Decision<GroupEvent>, GroupError> {
        match command {
            GroupCommand::Create { id, fields, now } => {
                if self.id.is_some() {
                    return Err(GroupError::AlreadyExists);
                }
                check(&fields)?;
                Ok(Decision::event(GroupEvent::Created {
                    id,
                    fields,
                    at: now,
                }))
            }
            GroupCommand::Update {
                name,
                description,
                now,
            } => {
                let id = self.live_id()?;
                let fields = GroupFields {
                    name: name.unwrap_or_else(|| self.fields.name.clone()),
                    description: description.or_else(|| self.fields.description.clone()),
                    ..self.fields.clone()
                };
                check(&fields)?;
                if fields == self.fields {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(GroupEvent::Updated {
                    id,
                    fields,
                    at: now,
                }))
            }
            GroupCommand::AddMembers { user_ids, now } => {
                let id = self.live_id()?;
                if user_ids.len() > MAX_MEMBERS_PER_CALL {
                    return Err(GroupError::TooManyUsers);
                }
                let new: BTreeSet<String> = user_ids
                    .into_iter()
                    .filter(|u| !self.members.contains(u))
                    .collect();
                if new.is_empty() {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(GroupEvent::MembersAdded {
                    id,
                    user_ids: new.into_iter().collect(),
                    at: now,
                }))
            }
            GroupCommand::RemoveMembers { user_ids, now } => {
                let id = self.live_id()?;
                if user_ids.len() > MAX_MEMBERS_PER_CALL {
                    return Err(GroupError::TooManyUsers);
                }
                let gone: BTreeSet<String> = user_ids
                    .into_iter()
                    .filter(|u| self.members.contains(u))
                    .collect();
                if gone.is_empty() {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(GroupEvent::MembersRemoved {
                    id,
                    user_ids: gone.into_iter().collect(),
                    at: now,
                }))
            }
            GroupCommand::Delete { now } => {
                let id = self.live_id()?;
                Ok(Decision::event(GroupEvent::Deleted { id, at: now }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_added_and_removed_idempotently_and_the_place_is_fixed() {
        let fields = GroupFields {
            name: "应用使能组".into(),
            external_id: Some("g-1".into()),
            description: None,
            organ_id: "o1".into(),
        };
        let create = GroupCommand::Create {
            id: "g1".into(),
            fields,
            now: 1,
        };
        let mut events = Group::default().decide(create, &()).unwrap().events;
        let add = |users: &[&str]| GroupCommand::AddMembers {
            user_ids: users.iter().map(|u| u.to_string()).collect(),
            now: 2,
        };
        let state = Group::from_events(events.iter());
        events.extend(state.decide(add(&["u1", "u2", "u1"]), &()).unwrap().events);
        let state = Group::from_events(events.iter());
        assert_eq!(state.members.len(), 2);
        assert!(
            state.decide(add(&["u2"]), &()).unwrap().events.is_empty(),
            "already in"
        );
        let remove = GroupCommand::RemoveMembers {
            user_ids: vec!["u2".into(), "u9".into()],
            now: 3,
        };
        let removed = state.decide(remove, &()).unwrap().events;
        assert_eq!(
            removed,
            [GroupEvent::MembersRemoved {
                id: "g1".into(),
                user_ids: vec!["u2".into()],
                at: 3
            }]
        );
        let rename = GroupCommand::Update {
            name: Some("新组".into()),
            description: None,
            now: 4,
        };
        let renamed = state.decide(rename, &()).unwrap().events;
        let GroupEvent::Updated { fields, .. } = &renamed[0] else {
            panic!("{renamed:?}")
        };
        assert_eq!(
            (fields.organ_id.as_str(), fields.external_id.as_deref()),
            ("o1", Some("g-1"))
        );
    }
}
