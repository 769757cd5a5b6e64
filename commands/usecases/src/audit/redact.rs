//! What an audit reader is shown of a value (ops/adr/0022): secrets never (password and secret
//! hashes, client secrets, private keys, TOTP secrets, tickets, codes' verifiers, nonces), personal
//! values (the sealed `personal` object of a payload, the client address, user agent and the
//! person an application acted for) only to a reader granted them, and an erased subject's data
//! as erased.

use serde_json::{Map, Value};

/// Shown instead of a secret.
pub const SECRET: &str = "[secret]";
/// Shown instead of a personal value to a reader not granted personal values.
pub const MASKED: &str = "[masked]";
/// Shown for personal data whose subject was erased (its key destroyed).
pub const ERASED: &str = "[erased]";

/// The object of a payload that holds personal data, sealed in the store.
pub const PERSONAL: &str = "personal";

/// Whether a field named `name` holds a secret: hashes of secrets, secrets, private keys,
/// passwords, one-time values that redeem something.
pub fn is_secret(name: &str) -> bool {
    const NAMES: [&str; 13] = [
        "hash",
        "secret",
        "password",
        "old_password",
        "new_password",
        "private_key",
        "ticket",
        "code_verifier",
        "nonce",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
    ];
    NAMES.contains(&name)
        || name.ends_with("_hash")
        || name.ends_with("_hashes")
        || name.ends_with("_secret")
        || name.ends_with("_private_key")
}

/// Whether a personal object says its subject was erased (`store` opens it so without a key).
pub fn is_erased(personal: &Value) -> bool {
    personal
        .as_object()
        .is_some_and(|fields| fields.len() == 1 && fields.get("erased") == Some(&Value::Bool(true)))
}

/// Every secret below `value` replaced by [`SECRET`] (a null stays null: nothing was there).
pub fn without_secrets(value: &Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(name, value)| {
                    let shown = if is_secret(name) && !value.is_null() {
                        Value::String(SECRET.into())
                    } else {
                        without_secrets(value)
                    };
                    (name.clone(), shown)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_secrets).collect()),
        other => other.clone(),
    }
}

/// Every value below `value` replaced by [`MASKED`], keeping the field names (which say what
/// changed) and nulls (which say nothing is there).
pub fn masked(value: &Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(name, value)| (name.clone(), masked(value)))
                .collect(),
        ),
        Value::Null => Value::Null,
        _ => Value::String(MASKED.into()),
    }
}

/// A payload as a reader sees it: secrets replaced, the personal object opened only for a reader
/// granted personal values (masked otherwise), an erased one shown as erased.
pub fn payload(payload: &Value, personal: bool) -> Value {
    let Value::Object(fields) = without_secrets(payload) else {
        return without_secrets(payload);
    };
    let shown: Map<String, Value> = fields
        .into_iter()
        .map(|(name, value)| {
            if name != PERSONAL {
                return (name, value);
            }
            let shown = if is_erased(&value) {
                Value::String(ERASED.into())
            } else if personal {
                value
            } else {
                masked(&value)
            };
            (name, shown)
        })
        .collect();
    Value::Object(shown)
}

/// A personal value of the request metadata (client address, user agent), as a reader sees it.
pub fn personal_value(value: &Option<String>, personal: bool) -> Option<String> {
    value
        .as_ref()
        .map(|v| if personal { v.clone() } else { MASKED.into() })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secrets_are_never_shown_and_personal_values_only_when_granted() {
        let stored = json!({
            "user_id": "u1",
            "password_hash": "$argon2id$…",
            "code": {"code_hash": "abc", "redirect_uri": "https://rp/cb"},
            "personal": {"email": "a@example.com", "mobile": null, "extension": {"age": 3}},
        });
        assert_eq!(
            payload(&stored, false),
            json!({
                "user_id": "u1",
                "password_hash": "[secret]",
                "code": {"code_hash": "[secret]", "redirect_uri": "https://rp/cb"},
                "personal": {"email": "[masked]", "mobile": null, "extension": {"age": "[masked]"}},
            })
        );
        let granted = payload(&stored, true);
        assert_eq!(granted["personal"]["email"], "a@example.com");
        assert_eq!(granted["password_hash"], "[secret]");
        let key = json!({"key_id": "k1", "personal": {"private_key": "MIIE…"}});
        assert_eq!(payload(&key, true)["personal"]["private_key"], "[secret]");
        let erased = json!({"personal": {"erased": true}});
        assert_eq!(payload(&erased, true)["personal"], "[erased]");
        assert!(!is_secret("client_id") && !is_secret("key_id") && !is_secret("code"));
        assert!(is_secret("client_secret_hash") && is_secret("secret") && is_secret("ticket"));
    }
}
