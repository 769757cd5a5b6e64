//! Reading the audit API's query strings: unknown parameters, over-long or control-character
//! values, bad instants, cursors and limits are a 400 in the surface's shape, never a 500.

use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;

use crate::error::AuditError;

/// The longest filter value taken.
const MAX_TEXT: usize = 256;
/// Rows on a page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: i64 = 100;

/// The query string as `T`; an unknown parameter or a value of the wrong kind is a 400.
pub fn parse<T: DeserializeOwned + Default>(raw: Option<&str>) -> Result<T, AuditError> {
    match raw {
        None | Some("") => Ok(T::default()),
        Some(raw) => serde_urlencoded::from_str(raw)
            .map_err(|e| AuditError::invalid(format!("invalid query: {e}"))),
    }
}

/// A text filter: absent when empty, at most 256 characters, no control characters.
pub fn text(name: &str, value: Option<String>) -> Result<Option<String>, AuditError> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > MAX_TEXT {
        return Err(AuditError::invalid(format!(
            "{name} is longer than {MAX_TEXT} characters"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(AuditError::invalid(format!(
            "{name} holds a control character"
        )));
    }
    Ok(Some(value))
}

/// An RFC 3339 instant (`2026-03-01T00:00:00Z`, any offset), in milliseconds since the epoch.
pub fn instant(name: &str, value: Option<String>) -> Result<Option<i64>, AuditError> {
    let Some(value) = text(name, value)? else {
        return Ok(None);
    };
    chrono::DateTime::parse_from_rfc3339(&value)
        .map(|t| Some(t.timestamp_millis()))
        .map_err(|_| {
            AuditError::invalid(format!(
                "{name} must be an RFC 3339 instant, e.g. 2026-03-01T00:00:00Z"
            ))
        })
}

/// The page size: 1 to 1000, 100 when absent.
pub fn limit(value: Option<i64>) -> Result<i64, AuditError> {
    match value.unwrap_or(DEFAULT_LIMIT) {
        limit @ 1..=1000 => Ok(limit),
        other => Err(AuditError::invalid(format!(
            "limit must be 1 to 1000, not {other}"
        ))),
    }
}

const CURSOR_PREFIX: &str = "after:";

/// The opaque cursor that continues after `position`.
pub fn cursor(position: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{position}"))
}

/// The position a cursor continues after (0 without one).
pub fn after(cursor: Option<String>) -> Result<i64, AuditError> {
    let Some(cursor) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(0);
    };
    URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(CURSOR_PREFIX)?.parse::<i64>().ok())
        .filter(|position| *position >= 0)
        .ok_or_else(|| AuditError::invalid("cursor is not one this API gave out"))
}

/// How an answer is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

/// `format=json|csv` when given, otherwise CSV when `Accept` asks for `text/csv`, else JSON.
pub fn format(requested: Option<&str>, headers: &HeaderMap) -> Result<Format, AuditError> {
    match requested {
        Some("json") => Ok(Format::Json),
        Some("csv") => Ok(Format::Csv),
        Some("") | None => {
            let accept = headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_ascii_lowercase();
            Ok(if accept.contains("text/csv") {
                Format::Csv
            } else {
                Format::Json
            })
        }
        Some(_) => Err(AuditError::invalid("format must be json or csv")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_strangers_are_refused() {
        assert_eq!(after(Some(cursor(42))).ok(), Some(42));
        assert_eq!(after(None).ok(), Some(0));
        assert!(after(Some("42".into())).is_err());
        assert!(after(Some(URL_SAFE_NO_PAD.encode("after:-1"))).is_err());
        assert!(instant("from", Some("yesterday".into())).is_err());
        assert_eq!(
            instant("from", Some("1970-01-01T00:00:01+00:00".into())).ok(),
            Some(Some(1000))
        );
        assert!(text("actor", Some("a\u{0}b".into())).is_err());
        assert!(limit(Some(1001)).is_err() && limit(Some(0)).is_err());
    }
}
