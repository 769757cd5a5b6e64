//! Request parameters of the OAuth endpoints: form-encoded (the canonical form), or — for
//! OneAccess clients that label a form body `application/json`, or send real JSON — either of
//! those (specs/oneaccess.md §2.7). A parameter given twice is refused (RFC 6749 §3.1).

use std::collections::HashMap;
use std::fmt;

use axum::http::{header, HeaderMap};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
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
        let Members(members) = serde_json::from_slice(body)
            .map_err(|_| OAuthError::InvalidRequest("the JSON body does not parse".into()))?;
        // The same rules as a form's: empty values are absent, NUL and repeats are refused.
        let pairs = members
            .into_iter()
            .map(|(key, value)| match value {
                Value::String(s) => Ok((key, s)),
                Value::Number(n) => Ok((key, n.to_string())),
                _ => Err(OAuthError::InvalidRequest(format!(
                    "{key} must be a string"
                ))),
            })
            .collect::<Result<_, _>>()?;
        return from_pairs(pairs);
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

/// A JSON object's members in order, a repeated name kept (a map would keep only its last value,
/// and the repeat would go unnoticed).
struct Members(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn json(body: &str) -> Result<HashMap<String, String>, OAuthError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        parse(&headers, body.as_bytes())
    }

    fn form(body: &str) -> Result<HashMap<String, String>, OAuthError> {
        parse(&HeaderMap::new(), body.as_bytes())
    }

    #[test]
    fn a_json_body_reads_like_a_form() {
        let expected: HashMap<String, String> =
            [("grant_type", "client_credentials"), ("n", "3600")]
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .into();
        assert_eq!(
            json(r#"{"grant_type":"client_credentials","n":3600}"#).unwrap(),
            expected
        );
        assert_eq!(
            form("grant_type=client_credentials&n=3600").unwrap(),
            expected
        );
    }

    /// Found by the `oauth_params` fuzz target: a JSON body kept empty values, let NUL through
    /// (a form refuses it) and took the last of a repeated name (a form refuses the repeat).
    #[test]
    fn a_json_body_follows_the_form_rules_for_empty_nul_and_repeated_values() {
        assert_eq!(
            json(r#"{"client_id":"","scope":"openid"}"#).unwrap(),
            HashMap::from([("scope".to_string(), "openid".to_string())])
        );
        assert!(matches!(
            json(r#"{"client_id":"c\u0000"}"#),
            Err(OAuthError::InvalidRequest(m)) if m.contains("NUL")
        ));
        assert!(matches!(
            json(r#"{"client_id":"a","client_id":"b"}"#),
            Err(OAuthError::InvalidRequest(m)) if m.contains("more than once")
        ));
        assert!(matches!(
            form("client_id=a&client_id=b"),
            Err(OAuthError::InvalidRequest(m)) if m.contains("more than once")
        ));
        assert!(matches!(
            json(r#"{"client_id":["a"]}"#),
            Err(OAuthError::InvalidRequest(m)) if m == "client_id must be a string"
        ));
        assert!(matches!(
            json(r#"{"client_id":"a""#),
            Err(OAuthError::InvalidRequest(m)) if m == "the JSON body does not parse"
        ));
    }
}
