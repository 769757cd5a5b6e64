//! Version 1 of the attribute vocabulary. Until ADR 0009 the domain named user attributes by their
//! OneAccess wire names (`user_name`, `attr_nick_name`…), and stored data still does: the sealed
//! `personal` payloads and `changed` lists of `user.created`/`user.updated` at schema version 1,
//! the attribute rules of `tenant.user_attributes_changed` at version 1, and the attribute names
//! applications release. This table is frozen: it describes data already written, so it never
//! follows a change of the OneAccess dialect (whose mapping lives in the OneAccess crate).

use serde_json::{Map, Value};

use super::UserField;
use crate::upcast::{FnUpcaster, Upcaster};

const V1_NAMES: [(&str, UserField); 19] = [
    ("user_name", UserField::Username),
    ("name", UserField::DisplayName),
    ("mobile", UserField::Mobile),
    ("email", UserField::Email),
    ("first_name", UserField::FirstName),
    ("middle_name", UserField::MiddleName),
    ("last_name", UserField::LastName),
    ("attr_nick_name", UserField::Nickname),
    ("attr_birthday", UserField::BirthDate),
    ("attr_gender", UserField::Gender),
    ("attr_identity_type", UserField::IdentityType),
    ("attr_identity_number", UserField::IdentityNumber),
    ("attr_area", UserField::CountryOrRegion),
    ("attr_city", UserField::City),
    ("employee_id", UserField::EmployeeId),
    ("attr_manager_id", UserField::ManagerId),
    ("attr_user_type", UserField::EmploymentType),
    ("attr_hire_date", UserField::HireDate),
    ("attr_work_place", UserField::Workplace),
];

/// The relation list was `user_org_relation_list` in a v1 `changed` list.
const V1_RELATIONS: &str = "user_org_relation_list";

