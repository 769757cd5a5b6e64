//! Refused management calls (DESIGN.md "Who may do what": every refusal is an audited event): a
//! stream per calling application holding each call its authority did not cover.

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, DomainEvent};
use crate::authority::Authority;

#[derive(Debug, Default, Clone)]
pub struct ManagementAccess;

#[derive(Debug, Clone)]
pub struct Refuse {
    pub application_id: String,
    pub held: Authority,
    pub required: Authority,
    /// The method and path refused.
    pub action: String,
    pub now: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "payload")]
pub enum ManagementAccessEvent {
    #[serde(rename = "management.refused")]
    Refused {
        application_id: String,
        held: Authority,
        required: Authority,
        action: String,
        at: i64,
    },
}

impl DomainEvent for ManagementAccessEvent {
    fn event_type(&self) -> &'static str {
        "management.refused"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManagementAccessError {}

impl Aggregate for ManagementAccess {
    type Command = Refuse;
    type Event = ManagementAccessEvent;
    type Error = ManagementAccessError;
    type Services = ();
    const STREAM_TYPE: &'static str = "management_access";

    fn apply(&mut self, _: &ManagementAccessEvent) {}

    fn decide(&self, refuse: Refuse, _: &()) -> Result<Decision<Self::Event>, Self::Error> {
        Ok(Decision::event(ManagementAccessEvent::Refused {
            application_id: refuse.application_id,
            held: refuse.held,
            required: refuse.required,
            action: refuse.action.chars().take(300).collect(),
            at: refuse.now,
        }))
    }
}
