//! An extended field (Inspur §2.3–§2.4, 扩展字段): an administrator-defined attribute of users,
//! groups or organisations — its name unique within its class, its input type, whether it is
//! required, editable, unique and enabled — and, for a dropdown, its options (labels unique
//! within the field, kept by the field itself). The class and type are fixed once created.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Claim, Decision, DomainEvent};
use crate::ClaimKind;

/// What an extended field belongs to: `0` users, `1` groups, `2` organisations.
pub const CLASSES: [u8; 3] = [0, 1, 2];
/// How it is entered: `0` dropdown, `1` text input, `2` textarea.
pub const TYPES: [u8; 3] = [0, 1, 2];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDefinition {
    pub name: String,
    /// The document's `fieldValue`: a label or column name, echoed as given.
    pub label: String,
    pub class: u8,
    pub field_type: u8,
    pub required: bool,
    pub editable: bool,
    pub unique: bool,
    pub enabled: bool,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DropdownOption {
    pub label: String,
    pub value: String,
    pub enabled: bool,
}

#[derive(Debug, Default, Clone)]
pub struct ExtendedField {
    pub id: Option<String>,
    pub definition: FieldDefinition,
    pub options: BTreeMap<String, DropdownOption>,
    pub deleted: bool,
}

/// A change of a definition: given values replace, absent ones stay.
#[derive(Debug, Clone, Default)]
pub struct FieldChange {
    pub name: Option<String>,
    pub label: Option<String>,
    pub required: Option<bool>,
    pub editable: Option<bool>,
    pub unique: Option<bool>,
    pub enabled: Option<bool>,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub enum ExtendedFieldCommand {
    Create {
        id: String,
        definition: FieldDefinition,
        now: i64,
    },
    Update {
        change: FieldChange,
        now: i64,
    },
    Delete {
        now: i64,
    },
    AddOptions {
        options: Vec<(String, DropdownOption)>,
        now: i64,
    },
    /// Changes an option's enabled state and, when given, its label and value.
    ChangeOption {
        option_id: String,
        label: Option<String>,
        value: Option<String>,
        enabled: Option<bool>,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum ExtendedFieldEvent {
    #[serde(rename = "extended_field.created")]
    Created {
        id: String,
        definition: FieldDefinition,
        at: i64,
    },
    /// The definition after the change.
    #[serde(rename = "extended_field.updated")]
    Updated {
        id: String,
        definition: FieldDefinition,
        at: i64,
    },
    #[serde(rename = "extended_field.deleted")]
    Deleted { id: String, at: i64 },
    #[serde(rename = "extended_field.option_added")]
    OptionAdded {
        id: String,
        option_id: String,
        option: DropdownOption,
        at: i64,
    },
    /// The option after the change.
    #[serde(rename = "extended_field.option_changed")]
    OptionChanged {
        id: String,
        option_id: String,
        option: DropdownOption,
        at: i64,
    },
}

impl DomainEvent for ExtendedFieldEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Created { .. } => "extended_field.created",
            Self::Updated { .. } => "extended_field.updated",
            Self::Deleted { .. } => "extended_field.deleted",
            Self::OptionAdded { .. } => "extended_field.option_added",
            Self::OptionChanged { .. } => "extended_field.option_changed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtendedFieldError {
    #[error("extended field does not exist")]
    NotFound,
    #[error("extended field already exists")]
    AlreadyExists,
    #[error("fieldName is 1 to 64 characters")]
    InvalidName,
    #[error("fieldClassification is 0, 1 or 2 and fieldType 0, 1 or 2")]
    InvalidKind,
    #[error("label and value are 1 to 100 characters")]
    InvalidOption,
    #[error("only a dropdown field has options")]
    NotDropdown,
    #[error("option does not exist")]
    NoSuchOption,
    #[error("at most 1000 options at a time")]
    TooManyOptions,
    #[error("the field already has an option with this label")]
    LabelTaken,
}

fn name_claim(definition: &FieldDefinition) -> Claim {
    Claim::new(
        ClaimKind::ExtendedFieldName,
        format!("{}:{}", definition.class, definition.name),
    )
}

fn check(definition: &FieldDefinition) -> Result<(), ExtendedFieldError> {
    let name = definition.name.trim();
    if name.is_empty() || name.chars().count() > 64 || definition.label.chars().count() > 64 {
        return Err(ExtendedFieldError::InvalidName);
    }
    if !CLASSES.contains(&definition.class) || !TYPES.contains(&definition.field_type) {
        return Err(ExtendedFieldError::InvalidKind);
    }
    Ok(())
}

fn check_option(option: &DropdownOption) -> Result<(), ExtendedFieldError> {
    let ok = |v: &str| !v.trim().is_empty() && v.chars().count() <= 100;
    if ok(&option.label) && ok(&option.value) {
        Ok(())
    } else {
        Err(ExtendedFieldError::InvalidOption)
    }
}

impl ExtendedField {
    fn live_id(&self) -> Result<String, ExtendedFieldError> {
        match &self.id {
            Some(id) if !self.deleted => Ok(id.clone()),
            _ => Err(ExtendedFieldError::NotFound),
        }
    }
}

impl Aggregate for ExtendedField {
    type Command = ExtendedFieldCommand;
    type Event = ExtendedFieldEvent;
    type Error = ExtendedFieldError;
    type Services = ();
    const STREAM_TYPE: &'static str = "extended_field";

    fn apply(&mut self, event: &ExtendedFieldEvent) {
        match event {
            ExtendedFieldEvent::Created { id, definition, .. }
            | ExtendedFieldEvent::Updated { id, definition, .. } => {
                self.id = Some(id.clone());
                self.definition = definition.clone();
            }
            ExtendedFieldEvent::Deleted { .. } => self.deleted = true,
            ExtendedFieldEvent::OptionAdded {
                option_id, option, ..
            }
            | ExtendedFieldEvent::OptionChanged {
                option_id, option, ..
            } => {
                self.options.insert(option_id.clone(), option.clone());
            }
        }
    }

    fn decide(
        &self,
        command: ExtendedFieldCommand,
        _: &(),
    ) -> Result<Decision<ExtendedFieldEvent>, ExtendedFieldError> {
        match command {
            ExtendedFieldCommand::Create {
                id,
                definition,
                now,
            } => {
                if self.id.is_some() {
                    return Err(ExtendedFieldError::AlreadyExists);
                }
                check(&definition)?;
                let claim = name_claim(&definition);
                Ok(Decision::event(ExtendedFieldEvent::Created {
                    id,
                    definition,
                    at: now,
                })
                .claim(claim))
            }
            ExtendedFieldCommand::Update { change, now } => {
                let id = self.live_id()?;
                let old = &self.definition;
                let definition = FieldDefinition {
                    name: change.name.unwrap_or_else(|| old.name.clone()),
                    label: change.label.unwrap_or_else(|| old.label.clone()),
                    required: change.required.unwrap_or(old.required),
                    editable: change.editable.unwrap_or(old.editable),
                    unique: change.unique.unwrap_or(old.unique),
                    enabled: change.enabled.unwrap_or(old.enabled),
                    description: change.description.or_else(|| old.description.clone()),
                    ..old.clone()
                };
                check(&definition)?;
                if definition == *old {
                    return Ok(Decision::none());
                }
                let mut decision = Decision::event(ExtendedFieldEvent::Updated {
                    id,
                    definition: definition.clone(),
                    at: now,
                });
                if definition.name != old.name {
                    decision = decision
                        .release(name_claim(old))
                        .claim(name_claim(&definition));
                }
                Ok(decision)
            }
            ExtendedFieldCommand::Delete { now } => {
                let id = self.live_id()?;
                Ok(Decision::event(ExtendedFieldEvent::Deleted { id, at: now })
                    .release(name_claim(&self.definition)))
            }
            ExtendedFieldCommand::AddOptions { options, now } => {
                let id = self.live_id()?;
                if self.definition.field_type != 0 {
                    return Err(ExtendedFieldError::NotDropdown);
                }
                if options.len() > 1000 {
                    return Err(ExtendedFieldError::TooManyOptions);
                }
                let mut decision = Decision::none();
                let mut labels: Vec<&str> =
                    self.options.values().map(|o| o.label.as_str()).collect();
                for (_, option) in &options {
                    check_option(option)?;
                    if labels.contains(&option.label.as_str()) {
                        return Err(ExtendedFieldError::LabelTaken);
                    }
                    labels.push(&option.label);
                }
                for (option_id, option) in options {
                    decision.events.push(ExtendedFieldEvent::OptionAdded {
                        id: id.clone(),
                        option_id,
                        option,
                        at: now,
                    });
                }
                Ok(decision)
            }
            ExtendedFieldCommand::ChangeOption {
                option_id,
                label,
                value,
                enabled,
                now,
            } => {
                let id = self.live_id()?;
                let old = self
                    .options
                    .get(&option_id)
                    .ok_or(ExtendedFieldError::NoSuchOption)?;
                let option = DropdownOption {
                    label: label.unwrap_or_else(|| old.label.clone()),
                    value: value.unwrap_or_else(|| old.value.clone()),
                    enabled: enabled.unwrap_or(old.enabled),
                };
                check_option(&option)?;
                if option == *old {
                    return Ok(Decision::none());
                }
                let taken = self
                    .options
                    .iter()
                    .any(|(other, o)| *other != option_id && o.label == option.label);
                if taken {
                    return Err(ExtendedFieldError::LabelTaken);
                }
                Ok(Decision::event(ExtendedFieldEvent::OptionChanged {
                    id,
                    option_id,
                    option,
                    at: now,
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dropdown() -> FieldDefinition {
        FieldDefinition {
            name: "habit".into(),
            label: "habit".into(),
            class: 0,
            field_type: 0,
            required: false,
            editable: true,
            unique: false,
            enabled: true,
            description: None,
        }
    }

    #[test]
    fn a_dropdown_field_takes_options_with_unique_labels_and_keeps_its_kind() {
        let create = ExtendedFieldCommand::Create {
            id: "f1".into(),
            definition: dropdown(),
            now: 1,
        };
        let created = ExtendedField::default().decide(create, &()).unwrap();
        assert_eq!(
            created.claims,
            [Claim::new(ClaimKind::ExtendedFieldName, "0:habit")]
        );
        let mut events = created.events;
        let field = ExtendedField::from_events(events.iter());
        let option = |label: &str| DropdownOption {
            label: label.into(),
            value: label.into(),
            enabled: true,
        };
        let add = ExtendedFieldCommand::AddOptions {
            options: vec![("o1".into(), option("越南")), ("o2".into(), option("印度"))],
            now: 2,
        };
        let added = field.decide(add, &()).unwrap();
        assert_eq!(added.events.len(), 2);
        events.extend(added.events);
        let field = ExtendedField::from_events(events.iter());
        let off = ExtendedFieldCommand::ChangeOption {
            option_id: "o1".into(),
            label: None,
            value: None,
            enabled: Some(false),
            now: 3,
        };
        events.extend(field.decide(off, &()).unwrap().events);
        let field = ExtendedField::from_events(events.iter());
        assert!(!field.options["o1"].enabled);
        let again = ExtendedFieldCommand::AddOptions {
            options: vec![("o3".into(), option("印度"))],
            now: 4,
        };
        assert_eq!(
            field.decide(again, &()).unwrap_err(),
            ExtendedFieldError::LabelTaken
        );
        let deleted = field
            .decide(ExtendedFieldCommand::Delete { now: 4 }, &())
            .unwrap();
        assert_eq!(deleted.releases.len(), 1, "its name");
        let text = FieldDefinition {
            field_type: 1,
            ..dropdown()
        };
        let create = ExtendedFieldCommand::Create {
            id: "f2".into(),
            definition: text,
            now: 1,
        };
        let events = ExtendedField::default().decide(create, &()).unwrap().events;
        let field = ExtendedField::from_events(events.iter());
        let add = ExtendedFieldCommand::AddOptions {
            options: vec![("o".into(), option("x"))],
            now: 2,
        };
        assert_eq!(
            field.decide(add, &()).unwrap_err(),
            ExtendedFieldError::NotDropdown
        );
    }
}
