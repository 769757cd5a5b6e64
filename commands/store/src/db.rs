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
    /// power loss (the writer's commits are synced beside it, ops/adr/0036); `Normal` survives a
    /// process crash only.
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
    /// SQLite's configured durability (`Full` on PostgreSQL, where it means nothing).
    pub synchronous: Synchronous,
}

impl Database {
    /// Closes the SQLite connections nobody holds, as start-up leaves them: each is a thread of
    /// its own with its copy of the schema and its page cache, and start-up's concurrent work
    /// opens most of the pool. Requests open them again as they need them. Nothing on
    /// PostgreSQL, whose connections cost this process little (issue 20, idle memory).
    pub async fn close_idle(&self) {
        if self.engine != Engine::Sqlite {
            return;
        }
        // At most the pool's size: connections given back meanwhile are not chased.
        for _ in 0..self.pool.options().get_max_connections() {
            let Some(connection) = self.pool.try_acquire() else {
                break;
            };
            if let Err(error) = connection.close().await {
                tracing::debug!(%error, "closing an idle connection");
            }
        }
    }

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
            Ok(Err(error)) => cause_of(&error),
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
             PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
             PRAGMA wal_autocheckpoint = 10000;"
        }
        Synchronous::Normal => {
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
             PRAGMA wal_autocheckpoint = 10000;"
        }
    };
    if engine == Engine::Postgres {
        reach(&options, &location, settings.acquire_timeout).await?;
    }
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
        synchronous: settings.synchronous,
    })
}

/// Makes one connection to a database server before its pool is built, within the acquire
/// timeout, so that an unreachable server is reported at once with the cause (refused, no answer,
/// unknown host, authentication) and its host and port, instead of "pool timed out" after the
/// pool has retried for the whole timeout.
async fn reach(
    options: &AnyConnectOptions,
    location: &str,
    timeout: Duration,
) -> anyhow::Result<()> {
    match tokio::time::timeout(timeout, options.connect()).await {
        Ok(Ok(connection)) => {
            let _ = connection.close().await;
            Ok(())
        }
        Ok(Err(error)) => anyhow::bail!(
            "cannot connect to the database at {location}: {}",
            cause_of(&error)
        ),
        Err(_) => anyhow::bail!(
            "cannot connect to the database at {location}: no answer within {} ms \
             (IDAAS_DATABASE_ACQUIRE_TIMEOUT_MS)",
            timeout.as_millis()
        ),
    }
}

/// A failed connection attempt in words: what went wrong first, then the driver's own message
/// (which names neither the URL nor the password).
fn cause_of(error: &sqlx::Error) -> String {
    use std::io::ErrorKind;
    match error {
        sqlx::Error::Io(io) => match io.kind() {
            ErrorKind::ConnectionRefused => format!("connection refused ({io})"),
            ErrorKind::TimedOut => format!("connection timed out ({io})"),
            _ => format!("network error ({io})"),
        },
        sqlx::Error::Database(database) => match database.code().as_deref() {
            Some("28P01" | "28000") => format!("authentication failed ({})", database.message()),
            _ => format!("refused by the server ({})", database.message()),
        },
        sqlx::Error::Tls(tls) => format!("TLS failed ({tls})"),
        other => other.to_string(),
    }
}

/// The database's place without credentials: `sqlite:<path>` or `postgres://host:port/name`
/// (with PostgreSQL's default port when the URL leaves it out).
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
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let has_port = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.contains("]:"),
        None => authority.contains(':'),
    };
    if authority.is_empty() || has_port || authority.contains(',') {
        format!("{scheme}://{authority}{path}")
    } else {
        format!("{scheme}://{authority}:5432{path}")
    }
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

#[cfg(test)]
mod tests {
    use super::{connect, location_of};

    #[tokio::test]
    async fn an_unreachable_server_is_named_with_its_cause_and_without_the_password() {
        let refused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = refused.local_addr().unwrap().port();
        drop(refused);
        let url = format!("postgres://idaas:hunter2-secret@127.0.0.1:{port}/idaas");
        let error = format!("{:#}", connect(&url).await.err().expect("refused"));
        assert!(
            error.starts_with(&format!(
                "cannot connect to the database at postgres://127.0.0.1:{port}/idaas: \
                 connection refused"
            )),
            "{error}"
        );
        assert!(!error.contains("hunter2"), "{error}");
    }

    #[test]
    fn a_location_never_holds_the_password_and_always_the_port() {
        assert_eq!(
            location_of("postgres://u:secret@127.0.0.1:1/x"),
            "postgres://127.0.0.1:1/x"
        );
        assert_eq!(
            location_of("postgresql://u:p@db.example.com/idaas?sslmode=require"),
            "postgresql://db.example.com:5432/idaas"
        );
        assert_eq!(
            location_of("postgres://u:p@[::1]:6432/idaas"),
            "postgres://[::1]:6432/idaas"
        );
        assert_eq!(
            location_of("sqlite:///var/lib/idaas/idaas.db?mode=rwc"),
            "sqlite:/var/lib/idaas/idaas.db"
        );
    }
}
