//! The OneAccess error codes and their messages (specs/oneaccess.md §4), shared by the OneAccess
//! management and SDK surfaces and the hosted login pages, which show the same codes: English, or
//! Chinese when the request prefers it (DESIGN.md decisions), with `{0}` placeholders filled in.
//! `code_of` is the one mapping from application errors to these codes.

use std::collections::HashMap;
use std::sync::OnceLock;

use domain::app_account::AppAccountError;
use domain::app_organization::AppOrganizationError;
use domain::app_role::AppRoleError;
use domain::application::ApplicationError;
use domain::organization::OrganizationError;
use domain::password::PasswordViolation;
use domain::user::{UserError, UserField};
use domain::ClaimKind;
use serde::Deserialize;
use usecases::ServiceError;

/// A code with the arguments of its message.
#[derive(Debug, Clone, PartialEq)]
pub struct Coded {
    pub code: &'static str,
    pub args: Vec<String>,
}

impl Coded {
    pub fn new(code: &'static str) -> Self {
        Self {
            code,
            args: Vec::new(),
        }
    }

    pub fn with(code: &'static str, args: impl IntoIterator<Item = String>) -> Self {
        Self {
            code,
            args: args.into_iter().collect(),
        }
    }
}

#[derive(Deserialize)]
struct CatalogEntry {
    error_code: String,
    message: String,
    message_zh: String,
}

/// Codes the appendix lacks but the API needs (ADR 0002).
const EXTRA_CODES: &[(&str, &str, &str)] = &[
    ("PARAM.0000", "Invalid request body: {0}", "请求体无效：{0}"),
    (
        "ORG.0013",
        "Organization name already exists.",
        "组织名称已存在",
    ),
    (
        "ORG.0018",
        "Invalid organization category.",
        "组织类型不符合校验规则",
    ),
];

fn catalog() -> &'static HashMap<String, (String, String)> {
    static CATALOG: OnceLock<HashMap<String, (String, String)>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let entries: Vec<CatalogEntry> =
            serde_json::from_str(include_str!("error_codes.json")).unwrap_or_default();
        let mut map: HashMap<String, (String, String)> = entries
            .into_iter()
            .map(|e| (e.error_code, (e.message, e.message_zh)))
            .collect();
        for (code, en, zh) in EXTRA_CODES {
            map.insert(code.to_string(), (en.to_string(), zh.to_string()));
        }
        map
    })
}

fn fill(template: &str, args: &[String]) -> String {
    args.iter()
        .enumerate()
        .fold(template.to_string(), |text, (i, arg)| {
            text.replace(&format!("{{{i}}}"), arg)
        })
}

/// The message of a code in the requested language.
pub fn message(code: &str, args: &[String], chinese: bool) -> String {
    match catalog().get(code) {
        Some((en, zh)) => fill(if chinese { zh } else { en }, args),
        None => code.to_string(),
    }
}

fn required_code(field: UserField) -> &'static str {
    match field {
        UserField::Username => "USER.0008",
        UserField::DisplayName => "USER.0009",
        UserField::Mobile => "USER.0010",
        UserField::Email => "USER.0011",
        UserField::FirstName => "USER.0012",
        UserField::MiddleName => "USER.0013",
        UserField::LastName => "USER.0014",
        UserField::Nickname => "USER.0015",
        UserField::BirthDate => "USER.0016",
        UserField::Gender => "USER.0017",
        UserField::IdentityType => "USER.0018",
        UserField::IdentityNumber => "USER.0019",
        UserField::CountryOrRegion => "USER.0020",
        UserField::City => "USER.0021",
        UserField::EmployeeId => "USER.0022",
        UserField::ManagerId => "USER.0024",
        // The appendix has no "required" code for the personnel type (§4.11).
        UserField::EmploymentType => "USER.0053",
        UserField::HireDate => "USER.0026",
        UserField::Workplace => "USER.0027",
    }
}

fn invalid_code(field: UserField) -> &'static str {
    match field {
        UserField::Username => "USER.0036",
        UserField::DisplayName => "USER.0037",
        UserField::Mobile => "USER.0038",
        UserField::Email => "USER.0039",
        UserField::FirstName => "USER.0040",
        UserField::MiddleName => "USER.0041",
        UserField::LastName => "USER.0042",
        UserField::Nickname => "USER.0043",
        UserField::BirthDate => "USER.0044",
        UserField::Gender => "USER.0045",
        UserField::IdentityType => "USER.0046",
        UserField::IdentityNumber => "USER.0047",
        UserField::CountryOrRegion => "USER.0048",
        UserField::City => "USER.0049",
        UserField::EmployeeId => "USER.0050",
        UserField::ManagerId => "USER.0052",
        UserField::EmploymentType => "USER.0053",
        UserField::HireDate => "USER.0054",
        UserField::Workplace => "USER.0055",
    }
}

