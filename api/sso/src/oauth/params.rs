//! Request parameters of the OAuth endpoints: form-encoded (the canonical form), or — for
//! OneAccess clients that label a form body `application/json`, or send real JSON — either of
//! those (specs/oneaccess.md §2.7). A parameter given twice is refused (RFC 6749 §3.1).

use std::collections::HashMap;

use axum::http::{header, HeaderMap};
use serde_json::Value;

use usecases::oauth::OAuthError;

const MAX_BODY: usize = 64 * 1024;

pub fn parse(headers: &HeaderMap, body: &[u8]) -> Result<HashMap<String, String>, OAuthError> {
    if body.len() > MAX_BODY {
        return Err(OAuthError::InvalidRequest("request body too large".into()));
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"));
    let trimmed = body.iter().find(|b| !b.is_ascii_whitespace());
    if is_json && trimmed == Some(&b'{') {
        let value: Value = serde_json::from_slice(body)
            .map_err(|_| OAuthError::InvalidRequest("the JSON body does not parse".into()))?;
        let Value::Object(object) = value else {
            return Err(OAuthError::InvalidRequest(
                "the JSON body must be an object".into(),
            ));
        };
        return object
            .into_iter()
            .map(|(key, value)| match value {
                Value::String(s) => Ok((key, s)),
                Value::Number(n) => Ok((key, n.to_string())),
                _ => Err(OAuthError::InvalidRequest(format!(
                    "{key} must be a string"
                ))),
            })
            .collect();
    }
    from_pairs(
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .map_err(|_| OAuthError::InvalidRequest("the form body does not parse".into()))?,
    )
}

/// Pairs into a map; empty values count as absent; repeated names are refused.
pub fn from_pairs(pairs: Vec<(String, String)>) -> Result<HashMap<String, String>, OAuthError> {
    let mut map = HashMap::new();
    for (key, value) in pairs {
        if value.contains('\0') {
            return Err(OAuthError::InvalidRequest(format!(
                "{key} contains a NUL character"
            )));
        }
        if value.is_empty() {
            continue;
        }
        if map.insert(key.clone(), value).is_some() {
            return Err(OAuthError::InvalidRequest(format!(
                "{key} given more than once"
            )));
        }
    }
    Ok(map)
}
