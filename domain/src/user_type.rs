//! A user (account) type (Inspur §2.9, 账户类型): a code and a name unique in the tenant, a
//! description, a display order, enabled or disabled. Deleting one is final.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Claim, Decision, DomainEvent};
use crate::ClaimKind;

#[derive(Debug, Default, Clone)]
pub struct UserType {
    pub id: Option<String>,
    pub fields: UserTypeFields,
    pub disabled: bool,
    pub deleted: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserTypeFields {
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub order: Option<i64>,
}

#[derive(Debug, Clone)]
pub enum UserTypeCommand {
    Create {
        id: String,
        fields: UserTypeFields,
        now: i64,
    },
    /// Given fields replace, absent ones stay.
    Update {
        code: Option<String>,
        name: Option<String>,
        description: Option<String>,
        order: Option<i64>,
        now: i64,
    },
    SetDisabled {
        disabled: bool,
        now: i64,
    },
    Delete {
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum UserTypeEvent {
    #[serde(rename = "user_type.created")]
    Created {
        id: String,
        fields: UserTypeFields,
        at: i64,
    },
    /// The type's fields after the change.
    #[serde(rename = "user_type.updated")]
    Updated {
        id: String,
        fields: UserTypeFields,
        at: i64,
    },
    #[serde(rename = "user_type.status_changed")]
    StatusChanged { id: String, disabled: bool, at: i64 },
    #[serde(rename = "user_type.deleted")]
    Deleted { id: String, at: i64 },
}

impl DomainEvent for UserTypeEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Created { .. } => "user_type.created",
            Self::Updated { .. } => "user_type.updated",
            Self::StatusChanged { .. } => "user_type.status_changed",
            Self::Deleted { .. } => "user_type.deleted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserTypeError {
    #[error("user type does not exist")]
    NotFound,
    #[error("user type already exists")]
    AlreadyExists,
    #[error("a user type needs a code and a name of 1 to 64 characters")]
    InvalidCodeOrName,
    #[error("a description is at most 500 characters")]
    InvalidDescription,
    /// Refused by the use case: users are given enabled types only.
    #[error("user type is disabled")]
    Disabled,
    /// Refused by the use case: a type is deleted only when no user has it.
    #[error("user type is assigned to users")]
    InUse,
}

fn check(fields: &UserTypeFields) -> Result<(), UserTypeError> {
    let ok = |v: &str| !v.trim().is_empty() && v.chars().count() <= 64;
    if !ok(&fields.code) || !ok(&fields.name) {
        return Err(UserTypeError::InvalidCodeOrName);
    }
    if fields
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 500)
    {
        return Err(UserTypeError::InvalidDescription);
    }
    Ok(())
}

fn claims(fields: &UserTypeFields) -> [Claim; 2] {
    [
        Claim::new(ClaimKind::UserTypeCode, fields.code.clone()),
        Claim::new(ClaimKind::UserTypeName, fields.name.clone()),
    ]
}

impl UserType {
    fn live_id(&self) -> Result<String, UserTypeError> {
        match &self.id {
            Some(id) if !self.deleted => Ok(id.clone()),
            _ => Err(UserTypeError::NotFound),
        }
    }
}

impl Aggregate for UserType {
    type Command = UserTypeCommand;
    type Event = UserTypeEvent;
    type Error = UserTypeError;
    type Services = ();
    const STREAM_TYPE: &'static str = "user_type";

    fn apply(&mut self, event: &UserTypeEvent) {
        match event {
            UserTypeEvent::Created { id, fields, .. }
            | UserTypeEvent::Updated { id, fields, .. } => {
                self.id = Some(id.clone());
                self.fields = fields.clone();
            }
            UserTypeEvent::StatusChanged { disabled, .. } => self.disabled = *disabled,
            UserTypeEvent::Deleted { .. } => self.deleted = true,
        }
    }