fn password_error(violation: PasswordViolation) -> Coded {
    match violation {
        PasswordViolation::ReusedFromHistory => Coded::new("PWD.0001"),
        PasswordViolation::ReversedUserName => Coded::new("PWD.0002"),
        PasswordViolation::ContainsPersonalInfo => Coded::new("PWD.0003"),
        PasswordViolation::TooSimple => Coded::new("PWD.0004"),
        PasswordViolation::OnWeakList => Coded::new("PWD.0005"),
        PasswordViolation::TooManyRepeated(n) => Coded::with("PWD.0006", [n.to_string()]),
        PasswordViolation::Length(min, max) => {
            Coded::with("PWD.0007", [min.to_string(), max.to_string()])
        }
        PasswordViolation::Required => Coded::new("PWD.0008"),
    }
}

fn user_error(error: UserError) -> Coded {
    match error {
        UserError::NotFound | UserError::AlreadyErased => Coded::new("USER.0001"),
        UserError::AlreadyExists => Coded::new("COM.0002"),
        UserError::Required(field) => Coded::new(required_code(field)),
        UserError::Invalid(field) => Coded::new(invalid_code(field)),
        UserError::ExtensionRequired(key) => Coded::with("USER.0028", [key]),
        UserError::ExtensionInvalid(key) => Coded::with("USER.0056", [key]),
        UserError::InvalidOrgRelations => Coded::new("PARAM.0029"),
        UserError::Password(violation) => password_error(violation),
        UserError::OldPasswordRequired => Coded::new("PARAM.0018"),
        UserError::NewPasswordRequired => Coded::new("PARAM.0019"),
        UserError::SamePassword => Coded::new("PARAM.0020"),
        UserError::OldPasswordIncorrect => Coded::new("PARAM.0028"),
        // OneAccess never sends account details (Inspur's external id, user type, remark).
        UserError::InvalidAccount => Coded::new("COM.0002"),
    }
}

fn organization_error(error: OrganizationError) -> Coded {
    Coded::new(match error {
        OrganizationError::NotFound => "ORG.0001",
        OrganizationError::AlreadyExists => "COM.0002",
        OrganizationError::ParentNotFound => "ORG.0002",
        OrganizationError::CodeRequired => "ORG.0010",
        OrganizationError::NameRequired => "ORG.0011",
        OrganizationError::InvalidCode => "ORG.0014",
        OrganizationError::InvalidName => "ORG.0015",
        OrganizationError::InvalidCategory => "ORG.0018",
        OrganizationError::CannotDelete => "ORG.0016",
        OrganizationError::ParentIsSelf => "ORG.0017",
        // OneAccess never sends the details (Inspur's external id, order, description).
        OrganizationError::InvalidDetails | OrganizationError::InvalidGovProfile(_) => "COM.0002",
    })
}

fn application_error(error: ApplicationError) -> Coded {
    Coded::new(match error {
        ApplicationError::NotFound => "APP.0001",
        ApplicationError::IdRequired => "APP.0002",
        ApplicationError::Disabled => "APP.0003",
        ApplicationError::AlreadyExists
        | ApplicationError::InvalidName
        | ApplicationError::InvalidClientId
        | ApplicationError::InvalidClientSecret
        | ApplicationError::Protocol(_)
        | ApplicationError::HasAccounts
        | ApplicationError::InvalidExtension(_)
        | ApplicationError::InvalidDetails => "COM.0002",
    })
}

fn account_error(error: AppAccountError) -> Coded {
    match error {
        AppAccountError::NotFound => Coded::new("APP_ACCOUNT.0001"),
        AppAccountError::AlreadyExists => Coded::new("APP_ACCOUNT.0002"),
        AppAccountError::NameRequired => Coded::new("APP_ACCOUNT.0035"),
        AppAccountError::NameInvalid => Coded::new("APP_ACCOUNT.0036"),
        AppAccountError::ExtensionInvalid(_) | AppAccountError::ExtensionUndefined(_) => {
            Coded::new("APP_ACCOUNT.0007")
        }
        AppAccountError::DisplayNameRequired => Coded::new("APP_ACCOUNT.0008"),
        AppAccountError::DisplayNameInvalid => Coded::with(
            "PARAM.0000",
            ["the name of the application account must be 1 to 64 characters".to_string()],
        ),
    }
}

fn app_org_error(error: AppOrganizationError) -> Coded {
    Coded::new(match error {
        AppOrganizationError::NotFound => "APP_ORG.0001",
        AppOrganizationError::AlreadyExists => "COM.0002",
        AppOrganizationError::ParentNotFound => "APP_ORG.0004",
        AppOrganizationError::ParentIsSelf => "APP_ORG.0006",
        AppOrganizationError::CannotDelete => "APP_ORG.0007",
        AppOrganizationError::CodeRequired => "APP_ORG.0008",
        AppOrganizationError::NameRequired => "APP_ORG.0009",
        AppOrganizationError::CodeInvalid => "APP_ORG.0011",
        AppOrganizationError::NameInvalid => "APP_ORG.0012",
    })
}

