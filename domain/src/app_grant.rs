//! Who an application is authorised to (Inspur ORG-08/09, USR-01/02/07/08: 授权): grants of the
//! application to organisations and users, each a record with an id of its own, kept on the
//! application's grant stream. Granting twice or revoking what is not granted changes nothing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};

/// What a grant is to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grantee {
    Organization,
    User,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub grant_id: String,
    pub grantee: Grantee,
    pub subject_id: String,
}

#[derive(Debug, Default, Clone)]
pub struct AppGrants {
    /// By grant id.
    pub grants: BTreeMap<String, Grant>,
}

impl AppGrants {
    fn granted(&self, grantee: Grantee, subject: &str) -> Option<&Grant> {
        self.grants
            .values()
            .find(|g| g.grantee == grantee && g.subject_id == subject)
    }
}

#[derive(Debug, Clone)]
pub enum AppGrantsCommand {
    /// Grants to each subject not granted yet (the grant ids are given, one per subject).
    Grant {
        application_id: String,
        grants: Vec<Grant>,
        now: i64,
    },
    /// Revokes grants by their ids (those that are this application's).
    RevokeIds {
        application_id: String,
        grant_ids: Vec<String>,
        now: i64,
    },
    /// Revokes the grants to these subjects.
    Revoke {
        application_id: String,
        grantee: Grantee,
        subjects: Vec<String>,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum AppGrantsEvent {
    #[serde(rename = "app_grants.granted")]
    Granted {
        application_id: String,
        grants: Vec<Grant>,
        at: i64,
    },
    #[serde(rename = "app_grants.revoked")]
    Revoked {
        application_id: String,
        grant_ids: Vec<String>,
        at: i64,
    },
}

impl DomainEvent for AppGrantsEvent {
    fn event_type(&self) -> &'static str {
        match self {
            Self::Granted { .. } => "app_grants.granted",
            Self::Revoked { .. } => "app_grants.revoked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppGrantsError {
    #[error("at most 1000 grants at a time")]
    TooMany,
}

impl Aggregate for AppGrants {
    type Command = AppGrantsCommand;
    type Event = AppGrantsEvent;
    type Error = AppGrantsError;
    type Services = ();
    const STREAM_TYPE: &'static str = "app_grants";

    fn apply(&mut self, event: &AppGrantsEvent) {
        match event {
            AppGrantsEvent::Granted { grants, .. } => {
                for grant in grants {
                    self.grants.insert(grant.grant_id.clone(), grant.clone());
                }
            }
            AppGrantsEvent::Revoked { grant_ids, .. } => {
                for id in grant_ids {
                    self.grants.remove(id);
                }
            }
        }
    }

    fn decide(
        &self,
        command: AppGrantsCommand,
        _: &(),
    ) -> Result<Decision<AppGrantsEvent>, AppGrantsError> {
        match command {
            AppGrantsCommand::Grant {
                application_id,
                grants,
                now,
            } => {
                if grants.len() > 1000 {
                    return Err(AppGrantsError::TooMany);
                }
                let mut new: Vec<Grant> = Vec::new();
                for grant in grants {
                    let seen = new
                        .iter()
                        .any(|g| g.grantee == grant.grantee && g.subject_id == grant.subject_id);
                    if !seen && self.granted(grant.grantee, &grant.subject_id).is_none() {
                        new.push(grant);
                    }
                }
                if new.is_empty() {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(AppGrantsEvent::Granted {
                    application_id,
                    grants: new,
                    at: now,
                }))
            }
            AppGrantsCommand::RevokeIds {
                application_id,
                grant_ids,
                now,
            } => {
                let mut grant_ids: Vec<String> = grant_ids
                    .into_iter()
                    .filter(|id| self.grants.contains_key(id))
                    .collect();
                grant_ids.sort();
                grant_ids.dedup();
                if grant_ids.is_empty() {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(AppGrantsEvent::Revoked {
                    application_id,
                    grant_ids,
                    at: now,
                }))
            }
            AppGrantsCommand::Revoke {
                application_id,
                grantee,
                subjects,
                now,
            } => {
                if subjects.len() > 1000 {
                    return Err(AppGrantsError::TooMany);
                }
                let mut grant_ids: Vec<String> = subjects
                    .iter()
                    .filter_map(|s| self.granted(grantee, s))
                    .map(|g| g.grant_id.clone())
                    .collect();
                grant_ids.sort();
                grant_ids.dedup();
                if grant_ids.is_empty() {
                    return Ok(Decision::none());
                }
                Ok(Decision::event(AppGrantsEvent::Revoked {
                    application_id,
                    grant_ids,
                    at: now,
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(id: &str, subject: &str) -> Grant {
        Grant {
            grant_id: id.into(),
            grantee: Grantee::Organization,
            subject_id: subject.into(),
        }
    }

    #[test]
    fn granting_and_revoking_are_idempotent() {
        let command = AppGrantsCommand::Grant {
            application_id: "a1".into(),
            grants: vec![grant("g1", "o1"), grant("g2", "o1"), grant("g3", "o2")],
            now: 1,
        };
        let mut events = AppGrants::default()
            .decide(command.clone(), &())
            .unwrap()
            .events;
        let state = AppGrants::from_events(events.iter());
        assert_eq!(state.grants.len(), 2, "one grant per subject");
        assert!(state.decide(command, &()).unwrap().events.is_empty());
        let revoke = AppGrantsCommand::Revoke {
            application_id: "a1".into(),
            grantee: Grantee::Organization,
            subjects: vec!["o1".into(), "o9".into()],
            now: 2,
        };
        let revoked = state.decide(revoke.clone(), &()).unwrap().events;
        assert_eq!(
            revoked,
            [AppGrantsEvent::Revoked {
                application_id: "a1".into(),
                grant_ids: vec!["g1".into()],
                at: 2
            }]
        );
        events.extend(revoked);
        let state = AppGrants::from_events(events.iter());
        assert!(state.decide(revoke, &()).unwrap().events.is_empty());
    }
}
