//! The export consumers' configuration (`[export]` and `[[export.consumers]]`, ops/adr/0024):
//! from the file, then `IDAAS_EXPORT_*` variables (`IDAAS_EXPORT_CONSUMERS` names consumers the
//! file does not have; `IDAAS_EXPORT_<NAME>_<FIELD>` sets a field of consumer `<name>`, e.g.
//! its secret, which is better kept out of the file).

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// `[export]`: the CloudEvents source, how events are read, and the consumers.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExportSettings {
    /// The CloudEvents `source` of every exported event (`IDAAS_EXPORT_SOURCE`).
    pub source: String,
    /// Events read per page (1–1000, `IDAAS_EXPORT_PAGE_SIZE`).
    pub page_size: u32,
    /// How often an idle consumer looks for new events, in milliseconds (`IDAAS_EXPORT_POLL_MS`).
    pub poll_ms: u64,
    /// How long a consumer stays with one server without a renewal, in milliseconds
    /// (`IDAAS_EXPORT_LEASE_MS`): after a crash, the consumer resumes (on the restarted server
    /// or another one) within this.
    pub lease_ms: u64,
    pub consumers: Vec<ConsumerSettings>,
}

impl Default for ExportSettings {
    fn default() -> Self {
        Self {
            source: "urn:idaas".into(),
            page_size: 100,
            poll_ms: 250,
            lease_ms: 30_000,
            consumers: Vec::new(),
        }
    }
}

/// Where a consumer delivers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsumerKind {
    /// Signed HTTP POSTs, one event each.
    #[default]
    Webhook,
    /// JetStream publishes with `Nats-Msg-Id`.
    Nats,
}

impl ConsumerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Nats => "nats",
        }
    }
}

/// Where a new consumer starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Start {
    /// With the first event of the log.
    #[default]
    Beginning,
    /// With the first event after its first start.
    Latest,
}

/// `[[export.consumers]]`: one durable consumer.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsumerSettings {
    /// Its name (`a-z`, `0-9`, `_`, `-`; at most 64), the key of its checkpoint.
    pub name: String,
    pub kind: ConsumerKind,
    /// The webhook's URL (`http://` or `https://`), or the NATS server (`nats://host:4222`).
    pub url: String,
    /// The webhook's signing key (at least 16 characters).
    pub secret: Option<SecretString>,
    /// Only this tenant's events.
    pub tenant: Option<String>,
    /// Only these event types: exact (`user.created`) or a prefix ending in `*` (`user.*`).
    pub event_types: Vec<String>,
    pub start: Start,
    /// Failed attempts after which an event is dead-lettered and the consumer moves on; 0:
    /// never, the consumer waits and retries. Default 8 for a webhook, 0 for NATS.
    pub max_attempts: Option<u32>,
    /// The wait after the first failed attempt, in milliseconds; it doubles with each failure…
    pub retry_first_ms: u64,
    /// … up to this.
    pub retry_max_ms: u64,
    /// How long one delivery may take, in milliseconds.
    pub timeout_ms: u64,
    /// NATS: subjects are `<prefix>.<tenant>.<event_type>`.
    pub subject_prefix: String,
    /// NATS: the JetStream stream (created over `<prefix>.>` if missing).
    pub stream: String,
}

