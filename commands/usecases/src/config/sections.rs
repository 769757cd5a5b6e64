//! The configuration's sections of their own: `[hainan]`, `[metrics]`, `[checkpoints]`,
//! `[retention]` and `[cache]`.

use std::net::SocketAddr;

use anyhow::Context;
use serde::Deserialize;

use super::env;

/// The Hainan UAA dialect's settings (ops/adr/0019).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HainanSettings {
    /// Behind the vendor's gateway, which authenticates callers itself: a call without a
    /// credential is taken as from the business application its `Uaa-App-Key` names, but only
    /// when the connection itself comes from one of these addresses or networks (the gateway's,
    /// not a reverse proxy's: forwarded addresses are not believed here). Empty: off
    /// (`IDAAS_HAINAN_TRUSTED_GATEWAYS`, comma-separated).
    pub trusted_gateways: Vec<String>,
    /// The tenant `Uaa-Tenant-Id: 1` (the document's default) and an absent header mean
    /// (`IDAAS_HAINAN_DEFAULT_TENANT`); without it, the tenant of the request's host.
    pub default_tenant: Option<String>,
}

/// Where `/metrics` is served and to whom (ops/adr/0016, docs/operations.md "Metrics").
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// A listener of its own for `/metrics` (`IDAAS_METRICS_LISTEN`); then the main listener does
    /// not serve it.
    pub listen: Option<SocketAddr>,
    /// The peers (the connection's address, never `X-Forwarded-For`) the main listener serves
    /// `/metrics` to, addresses or CIDR blocks (`IDAAS_METRICS_ALLOW`, comma-separated).
    /// Loopback only by default: a reverse proxy in front would otherwise hand it to anyone.
    pub allow: Vec<String>,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            listen: None,
            allow: vec!["127.0.0.0/8".into(), "::1".into()],
        }
    }
}

impl MetricsConfig {
    /// `IDAAS_METRICS_LISTEN` and `IDAAS_METRICS_ALLOW` over the file's values, then checked.
    pub(super) fn load_env(&mut self) -> anyhow::Result<()> {
        if let Some(v) = env("IDAAS_METRICS_LISTEN") {
            let listen = v.trim().parse::<SocketAddr>();
            let listen =
                listen.context("IDAAS_METRICS_LISTEN (an address such as 0.0.0.0:9464)")?;
            self.listen = Some(listen);
        }
        if let Some(v) = env("IDAAS_METRICS_ALLOW") {
            self.allow = v.split(',').map(|s| s.trim().to_string()).collect();
        }
        crate::limits::TrustedProxies::parse(&self.allow)
            .context("metrics.allow (IDAAS_METRICS_ALLOW)")?;
        Ok(())
    }
}

/// When each tenant's hash chain is signed (ops/adr/0023, docs/operations.md "Signed
/// checkpoints"). Both 0: no checkpoints are written.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckpointSettings {
    /// A tenant's chain head is signed once this many of its events are after its last
    /// checkpoint; 0: never by count (`IDAAS_CHECKPOINT_EVERY_EVENTS`).
    pub every_events: u64,
    /// … and once its oldest event after the last checkpoint is this many seconds old; 0: never
    /// by time (`IDAAS_CHECKPOINT_EVERY_SECONDS`).
    pub every_seconds: u64,
}

impl Default for CheckpointSettings {
    fn default() -> Self {
        Self {
            every_events: 1000,
            every_seconds: 300,
        }
    }
}

impl CheckpointSettings {
    /// Whether checkpoints are written at all.
    pub fn enabled(&self) -> bool {
        self.every_events > 0 || self.every_seconds > 0
    }

    /// `IDAAS_CHECKPOINT_EVERY_EVENTS` and `IDAAS_CHECKPOINT_EVERY_SECONDS` over the file's
    /// values.
    pub(super) fn load_env(&mut self) -> anyhow::Result<()> {
        if let Some(v) = env("IDAAS_CHECKPOINT_EVERY_EVENTS") {
            self.every_events = v.trim().parse().context("IDAAS_CHECKPOINT_EVERY_EVENTS")?;
        }
        if let Some(v) = env("IDAAS_CHECKPOINT_EVERY_SECONDS") {
            self.every_seconds = v.trim().parse().context("IDAAS_CHECKPOINT_EVERY_SECONDS")?;
        }
        Ok(())
    }
}

