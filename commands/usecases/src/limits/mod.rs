//! What keeps an open sign-in page from taking the server down (DESIGN.md "Running in production",
//! ops/adr/0012): the bounded password-hashing pool, per-address and per-account rate limits, the
//! client address behind trusted proxies, and the HTTP timeouts and connection limit.

mod client;
mod pool;
mod rate;

pub use client::{client_address, rate_key, TrustedProxies};
pub use pool::{Overloaded, PasswordPool};
pub use rate::{Limited, Rate, RateLimiter};

use anyhow::Context;
use serde::Deserialize;

/// The `[limits]` table of the configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// A client must send a request's whole header within this time, or the connection is closed.
    pub header_timeout_ms: u64,
    /// A request's whole body must arrive within this time from the end of its header.
    pub body_timeout_ms: u64,
    /// A connection with no bytes moving either way for this long is closed.
    pub idle_timeout_ms: u64,
    /// Open connections at most; past it new connections are closed at once.
    pub max_connections: usize,
    /// Threads that hash passwords (0: one per core).
    pub password_workers: usize,
    /// Password checks that may wait for a thread; past it sign-ins are answered "busy" (503).
    pub password_queue: usize,
    /// Addresses or CIDR blocks of the reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<String>,
    /// Password checks (sign-in forms, SDK and CAS logins) per client address.
    pub sign_in_per_address: Rate,
    /// Password checks per account (or per unknown username), from anywhere.
    pub sign_in_per_account: Rate,
    /// Other unauthenticated requests (login pages, CAPTCHA images, CAS and SAML entry points,
    /// authorization requests) per client address.
    pub anonymous_per_address: Rate,
    /// Refused client authentications (token, introspection, revocation, ticket validation,
    /// management tokens) per client address; successful ones are not counted.
    pub client_failures_per_address: Rate,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_timeout_ms: 10_000,
            body_timeout_ms: 30_000,
            idle_timeout_ms: 60_000,
            max_connections: 4096,
            password_workers: 0,
            password_queue: 32,
            trusted_proxies: Vec::new(),
            sign_in_per_address: Rate::new(30, 60),
            sign_in_per_account: Rate::new(10, 20),
            anonymous_per_address: Rate::new(300, 1200),
            client_failures_per_address: Rate::new(30, 60),
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Limits {
    /// Applies the `IDAAS_*` environment variables of the limits and checks the result.
    pub fn load_env(&mut self) -> anyhow::Result<()> {
        let number = |name: &str, into: &mut u64| -> anyhow::Result<()> {
            if let Some(v) = env(name) {
                *into = v.parse().with_context(|| name.to_string())?;
            }
            Ok(())
        };
        number("IDAAS_HEADER_TIMEOUT_MS", &mut self.header_timeout_ms)?;
        number("IDAAS_BODY_TIMEOUT_MS", &mut self.body_timeout_ms)?;
        number("IDAAS_IDLE_TIMEOUT_MS", &mut self.idle_timeout_ms)?;
        let count = |name: &str, into: &mut usize| -> anyhow::Result<()> {
            if let Some(v) = env(name) {
                *into = v.parse().with_context(|| name.to_string())?;
            }
            Ok(())
        };
        count("IDAAS_MAX_CONNECTIONS", &mut self.max_connections)?;
        count("IDAAS_PASSWORD_WORKERS", &mut self.password_workers)?;
        count("IDAAS_PASSWORD_QUEUE", &mut self.password_queue)?;
        if let Some(v) = env("IDAAS_TRUSTED_PROXIES") {
            self.trusted_proxies = v.split(',').map(|s| s.trim().to_string()).collect();
        }
        let rate = |name: &str, into: &mut Rate| -> anyhow::Result<()> {
            if let Some(v) = env(name) {
                *into = v
                    .parse()
                    .with_context(|| format!("{name} (burst/per-minute, e.g. 30/60)"))?;
            }
            Ok(())
        };
        rate("IDAAS_SIGN_IN_PER_ADDRESS", &mut self.sign_in_per_address)?;
        rate("IDAAS_SIGN_IN_PER_ACCOUNT", &mut self.sign_in_per_account)?;
        rate(
            "IDAAS_ANONYMOUS_PER_ADDRESS",
            &mut self.anonymous_per_address,
        )?;
        rate(
            "IDAAS_CLIENT_FAILURES_PER_ADDRESS",
            &mut self.client_failures_per_address,
        )?;
        self.check()
    }

    fn check(&self) -> anyhow::Result<()> {
        for (name, ms) in [
            ("header_timeout_ms", self.header_timeout_ms),
            ("body_timeout_ms", self.body_timeout_ms),
            ("idle_timeout_ms", self.idle_timeout_ms),
        ] {
            if !(100..=3_600_000).contains(&ms) {
                anyhow::bail!("limits.{name} must be 100 to 3600000");
            }
        }
        if self.max_connections == 0 {
            anyhow::bail!("limits.max_connections must be at least 1");
        }
        if self.password_queue > 100_000 || self.password_workers > 1024 {
            anyhow::bail!("limits.password_queue is at most 100000, password_workers at most 1024");
        }
        TrustedProxies::parse(&self.trusted_proxies).context("limits.trusted_proxies")?;
        Ok(())
    }

    /// The number of password-hashing threads: the configured one, or one per core.
    pub fn password_threads(&self) -> usize {
        match self.password_workers {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn the_example_configuration_holds_the_defaults() {
        let text = include_str!("../../../../ops/config/idaas.example.toml");
        let config: Config = toml::from_str(text).expect("the example parses");
        let defaults = super::Limits::default();
        assert_eq!(
            config.limits.sign_in_per_account,
            defaults.sign_in_per_account
        );
        assert_eq!(
            config.limits.client_failures_per_address,
            defaults.client_failures_per_address
        );
        assert_eq!(config.limits.header_timeout_ms, defaults.header_timeout_ms);
        assert!(config.limits.check().is_ok());
    }
}
