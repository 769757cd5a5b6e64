//! User request and response bodies (specs/oneaccess.md §2.2): request relations in camelCase
//! (`orgCode`, `relationType`), responses in snake_case, nulls written out.

use domain::user::UserInput;
use projections::users::UserRow;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::attributes;
use crate::body::{flag, text, wire_time};
use crate::error::OneAccessError;
use usecases::users::UserRequest;

/// `UserOrgRelationListOption`: `relationType` may be a number or a string.
#[derive(Debug, Deserialize)]
pub struct RelationOption {
    #[serde(
        rename = "orgCode",
        alias = "org_code",
        default,
        deserialize_with = "text"
    )]
    pub org_code: Option<String>,
    #[serde(
        rename = "relationType",
        alias = "relation_type",
        default,
        deserialize_with = "text"
    )]
    pub relation_type: Option<String>,
}

/// The update table types the relation list as one object while the example sends an array
/// (§5.4 #40): accept both.
fn relation_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<RelationOption>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<RelationOption>),
        One(RelationOption),
    }
    Ok(Option::<OneOrMany>::deserialize(d)?.map(|v| match v {
        OneOrMany::Many(list) => list,
        OneOrMany::One(one) => vec![one],
    }))
}

/// Create (Table 3-8) and update (Table 3-14) bodies; update ignores `password`.
#[derive(Debug, Default, Deserialize)]
pub struct UserBody {
    #[serde(default, deserialize_with = "text")]
    pub user_name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub password: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub mobile: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub org_code: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub employee_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub middle_name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    pub pwd_must_modify: Option<bool>,
    #[serde(default, deserialize_with = "text")]
    pub attr_gender: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub attr_birthday: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub attr_nick_name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub attr_identity_type: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub attr_identity_number: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub attr_area: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub attr_city: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub attr_manager_id: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub attr_user_type: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub attr_hire_date: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub attr_work_place: Option<String>,
    #[serde(default, deserialize_with = "relation_list")]
    pub user_org_relation_list: Option<Vec<RelationOption>>,
    #[serde(default)]
    pub extension: Option<Map<String, Value>>,
}

impl UserBody {
    pub fn into_request(self) -> Result<UserRequest, OneAccessError> {
        let fields = attributes::given([
            ("user_name", self.user_name),
            ("name", self.name),
            ("mobile", self.mobile),
            ("email", self.email),
            ("first_name", self.first_name),
            ("middle_name", self.middle_name),
            ("last_name", self.last_name),
            ("attr_nick_name", self.attr_nick_name),
            ("attr_birthday", self.attr_birthday),
            ("attr_gender", self.attr_gender),
            ("attr_identity_type", self.attr_identity_type),
            ("attr_identity_number", self.attr_identity_number),
            ("attr_area", self.attr_area),
            ("attr_city", self.attr_city),
            ("employee_id", self.employee_id),
            ("attr_manager_id", self.attr_manager_id),
            ("attr_user_type", self.attr_user_type),
            ("attr_hire_date", self.attr_hire_date),
            ("attr_work_place", self.attr_work_place),
        ]);
        let relations = match self.user_org_relation_list {
            None => None,
            Some(list) => {
                let mut out = Vec::with_capacity(list.len());
                for relation in list {
                    let code = relation.org_code.filter(|c| !c.is_empty());
                    let kind = relation
                        .relation_type
                        .and_then(|t| t.trim().parse::<i64>().ok());
                    match (code, kind) {
                        (Some(code), Some(kind)) => out.push((code, kind)),
                        _ => return Err(OneAccessError::new("PARAM.0029")),
                    }
                }
                Some(out)
            }
        };
        Ok(UserRequest {
            input: UserInput {
                fields,
                extension: self.extension,
                ..UserInput::default()
            },
            password: self.password,
            pwd_must_modify: self.pwd_must_modify,
            org_code: self.org_code,
            relations,
        })
    }
}

#[derive(Debug, Serialize)]
pub struct RelationResult {
    pub org_id: String,
    pub relation_type: u8,
}

/// `UsersDetailsResult` (Tables 3-41, 3-46, 3-52), in the documented key order.
#[derive(Debug, Serialize)]
pub struct UserDetail {
    pub user_id: String,
    pub org_id: Option<String>,
    pub user_name: String,
    pub name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub pwd_must_modify: bool,
    pub pwd_change_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub disabled: bool,
    pub grade: i64,
    pub locked: bool,
    pub extension: Map<String, Value>,
    pub user_org_relation_list: Vec<RelationResult>,
}

impl UserDetail {
    pub fn from_row(row: UserRow, utc_offset_minutes: i32) -> Self {
        let time = |ms: i64| wire_time(ms, utc_offset_minutes);
        Self {
            user_id: row.user_id,
            org_id: row.org_id,
            user_name: row.profile.username,
            name: row.profile.display_name,
            mobile: row.profile.mobile,
            email: row.profile.email,
            pwd_must_modify: row.pwd_must_modify,
            pwd_change_at: row.pwd_change_at.map(time),
            created_at: time(row.created_at),
            updated_at: time(row.updated_at),
            disabled: row.disabled,
            grade: row.grade,
            locked: row.locked,
            extension: row.profile.extension,
            user_org_relation_list: row
                .relations
                .into_iter()
                .map(|r| RelationResult {
                    org_id: r.org_id,
                    relation_type: r.relation_type,
                })
                .collect(),
        }
    }
}

/// `{"user_id": …}`, the answer of every user mutation but delete.
#[derive(Debug, Serialize)]
pub struct UserIdBody {
    pub user_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::user::UserField;

    #[test]
    fn every_domain_attribute_is_read_from_its_oneaccess_name() {
        let mut body = Map::new();
        for (name, _) in attributes::WIRE_NAMES {
            body.insert(name.to_string(), Value::String(format!("v-{name}")));
        }
        let body: UserBody = serde_json::from_value(Value::Object(body)).unwrap();
        let request = body.into_request().unwrap();
        let fields: Vec<UserField> = request.input.fields.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, UserField::ALL);
        for (field, value) in request.input.fields {
            assert_eq!(value, format!("v-{}", attributes::wire_name(field)));
        }
    }
}
