//! Exclusive canonicalization of the root of any document `parse` accepts: the canonical form is
//! well-formed XML and is its own canonical form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xml_dsig::{canonicalize, parse, prefix_list};

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(doc) = parse(xml) else {
        return;
    };
    let root = doc.root_element();
    let canonical = canonicalize(root, None, &[]);
    // Re-parsed without `parse`'s limits: the canonical form may be larger than the input (empty
    // elements get end tags, a namespace declaration is repeated on every element that uses it).
    let reparsed = roxmltree::Document::parse(&canonical)
        .unwrap_or_else(|e| panic!("the canonical form does not parse ({e}):\n{canonical}"));
    assert_eq!(
        canonicalize(reparsed.root_element(), None, &[]),
        canonical,
        "canonicalization is not idempotent"
    );

    // The other two parameters, as verification uses them: an omitted subtree (the enveloped
    // signature) and an InclusiveNamespaces PrefixList.
    let omit = root.children().find(|n| n.is_element());
    let partial = canonicalize(root, omit, &prefix_list("#default saml xs ds"));
    if let Err(e) = roxmltree::Document::parse(&partial) {
        panic!("the canonical form with an omitted child does not parse ({e}):\n{partial}");
    }
});
