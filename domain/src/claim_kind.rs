//! The kinds of unique claim: one variant per uniqueness rule of the domain. A violation travels
//! as its kind, and each dialect maps the kind to its own error code.
//!
//! `as_str` is the stable stored form: it is written to `unique_claims.kind` and mixed into the
//! claim's keyed hash, so these strings never change (ADR 0009). They predate the canonical
//! attribute names, which is why some still read like OneAccess wire names.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::user::UserField;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClaimKind {
    /// A username, unique in the tenant.
    UserName,
    /// A mobile number, unique in the tenant.
    UserMobile,
    /// An email address, when the tenant makes it unique.
    UserEmail,
    /// An identity document number, when the tenant makes it unique.
    UserIdentityNumber,
    /// An employee id, when the tenant makes it unique.
    UserEmployeeId,
    /// The value of a user extension attribute the tenant makes unique (the attribute's key).
    UserExtension(String),
    /// An organisation code, unique in the tenant.
    OrganizationCode,
    /// An organisation name among its siblings (a tenant policy, on by default).
    OrganizationSiblingName,
    /// An application's OAuth client id.
    ClientId,
    /// An application account name, unique per application.
    AppAccountName,
    /// At most one basic account per user and application.
    AppAccountPerUser,
    /// An application organisation code, unique per application.
    AppOrganizationCode,
    /// An application organisation name among its siblings.
    AppOrganizationSiblingName,
    /// An application role code, unique per application.
    AppRoleCode,
    /// A privilege code, unique per application.
    PrivilegeCode,
    /// A host name a tenant answers on, unique across all tenants.
    TenantHostName,
    /// A user type's code, unique in the tenant (Inspur §2.9).
    UserTypeCode,
    /// A user type's name, unique in the tenant (Inspur §2.9).
    UserTypeName,
    /// An extended field's name within its class (`class:name`, Inspur §2.3).
    ExtendedFieldName,
    /// A value of a unique extended field (`field:value`, Inspur §2.5).
    ExtendedFieldValue,
    /// A dictionary's code, unique in the tenant (Inspur §2.13).
    DictCode,
    /// A dictionary's name, unique in the tenant (Inspur §2.13).
    DictName,
    /// A dictionary item's tag within its dictionary (`dict:tag`, Inspur §2.14).
    DictItemTag,
    /// A dictionary item's value within its dictionary (`dict:value`, Inspur §2.14).
    DictItemValue,
    /// An application's code, unique in the tenant (Inspur §2.7).
    ApplicationCode,
    /// The name of an application that has a code, unique in the tenant (Inspur §2.7).
    ApplicationName,
    /// An application type's code, unique in the tenant among live types (Inspur §2.8).
    AppTypeCode,
    /// An application type's name, unique in the tenant among live types (Inspur §2.8).
    AppTypeName,

    /// A kind no domain rule takes (a store test's, a tool's own): stored and reported verbatim.
    Other(String),
}

const USER_EXTENSION_PREFIX: &str = "user.extension.";

impl ClaimKind {
    /// The fixed kinds and their stored names (everything but the two that carry a string).
    const FIXED: [(ClaimKind, &'static str); 27] = [
        (Self::UserName, "user.user_name"),
        (Self::UserMobile, "user.mobile"),
        (Self::UserEmail, "user.email"),
        (Self::UserIdentityNumber, "user.attr_identity_number"),
        (Self::UserEmployeeId, "user.employee_id"),
        (Self::OrganizationCode, "organization.code"),
        (Self::OrganizationSiblingName, "organization.name"),
        (Self::ClientId, "application.client_id"),
        (Self::AppAccountName, "app_account.account_name"),
        (Self::AppAccountPerUser, "app_account.user"),
        (Self::AppOrganizationCode, "app_organization.code"),
        (Self::AppOrganizationSiblingName, "app_organization.name"),
        (Self::AppRoleCode, "app_role.code"),
        (Self::PrivilegeCode, "privilege.code"),
        (Self::TenantHostName, "tenant.domain"),
        (Self::UserTypeCode, "user_type.code"),
        (Self::UserTypeName, "user_type.name"),
        (Self::ExtendedFieldName, "extended_field.name"),
        (Self::ExtendedFieldValue, "extended_field.value"),
        (Self::DictCode, "dict.code"),
        (Self::DictName, "dict.name"),
        (Self::DictItemTag, "dict_item.tag"),
        (Self::DictItemValue, "dict_item.value"),
        (Self::AppTypeCode, "app_type.code"),
        (Self::AppTypeName, "app_type.name"),
        (Self::ApplicationCode, "application.code"),
        (Self::ApplicationName, "application.name"),
    ];

    /// The stored name (`unique_claims.kind`); stable forever.
    pub fn as_str(&self) -> Cow<'static, str> {
        match self {
            Self::UserExtension(key) => Cow::Owned(format!("{USER_EXTENSION_PREFIX}{key}")),
            Self::Other(kind) => Cow::Owned(kind.clone()),
            fixed => Cow::Borrowed(
                Self::FIXED
                    .iter()
                    .find(|(kind, _)| kind == fixed)
                    .map_or("", |(_, name)| name),
            ),
        }
    }

