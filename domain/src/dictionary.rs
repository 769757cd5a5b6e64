//! Dictionaries (Inspur §2.13–§2.14, 字典): code lists of a tenant. A dictionary has a code and a
//! name unique in the tenant, a description, a display order and a status; its items have a tag
//! (the label) and a value, each unique within their dictionary. Neither is ever deleted: the
//! API has no such call (ADR 0015).

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Claim, Decision, DomainEvent};
use crate::ClaimKind;

/// Longest code, name, tag or value, in characters.
const MAX_TEXT: usize = 64;
/// Longest description, in characters.
const MAX_DESCRIPTION: usize = 500;

#[derive(Debug, Default, Clone)]
pub struct Dictionary {
    pub id: Option<String>,
    pub fields: DictionaryFields,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DictionaryFields {
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub order: Option<i64>,
    pub enabled: bool,
}

#[derive(Debug, Clone)]
pub enum DictionaryCommand {
    Create {
        id: String,
        fields: DictionaryFields,
        now: i64,
    },
    /// Given fields replace, absent ones stay.
    Update {
        code: Option<String>,
        name: Option<String>,
        description: Option<String>,
        order: Option<i64>,
        enabled: Option<bool>,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum DictionaryEvent {
    #[serde(rename = "dict.created")]
    Created {
        id: String,
        fields: DictionaryFields,
        at: i64,
    },
    /// The dictionary's fields after the change.
    #[serde(rename = "dict.updated")]
    Updated {
        id: String,
        fields: DictionaryFields,
        at: i64,
    },
}

impl DomainEvent for DictionaryEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Created { .. } => "dict.created",
            Self::Updated { .. } => "dict.updated",
        }
    }
}

/// The refusals of dictionaries and their items (one type, as a surface maps them together).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DictionaryError {
    #[error("dictionary does not exist")]
    NotFound,
    #[error("dictionary item does not exist")]
    ItemNotFound,
    /// An item names a dictionary that does not exist (a refusal of the use case).
    #[error("the item's dictionary does not exist")]
    NoDictionary,
    #[error("dictionary or item already exists")]
    AlreadyExists,
    #[error("a dictionary needs a code and a name of 1 to 64 characters")]
    InvalidCodeOrName,
    #[error("a dictionary item needs a tag and a value of 1 to 64 characters")]
    InvalidTagOrValue,
    #[error("a description is at most 500 characters")]
    InvalidDescription,
}

fn fits(text: &str) -> bool {
    !text.trim().is_empty() && text.chars().count() <= MAX_TEXT
}

fn check_description(description: Option<&String>) -> Result<(), DictionaryError> {
    if description.is_some_and(|d| d.chars().count() > MAX_DESCRIPTION) {
        return Err(DictionaryError::InvalidDescription);
    }
    Ok(())
}

fn check(fields: &DictionaryFields) -> Result<(), DictionaryError> {
    if !fits(&fields.code) || !fits(&fields.name) {
        return Err(DictionaryError::InvalidCodeOrName);
    }
    check_description(fields.description.as_ref())
}

fn claims(fields: &DictionaryFields) -> [Claim; 2] {
    [
        Claim::new(ClaimKind::DictCode, fields.code.clone()),
        Claim::new(ClaimKind::DictName, fields.name.clone()),
    ]
}

impl Aggregate for Dictionary {
    type Command = DictionaryCommand;
    type Event = DictionaryEvent;
    type Error = DictionaryError;
    type Services = ();
    const STREAM_TYPE: &'static str = "dict";

    fn apply(&mut self, event: &DictionaryEvent) {
        match event {
            DictionaryEvent::Created { id, fields, .. }
            | DictionaryEvent::Updated { id, fields, .. } => {
                self.id = Some(id.clone());
                self.fields = fields.clone();
            }
        }
    }

    fn decide(
        &self,
        command: DictionaryCommand,
        _: &(),
    ) -> Result<Decision<DictionaryEvent>, DictionaryError> {
        match command {
            DictionaryCommand::Create { id, fields, now } => {
                if self.id.is_some() {
                    return Err(DictionaryError::AlreadyExists);
                }
                check(&fields)?;
                let [code, name] = claims(&fields);
                Ok(Decision::event(DictionaryEvent::Created {
                    id,
                    fields,
                    at: now,
                })
                .claim(code)
                .claim(name))
            }
            DictionaryCommand::Update {
                code,
                name,
                description,
                order,
                enabled,
                now,
            } => {
                let id = self.id.clone().ok_or(DictionaryError::NotFound)?;
                let old = &self.fields;
                let fields = DictionaryFields {
                    code: code.unwrap_or_else(|| old.code.clone()),
                    name: name.unwrap_or_else(|| old.name.clone()),
                    description: description.or_else(|| old.description.clone()),
                    order: order.or(old.order),
                    enabled: enabled.unwrap_or(old.enabled),
                };
                check(&fields)?;
                if fields == *old {
                    return Ok(Decision::none());
                }
                let mut decision = Decision::event(DictionaryEvent::Updated {
                    id,
                    fields: fields.clone(),
                    at: now,
                });
                for (old, new) in claims(old).into_iter().zip(claims(&fields)) {
                    if old != new {
                        decision = decision.release(old).claim(new);
                    }
                }
                Ok(decision)
            }
        }
    }
}

