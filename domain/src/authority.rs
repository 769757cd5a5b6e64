//! Who may do what with a management credential (DESIGN.md "Who may do what", ops/adr/0014): a
//! directory client (an integration: users, organisations and the accounts and roles of the
//! applications it is granted), a tenant administrator (everything in its tenant), the operator
//! (the default tenant's administrator, who also manages tenants). Each level includes the ones
//! below it; a credential never acts on one above its own.
//!
//! Beside the ladder (ops/adr/0022): the **auditor**, a credential that reads the audit surface
//! and does nothing else, and **audit reading**, a grant that lets any credential (an auditor,
//! or an administrator) read the audit surface, with or without personal values.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Authority {
    /// Not on the ladder: no management right at all, only the audit surface (ops/adr/0022).
    /// It is never held as a management authority, so no comparison of levels ever sees it;
    /// it sorts first only because the derived order needs a place for it.
    Auditor,
    Directory,
    TenantAdmin,
    Operator,
}

impl Authority {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auditor => "auditor",
            Self::Directory => "directory",
            Self::TenantAdmin => "tenant_admin",
            Self::Operator => "operator",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "auditor" => Some(Self::Auditor),
            "directory" => Some(Self::Directory),
            "tenant_admin" => Some(Self::TenantAdmin),
            "operator" => Some(Self::Operator),
            _ => None,
        }
    }

    /// What an application holds when it is registered, before any grant: a tenant's own
    /// management application (registered by the system with the tenant) is its administrator,
    /// the default tenant's is the operator; any other holder of the API product is a directory
    /// client (the OneAccess API product is what an integration holds).
    pub fn at_registration(
        api_product: bool,
        by_system: bool,
        default_tenant: bool,
    ) -> Option<Self> {
        match (api_product, by_system, default_tenant) {
            (false, _, _) => None,
            (true, true, true) => Some(Self::Operator),
            (true, true, false) => Some(Self::TenantAdmin),
            (true, false, _) => Some(Self::Directory),
        }
    }
}

/// What a credential may read of the audit surface (ops/adr/0022): the events and their
/// attribution with personal values masked, or with them. Secrets are never shown to anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditReading {
    Events,
    Personal,
}

impl AuditReading {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Events => "events",
            Self::Personal => "personal",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "events" => Some(Self::Events),
            "personal" => Some(Self::Personal),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_and_assigned_at_registration() {
        assert!(Authority::Directory < Authority::TenantAdmin);
        assert!(Authority::TenantAdmin < Authority::Operator);
        assert_eq!(
            Authority::at_registration(true, true, true),
            Some(Authority::Operator)
        );
        assert_eq!(
            Authority::at_registration(true, true, false),
            Some(Authority::TenantAdmin)
        );
        assert_eq!(
            Authority::at_registration(true, false, true),
            Some(Authority::Directory)
        );
        assert_eq!(Authority::at_registration(false, true, true), None);
        for level in [
            Authority::Auditor,
            Authority::Directory,
            Authority::TenantAdmin,
            Authority::Operator,
        ] {
            assert_eq!(Authority::parse(level.as_str()), Some(level));
        }
    }

    #[test]
    fn audit_readings_read_back() {
        for reading in [AuditReading::Events, AuditReading::Personal] {
            assert_eq!(AuditReading::parse(reading.as_str()), Some(reading));
        }
        assert_eq!(AuditReading::parse("all"), None);
    }
}
