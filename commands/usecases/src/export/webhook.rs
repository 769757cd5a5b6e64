//! Signed webhook deliveries (ops/adr/0024, docs/operations.md "Export"): one CloudEvent per
//! `POST`, acknowledged by any 2xx answer.
//!
//! The signature is an HMAC-SHA256 under the consumer's secret over `"<timestamp>.<body>"` (the
//! decimal Unix seconds in [`TIMESTAMP_HEADER`], a dot, and the exact body bytes), sent as
//! `v1=<lower-case hex>` in [`SIGNATURE_HEADER`]. A receiver recomputes it over the raw body,
//! compares in constant time, refuses a timestamp more than a few minutes from its clock (a
//! replayed capture), and treats a second delivery with the same [`IDEMPOTENCY_HEADER`] (the
//! CloudEvents `id`) as a duplicate.

use std::time::Duration;

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use super::envelope::CONTENT_TYPE;

/// The Unix time (seconds) the signature covers.
pub const TIMESTAMP_HEADER: &str = "X-Idaas-Timestamp";
/// `v1=` and the hex HMAC-SHA256 of `"<timestamp>.<body>"`.
pub const SIGNATURE_HEADER: &str = "X-Idaas-Signature";
/// The CloudEvents `id`: the same on every attempt and every replay of the event.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// Which attempt this is (1 for the first) since the consumer last started delivering it.
pub const ATTEMPT_HEADER: &str = "X-Idaas-Attempt";

/// The `X-Idaas-Signature` value of `body` sent at `timestamp` under `secret`.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    // HMAC accepts a key of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// A webhook endpoint and its signing key.
pub struct Webhook {
    client: reqwest::Client,
    url: String,
    secret: SecretString,
}

impl Webhook {
    pub fn new(url: &str, secret: SecretString, timeout: Duration) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            // A redirect is not an acknowledgement, and the signed body must not follow it to
            // another host.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            client,
            url: url.to_string(),
            secret,
        })
    }

    /// Posts one event; `Err` says why it was not acknowledged (a status or a transport error,
    /// without the URL, which may carry a credential).
    pub async fn deliver(
        &self,
        id: &str,
        body: &[u8],
        timestamp: i64,
        attempt: u32,
    ) -> Result<(), String> {
        let signature = signature(self.secret.expose_secret().as_bytes(), timestamp, body);
        let sent = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, signature)
            .header(IDEMPOTENCY_HEADER, id)
            .header(ATTEMPT_HEADER, attempt.to_string())
            .body(body.to_vec())
            .send()
            .await;
        match sent {
            Ok(answer) if answer.status().is_success() => Ok(()),
            Ok(answer) => Err(format!("answered HTTP {}", answer.status().as_u16())),
            Err(error) => Err(format!("not delivered: {}", error.without_url())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_dot_body() {
        // RFC 4231 test case 2 gives HMAC-SHA256("Jefe", "what do ya want for nothing?").
        let signed = signature(b"Jefe", 0, b"what do ya want for nothing?");
        assert!(signed.starts_with("v1=") && signed.len() == 3 + 64);
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"0.what do ya want for nothing?");
        assert_eq!(
            signed,
            format!("v1={}", hex::encode(mac.finalize().into_bytes()))
        );
        assert_ne!(
            signed,
            signature(b"Jefe", 1, b"what do ya want for nothing?")
        );
    }
}
