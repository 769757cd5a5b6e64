//! An application type (Inspur §2.8, 应用类别): a code and a name unique in the tenant among live
//! types, a description, enabled or disabled. Deleting one is a soft delete: the type keeps its
//! fields with the delete flag set, gives up its code and name, and takes no further command.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Claim, Decision, DomainEvent};
use crate::ClaimKind;

#[derive(Debug, Default, Clone)]
pub struct AppType {
    pub id: Option<String>,
    pub fields: AppTypeFields,
    pub disabled: bool,
    pub deleted: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppTypeFields {
    pub code: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub enum AppTypeCommand {
    Create {
        id: String,
        fields: AppTypeFields,
        disabled: bool,
        now: i64,
    },
    /// Given fields replace, absent ones stay; a given status switches the type.
    Update {
        code: Option<String>,
        name: Option<String>,
        description: Option<String>,
        disabled: Option<bool>,
        now: i64,
    },
    Delete {
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum AppTypeEvent {
    #[serde(rename = "app_type.created")]
    Created {
        id: String,
        fields: AppTypeFields,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        disabled: bool,
        at: i64,
    },
    /// The type's fields after the change.
    #[serde(rename = "app_type.updated")]
    Updated {
        id: String,
        fields: AppTypeFields,
        at: i64,
    },
    #[serde(rename = "app_type.status_changed")]
    StatusChanged { id: String, disabled: bool, at: i64 },
    #[serde(rename = "app_type.deleted")]
    Deleted { id: String, at: i64 },
}

impl DomainEvent for AppTypeEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Created { .. } => "app_type.created",
            Self::Updated { .. } => "app_type.updated",
            Self::StatusChanged { .. } => "app_type.status_changed",
            Self::Deleted { .. } => "app_type.deleted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppTypeError {
    #[error("application type does not exist")]
    NotFound,
    #[error("application type already exists")]
    AlreadyExists,
    #[error("an application type needs a code and a name of 1 to 64 characters")]
    InvalidCodeOrName,
    #[error("a description is at most 500 characters")]
    InvalidDescription,
    /// Refused by the use case: a type is deleted only when no application has it.
    #[error("application type is assigned to applications")]
    InUse,
}

fn check(fields: &AppTypeFields) -> Result<(), AppTypeError> {
    let ok = |v: &str| !v.trim().is_empty() && v.chars().count() <= 64;
    if !ok(&fields.code) || !ok(&fields.name) {
        return Err(AppTypeError::InvalidCodeOrName);
    }
    if fields
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 500)
    {
        return Err(AppTypeError::InvalidDescription);
    }
    Ok(())
}

fn claims(fields: &AppTypeFields) -> [Claim; 2] {
    [
        Claim::new(ClaimKind::AppTypeCode, fields.code.clone()),
        Claim::new(ClaimKind::AppTypeName, fields.name.clone()),
    ]
}

impl AppType {
    fn live_id(&self) -> Result<String, AppTypeError> {
        match &self.id {
            Some(id) if !self.deleted => Ok(id.clone()),
            _ => Err(AppTypeError::NotFound),
        }
    }
}

impl Aggregate for AppType {
    type Command = AppTypeCommand;
    type Event = AppTypeEvent;
    type Error = AppTypeError;
    type Services = ();
    const STREAM_TYPE: &'static str = "app_type";

    fn apply(&mut self, event: &AppTypeEvent) {
        match event {
            AppTypeEvent::Created {
                id,
                fields,
                disabled,
                ..
            } => {
                self.id = Some(id.clone());
                self.fields = fields.clone();
                self.disabled = *disabled;
            }
            AppTypeEvent::Updated { fields, .. } => self.fields = fields.clone(),
            AppTypeEvent::StatusChanged { disabled, .. } => self.disabled = *disabled,
            AppTypeEvent::Deleted { .. } => self.deleted = true,
        }
    }

    fn decide(
        &self,
        command: AppTypeCommand,
        _: &(),
    ) -> Result<Decision<AppTypeEvent>, AppTypeError> {
        match command {
            AppTypeCommand::Create {
                id,
                fields,
                disabled,
                now,
            } => {
                if self.id.is_some() {
                    return Err(AppTypeError::AlreadyExists);
                }
                check(&fields)?;
                let [code, name] = claims(&fields);
                Ok(Decision::event(AppTypeEvent::Created {
                    id,
                    fields,
                    disabled,
                    at: now,
                })
                .claim(code)
                .claim(name))
            }
            AppTypeCommand::Update {
                code,
                name,
                description,
                disabled,
                now,
            } => {
                let id = self.live_id()?;
                let old = &self.fields;
                let fields = AppTypeFields {
                    code: code.unwrap_or_else(|| old.code.clone()),
                    name: name.unwrap_or_else(|| old.name.clone()),
                    description: description.or_else(|| old.description.clone()),
                };
                check(&fields)?;
                let mut decision = Decision::none();
                if fields != *old {
                    decision.events.push(AppTypeEvent::Updated {
                        id: id.clone(),
                        fields: fields.clone(),
                        at: now,
                    });
                    let (old_claims, new_claims) = (claims(old), claims(&fields));
                    for (old, new) in old_claims.into_iter().zip(new_claims) {
                        if old != new {
                            decision = decision.release(old).claim(new);
                        }
                    }
                }
                if let Some(disabled) = disabled.filter(|d| *d != self.disabled) {
                    decision.events.push(AppTypeEvent::StatusChanged {
                        id,
                        disabled,
                        at: now,
                    });
                }
                Ok(decision)
            }
            AppTypeCommand::Delete { now } => {
                let id = self.live_id()?;
                let [code, name] = claims(&self.fields);
                Ok(Decision::event(AppTypeEvent::Deleted { id, at: now })
                    .release(code)
                    .release(name))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(code: &str, name: &str) -> AppTypeFields {
        AppTypeFields {
            code: code.into(),
            name: name.into(),
            description: Some("type222".into()),
        }
    }

    fn update(name: Option<&str>, disabled: Option<bool>) -> AppTypeCommand {
        AppTypeCommand::Update {
            code: None,
            name: name.map(Into::into),
            description: None,
            disabled,
            now: 2,
        }
    }

    #[test]
    fn a_type_is_created_renamed_switched_and_soft_deleted_with_its_claims() {
        let create = AppTypeCommand::Create {
            id: "t1".into(),
            fields: fields("type222", "类别222"),
            disabled: false,
            now: 1,
        };
        let created = AppType::default().decide(create, &()).unwrap();
        assert_eq!(created.claims.len(), 2);
        let mut events = created.events;
        let state = AppType::from_events(events.iter());
        let renamed = state
            .decide(update(Some("类别333"), Some(true)), &())
            .unwrap();
        assert_eq!(renamed.events.len(), 2, "fields and status in one decision");
        assert_eq!(
            (renamed.claims.len(), renamed.releases.len()),
            (1, 1),
            "only the name moves"
        );
        events.extend(renamed.events);
        let state = AppType::from_events(events.iter());
        assert!(state.disabled);
        assert_eq!(state.fields.description.as_deref(), Some("type222"), "kept");
        let same = state.decide(update(None, Some(true)), &()).unwrap();
        assert!(same.events.is_empty(), "nothing changes");
        let deleted = state
            .decide(AppTypeCommand::Delete { now: 3 }, &())
            .unwrap();
        assert_eq!(deleted.releases.len(), 2);
        events.extend(deleted.events);
        let state = AppType::from_events(events.iter());
        assert!(state.deleted);
        assert_eq!(
            state.fields.name, "类别333",
            "a soft delete keeps the fields"
        );
        for command in [AppTypeCommand::Delete { now: 4 }, update(Some("x"), None)] {
            assert_eq!(
                state.decide(command, &()).unwrap_err(),
                AppTypeError::NotFound
            );
        }
    }

    #[test]
    fn a_type_needs_a_code_and_a_name_and_may_start_disabled() {
        let blank = AppTypeCommand::Create {
            id: "t2".into(),
            fields: fields(" ", "x"),
            disabled: false,
            now: 1,
        };
        assert_eq!(
            AppType::default().decide(blank, &()).unwrap_err(),
            AppTypeError::InvalidCodeOrName
        );
        let off = AppTypeCommand::Create {
            id: "t3".into(),
            fields: fields("c", "n"),
            disabled: true,
            now: 1,
        };
        let created = AppType::default().decide(off, &()).unwrap();
        assert!(AppType::from_events(created.events.iter()).disabled);
        let stored = serde_json::to_value(&created.events[0]).unwrap();
        assert_eq!(stored["payload"]["disabled"], true);
    }
}