/// An item of a dictionary: its own stream, as items are added one by one.
#[derive(Debug, Default, Clone)]
pub struct DictionaryItem {
    pub id: Option<String>,
    pub dict_id: String,
    pub fields: DictionaryItemFields,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DictionaryItemFields {
    pub tag: String,
    pub value: String,
    pub description: Option<String>,
    pub order: Option<i64>,
    pub enabled: bool,
}

#[derive(Debug, Clone)]
pub enum DictionaryItemCommand {
    /// The dictionary's existence is the use case's to check (inside the append, by a guard).
    Create {
        id: String,
        dict_id: String,
        fields: DictionaryItemFields,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum DictionaryItemEvent {
    #[serde(rename = "dict_item.created")]
    Created {
        id: String,
        dict_id: String,
        fields: DictionaryItemFields,
        at: i64,
    },
}

impl DomainEvent for DictionaryItemEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Created { .. } => "dict_item.created",
        }
    }
}

impl Aggregate for DictionaryItem {
    type Command = DictionaryItemCommand;
    type Event = DictionaryItemEvent;
    type Error = DictionaryError;
    type Services = ();
    const STREAM_TYPE: &'static str = "dict_item";

    fn apply(&mut self, event: &DictionaryItemEvent) {
        match event {
            DictionaryItemEvent::Created {
                id,
                dict_id,
                fields,
                ..
            } => {
                self.id = Some(id.clone());
                self.dict_id = dict_id.clone();
                self.fields = fields.clone();
            }
        }
    }

    fn decide(
        &self,
        command: DictionaryItemCommand,
        _: &(),
    ) -> Result<Decision<DictionaryItemEvent>, DictionaryError> {
        match command {
            DictionaryItemCommand::Create {
                id,
                dict_id,
                fields,
                now,
            } => {
                if self.id.is_some() {
                    return Err(DictionaryError::AlreadyExists);
                }
                if !fits(&fields.tag) || !fits(&fields.value) {
                    return Err(DictionaryError::InvalidTagOrValue);
                }
                check_description(fields.description.as_ref())?;
                // Unique within the dictionary: the claim's value carries the dictionary's id.
                let tag = Claim::new(ClaimKind::DictItemTag, format!("{dict_id}:{}", fields.tag));
                let value = Claim::new(
                    ClaimKind::DictItemValue,
                    format!("{dict_id}:{}", fields.value),
                );
                Ok(Decision::event(DictionaryItemEvent::Created {
                    id,
                    dict_id,
                    fields,
                    at: now,
                })
                .claim(tag)
                .claim(value))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict(code: &str, name: &str) -> DictionaryFields {
        DictionaryFields {
            code: code.into(),
            name: name.into(),
            description: Some("字典3".into()),
            order: Some(1),
            enabled: true,
        }
    }

    fn update(name: Option<&str>, enabled: Option<bool>) -> DictionaryCommand {
        DictionaryCommand::Update {
            code: None,
            name: name.map(str::to_string),
            description: None,
            order: None,
            enabled,
            now: 2,
        }
    }

    #[test]
    fn a_dictionary_is_created_and_changed_with_its_claims() {
        let create = DictionaryCommand::Create {
            id: "d1".into(),
            fields: dict("dict3_code", "字典3"),
            now: 1,
        };
        let created = Dictionary::default().decide(create.clone(), &()).unwrap();
        assert_eq!(created.claims.len(), 2);
        let mut events = created.events;
        let state = Dictionary::from_events(events.iter());
        assert_eq!(
            state.decide(create, &()).unwrap_err(),
            DictionaryError::AlreadyExists
        );
        let renamed = state.decide(update(Some("字典33"), None), &()).unwrap();
        assert_eq!(
            (renamed.claims.len(), renamed.releases.len()),
            (1, 1),
            "only the name moves"
        );
        events.extend(renamed.events);
        let state = Dictionary::from_events(events.iter());
        assert_eq!(state.fields.code, "dict3_code", "kept");
        let stopped = state.decide(update(None, Some(false)), &()).unwrap();
        assert!(stopped.claims.is_empty() && stopped.releases.is_empty());
        events.extend(stopped.events);
        let state = Dictionary::from_events(events.iter());
        assert!(!state.fields.enabled);
        let same = state.decide(update(Some("字典33"), None), &()).unwrap();
        assert!(
            same.events.is_empty(),
            "nothing changes, nothing is written"
        );
        assert_eq!(
            Dictionary::default()
                .decide(update(Some("x"), None), &())
                .unwrap_err(),
            DictionaryError::NotFound
        );
        let blank = DictionaryCommand::Create {
            id: "d2".into(),
            fields: dict(" ", "x"),
            now: 1,
        };
        assert_eq!(
            Dictionary::default().decide(blank, &()).unwrap_err(),
            DictionaryError::InvalidCodeOrName
        );
    }

    #[test]
    fn an_item_claims_its_tag_and_value_within_its_dictionary() {
        let fields = DictionaryItemFields {
            tag: "字典33_Tag1".into(),
            value: "dict33_value1".into(),
            description: None,
            order: Some(1),
            enabled: true,
        };
        let create = DictionaryItemCommand::Create {
            id: "i1".into(),
            dict_id: "d1".into(),
            fields: fields.clone(),
            now: 1,
        };
        let created = DictionaryItem::default().decide(create, &()).unwrap();
        let values: Vec<_> = created.claims.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(values, ["d1:字典33_Tag1", "d1:dict33_value1"]);
        let state = DictionaryItem::from_events(created.events.iter());
        assert_eq!(state.dict_id, "d1");
        let blank = DictionaryItemCommand::Create {
            id: "i2".into(),
            dict_id: "d1".into(),
            fields: DictionaryItemFields {
                value: String::new(),
                ..fields
            },
            now: 1,
        };
        assert_eq!(
            DictionaryItem::default().decide(blank, &()).unwrap_err(),
            DictionaryError::InvalidTagOrValue
        );
    }
}
