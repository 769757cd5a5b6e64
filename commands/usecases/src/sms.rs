//! Sending SMS verification codes (the SDK's SMS second factor, seed 002 MFA_AUTH). The server
//! talks to an SMS gateway through `SmsSender`; which gateway is a deployment's choice, so none is
//! built in. Two senders come with the server, and neither delivers anything:
//!
//! - `LogOnlySmsSender`, the default: it only logs that a code was sent, to a masked number,
//!   and never the code. With it, SMS verification cannot be completed; it keeps the flow
//!   observable until a real gateway is plugged in (see ops/adr/0006-sdk-login.md).
//! - `MemorySmsSender`: an outbox in memory, for tests and local development, from which the
//!   code can be read back. Never use it in production.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

/// One verification code to send.
#[derive(Debug, Clone)]
pub struct SmsMessage {
    pub tenant_id: String,
    pub mobile: String,
    pub code: String,
    /// How long the code is valid, for the text of the message.
    pub lifetime_secs: i64,
}

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + 'a>>;

/// An SMS gateway. `send` returns once the gateway accepted the message.
pub trait SmsSender: Send + Sync {
    fn send<'a>(&'a self, message: &'a SmsMessage) -> SendFuture<'a>;
}

/// A number with all but its first three and last four digits hidden (`139****0011`); shorter
/// numbers keep only their last two characters.
pub fn mask_mobile(mobile: &str) -> String {
    let chars: Vec<char> = mobile.trim().chars().collect();
    let n = chars.len();
    let (head, tail) = if n >= 11 {
        (3, 4)
    } else if n > 4 {
        (0, 2)
    } else {
        (0, 0)
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < head || i >= n - tail { *c } else { '*' })
        .collect()
}

/// Sends nothing: logs that a code would have gone to a masked number. The default sender, so
/// that no code ever leaves the server unless a real gateway is configured.
pub struct LogOnlySmsSender;

impl SmsSender for LogOnlySmsSender {
    fn send<'a>(&'a self, message: &'a SmsMessage) -> SendFuture<'a> {
        Box::pin(async move {
            tracing::warn!(
                tenant = %message.tenant_id,
                mobile = %mask_mobile(&message.mobile),
                "SMS verification code issued but not delivered: the log-only SMS sender is in use"
            );
            Ok(())
        })
    }
}

/// Keeps every message in memory (tests and development only).
#[derive(Default)]
pub struct MemorySmsSender {
    outbox: Mutex<Vec<SmsMessage>>,
}

impl MemorySmsSender {
    /// The code of the last message sent to `mobile`.
    pub fn last_code_to(&self, mobile: &str) -> Option<String> {
        let outbox = self.outbox.lock().ok()?;
        outbox
            .iter()
            .rev()
            .find(|m| m.mobile == mobile)
            .map(|m| m.code.clone())
    }

    /// How many messages were sent to `mobile`.
    pub fn count_to(&self, mobile: &str) -> usize {
        self.outbox
            .lock()
            .map(|o| o.iter().filter(|m| m.mobile == mobile).count())
            .unwrap_or(0)
    }
}

impl SmsSender for MemorySmsSender {
    fn send<'a>(&'a self, message: &'a SmsMessage) -> SendFuture<'a> {
        Box::pin(async move {
            self.outbox
                .lock()
                .map_err(|_| anyhow::anyhow!("SMS outbox poisoned"))?
                .push(message.clone());
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::mask_mobile;

    #[test]
    fn a_masked_number_shows_only_its_ends() {
        assert_eq!(mask_mobile("13900000011"), "139****0011");
        assert_eq!(mask_mobile("+86-13900000011"), "+86********0011");
        assert_eq!(mask_mobile("123456"), "****56");
        assert_eq!(mask_mobile("1234"), "****");
    }
}
