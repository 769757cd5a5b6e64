//! The business JSON of a call (specs/oneaccess-sdk-and-hainan-uaa.md §4.1.9–12): an object
//! (an empty body is `{}`); empty strings count as absent (every example sends `""`
//! placeholders); numbers and booleans are accepted as the document writes them or as strings;
//! id lists hold at most 100 ids; pages are 1-based, 10 rows unless asked, at most 100.

use projections::page::{Page, PageRequest};
use serde_json::{json, Map, Value};

use crate::envelope::{Code, HainanError};

pub const MAX_IDS: usize = 100;
pub const MAX_PAGE_SIZE: i64 = 100;
pub const DEFAULT_PAGE_SIZE: i64 = 10;

/// The call's JSON object.
#[derive(Debug, Default)]
pub struct Body(Map<String, Value>);

impl Body {
    /// The body as received: empty or an object, else `ERR_BODY_INVALID` (HTTP 400).
    pub fn parse(bytes: &[u8]) -> Result<Self, HainanError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(value @ Value::Object(_)) if has_nul(&value) => Err(HainanError::new(
                Code::ParamInvalid,
                "the body holds a NUL character",
            )),
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(HainanError::new(
                Code::BodyInvalid,
                "the body must be a JSON object",
            )),
            Err(e) => Err(HainanError::new(
                Code::BodyInvalid,
                format!("the body is not JSON: {e}"),
            )),
        }
    }

    fn present(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| match v {
            Value::Null => false,
            Value::String(s) => !s.trim().is_empty(),
            _ => true,
        })
    }

    /// Whether the key is given as a blank string (an explicit "none", where absent means
    /// "unchanged").
    pub fn is_blank(&self, key: &str) -> bool {
        matches!(self.0.get(key), Some(Value::String(s)) if s.trim().is_empty())
    }

    /// A boolean: `true`/`false`, or those words as strings.
    pub fn boolean(&self, key: &str) -> Result<Option<bool>, HainanError> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) => match s.trim() {
                "true" => Ok(Some(true)),
                "false" => Ok(Some(false)),
                _ => Err(HainanError::invalid(key, "must be true or false")),
            },
            Some(_) => Err(HainanError::invalid(key, "must be true or false")),
        }
    }

    /// A list of objects, each read as a body of its own.
    pub fn list(&self, key: &str) -> Result<Option<Vec<Body>>, HainanError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::Object(map) => Ok(Body(map.clone())),
                    _ => Err(HainanError::invalid(key, "a list of objects")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(HainanError::invalid(key, "must be a list")),
        }
    }

    /// A text value: a string (trimmed) or a number.
    pub fn text(&self, key: &str) -> Result<Option<String>, HainanError> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.chars().count() <= 512 => Ok(Some(s.trim().to_string())),
            Some(Value::String(_)) => Err(HainanError::invalid(key, "at most 512 characters")),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(HainanError::invalid(key, "must be a string")),
        }
    }

    /// A required text value.
    pub fn required(&self, key: &str) -> Result<String, HainanError> {
        self.text(key)?.ok_or_else(|| HainanError::missing(key))
    }

    /// An integer, or its digits as a string.
    pub fn integer(&self, key: &str) -> Result<Option<i64>, HainanError> {
        match self.present(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| HainanError::invalid(key, "must be an integer")),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| HainanError::invalid(key, "must be an integer")),
            Some(_) => Err(HainanError::invalid(key, "must be an integer")),
        }
    }

    /// A list of ids (strings or numbers; blanks skipped, duplicates kept once, order kept),
    /// at most `MAX_IDS`.
    pub fn ids(&self, key: &str) -> Result<Option<Vec<String>>, HainanError> {
        let Some(value) = self.0.get(key).filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        let Value::Array(items) = value else {
            return Err(HainanError::invalid(key, "must be a list"));
        };
        if items.len() > MAX_IDS {
            return Err(HainanError::new(
                Code::LimitExceeded,
                format!("{key}: at most {MAX_IDS} ids per call"),
            ));
        }
        let mut ids: Vec<String> = Vec::with_capacity(items.len());
        for item in items {
            let id = match item {
                Value::String(s) => s.trim().to_string(),
                Value::Number(n) => n.to_string(),
                _ => return Err(HainanError::invalid(key, "ids are strings")),
            };
            if id.len() > 128 {
                return Err(HainanError::invalid(key, "an id is at most 128 characters"));
            }
            if !id.is_empty() && !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(Some(ids))
    }

    /// A required, non-empty list of ids.
    pub fn required_ids(&self, key: &str) -> Result<Vec<String>, HainanError> {
        self.ids(key)?
            .filter(|ids| !ids.is_empty())
            .ok_or_else(|| HainanError::missing(key))
    }

    /// "必须存在一个参数,且只能有一个参数": exactly one of `keys`; which one, with its value.
    pub fn exactly_one(&self, keys: &[&str]) -> Result<(String, String), HainanError> {
        let given = self.given(keys)?;
        match given.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(HainanError::new(
                Code::ParamMissing,
                format!("exactly one of {} is required", keys.join(", ")),
            )),
            _ => Err(conflict(keys)),
        }
    }

    /// "只能存在一个": at most one of `keys`.
    pub fn at_most_one(&self, keys: &[&str]) -> Result<Option<(String, String)>, HainanError> {
        let given = self.given(keys)?;
        match given.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one.clone())),
            _ => Err(conflict(keys)),
        }
    }

    fn given(&self, keys: &[&str]) -> Result<Vec<(String, String)>, HainanError> {
        let mut given = Vec::new();
        for key in keys {
            if let Some(value) = self.text(key)? {
                given.push((key.to_string(), value));
            }
        }
        Ok(given)
    }

    /// The page asked for: `pageNum` from 1 (default 1), `pageSize` 1 to 100 (default 10).
    pub fn page(&self) -> Result<PageRequest, HainanError> {
        let number = self.integer("pageNum")?.unwrap_or(1);
        let size = self.integer("pageSize")?.unwrap_or(DEFAULT_PAGE_SIZE);
        if number < 1 {
            return Err(HainanError::invalid("pageNum", "pages start at 1"));
        }
        if size < 1 {
            return Err(HainanError::invalid("pageSize", "at least 1"));
        }
        if size > MAX_PAGE_SIZE {
            return Err(HainanError::new(
                Code::LimitExceeded,
                format!("pageSize: at most {MAX_PAGE_SIZE}"),
            ));
        }
        PageRequest::page_number(number, size).map_err(|e| HainanError::invalid("pageNum", e))
    }
}

