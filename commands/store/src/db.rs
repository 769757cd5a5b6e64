//! Database connections for both engines through sqlx's `Any` driver, and the migrator.
//! SQL is written once with `$n` placeholders, TEXT and BIGINT columns, which both engines accept.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

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

#[derive(Clone)]
pub struct Database {
    pub pool: AnyPool,
    pub engine: Engine,
}

impl Database {
    /// Whether the database answers a trivial query (the readiness probe).
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

pub async fn connect(url: &str) -> anyhow::Result<Database> {
    sqlx::any::install_default_drivers();
    let engine = Engine::of_url(url)?;
    let options = AnyConnectOptions::from_str(url)
        .context("parsing the database URL")?
        .disable_statement_logging();
    let max_connections = match engine {
        Engine::Sqlite => 8,
        Engine::Postgres => 16,
    };
    let pool = AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if engine == Engine::Sqlite {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .context("connecting to the database")?;
    Ok(Database { pool, engine })
}

/// One migration: a version and its SQL for each engine.
struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

macro_rules! migration {
    ($version:expr, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../../../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../../../migrations/postgres/", $name, ".sql")),
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_event_store"),
    migration!(2, "0002_projections"),
    migration!(3, "0003_store_settings"),
    migration!(4, "0004_application_settings"),
    migration!(5, "0005_app_accounts"),
    migration!(6, "0006_app_organizations"),
    migration!(7, "0007_app_roles"),
    migration!(8, "0008_privileges"),
    migration!(9, "0009_account_model"),
    migration!(10, "0010_sign_in"),
    migration!(11, "0011_sdk_login"),
    migration!(12, "0012_cas"),
    migration!(13, "0013_saml"),
];

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

/// Applies the migrations not yet applied, each in its own transaction.
pub async fn migrate(db: &Database) -> anyhow::Result<Vec<&'static str>> {
    db.pool
        .execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)",
        )
        .await
        .context("creating schema_migrations")?;
    let mut applied = Vec::new();
    for migration in MIGRATIONS {
        let done: Option<(i64,)> =
            sqlx::query_as("SELECT version FROM schema_migrations WHERE version = $1")
                .bind(migration.version)
                .fetch_optional(&db.pool)
                .await?;
        if done.is_some() {
            continue;
        }
        let sql = match db.engine {
            Engine::Sqlite => migration.sqlite,
            Engine::Postgres => migration.postgres,
        };
        let mut tx = db.pool.begin().await?;
        sqlx::raw_sql(sql)
            .execute(&mut *tx)
            .await
            .with_context(|| format!("applying migration {}", migration.name))?;
        sqlx::query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)")
            .bind(migration.version)
            .bind(migration.name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        applied.push(migration.name);
    }
    Ok(applied)
}
