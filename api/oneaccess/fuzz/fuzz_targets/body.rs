//! The `Body` extractor on arbitrary request bodies, read as free JSON and as a record with the
//! lenient `text` and `flag` fields: it never panics; what it accepts holds no NUL; an empty or
//! blank body reads as `{}`; a number read as text is its JSON spelling.
#![no_main]

use axum::extract::{FromRequest, Request};
use libfuzzer_sys::fuzz_target;
use oneaccess::body::{flag, text, Body};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Record {
    #[serde(default, deserialize_with = "text")]
    user_name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    mobile: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    enabled: Option<bool>,
    #[serde(default)]
    extension: Option<Value>,
}

fn read<T: serde::de::DeserializeOwned>(data: &[u8]) -> Option<T> {
    let request = Request::new(axum::body::Body::from(data.to_vec()));
    futures::executor::block_on(Body::<T>::from_request(request, &()))
        .ok()
        .map(|Body(value)| value)
}

fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let value = read::<Value>(data);
    if data.iter().all(u8::is_ascii_whitespace) {
        assert_eq!(value, Some(Value::Object(Default::default())));
    }
    if let Some(value) = &value {
        assert!(!holds_nul(value), "a NUL was accepted");
    }
    let record = read::<Record>(data);
    if let (Some(record), Some(value)) = (&record, &value) {
        if let Value::Number(n) = &value["mobile"] {
            assert_eq!(record.mobile.as_deref(), Some(n.to_string().as_str()));
        }
    }
    if record.is_some() {
        assert!(
            value.is_some(),
            "a record was read from a body that is not JSON"
        );
    }
});
