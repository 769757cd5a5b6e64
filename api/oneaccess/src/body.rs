//! Request bodies and query strings, read leniently (any JSON content type, `utf8` or `utf-8`,
//! numbers where strings are expected) and refused in the OneAccess error shape; and the shapes
//! the descriptions share: the paging parameters and the `{code, message, data}` envelope.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Query, Request};
use projections::page::PageRequest;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::error::OneAccessError;

/// A JSON body; an empty body reads as `{}`.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = OneAccessError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|e| OneAccessError::with("PARAM.0000", [e.body_text()]))?;
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| OneAccessError::with("PARAM.0000", [e.to_string()]))?;
        if contains_nul(&value) {
            return Err(nul_refused());
        }
        serde_json::from_value(value)
            .map(Body)
            .map_err(|e| OneAccessError::with("PARAM.0000", [e.to_string()]))
    }
}

/// NUL characters cannot be stored (PostgreSQL refuses them in text) and have no business in
/// identity data: they are refused up front, in the surface's error shape.
fn nul_refused() -> OneAccessError {
    OneAccessError::with("PARAM.0000", ["NUL characters are not allowed".to_string()])
}

/// JSON with trailing commas removed (outside strings), for bodies printed that way in the
/// reference (`{"offset": "0", "limit": "10",}`, §5.2 #11).
pub fn without_trailing_commas(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        if c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some('}') | Some(']')) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Whether any string or key in a JSON value contains a NUL character.
fn contains_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(contains_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || contains_nul(v)),
        _ => false,
    }
}

/// Runs the request unless its target holds `%00` (`refused_nul`): the surfaces' layers call it
/// innermost, so a refusal is localised like any other error.
pub async fn unless_nul(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match refused_nul(&request) {
        Some(refused) => refused,
        None => next.run(request).await,
    }
}

/// A request whose target holds `%00` (a NUL character once decoded) is refused with
/// `PARAM.0000`, before any extractor decodes it: `None` lets it through. The authority (every
/// HTTP/2 request has one) and the path with its query are read in place: `%00` cannot span the
/// `://` or the `/` between them.
fn refused_nul(request: &axum::extract::Request) -> Option<axum::response::Response> {
    use axum::response::IntoResponse;
    let uri = request.uri();
    let has_nul = |part: &str| {
        part.as_bytes()
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
    };
    let refused = uri.authority().is_some_and(|a| has_nul(a.as_str()))
        || uri.path_and_query().is_some_and(|p| has_nul(p.as_str()));
    refused.then(|| nul_refused().into_response())
}

/// Query parameters as plain strings (so that bad values get our error codes, not axum's).
pub struct Params(pub HashMap<String, String>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Params {
    type Rejection = OneAccessError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map(|Query(map)| Params(map))
            .map_err(|e| OneAccessError::with("PARAM.0000", [e.body_text()]))
    }
}

impl Params {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }
}

/// A string field that also accepts a JSON number or boolean (`"mobile": 12345678901`).
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(deserializer)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        Some(Value::Null) | None => None,
        Some(other) => {
            return Err(serde::de::Error::custom(format!(
                "expected a string, found {}",
                kind(&other)
            )))
        }
    })
}

/// A boolean field that also accepts `"true"`/`"false"`.
pub fn flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(Value::Null) | None => Ok(None),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected a boolean, found {}",
            kind(&other)
        ))),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The `{code, message, data}` envelope. OneAccess answers flat JSON (specs/oneaccess.md §1.4);
/// only the SSO ticket verification wraps its answer in this (seed 002 A10).
#[derive(Debug, Serialize, ToSchema)]
pub struct Envelope<T> {
    /// `"0"` on success.
    pub code: String,
    /// `"success"` on success.
    pub message: String,
    pub data: T,
}

/// The paging parameters of the lists (specs/oneaccess.md §1.5), read by [`paging`]: a value
/// out of range or not a number is PAGE.0001.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// The zero-based page index (not a row offset); 0 when absent.
    #[param(minimum = 0, maximum = 1_000_000)]
    pub offset: Option<i64>,
    /// Rows per page, 10 to 100; 10 when absent.
    #[param(minimum = 10, maximum = 100)]
    pub limit: Option<i64>,
}

/// Page index and size (specs/oneaccess.md §1.5): `offset` is a zero-based page index, `limit`
/// 10 to 100; out of range or not a number is PAGE.0001. Absent values default to 0 and 10.
pub fn paging(params: &Params) -> Result<PageRequest, OneAccessError> {
    let number = |name: &str, default: i64| match params.text(name) {
        None => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| OneAccessError::new("PAGE.0001")),
    };
    let offset = number("offset", 0)?;
    let limit = number("limit", 10)?;
    if !(10..=100).contains(&limit) || !(0..=1_000_000).contains(&offset) {
        return Err(OneAccessError::new("PAGE.0001"));
    }
    PageRequest::page_index(offset, limit).map_err(|_| OneAccessError::new("PAGE.0001"))
}

/// Times on the wire: `yyyy-MM-dd HH:mm:ss.SSS` in the tenants' zone (specs/oneaccess.md §1.7).
pub fn wire_time(millis: i64, utc_offset_minutes: i32) -> String {
    let offset = chrono::FixedOffset::east_opt(utc_offset_minutes * 60)
        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset is valid"));
    chrono::DateTime::from_timestamp_millis(millis)
        .unwrap_or_default()
        .with_timezone(&offset)
        .format("%Y-%m-%d %H:%M:%S%.3f")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_times_are_in_the_configured_zone() {
        assert_eq!(wire_time(1_649_840_257_132, 480), "2022-04-13 16:57:37.132");
    }

    #[test]
    fn paging_follows_the_documented_bounds() {
        let params = |pairs: &[(&str, &str)]| {
            Params(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        };
        let first = PageRequest::page_index(0, 10).unwrap();
        assert_eq!(
            paging(&params(&[("offset", "0"), ("limit", "10")])),
            Ok(first)
        );
        assert_eq!(paging(&params(&[])), Ok(first));
        assert_eq!(
            paging(&params(&[("offset", "1000000"), ("limit", "100")])),
            PageRequest::page_index(1_000_000, 100).map_err(|_| OneAccessError::new("PAGE.0001"))
        );
        for bad in ["9", "101", "ten"] {
            assert_eq!(
                paging(&params(&[("limit", bad)])),
                Err(OneAccessError::new("PAGE.0001"))
            );
        }
        for bad in ["-1", "1000001", "zero"] {
            assert_eq!(
                paging(&params(&[("offset", bad)])),
                Err(OneAccessError::new("PAGE.0001"))
            );
        }
    }
}
