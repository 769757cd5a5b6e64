//! CSV answers (RFC 4180): a header row, CRLF line ends, fields quoted when they hold a comma,
//! quote or line break. A field that a spreadsheet would run as a formula (starting with `=`,
//! `+`, `-`, `@`, tab or carriage return) is prefixed with `'`, so an exported audit trail cannot
//! carry a formula into the auditor's spreadsheet. The cursor of the next page travels in the
//! `X-Next-Cursor` header.

use axum::http::{header, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};

/// The header that carries the next page's cursor of a CSV answer.
pub const NEXT_CURSOR: HeaderName = HeaderName::from_static("x-next-cursor");

/// One field, escaped.
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A CSV document of `header` and `rows`.
pub fn document(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let mut line = |cells: Vec<String>| {
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    };
    line(header.iter().map(|h| field(h)).collect());
    for row in rows {
        line(row.iter().map(|cell| field(cell)).collect());
    }
    out
}

/// A CSV answer with the next page's cursor, if there is one.
pub fn answer(body: String, next_cursor: Option<String>) -> Response {
    let mut response = ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response();
    if let Some(value) = next_cursor.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(NEXT_CURSOR, value);
    }
    response
}

/// An optional text as a field (empty when absent).
pub fn optional(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        let rows = vec![vec!["a,b".to_string(), "say \"hi\"".into(), "=1+1".into()]];
        assert_eq!(
            document(&["x", "y", "z"], &rows),
            "x,y,z\r\n\"a,b\",\"say \"\"hi\"\"\",'=1+1\r\n"
        );
    }
}
