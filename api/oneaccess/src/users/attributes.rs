//! The OneAccess names of the user attributes (specs/oneaccess.md §2.2 Tables 3-8 and 3-14, the
//! field to error-code map of §4.12) and the domain attribute each stands for (ADR 0009 keeps the
//! whole OneAccess ↔ Inspur ↔ Hainan table).

use domain::user::UserField;

/// OneAccess wire name → domain attribute, in the domain's order.
pub const WIRE_NAMES: [(&str, UserField); 19] = [
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

/// The OneAccess name of a domain attribute.
pub fn wire_name(field: UserField) -> &'static str {
    WIRE_NAMES
        .iter()
        .find(|(_, f)| *f == field)
        .map_or("", |(name, _)| name)
}

/// The domain attribute of a OneAccess name.
pub fn field(wire_name: &str) -> Option<UserField> {
    WIRE_NAMES
        .iter()
        .find(|(name, _)| *name == wire_name)
        .map(|(_, f)| *f)
}

/// The given attributes of a request body, from (wire name, value) pairs, in the domain's order
/// (the order the domain checks them in, so the first error reported stays the same).
pub fn given<const N: usize>(
    values: [(&'static str, Option<String>); N],
) -> Vec<(UserField, String)> {
    let mut given: Vec<(UserField, String)> = values
        .into_iter()
        .filter_map(|(name, value)| Some((field(name)?, value?)))
        .collect();
    given.sort_by_key(|(f, _)| UserField::ALL.iter().position(|a| a == f));
    given
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_domain_attribute_has_exactly_one_oneaccess_name() {
        for field in UserField::ALL {
            let names = WIRE_NAMES.iter().filter(|(_, f)| *f == field).count();
            assert_eq!(names, 1, "{field:?}");
            assert_eq!(super::field(wire_name(field)), Some(field));
        }
    }
}
