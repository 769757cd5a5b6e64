//! The OAuth endpoints' parameter parser on arbitrary bodies under several content types (the
//! first byte picks one). What it returns holds no empty value and no NUL, whatever the body's
//! form; a name given twice is refused; a form body yields exactly its non-empty pairs.
#![no_main]

use std::collections::HashMap;
use std::fmt;

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use sso::oauth::params::parse;

const CONTENT_TYPES: [Option<&str>; 6] = [
    None,
    Some("application/x-www-form-urlencoded"),
    Some("application/json"),
    Some("Application/JSON;charset=UTF-8"),
    Some("text/plain"),
    Some("application/jsonp"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(selector) % CONTENT_TYPES.len()];
    let mut headers = HeaderMap::new();
    if let Some(value) = content_type {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(value));
    }
    let Ok(params) = parse(&headers, body) else {
        return;
    };
    for (name, value) in &params {
        assert!(!value.is_empty(), "{name} is empty");
        assert!(!value.contains('\0'), "{name} holds a NUL");
    }
    let is_json =
        content_type.is_some_and(|t| t.to_ascii_lowercase().starts_with("application/json"));
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if is_json && first == Some(&b'{') {
        // As in a form, an empty value is absent, so only a repeat of a present name counts.
        let Members(members) = serde_json::from_slice(body).expect("accepted JSON parses");
        let mut seen = std::collections::HashSet::new();
        for (name, value) in members {
            if value != "" {
                assert!(seen.insert(name.clone()), "{name} given twice was accepted");
            }
        }
    } else {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(body).expect("an accepted form parses");
        let expected: HashMap<String, String> =
            pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        assert_eq!(params, expected);
    }
});

/// Every member of a JSON object, repeats included (a map would keep only one).
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