/// Whether any key or text in `value` holds a NUL character (no store keeps one).
fn has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

fn conflict(keys: &[&str]) -> HainanError {
    HainanError::new(
        Code::ParamConflict,
        format!("only one of {} may be given", keys.join(", ")),
    )
}

/// The page object (§2.1 "Page wrapper"): `{pageNum, pageSize, pages, total, records}`.
pub fn page_object(page: Page<Value>) -> Value {
    json!({
        "pageNum": page.request.number(),
        "pageSize": page.request.limit(),
        "pages": page.pages(),
        "total": page.total,
        "records": page.items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: Value) -> Body {
        Body::parse(json.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn blanks_are_absent_and_exactly_one_means_one() {
        let b = body(json!({"userId": "", "account": "abc", "phone": null}));
        assert_eq!(
            b.exactly_one(&["userId", "account", "phone"]).unwrap(),
            ("account".to_string(), "abc".to_string())
        );
        let none = body(json!({"phone": ""}));
        let err = none.exactly_one(&["userId", "phone"]).unwrap_err();
        assert_eq!(err.code, Code::ParamMissing);
        let two = body(json!({"userId": "1", "phone": "2"}));
        assert_eq!(
            two.exactly_one(&["userId", "phone"]).unwrap_err().code,
            Code::ParamConflict
        );
        assert_eq!(two.at_most_one(&["x", "y"]).unwrap(), None);
    }

    #[test]
    fn lists_and_pages_are_bounded() {
        let ids: Vec<String> = (0..101).map(|i| i.to_string()).collect();
        let err = body(json!({ "userIds": ids })).ids("userIds").unwrap_err();
        assert_eq!(err.code, Code::LimitExceeded);
        let page = body(json!({})).page().unwrap();
        assert_eq!((page.number(), page.limit()), (1, 10));
        let err = body(json!({"pageSize": 101})).page().unwrap_err();
        assert_eq!(err.code, Code::LimitExceeded);
        assert_eq!(
            body(json!({"pageNum": 0})).page().unwrap_err().code,
            Code::ParamInvalid
        );
        assert_eq!(
            body(json!({"pageNum": "2", "pageSize": "5"}))
                .page()
                .unwrap()
                .offset_rows(),
            5
        );
    }

    #[test]
    fn only_objects_are_bodies() {
        assert!(Body::parse(b"").is_ok());
        let nul = Body::parse(br#"{"userId": "a\u0000"}"#).unwrap_err();
        assert_eq!(nul.code, Code::ParamInvalid);
        let long = body(json!({ "ids": ["x".repeat(129)] }))
            .ids("ids")
            .unwrap_err();
        assert_eq!(long.code, Code::ParamInvalid);
        for bad in [&b"[]"[..], b"{", b"\"x\""] {
            assert_eq!(Body::parse(bad).unwrap_err().code, Code::BodyInvalid);
        }
        let b = body(json!({"n": "7", "m": "", "enable": "", "flag": "true", "list": [{"a": 1}]}));
        assert_eq!(b.integer("n").unwrap(), Some(7));
        assert_eq!(b.integer("m").unwrap(), None);
        assert_eq!(
            b.boolean("enable").unwrap(),
            None,
            "the document's \"enable\":\"\""
        );
        assert!(b.is_blank("enable") && !b.is_blank("absent"));
        assert_eq!(b.boolean("flag").unwrap(), Some(true));
        assert_eq!(
            b.list("list").unwrap().unwrap()[0].integer("a").unwrap(),
            Some(1)
        );
        assert!(b.list("n").is_err());
    }
}