    fn decide(
        &self,
        command: UserTypeCommand,
        _: &(),
    ) -> Result<Decision<UserTypeEvent>, UserTypeError> {
        match command {
            UserTypeCommand::Create { id, fields, now } => {
                if self.id.is_some() {
                    return Err(UserTypeError::AlreadyExists);
                }
                check(&fields)?;
                let [code, name] = claims(&fields);
                Ok(Decision::event(UserTypeEvent::Created {
                    id,
                    fields,
                    at: now,
                })
                .claim(code)
                .claim(name))
            }
            UserTypeCommand::Update {
                code,
                name,
                description,
                order,
                now,
            } => {
                let id = self.live_id()?;
                let old = &self.fields;
                let fields = UserTypeFields {
                    code: code.unwrap_or_else(|| old.code.clone()),
                    name: name.unwrap_or_else(|| old.name.clone()),
                    description: description.or_else(|| old.description.clone()),
                    order: order.or(old.order),
                };
                check(&fields)?;
                if fields == *old {
                    return Ok(Decision::none());
                }
                let mut decision = Decision::event(UserTypeEvent::Updated {
                    id,
                    fields: fields.clone(),
                    at: now,
                });
                let (old_claims, new_claims) = (claims(old), claims(&fields));
                for (old, new) in old_claims.into_iter().zip(new_claims) {
                    if old != new {
                        decision = decision.release(old).claim(new);
                    }
                }
                Ok(decision)
            }
            UserTypeCommand::SetDisabled { disabled, now } => {
                let id = self.live_id()?;
                if disabled == self.disabled {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(UserTypeEvent::StatusChanged {
                    id,
                    disabled,
                    at: now,
                }))
            }
            UserTypeCommand::Delete { now } => {
                let id = self.live_id()?;
                let [code, name] = claims(&self.fields);
                Ok(Decision::event(UserTypeEvent::Deleted { id, at: now })
                    .release(code)
                    .release(name))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(code: &str, name: &str) -> UserTypeFields {
        UserTypeFields {
            code: code.into(),
            name: name.into(),
            description: Some("akwkhdh".into()),
            order: Some(1),
        }
    }

    #[test]
    fn a_type_is_created_changed_switched_and_deleted_with_its_claims() {
        let create = UserTypeCommand::Create {
            id: "t1".into(),
            fields: fields("test", "test01"),
            now: 1,
        };
        let created = UserType::default().decide(create, &()).unwrap();
        assert_eq!(created.claims.len(), 2);
        let mut events = created.events;
        let state = UserType::from_events(events.iter());
        let rename = UserTypeCommand::Update {
            code: None,
            name: Some("test02".into()),
            description: None,
            order: None,
            now: 2,
        };
        let renamed = state.decide(rename, &()).unwrap();
        assert_eq!(
            (renamed.claims.len(), renamed.releases.len()),
            (1, 1),
            "only the name moves"
        );
        events.extend(renamed.events);
        let state = UserType::from_events(events.iter());
        assert_eq!(state.fields.description.as_deref(), Some("akwkhdh"), "kept");
        let stop = UserTypeCommand::SetDisabled {
            disabled: true,
            now: 3,
        };
        events.extend(state.decide(stop, &()).unwrap().events);
        let state = UserType::from_events(events.iter());
        assert!(state.disabled);
        let deleted = state
            .decide(UserTypeCommand::Delete { now: 4 }, &())
            .unwrap();
        assert_eq!(deleted.releases.len(), 2);
        events.extend(deleted.events);
        let state = UserType::from_events(events.iter());
        assert_eq!(
            state
                .decide(UserTypeCommand::Delete { now: 5 }, &())
                .unwrap_err(),
            UserTypeError::NotFound
        );
        let blank = UserTypeCommand::Create {
            id: "t2".into(),
            fields: fields(" ", "x"),
            now: 1,
        };
        assert_eq!(
            UserType::default().decide(blank, &()).unwrap_err(),
            UserTypeError::InvalidCodeOrName
        );
    }
}
