//! The personal attributes of a user (their formats follow specs/oneaccess.md §2.2; ADR 0009 maps
//! them to every dialect). They travel sealed in event payloads under the `personal` key.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::values;

/// The user attributes of the domain, in the order their rules are checked. Each has a canonical
/// name (plain snake_case English, ADR 0009): the key in the sealed `personal` payload, in the
/// tenant's attribute rules and in the `changed` list of `user.updated`. Dialects map their own
/// wire names onto these (the OneAccess mapping is in the OneAccess crate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserField {
    Username,
    DisplayName,
    Mobile,
    Email,
    FirstName,
    MiddleName,
    LastName,
    Nickname,
    BirthDate,
    Gender,
    IdentityType,
    IdentityNumber,
    CountryOrRegion,
    City,
    EmployeeId,
    ManagerId,
    EmploymentType,
    HireDate,
    Workplace,
}

impl UserField {
    pub const ALL: [UserField; 19] = [
        Self::Username,
        Self::DisplayName,
        Self::Mobile,
        Self::Email,
        Self::FirstName,
        Self::MiddleName,
        Self::LastName,
        Self::Nickname,
        Self::BirthDate,
        Self::Gender,
        Self::IdentityType,
        Self::IdentityNumber,
        Self::CountryOrRegion,
        Self::City,
        Self::EmployeeId,
        Self::ManagerId,
        Self::EmploymentType,
        Self::HireDate,
        Self::Workplace,
    ];

    /// The attribute's canonical name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Username => "username",
            Self::DisplayName => "display_name",
            Self::Mobile => "mobile",
            Self::Email => "email",
            Self::FirstName => "first_name",
            Self::MiddleName => "middle_name",
            Self::LastName => "last_name",
            Self::Nickname => "nickname",
            Self::BirthDate => "birth_date",
            Self::Gender => "gender",
            Self::IdentityType => "identity_type",
            Self::IdentityNumber => "identity_number",
            Self::CountryOrRegion => "country_or_region",
            Self::City => "city",
            Self::EmployeeId => "employee_id",
            Self::ManagerId => "manager_id",
            Self::EmploymentType => "employment_type",
            Self::HireDate => "hire_date",
            Self::Workplace => "workplace",
        }
    }

    /// The attribute of a canonical name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether a present value has the right format.
    pub fn is_valid(self, value: &str) -> bool {
        match self {
            Self::Username => values::is_user_name(value),
            Self::DisplayName
            | Self::FirstName
            | Self::MiddleName
            | Self::LastName
            | Self::Nickname => values::is_display_name(value),
            Self::Mobile => values::is_mobile(value),
            Self::Email => values::is_email(value),
            Self::BirthDate | Self::HireDate => values::is_date(value),
            Self::Gender => values::GENDERS.contains(&value),
            Self::IdentityType => values::IDENTITY_TYPES.contains(&value),
            Self::EmploymentType => values::USER_TYPES.contains(&value),
            Self::IdentityNumber | Self::EmployeeId | Self::ManagerId => {
                values::is_identifier(value)
            }
            Self::CountryOrRegion => values::is_area(value),
            Self::City | Self::Workplace => values::is_short_text(value),
        }
    }

    /// The form in which uniqueness is judged (case-insensitive for names and emails).
    pub fn normalise(self, value: &str) -> String {
        match self {
            Self::Username | Self::Email => value.trim().to_lowercase(),
            _ => value.trim().to_string(),
        }
    }
}

/// A user's personal attributes under their canonical names (schema version 2 of `user.created`
/// and `user.updated`; version 1 payloads are upcast, see `v1`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserProfile {
    pub username: String,
    pub display_name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub employee_id: Option<String>,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    pub nickname: Option<String>,
    pub identity_type: Option<String>,
    pub identity_number: Option<String>,
    pub country_or_region: Option<String>,
    pub city: Option<String>,
    pub manager_id: Option<String>,
    pub employment_type: Option<String>,
    pub hire_date: Option<String>,
    pub workplace: Option<String>,
    pub extension: Map<String, Value>,
}

impl UserProfile {
    pub fn get(&self, field: UserField) -> Option<&str> {
        let value = match field {
            UserField::Username => {
                return Some(&self.username)
                    .filter(|v| !v.is_empty())
                    .map(|v| v.as_str())
            }
            UserField::DisplayName => {
                return Some(&self.display_name)
                    .filter(|v| !v.is_empty())
                    .map(|v| v.as_str())
            }
            UserField::Mobile => &self.mobile,
            UserField::Email => &self.email,
            UserField::FirstName => &self.first_name,
            UserField::MiddleName => &self.middle_name,
            UserField::LastName => &self.last_name,
            UserField::Nickname => &self.nickname,
            UserField::BirthDate => &self.birth_date,
            UserField::Gender => &self.gender,
            UserField::IdentityType => &self.identity_type,
            UserField::IdentityNumber => &self.identity_number,
            UserField::CountryOrRegion => &self.country_or_region,
            UserField::City => &self.city,
            UserField::EmployeeId => &self.employee_id,
            UserField::ManagerId => &self.manager_id,
            UserField::EmploymentType => &self.employment_type,
            UserField::HireDate => &self.hire_date,
            UserField::Workplace => &self.workplace,
        };
        value.as_deref().filter(|v| !v.is_empty())
    }

    pub fn set(&mut self, field: UserField, value: String) {
        let slot = match field {
            UserField::Username => {
                self.username = value;
                return;
            }
            UserField::DisplayName => {
                self.display_name = value;
                return;
            }
            UserField::Mobile => &mut self.mobile,
            UserField::Email => &mut self.email,
            UserField::FirstName => &mut self.first_name,
            UserField::MiddleName => &mut self.middle_name,
            UserField::LastName => &mut self.last_name,
            UserField::Nickname => &mut self.nickname,
            UserField::BirthDate => &mut self.birth_date,
            UserField::Gender => &mut self.gender,
            UserField::IdentityType => &mut self.identity_type,
            UserField::IdentityNumber => &mut self.identity_number,
            UserField::CountryOrRegion => &mut self.country_or_region,
            UserField::City => &mut self.city,
            UserField::EmployeeId => &mut self.employee_id,
            UserField::ManagerId => &mut self.manager_id,
            UserField::EmploymentType => &mut self.employment_type,
            UserField::HireDate => &mut self.hire_date,
            UserField::Workplace => &mut self.workplace,
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
