//! `xml_dsig::parse` on arbitrary text: it never panics, and what it accepts keeps its limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xml_dsig::{parse, MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_NODES};

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(doc) = parse(xml) else {
        return;
    };
    assert!(xml.len() <= MAX_DOCUMENT_BYTES);
    assert!(doc.descendants().count() <= MAX_NODES as usize);
    for element in doc.descendants().filter(|n| n.is_element()) {
        // `ancestors` starts at the node itself: this is the element's depth.
        assert!(element.ancestors().filter(|n| n.is_element()).count() <= MAX_DEPTH);
    }
    // What callers do next with an untrusted document must not panic either.
    let _ = xml_dsig::is_signed(&doc);
    let _ = xml_dsig::text_of(doc.root_element());
});
