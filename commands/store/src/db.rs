//! Database connections for both engines through sqlx's `Any` driver, and the migrator.
//! SQL is written once with `$n` placeholders, TEXT and BIGINT columns, which both engines accept.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

use crate::fault::{Health, PROBE_TIMEOUT};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres)
        } else {
            anyhow::bail!("unsupported database URL (use sqlite:// or postgres://)")
        }
    }
}

/// The SQLite URL of a database file, created on first use.
pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// How the store connects: the pool's acquire timeout and SQLite's durability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// How long a request waits for a pooled connection (or a new one) before the database is
    /// called unreachable.
    pub acquire_timeout: Duration,
    /// SQLite's `synchronous` pragma (ops/adr/0011): `Full` makes an acknowledged commit survive
    /// power loss; `Normal` survives a process crash only.
    pub synchronous: Synchronous,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            acquire_timeout: Duration::from_secs(3),
            synchronous: Synchronous::Full,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    Full,
    Normal,
}

impl FromStr for Synchronous {
    type Err = anyhow::Error;

    fn from_str(value: &str) -> anyhow::Result<Self> {
        match value.to_ascii_lowercase().as_str() {
            "full" => Ok(Self::Full),
            "normal" => Ok(Self::Normal),
            _ => anyhow::bail!("sqlite_synchronous must be full or normal"),
        }
    }
}

#[derive(Clone)]
pub struct Database {
    pub pool: AnyPool,
    pub engine: Engine,
    /// Where the database is, for logs: the SQLite file, or PostgreSQL's host, port and
    /// database name (never the password).
    pub location: String,
    /// Whether writes currently succeed.
    pub health: Health,
}

impl Database {
    /// Whether the database answers a trivial query within the probe timeout (readiness).
    pub async fn ping(&self) -> bool {
        let query = sqlx::query("SELECT 1").execute(&self.pool);
        matches!(tokio::time::timeout(PROBE_TIMEOUT, query).await, Ok(Ok(_)))
    }

    /// While writes are failing, tries one small durable write (a probe row) within the probe
    /// timeout, so readiness and the health record notice when storage takes writes again even
    /// if no request writes. Returns whether writes now succeed.
    pub async fn probe_write(&self) -> bool {
        if !self.health.is_failing() {
            return true;
        }
        let probe = sqlx::query(
            "INSERT INTO store_settings (name, value) VALUES ('write_probe', $1) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(chrono::Utc::now().to_rfc3339())
        .execute(&self.pool);
        match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
            Ok(Ok(_)) => {
                self.health.succeeded(&self.location);
                true
            }
            Ok(Err(error)) => {
                if let Some(fault) = crate::fault::classify(&error) {
                    self.health.failed(&fault, &self.location);
                }
                false
            }
            Err(_) => false,
        }
    }
}

/// Connects with the default settings.
pub async fn connect(url: &str) -> anyhow::Result<Database> {
    connect_with(url, Settings::default()).await
}

pub async fn connect_with(url: &str, settings: Settings) -> anyhow::Result<Database> {
    sqlx::any::install_default_drivers();
    let engine = Engine::of_url(url)?;
    let location = location_of(url);
    let options = AnyConnectOptions::from_str(url)
        .context("parsing the database URL")?
        .disable_statement_logging();
    let max_connections = match engine {
        Engine::Sqlite => 8,
        Engine::Postgres => 16,
    };
    let pragmas = match settings.synchronous {
        Synchronous::Full => {
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
             PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;"
        }
        Synchronous::Normal => {
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;"
        }
    };
    let pool = AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(settings.acquire_timeout)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if engine == Engine::Sqlite {
                    conn.execute(pragmas).await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .with_context(|| format!("connecting to the database at {location}"))?;
    Ok(Database {
        pool,
        engine,
        location,
        health: Health::default(),
    })
}

/// The database's place without credentials: `sqlite:<path>` or `postgres://host:port/name`.
pub fn location_of(url: &str) -> String {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        return format!("sqlite:{}", path.split('?').next().unwrap_or(path));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return "database".to_string();
    };
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let rest = rest.split('?').next().unwrap_or(rest);
    format!("{scheme}://{rest}")
}

/// Refuses a master key other than the one the store was first opened with.
pub async fn check_master_key(db: &Database, keys: &crate::Keys) -> anyhow::Result<()> {
    let expected = keys.key_check();
    // A store from before the fingerprint existed: the key must open its data keys.
    let recorded: Option<(String,)> =
        sqlx::query_as("SELECT value FROM store_settings WHERE name = 'key_check'")
            .fetch_optional(&db.pool)
            .await?;
    if recorded.is_none() {
        let wrapped: Option<(String,)> =
            sqlx::query_as("SELECT wrapped_key FROM subject_keys LIMIT 1")
                .fetch_optional(&db.pool)
                .await?;
        if let Some((wrapped,)) = wrapped {
            if keys.unwrap_key(&wrapped).is_err() {
                anyhow::bail!(
                    "the master key does not match this database (it cannot open its data keys): \
                     set IDAAS_MASTER_KEY (or master_key, or data_dir/master.key) to the original key"
                );
            }
        }
    }
    sqlx::query(
        "INSERT INTO store_settings (name, value) VALUES ('key_check', $1) ON CONFLICT (name) DO NOTHING",
    )
    .bind(&expected)
    .execute(&db.pool)
    .await
    .context("recording the master key check")?;
    let (stored,): (String,) =
        sqlx::query_as("SELECT value FROM store_settings WHERE name = 'key_check'")
            .fetch_one(&db.pool)
            .await?;
    if stored != expected {
        anyhow::bail!(
            "the master key does not match this database, which was initialised with another key: \
             set IDAAS_MASTER_KEY (or master_key, or data_dir/master.key) to the original key"
        );
    }
    Ok(())
}
