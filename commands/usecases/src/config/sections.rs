//! The configuration's sections of their own: `[hainan]`, `[metrics]`, `[checkpoints]` and
//! `[retention]`.

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
