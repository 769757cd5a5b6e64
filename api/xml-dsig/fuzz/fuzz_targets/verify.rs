//! `verify_root` on any document `parse` accepts, against a fixed service-provider certificate
//! (`fixtures/sp-cert.der`; the seeds in `corpus/verify` are signed with its key, see
//! `make_seeds.py`). It never panics; what verifies is a signed root with an ID, and nothing
//! verifies without a trusted certificate.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use xml_dsig::{is_signed, parse, verify_root};

static TRUSTED: LazyLock<Vec<Vec<u8>>> =
    LazyLock::new(|| vec![include_bytes!("../fixtures/sp-cert.der").to_vec()]);

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(doc) = parse(xml) else {
        return;
    };
    if verify_root(&doc, &TRUSTED).is_ok() {
        assert!(is_signed(&doc));
        let id = doc.root_element().attribute("ID");
        assert!(id.is_some_and(|id| !id.is_empty()));
        assert!(verify_root(&doc, &[]).is_err());
    }
});
