//! The personal attributes of a user (specs/oneaccess.md §2.2, create/update attribute table).
//! They travel sealed in event payloads under the `personal` key.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::values;

/// The user attributes the management API accepts, in the order their rules are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserField {
    UserName,
    Name,
    Mobile,
    Email,
    FirstName,
    MiddleName,
    LastName,
    NickName,
    Birthday,
    Gender,
    IdentityType,
    IdentityNumber,
    Area,
    City,
    EmployeeId,
    ManagerId,
    UserType,
    HireDate,
    WorkPlace,
}

impl UserField {
    pub const ALL: [UserField; 19] = [
        Self::UserName,
        Self::Name,
        Self::Mobile,
        Self::Email,
        Self::FirstName,
        Self::MiddleName,
        Self::LastName,
        Self::NickName,
        Self::Birthday,
        Self::Gender,
        Self::IdentityType,
        Self::IdentityNumber,
        Self::Area,
        Self::City,
        Self::EmployeeId,
        Self::ManagerId,
        Self::UserType,
        Self::HireDate,
        Self::WorkPlace,
    ];

    /// The attribute's name on the wire and in the tenant's attribute rules.
    pub fn wire_name(self) -> &'static str {
        match self {
            Self::UserName => "user_name",
            Self::Name => "name",
            Self::Mobile => "mobile",
            Self::Email => "email",
            Self::FirstName => "first_name",
            Self::MiddleName => "middle_name",
            Self::LastName => "last_name",
            Self::NickName => "attr_nick_name",
            Self::Birthday => "attr_birthday",
            Self::Gender => "attr_gender",
            Self::IdentityType => "attr_identity_type",
            Self::IdentityNumber => "attr_identity_number",
            Self::Area => "attr_area",
            Self::City => "attr_city",
            Self::EmployeeId => "employee_id",
            Self::ManagerId => "attr_manager_id",
            Self::UserType => "attr_user_type",
            Self::HireDate => "attr_hire_date",
            Self::WorkPlace => "attr_work_place",
        }
    }

    /// Whether a present value has the right format.
    pub fn is_valid(self, value: &str) -> bool {
        match self {
            Self::UserName => values::is_user_name(value),
            Self::Name | Self::FirstName | Self::MiddleName | Self::LastName | Self::NickName => {
                values::is_display_name(value)
            }
            Self::Mobile => values::is_mobile(value),
            Self::Email => values::is_email(value),
            Self::Birthday | Self::HireDate => values::is_date(value),
            Self::Gender => values::GENDERS.contains(&value),
            Self::IdentityType => values::IDENTITY_TYPES.contains(&value),
            Self::UserType => values::USER_TYPES.contains(&value),
            Self::IdentityNumber | Self::EmployeeId | Self::ManagerId => {
                values::is_identifier(value)
            }
            Self::Area => values::is_area(value),
            Self::City | Self::WorkPlace => values::is_short_text(value),
        }
    }

    /// The form in which uniqueness is judged (case-insensitive for names and emails).
    pub fn normalise(self, value: &str) -> String {
        match self {
            Self::UserName | Self::Email => value.trim().to_lowercase(),
            _ => value.trim().to_string(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserProfile {
    pub user_name: String,
    pub name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub employee_id: Option<String>,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub attr_gender: Option<String>,
    pub attr_birthday: Option<String>,
    pub attr_nick_name: Option<String>,
    pub attr_identity_type: Option<String>,
    pub attr_identity_number: Option<String>,
    pub attr_area: Option<String>,
    pub attr_city: Option<String>,
    pub attr_manager_id: Option<String>,
    pub attr_user_type: Option<String>,
    pub attr_hire_date: Option<String>,
    pub attr_work_place: Option<String>,
    pub extension: Map<String, Value>,
}

impl UserProfile {
    pub fn get(&self, field: UserField) -> Option<&str> {
        let value = match field {
            UserField::UserName => {
                return Some(&self.user_name)
                    .filter(|v| !v.is_empty())
                    .map(|v| v.as_str())
            }
            UserField::Name => {
                return Some(&self.name)
                    .filter(|v| !v.is_empty())
                    .map(|v| v.as_str())
            }
            UserField::Mobile => &self.mobile,
            UserField::Email => &self.email,
            UserField::FirstName => &self.first_name,
            UserField::MiddleName => &self.middle_name,
            UserField::LastName => &self.last_name,
            UserField::NickName => &self.attr_nick_name,
            UserField::Birthday => &self.attr_birthday,
            UserField::Gender => &self.attr_gender,
            UserField::IdentityType => &self.attr_identity_type,
            UserField::IdentityNumber => &self.attr_identity_number,
            UserField::Area => &self.attr_area,
            UserField::City => &self.attr_city,
            UserField::EmployeeId => &self.employee_id,
            UserField::ManagerId => &self.attr_manager_id,
            UserField::UserType => &self.attr_user_type,
            UserField::HireDate => &self.attr_hire_date,
            UserField::WorkPlace => &self.attr_work_place,
        };
        value.as_deref().filter(|v| !v.is_empty())
    }

    pub fn set(&mut self, field: UserField, value: String) {
        let slot = match field {
            UserField::UserName => {
                self.user_name = value;
                return;
            }
            UserField::Name => {
                self.name = value;
                return;
            }
            UserField::Mobile => &mut self.mobile,
            UserField::Email => &mut self.email,
            UserField::FirstName => &mut self.first_name,
            UserField::MiddleName => &mut self.middle_name,
            UserField::LastName => &mut self.last_name,
            UserField::NickName => &mut self.attr_nick_name,
            UserField::Birthday => &mut self.attr_birthday,
            UserField::Gender => &mut self.attr_gender,
            UserField::IdentityType => &mut self.attr_identity_type,
            UserField::IdentityNumber => &mut self.attr_identity_number,
            UserField::Area => &mut self.attr_area,
            UserField::City => &mut self.attr_city,
            UserField::EmployeeId => &mut self.employee_id,
            UserField::ManagerId => &mut self.attr_manager_id,
            UserField::UserType => &mut self.attr_user_type,
            UserField::HireDate => &mut self.attr_hire_date,
            UserField::WorkPlace => &mut self.attr_work_place,
        };
        *slot = Some(value);
    }

    /// An extension attribute as text, if it is a non-empty scalar.
    pub fn extension_text(&self, key: &str) -> Option<String> {
        match self.extension.get(key)? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}
