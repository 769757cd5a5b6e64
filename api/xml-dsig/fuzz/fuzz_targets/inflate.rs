//! Bounded inflate of arbitrary bytes with a small limit (the first byte × 64, so the bound is
//! met often): the output never exceeds the limit, the limit is exact, and what comes out
//! deflates and inflates back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xml_dsig::{deflate, inflate, DsigError};

fuzz_target!(|data: &[u8]| {
    let Some((&limit, deflated)) = data.split_first() else {
        return;
    };
    let limit = usize::from(limit) * 64;
    match inflate(deflated, limit) {
        Ok(out) => {
            assert!(out.len() <= limit);
            assert_eq!(inflate(deflated, out.len()).as_ref(), Ok(&out));
            if let Some(below) = out.len().checked_sub(1) {
                assert_eq!(
                    inflate(deflated, below),
                    Err(DsigError::InflatedTooLarge { limit: below })
                );
            }
            assert_eq!(inflate(&deflate(&out), out.len()).as_ref(), Ok(&out));
        }
        Err(DsigError::InflatedTooLarge { limit: reported }) => assert_eq!(reported, limit),
        Err(_) => {}
    }
});