    /// The kind of a stored name; a name no rule uses is `Other`.
    pub fn parse(stored: &str) -> Self {
        if let Some((kind, _)) = Self::FIXED.iter().find(|(_, name)| *name == stored) {
            return kind.clone();
        }
        match stored.strip_prefix(USER_EXTENSION_PREFIX) {
            Some(key) => Self::UserExtension(key.to_string()),
            None => Self::Other(stored.to_string()),
        }
    }

    /// The claim a user attribute takes when it is unique, if it can be.
    pub fn of_user_field(field: UserField) -> Option<Self> {
        Some(match field {
            UserField::Username => Self::UserName,
            UserField::Mobile => Self::UserMobile,
            UserField::Email => Self::UserEmail,
            UserField::IdentityNumber => Self::UserIdentityNumber,
            UserField::EmployeeId => Self::UserEmployeeId,
            _ => return None,
        })
    }

    /// The user attribute whose value this kind claims, for the attribute kinds.
    pub fn user_field(&self) -> Option<UserField> {
        UserField::ALL
            .into_iter()
            .find(|f| Self::of_user_field(*f).as_ref() == Some(self))
    }
}

impl fmt::Display for ClaimKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl From<&str> for ClaimKind {
    fn from(stored: &str) -> Self {
        Self::parse(stored)
    }
}

impl From<String> for ClaimKind {
    fn from(stored: String) -> Self {
        Self::parse(&stored)
    }
}

impl PartialEq<&str> for ClaimKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Events record kinds by their stored names (`user.created` `claimed`).
impl Serialize for ClaimKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_str())
    }
}

impl<'de> Deserialize<'de> for ClaimKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self::parse(&String::deserialize(deserializer)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_keeps_the_stored_name_databases_already_hold() {
        let stored = [
            "user.user_name",
            "user.mobile",
            "user.email",
            "user.attr_identity_number",
            "user.employee_id",
            "user.extension.badge",
            "organization.code",
            "organization.name",
            "application.client_id",
            "app_account.account_name",
            "app_account.user",
            "app_organization.code",
            "app_organization.name",
            "app_role.code",
            "privilege.code",
            "tenant.domain",
        ];
        for name in stored {
            let kind = ClaimKind::parse(name);
            assert!(!matches!(kind, ClaimKind::Other(_)), "{name}");
            assert_eq!(kind.as_str(), name);
        }
        assert_eq!(
            ClaimKind::parse("user.extension.badge"),
            ClaimKind::UserExtension("badge".into())
        );
        assert_eq!(
            ClaimKind::parse("thing.name"),
            ClaimKind::Other("thing.name".into())
        );
        assert_eq!(ClaimKind::Other("thing.name".into()), "thing.name");
    }

    #[test]
    fn attribute_kinds_name_their_attribute() {
        for field in UserField::ALL {
            if let Some(kind) = ClaimKind::of_user_field(field) {
                assert_eq!(kind.user_field(), Some(field));
            }
        }
        assert_eq!(ClaimKind::OrganizationCode.user_field(), None);
        assert_eq!(
            serde_json::to_value([ClaimKind::UserIdentityNumber]).unwrap(),
            serde_json::json!(["user.attr_identity_number"])
        );
    }
}
