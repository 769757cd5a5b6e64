//! Configuration: defaults, then a TOML file (`--config` or `IDAAS_CONFIG`), then environment
//! variables, then command-line flags. See `ops/config/idaas.example.toml`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use store::Keys;

mod redacted;
mod sections;
pub use sections::{
    CacheSettings, CheckpointSettings, HainanSettings, MetricsConfig, RetentionSettings,
};

/// The configuration. Its secrets are `SecretString`s and its `Debug` redacts them and the
/// database URL's password (ops/adr/0016), so printing a `Config` prints no key.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the server listens.
    pub listen: SocketAddr,
    /// `sqlite://…` or `postgres://…`; SQLite under `data_dir` when absent.
    pub database_url: Option<String>,
    /// Holds the SQLite database and the generated master key.
    pub data_dir: PathBuf,
    /// The master key (32 bytes, base64 or hex) that wraps personal-data keys and keys the hashes of
    /// unique values and secrets. Generated into `data_dir/master.key` when absent.
    pub master_key: Option<SecretString>,
    /// Offset of the tenants' wall-clock time zone from UTC, in minutes (Asia/Shanghai: 480).
    pub utc_offset_minutes: i32,
    /// Fixed credentials for the bootstrap management application (automation).
    pub bootstrap_client_id: Option<String>,
    pub bootstrap_client_secret: Option<SecretString>,
    /// Browsers reach the server over HTTPS (through a TLS-terminating proxy): issuer URLs say
    /// `https` and session cookies are `Secure`. `X-Forwarded-Proto: https` from a trusted proxy
    /// says so too.
    pub public_https: bool,
    /// Where browsers and clients reach the default tenant (`https://id.example.com`): the
    /// issuer, the SAML entity id, the CAS and login URLs. The `Host` header never decides them.
    /// When absent, the address the server listens on (or, listening on every interface, the
    /// request's host name, which only suits development).
    pub public_url: Option<String>,
    /// How long a CAS service or proxy ticket may wait for validation, in seconds (1–300).
    pub cas_ticket_seconds: u32,
    /// The first wait before a failed CAS single-logout delivery is retried, in milliseconds;
    /// it doubles with each failure.
    pub cas_logout_retry_ms: u64,
    /// Accept `http://` CAS proxy callbacks (development and tests only: the CAS protocol wants
    /// HTTPS, so a PGT never travels in clear).
    pub cas_http_callbacks: bool,
    /// How long a request waits for a database connection before the database is called
    /// unreachable and the request is answered "temporarily unavailable", in milliseconds.
    pub database_acquire_timeout_ms: u64,
    /// SQLite's durability: `full` (an acknowledged write survives power loss; the default) or
    /// `normal` (faster; survives a crash of the process, not of the machine). See ops/adr/0011.
    pub sqlite_synchronous: String,
    /// Timeouts, connection and rate limits, the password pool, trusted proxies (`[limits]`).
    pub limits: crate::limits::Limits,
    /// How log lines are written to stderr: `text` (the default) or `json`, one object a line
    /// (`IDAAS_LOG_FORMAT`). The level comes from `IDAAS_LOG` or `RUST_LOG` (default `info`).
    pub log_format: LogFormat,
    /// The Hainan UAA dialect (`[hainan]`).
    pub hainan: HainanSettings,
    /// Where `/metrics` is served and to whom (`[metrics]`).
    pub metrics: MetricsConfig,
    /// When each tenant's hash chain is signed (`[checkpoints]`).
    pub checkpoints: CheckpointSettings,
    /// The durable export consumers: webhooks and NATS JetStream (`[export]`, ops/adr/0024).
    pub export: crate::export::ExportSettings,
    /// The tenants' retention policies' runs and the purge of expired short-lived rows
    /// (`[retention]`, ops/adr/0026 and 0027).
    pub retention: RetentionSettings,
    /// The caches of hot reads and how soon they hear other nodes' writes (`[cache]`,
    /// ops/adr/0028).
    pub cache: CacheSettings,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = anyhow::Error;

    fn from_str(text: &str) -> anyhow::Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => anyhow::bail!("log format {other:?}: expected text or json"),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            data_dir: PathBuf::from("data"),
            master_key: None,
            utc_offset_minutes: 480,
            bootstrap_client_id: None,
            bootstrap_client_secret: None,
            public_https: false,
            public_url: None,
            cas_ticket_seconds: 60,
            cas_logout_retry_ms: 30_000,
            cas_http_callbacks: false,
            database_acquire_timeout_ms: 3000,
            sqlite_synchronous: "full".to_string(),
            limits: crate::limits::Limits::default(),
            log_format: LogFormat::Text,
            hainan: HainanSettings::default(),
            metrics: MetricsConfig::default(),
            checkpoints: CheckpointSettings::default(),
            export: crate::export::ExportSettings::default(),
            retention: RetentionSettings::default(),
            cache: CacheSettings::default(),
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Config {
    /// Defaults, overridden by the file (if any) and then by `IDAAS_*` environment variables.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let file = file
            .map(Path::to_path_buf)
            .or_else(|| env("IDAAS_CONFIG").map(PathBuf::from));
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?
            }
            None => Config::default(),
        };
        if let Some(v) = env("IDAAS_LISTEN") {
            config.listen = v.parse().context("IDAAS_LISTEN")?;
        }
        if let Some(v) = env("IDAAS_DATABASE_URL") {
            config.database_url = Some(v);
        }
        if let Some(v) = env("IDAAS_DATA_DIR") {
            config.data_dir = PathBuf::from(v);
        }
        if let Some(v) = env("IDAAS_MASTER_KEY") {
            config.master_key = Some(v.into());
        }
        if let Some(v) = env("IDAAS_UTC_OFFSET_MINUTES") {
            config.utc_offset_minutes = v.parse().context("IDAAS_UTC_OFFSET_MINUTES")?;
        }
        if let Some(v) = env("IDAAS_BOOTSTRAP_CLIENT_ID") {
            config.bootstrap_client_id = Some(v);
        }
        if let Some(v) = env("IDAAS_BOOTSTRAP_CLIENT_SECRET") {
            config.bootstrap_client_secret = Some(v.into());
        }
        if let Some(v) = env("IDAAS_PUBLIC_HTTPS") {
            config.public_https = v.parse().context("IDAAS_PUBLIC_HTTPS (true or false)")?;
        }
        if let Some(v) = env("IDAAS_PUBLIC_URL") {
            config.public_url = Some(v);
        }
        if let Some(url) = &config.public_url {
            config.public_url = Some(public_url(url)?);
        }
        if let Some(v) = env("IDAAS_CAS_TICKET_SECONDS") {
            config.cas_ticket_seconds = v.parse().context("IDAAS_CAS_TICKET_SECONDS")?;
        }
        if let Some(v) = env("IDAAS_CAS_LOGOUT_RETRY_MS") {
            config.cas_logout_retry_ms = v.parse().context("IDAAS_CAS_LOGOUT_RETRY_MS")?;
        }
        if let Some(v) = env("IDAAS_CAS_HTTP_CALLBACKS") {
            config.cas_http_callbacks = v
                .parse()
                .context("IDAAS_CAS_HTTP_CALLBACKS (true or false)")?;
        }
        if let Some(v) = env("IDAAS_DATABASE_ACQUIRE_TIMEOUT_MS") {
            config.database_acquire_timeout_ms =
                v.parse().context("IDAAS_DATABASE_ACQUIRE_TIMEOUT_MS")?;
        }
        if let Some(v) = env("IDAAS_SQLITE_SYNCHRONOUS") {
            config.sqlite_synchronous = v;
        }
        if let Some(v) = env("IDAAS_LOG_FORMAT") {
            config.log_format = v.parse().context("IDAAS_LOG_FORMAT")?;
        }
        if let Some(v) = env("IDAAS_HAINAN_DEFAULT_TENANT") {
            config.hainan.default_tenant = Some(v);
        }
        if let Some(v) = env("IDAAS_HAINAN_TRUSTED_GATEWAYS") {
            config.hainan.trusted_gateways = v
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
        }
        config.metrics.load_env()?;
        config.checkpoints.load_env()?;
        config.export.load_env().context("[export]")?;
        config.retention.load_env()?;
        config.cache.load_env()?;
        crate::limits::TrustedProxies::parse(&config.hainan.trusted_gateways)
            .context("hainan.trusted_gateways (IDAAS_HAINAN_TRUSTED_GATEWAYS)")?;
        if !(100..=60_000).contains(&config.database_acquire_timeout_ms) {
            anyhow::bail!("database_acquire_timeout_ms must be 100 to 60000");
        }
        config.database_settings()?;
        config.limits.load_env()?;
        if !(1..=300).contains(&config.cas_ticket_seconds) {
            anyhow::bail!("cas_ticket_seconds must be 1 to 300");
        }
        Ok(config)
    }

    pub fn database_url(&self) -> anyhow::Result<String> {
        match &self.database_url {
            Some(url) => Ok(url.clone()),
            None => {
                std::fs::create_dir_all(&self.data_dir)
                    .with_context(|| format!("creating {}", self.data_dir.display()))?;
                Ok(store::db::sqlite_url(&self.data_dir.join("idaas.db")))
            }
        }
    }

    /// The configured master key, or the one in `data_dir/master.key` (created on first use).
    pub fn keys(&self) -> anyhow::Result<Keys> {
        if let Some(text) = &self.master_key {
            return Keys::parse_master(text.expose_secret()).context("the configured master key");
        }
        let path = self.data_dir.join("master.key");
        if let Ok(text) = std::fs::read_to_string(&path) {
            return Keys::parse_master(&text)
                .with_context(|| format!("the key in {}", path.display()));
        }
        std::fs::create_dir_all(&self.data_dir)?;
        let text = Keys::generate_master();
        // Written whole under another name, then linked into place, which fails if the file
        // exists: two nodes starting at once on one data directory end up with one key.
        let temporary = self
            .data_dir
            .join(format!("master.key.{}.tmp", std::process::id()));
        let _ = std::fs::remove_file(&temporary);
        write_private(&temporary, &text)?;
        let linked = std::fs::hard_link(&temporary, &path);
        let _ = std::fs::remove_file(&temporary);
        match linked {
            Ok(()) => Keys::parse_master(&text),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                Keys::parse_master(&text).with_context(|| format!("the key in {}", path.display()))
            }
            Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
        }
    }

    /// The fixed client id and secret of the bootstrap management application, if configured.
    pub fn bootstrap_credentials(&self) -> (Option<String>, Option<String>) {
        let secret = self.bootstrap_client_secret.as_ref();
        (
            self.bootstrap_client_id.clone(),
            secret.map(|s| s.expose_secret().to_string()),
        )
    }

    /// How the store connects (the acquire timeout, SQLite's durability).
    pub fn database_settings(&self) -> anyhow::Result<store::db::Settings> {
        Ok(store::db::Settings {
            acquire_timeout: std::time::Duration::from_millis(self.database_acquire_timeout_ms),
            synchronous: self.sqlite_synchronous.parse()?,
        })
    }
}

