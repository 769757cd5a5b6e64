//! What a directory records about an application beyond its protocols (specs/inspur-idaas.md
//! §2.7, the App object): its code, remark, home page, icon (a stored file's id), application
//! type, named login theme, and the vendor's status flags. Dialect-neutral: the Inspur API reads
//! and writes them, the admin API and OneAccess leave them as they are.
//!
//! An application with a code (one registered through a directory API) has a unique code and a
//! unique name in its tenant.

use serde::{Deserialize, Serialize};

use crate::aggregate::Claim;
use crate::claim_kind::ClaimKind;

/// The longest detail accepted.
const MAX_TEXT: usize = 512;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub homepage_url: Option<String>,
    /// A stored file's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// The application type's code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_code: Option<String>,
    /// A login theme's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    /// The vendor's flags, kept as given: authentication type, sync type, authorisation status,
    /// owner, device type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_type: Option<String>,
}

impl AppDetails {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    fn slots(&mut self) -> [(&mut Option<String>, &'static str); 11] {
        [
            (&mut self.code, "code"),
            (&mut self.description, "description"),
            (&mut self.homepage_url, "homepage_url"),
            (&mut self.icon, "icon"),
            (&mut self.type_code, "type_code"),
            (&mut self.theme, "theme"),
            (&mut self.auth_type, "auth_type"),
            (&mut self.sync_type, "sync_type"),
            (&mut self.auth_status, "auth_status"),
            (&mut self.owner, "owner"),
            (&mut self.device_type, "device_type"),
        ]
    }

    /// These details with `change` applied: given values replace, absent ones stay. Returns the
    /// names of the details that moved.
    pub fn with(&self, change: &AppDetails) -> (Self, Vec<String>) {
        let mut next = self.clone();
        let mut given = change.clone();
        let mut changed = Vec::new();
        for ((slot, name), (value, _)) in next.slots().into_iter().zip(given.slots()) {
            if let Some(value) = value.take() {
                if slot.as_ref() != Some(&value) {
                    *slot = Some(value);
                    changed.push(name.to_string());
                }
            }
        }
        (next, changed)
    }

    /// Every detail of an acceptable length; a code of letters, digits, `-`, `_` or `.`.
    pub fn is_valid(&self) -> bool {
        let mut copy = self.clone();
        let lengths = copy
            .slots()
            .into_iter()
            .all(|(v, _)| v.as_ref().is_none_or(|v| v.chars().count() <= MAX_TEXT));
        let code = self.code.as_ref().is_none_or(|c| {
            (1..=128).contains(&c.len())
                && c.chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
        });
        lengths && code
    }

    /// The unique claims of an application with these details and this name: its code and its
    /// name, when it has a code.
    pub fn claims(&self, name: &str) -> Vec<Claim> {
        match &self.code {
            Some(code) => vec![
                Claim::new(ClaimKind::ApplicationCode, code.clone()),
                Claim::new(ClaimKind::ApplicationName, name.to_string()),
            ],
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_replaces_given_details_and_names_them() {
        let before = AppDetails {
            code: Some("erp".into()),
            theme: Some("inspur".into()),
            ..Default::default()
        };
        let change = AppDetails {
            code: Some("erp".into()),
            theme: Some("dark".into()),
            icon: Some("2021".into()),
            ..Default::default()
        };
        let (after, changed) = before.with(&change);
        assert_eq!(after.theme.as_deref(), Some("dark"));
        assert_eq!(after.icon.as_deref(), Some("2021"));
        assert_eq!(changed, ["icon", "theme"]);
        assert_eq!(serde_json::to_string(&AppDetails::default()).unwrap(), "{}");
    }

    #[test]
    fn only_an_application_with_a_code_claims_its_code_and_name() {
        assert!(AppDetails::default().claims("ERP").is_empty());
        let coded = AppDetails {
            code: Some("erp".into()),
            ..Default::default()
        };
        assert_eq!(coded.claims("ERP").len(), 2);
        assert!(coded.is_valid());
        let bad = AppDetails {
            code: Some("e r p".into()),
            ..Default::default()
        };
        assert!(!bad.is_valid());
    }
}