impl Default for ConsumerSettings {
    fn default() -> Self {
        Self {
            name: String::new(),
            kind: ConsumerKind::Webhook,
            url: String::new(),
            secret: None,
            tenant: None,
            event_types: Vec::new(),
            start: Start::Beginning,
            max_attempts: None,
            retry_first_ms: 1_000,
            retry_max_ms: 300_000,
            timeout_ms: 10_000,
            subject_prefix: "idaas.events".into(),
            stream: "IDAAS_EVENTS".into(),
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn parsed<T: std::str::FromStr>(name: &str) -> anyhow::Result<Option<T>>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    env(name)
        .map(|v| v.trim().parse::<T>().with_context(|| name.to_string()))
        .transpose()
}

impl ExportSettings {
    /// The `IDAAS_EXPORT_*` variables over the file's values, then checks every consumer.
    pub fn load_env(&mut self) -> anyhow::Result<()> {
        if let Some(v) = env("IDAAS_EXPORT_SOURCE") {
            self.source = v;
        }
        if let Some(v) = parsed("IDAAS_EXPORT_PAGE_SIZE")? {
            self.page_size = v;
        }
        if let Some(v) = parsed("IDAAS_EXPORT_POLL_MS")? {
            self.poll_ms = v;
        }
        if let Some(v) = parsed("IDAAS_EXPORT_LEASE_MS")? {
            self.lease_ms = v;
        }
        for name in env("IDAAS_EXPORT_CONSUMERS").unwrap_or_default().split(',') {
            let name = name.trim();
            if !name.is_empty() && !self.consumers.iter().any(|c| c.name == name) {
                self.consumers.push(ConsumerSettings {
                    name: name.to_string(),
                    ..ConsumerSettings::default()
                });
            }
        }
        for consumer in &mut self.consumers {
            consumer.load_env()?;
        }
        self.check()
    }

    fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(!self.source.trim().is_empty(), "export.source is empty");
        anyhow::ensure!(
            (1..=1000).contains(&self.page_size),
            "export.page_size must be 1 to 1000"
        );
        anyhow::ensure!(
            (10..=60_000).contains(&self.poll_ms),
            "export.poll_ms must be 10 to 60000"
        );
        anyhow::ensure!(
            (1_000..=3_600_000).contains(&self.lease_ms),
            "export.lease_ms must be 1000 to 3600000"
        );
        for (i, consumer) in self.consumers.iter().enumerate() {
            consumer
                .check()
                .with_context(|| format!("export consumer {:?}", consumer.name))?;
            if self.consumers[..i].iter().any(|c| c.name == consumer.name) {
                anyhow::bail!("two export consumers are named {:?}", consumer.name);
            }
        }
        Ok(())
    }
}

impl ConsumerSettings {
    /// The failed attempts after which an event is dead-lettered (0: never).
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts.unwrap_or(match self.kind {
            ConsumerKind::Webhook => 8,
            ConsumerKind::Nats => 0,
        })
    }

    /// Whether the consumer delivers events of `tenant` and `event_type`.
    pub fn wants(&self, tenant: &str, event_type: &str) -> bool {
        if self.tenant.as_deref().is_some_and(|t| t != tenant) {
            return false;
        }
        self.event_types.is_empty()
            || self
                .event_types
                .iter()
                .any(|wanted| match wanted.strip_suffix('*') {
                    Some(prefix) => event_type.starts_with(prefix),
                    None => wanted == event_type,
                })
    }

    /// `IDAAS_EXPORT_<NAME>_<FIELD>` (the name upper-cased, `-` as `_`).
    fn load_env(&mut self) -> anyhow::Result<()> {
        let prefix = format!(
            "IDAAS_EXPORT_{}_",
            self.name.to_ascii_uppercase().replace('-', "_")
        );
        let var = |field: &str| format!("{prefix}{field}");
        if let Some(v) = env(&var("KIND")) {
            self.kind = match v.trim().to_ascii_lowercase().as_str() {
                "webhook" => ConsumerKind::Webhook,
                "nats" => ConsumerKind::Nats,
                other => anyhow::bail!("{}: {other:?} is not webhook or nats", var("KIND")),
            };
        }
        if let Some(v) = env(&var("URL")) {
            self.url = v;
        }
        if let Some(v) = env(&var("SECRET")) {
            self.secret = Some(v.into());
        }
        if let Some(v) = env(&var("TENANT")) {
            self.tenant = Some(v);
        }
        if let Some(v) = env(&var("EVENT_TYPES")) {
            self.event_types = v
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
        }
        if let Some(v) = env(&var("START")) {
            self.start = match v.trim().to_ascii_lowercase().as_str() {
                "beginning" => Start::Beginning,
                "latest" => Start::Latest,
                other => anyhow::bail!("{}: {other:?} is not beginning or latest", var("START")),
            };
        }
        if let Some(v) = parsed(&var("MAX_ATTEMPTS"))? {
            self.max_attempts = Some(v);
        }
        if let Some(v) = parsed(&var("RETRY_FIRST_MS"))? {
            self.retry_first_ms = v;
        }
        if let Some(v) = parsed(&var("RETRY_MAX_MS"))? {
            self.retry_max_ms = v;
        }
        if let Some(v) = parsed(&var("TIMEOUT_MS"))? {
            self.timeout_ms = v;
        }
        if let Some(v) = env(&var("SUBJECT_PREFIX")) {
            self.subject_prefix = v;
        }
        if let Some(v) = env(&var("STREAM")) {
            self.stream = v;
        }
        Ok(())
    }

