//! The extended-field values of one user, group or organisation (Inspur §2.5): one value per
//! field, each with an id of its own; a value of a field marked unique is a unique claim. What
//! the field allows (class, type, options, editable) is checked by the use case against the
//! field's definition and given here as facts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Claim, Decision, DomainEvent};
use crate::ClaimKind;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldValue {
    pub value_id: String,
    pub field_id: String,
    pub class: u8,
    pub field_type: u8,
    pub value: String,
    /// Whether the field was unique when the value was set (its value is then claimed).
    pub unique: bool,
}

#[derive(Debug, Default, Clone)]
pub struct FieldValues {
    pub entity_id: String,
    /// By field id.
    pub values: BTreeMap<String, FieldValue>,
}

#[derive(Debug, Clone)]
pub enum FieldValuesCommand {
    /// Sets values (a value already set for a field is replaced, keeping its id).
    Set {
        entity_id: String,
        values: Vec<FieldValue>,
        now: i64,
    },
    /// Changes one value by its id; refused when its field is not editable.
    Change {
        value_id: String,
        value: String,
        editable: bool,
        now: i64,
    },
    /// Removes every value.
    Clear { now: i64 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum FieldValuesEvent {
    #[serde(rename = "field_values.set")]
    Set {
        entity_id: String,
        values: Vec<FieldValue>,
        at: i64,
    },
    #[serde(rename = "field_values.cleared")]
    Cleared {
        entity_id: String,
        values: Vec<FieldValue>,
        at: i64,
    },
}

impl DomainEvent for FieldValuesEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Set { .. } => "field_values.set",
            Self::Cleared { .. } => "field_values.cleared",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldValuesError {
    #[error("field value does not exist")]
    NotFound,
    #[error("this extended field cannot be edited")]
    NotEditable,
    #[error("a value is at most 500 characters")]
    TooLong,
    #[error("at most 1000 values at a time")]
    TooMany,
}

fn claim(value: &FieldValue) -> Claim {
    Claim::new(
        ClaimKind::ExtendedFieldValue,
        format!("{}:{}", value.field_id, value.value),
    )
}

impl Aggregate for FieldValues {
    type Command = FieldValuesCommand;
    type Event = FieldValuesEvent;
    type Error = FieldValuesError;
    type Services = ();
    const STREAM_TYPE: &'static str = "field_values";

    fn apply(&mut self, event: &FieldValuesEvent) {
        match event {
            FieldValuesEvent::Set {
                entity_id, values, ..
            } => {
                if !entity_id.is_empty() {
                    self.entity_id = entity_id.clone();
                }
                for value in values {
                    self.values.insert(value.field_id.clone(), value.clone());
                }
            }
            FieldValuesEvent::Cleared { .. } => self.values.clear(),
        }
    }

    fn decide(
        &self,
        command: FieldValuesCommand,
        _: &(),
    ) -> Result<Decision<FieldValuesEvent>, FieldValuesError> {
        match command {
            FieldValuesCommand::Set {
                entity_id,
                values,
                now,
            } => {
                if values.len() > 1000 {
                    return Err(FieldValuesError::TooMany);
                }
                let mut decision = Decision::none();
                let mut set = Vec::new();
                for mut value in values {
                    if value.value.chars().count() > 500 {
                        return Err(FieldValuesError::TooLong);
                    }
                    if let Some(old) = self.values.get(&value.field_id) {
                        value.value_id = old.value_id.clone();
                        if *old == value {
                            continue;
                        }
                        if old.unique {
                            decision = decision.release(claim(old));
                        }
                    }
                    if value.unique {
                        decision = decision.claim(claim(&value));
                    }
                    set.push(value);
                }
                if set.is_empty() {
                    return Ok(decision);
                }
                decision.events.push(FieldValuesEvent::Set {
                    entity_id,
                    values: set,
                    at: now,
                });
                Ok(decision)
            }
            FieldValuesCommand::Change {
                value_id,
                value,
                editable,
                now,
            } => {
                let old = self
                    .values
                    .values()
                    .find(|v| v.value_id == value_id)
                    .ok_or(FieldValuesError::NotFound)?;
                if !editable {
                    return Err(FieldValuesError::NotEditable);
                }
                let entity_id = self.entity_id.clone();
                let new = FieldValue {
                    value,
                    ..old.clone()
                };
                self.decide(
                    FieldValuesCommand::Set {
                        entity_id,
                        values: vec![new],
                        now,
                    },
                    &(),
                )
            }
            FieldValuesCommand::Clear { now } => {
                if self.values.is_empty() {
                    return Ok(Decision::none());
                }
                let values: Vec<FieldValue> = self.values.values().cloned().collect();
                let mut decision = Decision::event(FieldValuesEvent::Cleared {
                    entity_id: self.entity_id.clone(),
                    values: values.clone(),
                    at: now,
                });
                for value in values.iter().filter(|v| v.unique) {
                    decision = decision.release(claim(value));
                }
                Ok(decision)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(field: &str, text: &str, unique: bool) -> FieldValue {
        FieldValue {
            value_id: format!("v-{field}"),
            field_id: field.into(),
            class: 0,
            field_type: 1,
            value: text.into(),
            unique,
        }
    }

    #[test]
    fn one_value_per_field_unique_ones_claimed_and_released() {
        let set = FieldValuesCommand::Set {
            entity_id: "u1".into(),
            values: vec![value("f1", "加拿大", true), value("f2", "x", false)],
            now: 1,
        };
        let decided = FieldValues::default().decide(set, &()).unwrap();
        assert_eq!(decided.claims.len(), 1);
        let mut events = decided.events;
        let state = FieldValues::from_events(events.iter());
        let replace = FieldValuesCommand::Set {
            entity_id: "u1".into(),
            values: vec![FieldValue {
                value_id: "other".into(),
                ..value("f1", "中国", true)
            }],
            now: 2,
        };
        let replaced = state.decide(replace, &()).unwrap();
        assert_eq!((replaced.claims.len(), replaced.releases.len()), (1, 1));
        let FieldValuesEvent::Set { values, .. } = &replaced.events[0] else {
            panic!()
        };
        assert_eq!(values[0].value_id, "v-f1", "the id stays");
        events.extend(replaced.events);
        let state = FieldValues::from_events(events.iter());
        let locked = FieldValuesCommand::Change {
            value_id: "v-f2".into(),
            value: "y".into(),
            editable: false,
            now: 3,
        };
        assert_eq!(
            state.decide(locked, &()).unwrap_err(),
            FieldValuesError::NotEditable
        );
        let cleared = state
            .decide(FieldValuesCommand::Clear { now: 4 }, &())
            .unwrap();
        assert_eq!(cleared.releases.len(), 1);
    }
}
