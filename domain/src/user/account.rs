//! A user's account details as a directory keeps them (specs/inspur-idaas.md §2.6, the User
//! object): the id the account has in another system, its user type, when it expires, a remark
//! and how it was made. Dialect-neutral: the Inspur API reads and writes them; OneAccess does not
//! show them, but an expired account cannot sign in through any surface.

use serde::{Deserialize, Serialize};

/// The longest external id, description or created type accepted.
const MAX_TEXT: usize = 255;

/// How an account was made (`createdType`): by a call of a management API, or by an import.
pub const CREATED_BY_API: &str = "0";
pub const CREATED_BY_IMPORT: &str = "1";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_type_id: Option<String>,
    /// Unix milliseconds from which the account can no longer sign in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_type: Option<String>,
}

impl AccountDetails {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// These details with `change` applied: given values replace, absent or empty ones leave
    /// the value as it is. Returns the names of the details that moved.
    pub fn with(&self, change: &AccountDetails) -> (Self, Vec<String>) {
        let mut next = self.clone();
        let mut changed = Vec::new();
        let texts = [
            (&mut next.external_id, &change.external_id, "external_id"),
            (&mut next.user_type_id, &change.user_type_id, "user_type"),
            (&mut next.description, &change.description, "description"),
            (&mut next.created_type, &change.created_type, "created_type"),
        ];
        for (slot, given, name) in texts {
            if let Some(value) = given.as_ref().filter(|v| !v.is_empty()) {
                if slot.as_ref() != Some(value) {
                    *slot = Some(value.clone());
                    changed.push(name.to_string());
                }
            }
        }
        if let Some(at) = change.expires_at {
            if next.expires_at != Some(at) {
                next.expires_at = Some(at);
                changed.push("expires_at".to_string());
            }
        }
        (next, changed)
    }

    /// Whether every text is of an acceptable length.
    pub fn is_valid(&self) -> bool {
        [
            &self.external_id,
            &self.user_type_id,
            &self.description,
            &self.created_type,
        ]
        .into_iter()
        .flatten()
        .all(|v| v.chars().count() <= MAX_TEXT)
    }

    /// Whether the account has expired at `now` (Unix milliseconds).
    pub fn expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_replaces_given_values_and_names_them() {
        let before = AccountDetails {
            external_id: Some("e1".into()),
            description: Some("old".into()),
            ..Default::default()
        };
        let change = AccountDetails {
            external_id: Some("e1".into()),
            description: Some("new".into()),
            user_type_id: Some(String::new()),
            expires_at: Some(5),
            ..Default::default()
        };
        let (after, changed) = before.with(&change);
        assert_eq!(after.external_id.as_deref(), Some("e1"));
        assert_eq!(after.description.as_deref(), Some("new"));
        assert_eq!(after.user_type_id, None);
        assert_eq!(changed, ["description", "expires_at"]);
        assert!(after.expired(5) && !after.expired(4));
    }

    #[test]
    fn empty_details_serialise_to_nothing() {
        assert_eq!(
            serde_json::to_string(&AccountDetails::default()).unwrap(),
            "{}"
        );
        assert!(!AccountDetails {
            description: Some("x".repeat(256)),
            ..Default::default()
        }
        .is_valid());
    }
}
