//! Query-string signatures of the HTTP-Redirect binding (SAML 2.0 bindings §3.4.4.1).
//!
//! The signature covers `SAMLRequest=..&RelayState=..&SigAlg=..` (or `SAMLResponse=..`) exactly as
//! the parameters are URL-encoded in the query, so verification works on the raw query string and
//! never re-encodes: two encoders may legitimately differ (`%2f` and `%2F`, `+` and `%20`).

use aws_lc_rs::signature::RsaKeyPair;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::keys::{rsa_algorithm, verify_with_any};
use super::names::RSA_SHA256;
use super::sign::rsa_sha256;
use super::DsigError;

/// Appends `&SigAlg=<rsa-sha256>&Signature=..` to a query holding `SAMLRequest` or `SAMLResponse`
/// and optionally `RelayState`, already URL-encoded. The parameters are put in the order the
/// binding signs them; any other parameter, or an existing signature, is refused.
pub fn sign_redirect(query_without_signature: &str, key: &RsaKeyPair) -> Result<String, DsigError> {
    let query = RedirectQuery::parse(query_without_signature)?;
    if query.sig_alg.is_some() || query.signature.is_some() || query.other {
        return Err(DsigError::Query(
            "only SAMLRequest or SAMLResponse and RelayState may be signed",
        ));
    }
    let mut signed = query.message_and_relay_state();
    signed.push_str("&SigAlg=");
    signed.push_str(&url_encode(RSA_SHA256));
    let signature = STANDARD.encode(rsa_sha256(key, signed.as_bytes())?);
    Ok(format!("{signed}&Signature={}", url_encode(&signature)))
}

/// Verifies the signature of a redirect-binding query string (the part after `?`) against the
/// trusted certificates. RSA-SHA256 and RSA-SHA512 are accepted; RSA-SHA1 is refused.
pub fn verify_redirect(raw_query: &str, certificates_der: &[Vec<u8>]) -> Result<(), DsigError> {
    let query = RedirectQuery::parse(raw_query)?;
    let (Some(sig_alg), Some(signature)) = (query.sig_alg, query.signature) else {
        return Err(DsigError::NotSigned);
    };
    let algorithm_uri = url_decode(sig_alg).ok_or(DsigError::Query("SigAlg is badly encoded"))?;
    let algorithm = rsa_algorithm(&algorithm_uri)?;
    let signature = url_decode(signature).ok_or(DsigError::Query("Signature is badly encoded"))?;
    let signature = STANDARD
        .decode(signature)
        .map_err(|_| DsigError::Base64("Signature"))?;
    let mut signed = query.message_and_relay_state();
    signed.push_str("&SigAlg=");
    signed.push_str(sig_alg);
    verify_with_any(algorithm, signed.as_bytes(), &signature, certificates_der)
}

/// The binding's parameters, each still URL-encoded as received.
struct RedirectQuery<'q> {
    /// ("SAMLRequest" or "SAMLResponse", encoded value).
    message: (&'q str, &'q str),
    relay_state: Option<&'q str>,
    sig_alg: Option<&'q str>,
    signature: Option<&'q str>,
    other: bool,
}

impl<'q> RedirectQuery<'q> {
    fn parse(raw: &'q str) -> Result<Self, DsigError> {
        let mut message = None;
        let mut relay_state = None;
        let mut sig_alg = None;
        let mut signature = None;
        let mut other = false;
        let raw = raw.strip_prefix('?').unwrap_or(raw);
        for pair in raw.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let slot = match name {
                "SAMLRequest" | "SAMLResponse" => {
                    if message.replace((name, value)).is_some() {
                        return Err(DsigError::Query("it carries more than one SAML message"));
                    }
                    continue;
                }
                "RelayState" => &mut relay_state,
                "SigAlg" => &mut sig_alg,
                "Signature" => &mut signature,
                _ => {
                    other = true;
                    continue;
                }
            };
            if slot.replace(value).is_some() {
                return Err(DsigError::Query("a parameter is repeated"));
            }
        }
        let message = message.ok_or(DsigError::Query("SAMLRequest or SAMLResponse is missing"))?;
        Ok(Self {
            message,
            relay_state,
            sig_alg,
            signature,
            other,
        })
    }

    fn message_and_relay_state(&self) -> String {
        let (name, value) = self.message;
        match self.relay_state {
            Some(relay_state) => format!("{name}={value}&RelayState={relay_state}"),
            None => format!("{name}={value}"),
        }
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub(crate) fn url_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Decodes `application/x-www-form-urlencoded` text (`+` is a space); `None` when malformed.
pub(crate) fn url_decode(value: &str) -> Option<String> {
    let mut out = Vec::with_capacity(value.len());
    let mut bytes = value.bytes();
    while let Some(byte) = bytes.next() {
        match byte {
            b'+' => out.push(b' '),
            b'%' => {
                let high = char::from(bytes.next()?).to_digit(16)?;
                let low = char::from(bytes.next()?).to_digit(16)?;
                out.push(u8::try_from(high * 16 + low).ok()?);
            }
            _ => out.push(byte),
        }
    }
    String::from_utf8(out).ok()
}
