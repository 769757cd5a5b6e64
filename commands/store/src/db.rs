//! Database connections for both engines through sqlx's `Any` driver, and the migrator.
//! SQL is written once with `$n` placeholders, TEXT and BIGINT columns, which both engines accept.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Connection, Executor};

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
    /// Moves SQLite's write-ahead log into the database file and empties it (a clean stop leaves
    /// one file to copy); nothing to do on PostgreSQL.
    pub async fn checkpoint(&self) -> anyhow::Result<()> {
        if self.engine == Engine::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Whether the database answers a trivial query within the probe timeout (readiness). The
    /// first failure is logged with the database's location and the cause a fresh connection
    /// attempt reports (refused, unknown host, authentication…); the recovery is logged too.
    pub async fn ping(&self) -> bool {
        let query = sqlx::query("SELECT 1").execute(&self.pool);
        let up = matches!(tokio::time::timeout(PROBE_TIMEOUT, query).await, Ok(Ok(_)));
        if up {
            self.health.reachable(&self.location);
        } else if !self.health.is_unreachable() {
            // The cause is found and logged aside, so the answer is not delayed.
            let db = self.clone();
            tokio::spawn(async move {
                let cause = db.connect_error().await;
                db.health.unreachable(&db.location, &cause);
            });
        }
        up
    }

    /// Why a new connection cannot be made now, in the driver's words.
    async fn connect_error(&self) -> String {
        let options = self.pool.connect_options();
        match tokio::time::timeout(Duration::from_secs(2), options.connect()).await {
            Ok(Ok(connection)) => {
                let _ = connection.close().await;
                "the database accepts connections but did not answer in time".to_string()
            }
            Ok(Err(error)) => error.to_string(),
            Err(_) => "no answer to a connection attempt within 2 s".to_string(),
        }
    }

    /// While writes are failing, at most once a second, tries a durable write of
    /// `PROBE_HEADROOM` bytes (a probe row, then shrunk again) within the probe timeout. Only
    /// this probe declares writes healthy again: a small write that squeezes into the last free
    /// pages of a full disk must not (readiness would flap while most writes still fail). Run by
    /// `/readyz` and after a successful batch while failing, so a freed disk is noticed without a
    /// restart. Returns whether writes are healthy.
    pub async fn probe_write(&self) -> bool {
        if !self.health.is_failing() {
            return true;
        }
        if !self.health.take_probe_turn() {
            return false;
        }
        let headroom = hex::encode(rand::random::<[u8; 32]>()).repeat(PROBE_HEADROOM / 64);
        let write = async {
            for value in [headroom, chrono::Utc::now().to_rfc3339()] {
                sqlx::query(
                    "INSERT INTO store_settings (name, value) VALUES ('write_probe', $1) \
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                )
                .bind(value)
                .execute(&self.pool)
                .await?;
            }
            Ok::<(), sqlx::Error>(())
        };
        match tokio::time::timeout(PROBE_TIMEOUT, write).await {
            Ok(Ok(())) => {
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

/// How much free space the write probe asks for: more than a large append batch writes.
const PROBE_HEADROOM: usize = 256 * 1024;

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
