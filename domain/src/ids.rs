//! Typed ids for the values that cross the boundary between dialects and use cases, so that a
//! tenant id cannot be passed where an organisation id is meant. Ids stay opaque strings: each
//! dialect has its own formats (OneAccess `yyyyMMddHHmmssSSS-XXXX-XXXXXXXXX`, Inspur 32 hex, Hainan
//! numeric strings) and accepts any string on input (ADR 0009).

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_string())
            }
        }
    };
}

id_type!(
    /// A tenant (OneAccess tenant, Inspur main account/realm, Hainan `Uaa-Tenant-Id`).
    TenantId
);
id_type!(
    /// A user (OneAccess `user_id`, Inspur `id`, Hainan `userId`).
    UserId
);
id_type!(
    /// An application (OneAccess `application_id`, Inspur app `id`, Hainan `appId`).
    ApplicationId
);
id_type!(
    /// An organisation (OneAccess `org_id`, Inspur organ `id`, Hainan `orgId`).
    OrganizationId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_its_string_on_the_wire_and_in_text() {
        let id = OrganizationId::new("20220412142914549-1E50-B49C521A4");
        assert_eq!(
            serde_json::to_value(&id).unwrap(),
            "20220412142914549-1E50-B49C521A4"
        );
        assert_eq!(id.to_string(), id.as_str());
        assert_eq!(TenantId::from("default").into_string(), "default");
    }
}
