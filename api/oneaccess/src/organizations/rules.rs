//! OneAccess's own input rules for organisations (specs/oneaccess.md §2.3, Tables 3-66 and 3-71):
//! a code of Chinese or English letters, digits, `_` and `-`, at most 64 characters (ORG.0014),
//! and one of four categories, `department` by default (ORG.0018). The domain stores any plain
//! code and category, since Inspur and Hainan have other vocabularies (ADR 0009); these rules are
//! checked here, in the order the OneAccess service reports them, with the domain's own checks
//! (code and name required, name format) in between so that the first error stays the same.

use domain::organization::{check_code, check_name, OrganizationError};
use domain::values::is_org_code;
use usecases::organizations::OrgChange;
use usecases::ServiceError;

use crate::error::OneAccessError;

/// The organisation categories (Table 3-66 `category`).
pub const CATEGORIES: &[&str] = &["department", "company", "unit", "group"];
pub const DEFAULT_CATEGORY: &str = "department";

fn refused(error: OrganizationError) -> OneAccessError {
    ServiceError::from(error).into()
}

fn check_oneaccess_code(code: &str) -> Result<(), OneAccessError> {
    check_code(code).map_err(refused)?;
    if !is_org_code(code) {
        return Err(refused(OrganizationError::InvalidCode));
    }
    Ok(())
}

/// A category given (empty means none), if it is one of the four.
fn check_category(category: Option<String>) -> Result<Option<String>, OneAccessError> {
    match category.filter(|c| !c.is_empty()) {
        Some(c) if !CATEGORIES.contains(&c.as_str()) => {
            Err(refused(OrganizationError::InvalidCategory))
        }
        other => Ok(other),
    }
}

/// A create body (#14): code, name, category; a missing category is `department`.
pub fn for_create(mut change: OrgChange) -> Result<OrgChange, OneAccessError> {
    check_oneaccess_code(change.code.as_deref().unwrap_or_default())?;
    check_name(change.name.as_deref().unwrap_or_default()).map_err(refused)?;
    change.category =
        Some(check_category(change.category)?.unwrap_or_else(|| DEFAULT_CATEGORY.to_string()));
    Ok(change)
}

/// An update body (#15): only the fields given (non-empty) are checked.
pub fn for_update(mut change: OrgChange) -> Result<OrgChange, OneAccessError> {
    if let Some(code) = change.code.as_deref().filter(|c| !c.is_empty()) {
        check_oneaccess_code(code)?;
    }
    if let Some(name) = change.name.as_deref().filter(|n| !n.is_empty()) {
        check_name(name).map_err(refused)?;
    }
    change.category = check_category(change.category)?;
    Ok(change)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(code: &str, name: &str, category: Option<&str>) -> OrgChange {
        OrgChange {
            code: Some(code.into()),
            name: Some(name.into()),
            parent_id: None,
            category: category.map(str::to_string),
            details: Default::default(),
        }
    }

    fn code_of(result: Result<OrgChange, OneAccessError>) -> &'static str {
        result.err().map_or("ok", |e| e.code)
    }

    #[test]
    fn create_reports_the_first_broken_rule_in_the_documented_order() {
        let cases = [
            (change("", "", Some("team")), "ORG.0010"),
            (change("has space", "", Some("team")), "ORG.0014"),
            (change(&"a".repeat(65), "n", None), "ORG.0014"),
            (change("c", " ", Some("team")), "ORG.0011"),
            (change("c", "bad/name", Some("team")), "ORG.0015"),
            (change("c", "n", Some("team")), "ORG.0018"),
            (change("总部_1-a", "n", Some("group")), "ok"),
        ];
        for (given, code) in cases {
            assert_eq!(code_of(for_create(given)), code);
        }
        let defaulted = for_create(change("c", "n", Some(""))).ok().unwrap();
        assert_eq!(defaulted.category.as_deref(), Some("department"));
    }

    #[test]
    fn update_checks_only_what_it_is_given() {
        assert_eq!(code_of(for_update(change("", "", None))), "ok");
        assert_eq!(
            code_of(for_update(change("a b", "", Some("x")))),
            "ORG.0014"
        );
        assert_eq!(
            code_of(for_update(change("", "a/b", Some("x")))),
            "ORG.0015"
        );
        assert_eq!(code_of(for_update(change("", "", Some("x")))), "ORG.0018");
        let kept = for_update(change("", "", Some(""))).ok().unwrap();
        assert_eq!(kept.category, None);
    }
}
