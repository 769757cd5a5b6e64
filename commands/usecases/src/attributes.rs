//! The attributes an application may release about a signed-in user (CAS released attributes,
//! SAML attribute mapping): looked up by name in the user's account in the application (its
//! extension attributes, then its own fields), then in the user's profile. Profile attributes
//! answer to their canonical names and to the version-1 names applications were configured with
//! before ADR 0009 (`user_name`, `attr_nick_name`…).

use domain::user::v1::field_of_any_name;
use projections::app_accounts::AccountRow;
use projections::users::UserRow;
use serde_json::Value;

pub struct Source<'a> {
    account: &'a AccountRow,
    profile: Value,
}

impl<'a> Source<'a> {
    pub fn new(account: &'a AccountRow, user: Option<&UserRow>) -> Self {
        let profile = user
            .and_then(|u| serde_json::to_value(&u.profile).ok())
            .unwrap_or(Value::Null);
        Self { account, profile }
    }

    /// The attribute's value, `null` when nobody has it.
    pub fn get(&self, name: &str) -> Value {
        self.account
            .extension
            .get(name)
            .cloned()
            .or_else(|| self.account_field(name))
            .or_else(|| self.profile_field(name))
            .or_else(|| {
                self.profile
                    .get("extension")
                    .and_then(|e| e.get(name))
                    .cloned()
            })
            .unwrap_or(Value::Null)
    }

    /// A profile attribute by name (`null` when the user has none), or the extension object.
    fn profile_field(&self, name: &str) -> Option<Value> {
        let key = match field_of_any_name(name) {
            Some(field) => field.name(),
            None => name,
        };
        self.profile.get(key).cloned()
    }

    fn account_field(&self, name: &str) -> Option<Value> {
        let account = self.account;
        let text = |s: &str| Some(Value::String(s.to_string()));
        match name {
            "account_id" => text(&account.account_id),
            "account_name" => text(&account.account_name),
            "name" => text(&account.name),
            "account_type" => text(&account.account_type),
            "org_id" => Some(account.org_id.clone().map_or(Value::Null, Value::String)),
            "disabled" => Some(Value::Bool(account.disabled)),
            _ => None,
        }
    }
}

/// The values of an attribute as text: none for null, one per item of an array.
pub fn texts(value: &Value) -> Vec<String> {
    let one = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items.iter().filter(|v| !v.is_null()).map(one).collect(),
        single => vec![one(single)],
    }
}