/// A public URL as configured: `http(s)://host[:port]`, no path, query or fragment; returned
/// without a trailing slash.
pub fn public_url(text: &str) -> anyhow::Result<String> {
    let text = text.trim().trim_end_matches('/');
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .ok_or_else(|| anyhow::anyhow!("public_url must start with https:// or http://"))?;
    let valid = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    if !valid {
        anyhow::bail!(
            "public_url must be a scheme and a host (and port), without a path: {text:?}"
        );
    }
    Ok(text.to_ascii_lowercase())
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("creating {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_prints_no_secret_of_the_configuration() {
        let master_key = "6d61737465722d6b65792d6279746573206f6e6c792d696e2d7465737473";
        let config = Config {
            database_url: Some("postgres://idaas:db-pass-word@db.internal:5432/idaas".into()),
            master_key: Some(master_key.into()),
            bootstrap_client_id: Some("bootstrap-admin".into()),
            bootstrap_client_secret: Some("bootstrap-client-secret".into()),
            ..Config::default()
        };
        let printed = format!("{config:?}");
        for secret in [master_key, "db-pass-word", "bootstrap-client-secret"] {
            assert!(!printed.contains(secret), "{secret} printed in {printed}");
        }
        assert!(printed.contains("postgres://idaas:[REDACTED]@db.internal:5432/idaas"));
        assert!(printed.contains("bootstrap-admin"), "ids still print");
        assert_eq!(
            config.bootstrap_credentials().1.as_deref(),
            Some("bootstrap-client-secret")
        );
    }
}