/// `[retention]`: how often the tenants' retention policies are applied (ops/adr/0026) and how
/// expired short-lived protocol rows leave the projection tables (ops/adr/0027; docs/operations.md
/// "Erasure and retention", "Retention of short-lived records").
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionSettings {
    /// Seconds between runs of the tenants' policies; 0: no runs by the server, only `idaas
    /// retention run` (`IDAAS_RETENTION_INTERVAL_SECONDS`).
    pub interval_seconds: u64,
    /// How often the purge runs, in seconds; 0: never (`IDAAS_RETENTION_PURGE_EVERY_SECONDS`).
    /// Rows are purged a day after they expired.
    pub purge_every_seconds: u64,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self {
            interval_seconds: 3600,
            purge_every_seconds: 600,
        }
    }
}

impl RetentionSettings {
    /// `IDAAS_RETENTION_INTERVAL_SECONDS` and `IDAAS_RETENTION_PURGE_EVERY_SECONDS` over the
    /// file's values.
    pub(super) fn load_env(&mut self) -> anyhow::Result<()> {
        if let Some(v) = env("IDAAS_RETENTION_INTERVAL_SECONDS") {
            self.interval_seconds = v
                .trim()
                .parse()
                .context("IDAAS_RETENTION_INTERVAL_SECONDS")?;
        }
        if let Some(v) = env("IDAAS_RETENTION_PURGE_EVERY_SECONDS") {
            self.purge_every_seconds = v
                .trim()
                .parse()
                .context("IDAAS_RETENTION_PURGE_EVERY_SECONDS")?;
        }
        Ok(())
    }
}

/// `[cache]`: the caches of hot reads (client lookup, token checks, signing keys, host names) and
/// how soon a node hears what other nodes committed (ops/adr/0028, docs/operations.md "Caches
/// and several nodes").
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheSettings {
    /// How often the node reads the global position to hear other nodes' (and tools') writes,
    /// in milliseconds (10–1000): a revocation or a disabled client on one node is honoured on
    /// every node within about this (`IDAAS_CACHE_COHERENCE_MS`).
    pub coherence_ms: u64,
    /// The most entries each cache keeps; 0 turns the caches off (`IDAAS_CACHE_ENTRIES`).
    pub entries: usize,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            coherence_ms: 250,
            entries: 100_000,
        }
    }
}

impl CacheSettings {
    /// The poll interval of the change feed.
    pub fn coherence(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.coherence_ms)
    }

    /// `IDAAS_CACHE_COHERENCE_MS` and `IDAAS_CACHE_ENTRIES` over the file's values, then
    /// checked.
    pub(super) fn load_env(&mut self) -> anyhow::Result<()> {
        if let Some(v) = env("IDAAS_CACHE_COHERENCE_MS") {
            self.coherence_ms = v.trim().parse().context("IDAAS_CACHE_COHERENCE_MS")?;
        }
        if let Some(v) = env("IDAAS_CACHE_ENTRIES") {
            self.entries = v.trim().parse().context("IDAAS_CACHE_ENTRIES")?;
        }
        self.check()
    }

    /// A poll interval that keeps the coherence bound of a second (ops/adr/0028).
    fn check(&self) -> anyhow::Result<()> {
        if !(10..=1000).contains(&self.coherence_ms) {
            anyhow::bail!("cache.coherence_ms must be 10 to 1000 (IDAAS_CACHE_COHERENCE_MS)");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_section_is_read_from_the_file_and_checked() {
        let config: crate::Config =
            toml::from_str("[cache]\ncoherence_ms = 100\nentries = 5\n").unwrap();
        assert_eq!(
            config.cache.coherence(),
            std::time::Duration::from_millis(100)
        );
        assert_eq!(config.cache.entries, 5);
        assert!(config.cache.check().is_ok());
        let default = CacheSettings::default();
        assert_eq!((default.coherence_ms, default.entries), (250, 100_000));
        for coherence_ms in [0, 9, 1001, 60_000] {
            let settings = CacheSettings {
                coherence_ms,
                ..CacheSettings::default()
            };
            assert!(settings.check().is_err(), "{coherence_ms}");
        }
        assert!(toml::from_str::<crate::Config>("[cache]\nttl = 5\n").is_err());
    }
}
