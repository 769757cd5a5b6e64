//! User request and response bodies (specs/oneaccess.md §2.2): request relations in camelCase
//! (`orgCode`, `relationType`), responses in snake_case, nulls written out.

use domain::user::UserInput;
use projections::users::UserRow;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::attributes;
use crate::body::{flag, text, wire_time};
use crate::error::OneAccessError;
use usecases::users::UserRequest;

/// `UserOrgRelationListOption`: `relationType` may be a number or a string.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RelationOption {
    /// The organisation's code (not its id); also read as `org_code`.
    #[serde(
        rename = "orgCode",
        alias = "org_code",
        default,
        deserialize_with = "text"
    )]
    pub org_code: Option<String>,
    /// 1 primary (exactly one), 0 secondary (at most nine), as a number or a string; also read
    /// as `relation_type`.
    #[serde(
        rename = "relationType",
        alias = "relation_type",
        default,
        deserialize_with = "text"
    )]
    pub relation_type: Option<String>,
}

/// The update table types the relation list as one object while the example sends an array
/// (§5.4 #40): both are accepted. A relation without `orgCode` or a numeric `relationType` is
/// PARAM.0029.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub enum RelationList {
    Many(Vec<RelationOption>),
    One(RelationOption),
}

fn relation_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<RelationOption>>, D::Error> {
    Ok(Option::<RelationList>::deserialize(d)?.map(|v| match v {
        RelationList::Many(list) => list,
        RelationList::One(one) => vec![one],
    }))
}

/// Create (Table 3-8) and update (Table 3-14) bodies; update ignores `password`. Which attributes
/// are required, unique or checked by a pattern is the tenant's user-attribute configuration
/// (USER.0008–USER.0056); by default `user_name` and `mobile` are required on create.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct UserBody {
    #[serde(default, deserialize_with = "text")]
    pub user_name: Option<String>,
    /// Checked against the tenant's password policy (PWD.*); ignored on update.
    #[serde(default, deserialize_with = "text")]
    pub password: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub mobile: Option<String>,
    /// The code of the user's primary organisation.
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
    /// Whether the password must be changed at the next sign-in (also "true" or "false").
    #[serde(default, deserialize_with = "flag")]
    pub pwd_must_modify: Option<bool>,
    /// `unknown`, `male` or `female`.
    #[serde(default, deserialize_with = "text")]
    pub attr_gender: Option<String>,
    /// `yyyy-MM-dd`.
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
    /// The user's organisations; given, it replaces them all.
    #[serde(default, deserialize_with = "relation_list")]
    #[schema(value_type = Option<RelationList>)]
    pub user_org_relation_list: Option<Vec<RelationOption>>,
    /// Custom extension attributes.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
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

/// `UserOrgRelationListResult`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelationResult {
    pub org_id: String,
    /// 1 primary, 0 secondary.
    pub relation_type: u8,
}

/// `UsersDetailsResult` (Tables 3-41, 3-46, 3-52), in the documented key order; times are
/// `yyyy-MM-dd HH:mm:ss.SSS` in the server's configured zone.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDetail {
    pub user_id: String,
    /// The primary organisation's id.
    #[schema(required = true)]
    pub org_id: Option<String>,
    pub user_name: String,
    pub name: String,
    #[schema(required = true)]
    pub mobile: Option<String>,
    #[schema(required = true)]
    pub email: Option<String>,
    pub pwd_must_modify: bool,
    /// Null until the password is first changed.
    #[schema(required = true)]
    pub pwd_change_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub disabled: bool,
    /// The trust level.
    pub grade: i64,
    /// Whether sign-in failures have locked the account now.
    pub locked: bool,
    /// The custom extension attributes, with the extended-field values set through the Inspur
    /// API by field name.
    #[schema(value_type = Object)]
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
#[derive(Debug, Serialize, ToSchema)]
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
