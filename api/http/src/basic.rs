//! HTTP Basic client credentials (RFC 6749 §2.3.1: the client id and secret form-urlencoded,
//! then base64), shared by every token endpoint.

use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// `None` without a Basic `Authorization` header; `Some(None)` for one that does not decode;
/// otherwise the client id and secret.
pub fn basic_credentials(headers: &HeaderMap) -> Option<Option<(String, String)>> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decode = || {
        let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        let unescape = |v: &str| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={v}"))
                .ok()
                .and_then(|mut pairs| pairs.pop())
                .map(|(_, v)| v)
        };
        Some((unescape(id)?, unescape(secret)?))
    };
    Some(decode())
}