fn role_error(error: AppRoleError) -> Coded {
    Coded::new(match error {
        AppRoleError::NotFound => "APP_ROLE.0001",
        AppRoleError::AlreadyExists => "COM.0002",
        AppRoleError::HasMembers => "APP_ROLE.0004",
        AppRoleError::CodeRequired => "APP_ROLE.0005",
        AppRoleError::CodeInvalid => "APP_ROLE.0006",
        AppRoleError::NameRequired => "APP_ROLE.0007",
        AppRoleError::NameInvalid => "APP_ROLE.0008",
        AppRoleError::InvalidList => "PARAM.0029",
    })
}

fn claimed(kind: ClaimKind) -> Coded {
    Coded::new(match kind {
        ClaimKind::UserExtension(key) => return Coded::with("USER.0035", [key]),
        ClaimKind::UserName => "USER.0029",
        ClaimKind::UserMobile => "USER.0030",
        ClaimKind::UserEmail => "USER.0031",
        ClaimKind::UserIdentityNumber => "USER.0032",
        ClaimKind::UserEmployeeId => "USER.0033",
        ClaimKind::OrganizationCode => "ORG.0012",
        ClaimKind::OrganizationSiblingName => "ORG.0013",
        ClaimKind::AppAccountName | ClaimKind::AppAccountPerUser => "APP_ACCOUNT.0002",
        ClaimKind::AppOrganizationCode => "APP_ORG.0003",
        ClaimKind::AppOrganizationSiblingName => "APP_ORG.0010",
        ClaimKind::AppRoleCode => "APP_ROLE.0003",
        // OneAccess has no code of its own for these.
        ClaimKind::ClientId
        | ClaimKind::PrivilegeCode
        | ClaimKind::TenantHostName
        | ClaimKind::UserTypeCode
        | ClaimKind::UserTypeName
        | ClaimKind::DictCode
        | ClaimKind::DictName
        | ClaimKind::DictItemTag
        | ClaimKind::DictItemValue
        | ClaimKind::AppTypeCode
        | ClaimKind::AppTypeName
        | ClaimKind::ExtendedFieldName
        | ClaimKind::ExtendedFieldValue
        | ClaimKind::ApplicationCode
        | ClaimKind::ApplicationName
        | ClaimKind::Other(_) => "COM.0002",
    })
}

/// The OneAccess code and arguments of an application error; `None` for an internal failure or
/// unavailable storage (logged here, answered as the surface's "system busy": 500, or 503 with
/// `Retry-After` for unavailable storage).
pub fn code_of(error: ServiceError) -> Option<Coded> {
    Some(match error {
        ServiceError::User(e) => user_error(e),
        ServiceError::Organization(e) => organization_error(e),
        ServiceError::OrgCodeNotFound => Coded::new("ORG.0001"),
        ServiceError::Claimed(kind) => claimed(kind),
        ServiceError::Busy => Coded::new("COM.0002"),
        ServiceError::Application(e) => application_error(e),
        ServiceError::AppAccount(e) => account_error(e),
        ServiceError::UserIdRequired => Coded::new("USER.0061"),
        ServiceError::AppOrgsDisabled => Coded::new("APP_ORG.0002"),
        ServiceError::AppOrganization(e) => app_org_error(e),
        ServiceError::AppRole(e) => role_error(e),
        ServiceError::AppRolesDisabled => Coded::new("APP_ROLE.0002"),
        ServiceError::Tenant(_)
        | ServiceError::ManagementToken(_)
        | ServiceError::Privilege(_)
        | ServiceError::UserType(_)
        | ServiceError::Dictionary(_)
        | ServiceError::AppType(_)
        | ServiceError::Group(_)
        | ServiceError::ExtendedField(_)
        | ServiceError::FieldValues(_)
        | ServiceError::AppGrants(_)
        | ServiceError::File(_)
        | ServiceError::AccessKey(_) => Coded::new("COM.0002"),
        ServiceError::Unavailable(fault) => {
            tracing::warn!(fault = fault.kind.as_str(), cause = %fault.cause, "storage unavailable");
            return None;
        }
        ServiceError::Overloaded | ServiceError::Throttled { .. } => return None,
        ServiceError::Internal(e) => {
            tracing::error!(error = %format!("{e:#}"), "internal error");
            return None;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_appendix_code_has_both_messages_and_placeholders_are_filled() {
        assert!(catalog().len() >= 132);
        assert_eq!(
            message("PWD.0007", &["8".into(), "32".into()], false),
            "Password must be 8 to 32 characters."
        );
        assert_eq!(
            message("PWD.0007", &["8".into(), "32".into()], true),
            "密码长度为8~32个字符"
        );
        assert_eq!(message("USER.0001", &[], false), "User does not exist.");
    }
}