    fn check(&self) -> anyhow::Result<()> {
        let name_ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-".contains(c);
        anyhow::ensure!(
            !self.name.is_empty() && self.name.len() <= 64 && self.name.chars().all(name_ok),
            "a consumer's name is 1 to 64 of a-z, 0-9, _ and -"
        );
        anyhow::ensure!(!self.url.trim().is_empty(), "url is missing");
        anyhow::ensure!(
            self.retry_first_ms >= 1 && self.retry_max_ms >= self.retry_first_ms,
            "retry_first_ms must be at least 1 and at most retry_max_ms"
        );
        anyhow::ensure!(
            (100..=300_000).contains(&self.timeout_ms),
            "timeout_ms must be 100 to 300000"
        );
        match self.kind {
            ConsumerKind::Webhook => {
                anyhow::ensure!(
                    self.url.starts_with("https://") || self.url.starts_with("http://"),
                    "a webhook's url starts with https:// (or http://)"
                );
                let secret = self.secret.as_ref().map(|s| s.expose_secret().len());
                anyhow::ensure!(
                    secret.unwrap_or(0) >= 16,
                    "a webhook needs a secret of at least 16 characters (secret, or \
                     IDAAS_EXPORT_<NAME>_SECRET)"
                );
            }
            ConsumerKind::Nats => {
                let token_ok = |t: &str| {
                    !t.is_empty()
                        && !t.contains(|c: char| c.is_whitespace() || c == '*' || c == '>')
                };
                anyhow::ensure!(
                    self.subject_prefix.split('.').all(token_ok),
                    "subject_prefix must be dot-separated NATS tokens without wildcards"
                );
                anyhow::ensure!(
                    !self.stream.is_empty()
                        && !self.stream.contains(|c: char| ". *>/\\".contains(c)),
                    "stream must be a JetStream stream name (no '.', ' ', '*', '>', '/')"
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_consumer_wants_its_tenant_and_its_event_types_only() {
        let consumer = ConsumerSettings {
            name: "siem".into(),
            tenant: Some("acme".into()),
            event_types: vec!["user.*".into(), "role.member_added".into()],
            ..ConsumerSettings::default()
        };
        assert!(consumer.wants("acme", "user.created"));
        assert!(consumer.wants("acme", "role.member_added"));
        assert!(!consumer.wants("acme", "role.created"));
        assert!(!consumer.wants("default", "user.created"));
        assert!(ConsumerSettings::default().wants("any", "thing"));
    }

    #[test]
    fn consumers_come_from_the_file_and_their_secrets_are_not_printed() {
        let text = r#"
            [export]
            [[export.consumers]]
            name = "siem"
            kind = "webhook"
            url = "https://siem.example.com/hook"
            secret = "0123456789abcdef"
            event_types = ["user.*"]
            [[export.consumers]]
            name = "bus"
            kind = "nats"
            url = "nats://127.0.0.1:4222"
        "#;
        let config: crate::config::Config = toml::from_str(text).expect("parses");
        config.export.check().expect("valid");
        let [siem, bus] = &config.export.consumers[..] else {
            panic!("two consumers");
        };
        assert_eq!((siem.max_attempts(), bus.max_attempts()), (8, 0));
        assert_eq!(bus.stream, "IDAAS_EVENTS");
        assert!(!format!("{config:?}").contains("0123456789abcdef"));
    }

    #[test]
    fn a_webhook_without_a_long_enough_secret_is_refused() {
        let mut consumer = ConsumerSettings {
            name: "hook".into(),
            url: "https://example.com/hook".into(),
            secret: Some("short".to_string().into()),
            ..ConsumerSettings::default()
        };
        assert!(consumer.check().is_err());
        consumer.secret = Some("0123456789abcdef".to_string().into());
        assert!(consumer.check().is_ok());
        consumer.name = "Hook!".into();
        assert!(consumer.check().is_err());
    }
}
