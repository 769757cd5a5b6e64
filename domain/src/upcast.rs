//! Upcasting: old stored event shapes are rewritten to the current shape when loaded, never on
//! disk. An upcaster handles one `event_type` at one `schema_version` and yields the next version.

use serde_json::Value;

pub trait Upcaster: Send + Sync {
    fn event_type(&self) -> &str;
    /// The schema version this upcaster reads; it produces `reads_version + 1`.
    fn reads_version(&self) -> u32;
    fn upcast(&self, payload: Value) -> Value;
}

/// An upcaster that is a plain function of the payload.
pub struct FnUpcaster {
    pub event_type: &'static str,
    pub reads_version: u32,
    pub upcast: fn(Value) -> Value,
}

impl Upcaster for FnUpcaster {
    fn event_type(&self) -> &str {
        self.event_type
    }

    fn reads_version(&self) -> u32 {
        self.reads_version
    }

    fn upcast(&self, payload: Value) -> Value {
        (self.upcast)(payload)
    }
}

/// Applies every matching upcaster in turn until the payload reaches its newest version.
pub fn upcast(
    upcasters: &[Box<dyn Upcaster>],
    event_type: &str,
    mut version: u32,
    mut payload: Value,
) -> (u32, Value) {
    while let Some(step) = upcasters
        .iter()
        .find(|u| u.event_type() == event_type && u.reads_version() == version)
    {
        payload = step.upcast(payload);
        version += 1;
    }
    (version, payload)
}

/// The upcasters of the current domain (ADR 0009): version 1 of `user.created`, `user.updated`
/// and `tenant.user_attributes_changed` named attributes by their OneAccess wire names, and
/// version 1 of `organization.created` and `organization.updated` always held a sibling-name claim.
pub fn registered() -> Vec<Box<dyn Upcaster>> {
    let mut upcasters = crate::user::v1::upcasters();
    upcasters.extend(crate::organization::upcasters());
    upcasters
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{from_stored, to_stored};
    use crate::organization::OrganizationEvent;
    use crate::tenant::{TenantEvent, UserAttributeRules};
    use crate::user::{UserEvent, UserProfile};
    use crate::DomainEvent;

    /// Every current event survives a round trip through the store's shape, and the upcasters
    /// of its type lead from version 1 exactly to the version it is written at.
    fn reaches_its_version<E: DomainEvent>(event: E) {
        let (event_type, payload) = to_stored(&event);
        let upcasters = registered();
        let steps = upcasters
            .iter()
            .filter(|u| u.event_type() == event_type)
            .count() as u32;
        assert_eq!(1 + steps, event.schema_version(), "{event_type}");
        let (version, same) = upcast(&upcasters, &event_type, event.schema_version(), payload);
        assert_eq!(version, event.schema_version());
        assert_eq!(from_stored::<E>(&event_type, same).unwrap(), event);
    }

    #[test]
    fn events_are_written_at_the_version_their_upcasters_reach() {
        reaches_its_version(UserEvent::UserCreated {
            user_id: "u1".into(),
            org_relations: vec![],
            pwd_must_modify: true,
            password_hash: None,
            created_at: 1,
            personal: UserProfile::default(),
            claimed: vec![],
            account: Default::default(),
        });
        reaches_its_version(UserEvent::UserUpdated {
            user_id: "u1".into(),
            org_relations: vec![],
            pwd_must_modify: true,
            changed: vec!["nickname".into()],
            updated_at: 1,
            personal: UserProfile::default(),
            claimed: vec![],
            account: Default::default(),
        });
        reaches_its_version(UserEvent::UserDisabled {
            user_id: "u1".into(),
            at: 1,
        });
        reaches_its_version(OrganizationEvent::OrganizationCreated {
            org_id: "o1".into(),
            code: "c".into(),
            name: "n".into(),
            parent_id: None,
            category: "department".into(),
            created_at: 1,
            name_claimed: false,
            details: Default::default(),
        });
        reaches_its_version(OrganizationEvent::OrganizationUpdated {
            org_id: "o1".into(),
            code: "c".into(),
            name: "n".into(),
            parent_id: None,
            category: "department".into(),
            changed: vec!["name".into()],
            updated_at: 1,
            name_claimed: true,
            details: Default::default(),
        });
        reaches_its_version(OrganizationEvent::OrganizationDeleted {
            org_id: "o1".into(),
            deleted_at: 1,
        });
        reaches_its_version(TenantEvent::UserAttributesChanged {
            rules: UserAttributeRules::default(),
        });
    }

    #[test]
    fn an_event_without_upcasters_is_left_as_stored() {
        let payload = serde_json::json!({"user_id": "u1", "at": 1});
        assert_eq!(
            upcast(&registered(), "user.disabled", 1, payload.clone()),
            (1, payload)
        );
    }
}