/// The attribute a version-1 name stood for.
pub fn field_of_v1_name(name: &str) -> Option<UserField> {
    V1_NAMES.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// The attribute a name stands for: its canonical name, or (for settings and release lists
/// written before the canonical names) its version-1 name.
pub fn field_of_any_name(name: &str) -> Option<UserField> {
    UserField::from_name(name).or_else(|| field_of_v1_name(name))
}

fn renamed_personal(personal: Map<String, Value>) -> Map<String, Value> {
    personal
        .into_iter()
        .map(|(key, value)| match field_of_v1_name(&key) {
            Some(field) => (field.name().to_string(), value),
            None => (key, value),
        })
        .collect()
}

/// `personal` with canonical keys. An erased subject's `{"erased": true}` has none to rename.
fn upcast_personal(mut payload: Value) -> Value {
    if let Some(Value::Object(personal)) = payload.get_mut("personal") {
        *personal = renamed_personal(std::mem::take(personal));
    }
    payload
}

fn upcast_updated(payload: Value) -> Value {
    let mut payload = upcast_personal(payload);
    if let Some(Value::Array(changed)) = payload.get_mut("changed") {
        for name in changed.iter_mut() {
            let renamed = match name.as_str() {
                Some(V1_RELATIONS) => Some(super::CHANGED_RELATIONS),
                Some(other) => field_of_v1_name(other).map(UserField::name),
                None => None,
            };
            if let Some(renamed) = renamed {
                *name = Value::String(renamed.to_string());
            }
        }
    }
    payload
}

/// Attribute rules with canonical keys. A v1 key that is only a canonical name (`nickname`)
/// governed nothing in v1, so it is dropped rather than brought to life by the rename.
fn upcast_rules(mut payload: Value) -> Value {
    if let Some(Value::Object(rules)) = payload.get_mut("rules") {
        let v1 = std::mem::take(rules);
        for (key, rule) in v1 {
            match field_of_v1_name(&key) {
                Some(field) => {
                    rules.insert(field.name().to_string(), rule);
                }
                None if UserField::from_name(&key).is_some() => {}
                None => {
                    rules.insert(key, rule);
                }
            }
        }
    }
    payload
}

pub fn upcasters() -> Vec<Box<dyn Upcaster>> {
    vec![
        Box::new(FnUpcaster {
            event_type: "user.created",
            reads_version: 1,
            upcast: upcast_personal,
        }),
        Box::new(FnUpcaster {
            event_type: "user.updated",
            reads_version: 1,
            upcast: upcast_updated,
        }),
        Box::new(FnUpcaster {
            event_type: "tenant.user_attributes_changed",
            reads_version: 1,
            upcast: upcast_rules,
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::from_stored;
    use crate::tenant::{AttributeRule, TenantEvent};
    use crate::upcast::{registered, upcast};
    use crate::user::{User, UserEvent};
    use crate::{Aggregate, ClaimKind};
    use serde_json::json;

    fn v1_personal() -> Value {
        json!({
            "user_name": "zhangsan", "name": "Zhang San", "mobile": "12345678901",
            "email": "zs@example.com", "employee_id": "E001", "first_name": "San",
            "middle_name": null, "last_name": "Zhang", "attr_gender": "male",
            "attr_birthday": "1990-02-01", "attr_nick_name": "zs", "attr_identity_type": "id_card",
            "attr_identity_number": "110101199002010011", "attr_area": "CN", "attr_city": "Shenzhen",
            "attr_manager_id": "123456789", "attr_user_type": "regular",
            "attr_hire_date": "2020-01-01", "attr_work_place": "Bantian",
            "extension": {"badge": "B7"}
        })
    }

    fn load(event_type: &str, payload: Value) -> UserEvent {
        let (version, payload) = upcast(&registered(), event_type, 1, payload);
        assert_eq!(version, 2);
        from_stored(event_type, payload).expect("a v1 payload reads as the v2 shape")
    }

    #[test]
    fn a_v1_user_created_reads_with_canonical_attribute_names() {
        let event = load(
            "user.created",
            json!({"user_id": "u1", "org_relations": [], "pwd_must_modify": true,
                   "password_hash": null, "created_at": 5, "personal": v1_personal(),
                   "claimed": ["user.user_name", "user.mobile", "user.attr_identity_number"]}),
        );
        let user = User::from_events([&event]);
        let p = &user.profile;
        assert_eq!(
            (p.username.as_str(), p.display_name.as_str()),
            ("zhangsan", "Zhang San")
        );
        assert_eq!(p.nickname.as_deref(), Some("zs"));
        assert_eq!(p.birth_date.as_deref(), Some("1990-02-01"));
        assert_eq!(p.identity_number.as_deref(), Some("110101199002010011"));
        assert_eq!(p.country_or_region.as_deref(), Some("CN"));
        assert_eq!(p.employment_type.as_deref(), Some("regular"));
        assert_eq!(p.workplace.as_deref(), Some("Bantian"));
        assert_eq!(p.extension["badge"], "B7");
        assert_eq!(
            user.held_claims,
            [
                ClaimKind::UserName,
                ClaimKind::UserMobile,
                ClaimKind::UserIdentityNumber
            ]
        );
    }

    #[test]
    fn a_v1_user_updated_renames_its_changed_list_too() {
        let event = load(
            "user.updated",
            json!({"user_id": "u1", "org_relations": [], "pwd_must_modify": false,
                   "changed": ["attr_nick_name", "name", "user_org_relation_list",
                               "pwd_must_modify", "extension", "mobile"],
                   "updated_at": 6, "personal": v1_personal(), "claimed": []}),
        );
        let UserEvent::UserUpdated {
            changed, personal, ..
        } = event
        else {
            panic!("an update");
        };
        assert_eq!(
            changed,
            [
                "nickname",
                "display_name",
                "org_relations",
                "pwd_must_modify",
                "extension",
                "mobile"
            ]
        );
        assert_eq!(personal.city.as_deref(), Some("Shenzhen"));
    }

    #[test]
    fn an_erased_subject_upcasts_to_an_empty_profile() {
        let event = load(
            "user.created",
            json!({"user_id": "u1", "org_relations": [], "pwd_must_modify": true,
                   "password_hash": null, "created_at": 5, "personal": {"erased": true},
                   "claimed": []}),
        );
        assert_eq!(User::from_events([&event]).profile.username, "");
    }

    #[test]
    fn v1_attribute_rules_read_under_canonical_names() {
        let rule = |required| json!({"required": required, "unique": true, "pattern": null});
        let (version, payload) = upcast(
            &registered(),
            "tenant.user_attributes_changed",
            1,
            json!({"rules": {"user_name": rule(true), "attr_identity_number": rule(true),
                             "extension.badge": rule(false), "nickname": rule(true),
                             "shoe_size": rule(false)}}),
        );
        assert_eq!(version, 2);
        let TenantEvent::UserAttributesChanged { rules } =
            from_stored("tenant.user_attributes_changed", payload).unwrap()
        else {
            panic!("rules");
        };
        let keys: Vec<&str> = rules.0.keys().map(String::as_str).collect();
        // `nickname` meant nothing in v1 and stays without effect; unknown keys stay as they were.
        assert_eq!(
            keys,
            [
                "extension.badge",
                "identity_number",
                "shoe_size",
                "username"
            ]
        );
        assert_eq!(
            rules.rule("identity_number"),
            AttributeRule {
                required: true,
                unique: true,
                pattern: None
            }
        );
    }

    #[test]
    fn every_attribute_has_one_v1_name() {
        for field in UserField::ALL {
            let names: Vec<&str> = V1_NAMES
                .iter()
                .filter(|(_, f)| *f == field)
                .map(|(n, _)| *n)
                .collect();
            assert_eq!(names.len(), 1, "{field:?}");
            assert_eq!(field_of_any_name(names[0]), Some(field));
            assert_eq!(field_of_any_name(field.name()), Some(field));
        }
    }
}
