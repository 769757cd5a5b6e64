//! Settings bodies are read strictly: a field the setting does not have (a misspelling) is
//! refused rather than silently replaced by its default.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::error::AdminError;

/// Fails on any key of `given` that `template` (a default value, serialised) does not have,
/// looking into nested objects the template describes.
pub fn known_fields(given: &Value, template: &Value, at: &str) -> Result<(), AdminError> {
    let (Value::Object(given), Value::Object(template)) = (given, template) else {
        return Ok(());
    };
    for (key, value) in given {
        match template.get(key) {
            None => return Err(AdminError::invalid(format!("unknown field {at}{key}"))),
            Some(inner) => known_fields(value, inner, &format!("{at}{key}."))?,
        }
    }
    Ok(())
}

/// Parses a body into `T`, refusing fields `template` does not have.
pub fn parse_strict<T: DeserializeOwned, S: Serialize>(
    body: &[u8],
    template: &S,
) -> Result<T, AdminError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| AdminError::invalid(format!("invalid body: {e}")))?;
    let template =
        serde_json::to_value(template).map_err(|e| AdminError::invalid(e.to_string()))?;
    known_fields(&value, &template, "")?;
    serde_json::from_value(value).map_err(|e| AdminError::invalid(format!("invalid body: {e}")))
}
