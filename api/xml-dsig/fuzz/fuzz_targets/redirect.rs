//! `verify_redirect` on arbitrary query strings against the fixed service-provider certificate
//! (seeds signed with its key, see `make_seeds.py`): it never panics, and nothing verifies
//! without a trusted certificate.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use xml_dsig::verify_redirect;

static TRUSTED: LazyLock<Vec<Vec<u8>>> =
    LazyLock::new(|| vec![include_bytes!("../fixtures/sp-cert.der").to_vec()]);

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    if verify_redirect(query, &TRUSTED).is_ok() {
        assert!(verify_redirect(query, &[]).is_err());
    }
});
