//! Raw DEFLATE (RFC 1951) as the HTTP-Redirect binding uses it (SAML 2.0 bindings §3.4.4.1).

use std::io::{Read, Write};

use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;

use super::DsigError;

/// Inflates raw DEFLATE data, refusing output beyond `limit` bytes: a few kilobytes can inflate
/// to gigabytes (a "deflate bomb"), so the output is bounded while reading, not afterwards.
pub fn inflate(data: &[u8], limit: usize) -> Result<Vec<u8>, DsigError> {
    let mut out = Vec::new();
    let bound = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    DeflateDecoder::new(data)
        .take(bound)
        .read_to_end(&mut out)
        .map_err(|_| DsigError::Inflate)?;
    if out.len() > limit {
        return Err(DsigError::InflatedTooLarge { limit });
    }
    Ok(out)
}

/// Compresses `data` with raw DEFLATE.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
    // Writing into a Vec cannot fail, and neither can compressing a complete in-memory input.
    match encoder.write_all(data).and_then(|()| encoder.finish()) {
        Ok(compressed) => compressed,
        Err(_) => unreachable!("deflating into memory cannot fail"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deflate_then_inflate_round_trips() {
        let message = b"<samlp:AuthnRequest ID=\"_1\"/>".repeat(10);
        assert_eq!(inflate(&deflate(&message), 1024).ok(), Some(message));
    }

    #[test]
    fn a_deflate_bomb_is_refused_at_the_limit() {
        let bomb = deflate(&vec![0u8; 50 * 1024 * 1024]);
        assert!(bomb.len() < 100 * 1024);
        assert_eq!(
            inflate(&bomb, 256 * 1024),
            Err(DsigError::InflatedTooLarge { limit: 256 * 1024 })
        );
    }

    #[test]
    fn output_of_exactly_the_limit_is_accepted() {
        assert_eq!(
            inflate(&deflate(&[7u8; 100]), 100).map(|v| v.len()),
            Ok(100)
        );
    }

    #[test]
    fn garbage_is_refused() {
        assert_eq!(
            inflate(b"\xff\xff\xff not deflate", 1024),
            Err(DsigError::Inflate)
        );
    }
}
