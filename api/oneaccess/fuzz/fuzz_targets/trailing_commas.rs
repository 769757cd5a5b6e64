//! `without_trailing_commas` on arbitrary text: it only ever removes commas, leaves valid JSON
//! as it is, and never touches the inside of a string.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oneaccess::body::without_trailing_commas;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let out = without_trailing_commas(text);
    // `out` is `text` with some commas taken out.
    let mut rest = out.chars().peekable();
    for c in text.chars() {
        if rest.peek() == Some(&c) {
            rest.next();
        } else {
            assert_eq!(c, ',', "a {c:?} was removed");
        }
    }
    assert_eq!(rest.next(), None, "characters were added");
    if serde_json::from_str::<Value>(text).is_ok() {
        assert_eq!(out, text, "valid JSON was changed");
    }
    // A JSON string (here: the text as a whole, quoted) keeps its commas.
    let quoted = serde_json::to_string(text).expect("a string serializes");
    assert_eq!(
        without_trailing_commas(&format!("[{quoted}]")),
        format!("[{quoted}]")
    );
});
