//! The migrator (ops/adr/0011): applies the migrations not yet applied, under a lock so that
//! several nodes can start together on an empty database, and refuses a database whose applied
//! migrations were edited afterwards (a checksum of each migration's SQL is recorded).

use anyhow::Context;
use sha2::{Digest, Sha256};
use sqlx::pool::PoolConnection;
use sqlx::{Any, Connection, Executor};

use crate::db::{Database, Engine};

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
    migration!(14, "0014_ephemeral"),
    migration!(15, "0015_authority"),
    migration!(16, "0016_organization_details"),
    migration!(17, "0017_user_types"),
    migration!(18, "0018_groups"),
    migration!(19, "0019_extended_fields"),
    migration!(20, "0020_field_values"),
    migration!(21, "0021_app_grants"),
    migration!(22, "0022_user_accounts"),
    migration!(23, "0023_dictionaries"),
    migration!(24, "0024_app_types"),
    migration!(25, "0025_application_details"),
    migration!(26, "0026_files"),
    migration!(27, "0027_authorization"),
    migration!(28, "0028_government_directory"),
    migration!(29, "0029_access_keys"),
    migration!(30, "0030_membership_posts"),
    migration!(31, "0031_audit"),
    migration!(32, "0032_checkpoints"),
    migration!(33, "0033_export"),
    migration!(34, "0034_asof"),
    migration!(35, "0035_request_metadata"),
    migration!(36, "0036_short_lived_records"),
];

/// The migration level of this release: the version of its last migration.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The key of the PostgreSQL advisory lock every node takes to migrate and bootstrap.
const STARTUP_LOCK_KEY: i64 = 0x6964_6161_735f_6d31;

/// Held while a node migrates and bootstraps: on PostgreSQL a session advisory lock on a
/// connection of its own (released with it, also if the process dies); on SQLite nothing, as each
/// migration takes the database's write lock (`BEGIN IMMEDIATE`) and re-checks inside it.
pub struct StartupLock {
    connection: Option<PoolConnection<Any>>,
}

impl StartupLock {
    pub async fn take(db: &Database) -> anyhow::Result<Self> {
        if db.engine == Engine::Sqlite {
            return Ok(Self { connection: None });
        }
        let mut connection = db.pool.acquire().await.context("taking the startup lock")?;
        let (free,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1)")
            .bind(STARTUP_LOCK_KEY)
            .fetch_one(&mut *connection)
            .await?;
        if !free {
            tracing::info!("waiting for another node to finish migrating and bootstrapping");
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(STARTUP_LOCK_KEY)
                .execute(&mut *connection)
                .await
                .context("waiting for the startup lock")?;
        }
        Ok(Self {
            connection: Some(connection),
        })
    }

    pub async fn release(mut self) -> anyhow::Result<()> {
        if let Some(mut connection) = self.connection.take() {
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(STARTUP_LOCK_KEY)
                .execute(&mut *connection)
                .await
                .context("releasing the startup lock")?;
        }
        Ok(())
    }
}

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

/// Applies the migrations not yet applied, each in its own transaction, under the startup lock.
/// Returns the names of those applied.
pub async fn migrate(db: &Database) -> anyhow::Result<Vec<&'static str>> {
    let lock = StartupLock::take(db).await?;
    let applied = migrate_locked(db).await;
    lock.release().await?;
    applied
}

/// Like `migrate`, for a caller that holds the startup lock already.
pub async fn migrate_locked(db: &Database) -> anyhow::Result<Vec<&'static str>> {
    let mut conn = db.pool.acquire().await.context("migrating")?;
    prepare_table(db, &mut conn).await?;
    check_recorded(db, &mut conn).await?;
    let mut applied = Vec::new();
    for migration in MIGRATIONS {
        let sql = match db.engine {
            Engine::Sqlite => migration.sqlite,
            Engine::Postgres => migration.postgres,
        };
        let mut tx = match db.engine {
            Engine::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
            Engine::Postgres => conn.begin().await?,
        };
        let done: Option<(i64,)> =
            sqlx::query_as("SELECT version FROM schema_migrations WHERE version = $1")
                .bind(migration.version)
                .fetch_optional(&mut *tx)
                .await?;
        if done.is_some() {
            tx.rollback().await?;
            continue;
        }
        sqlx::raw_sql(sql)
            .execute(&mut *tx)
            .await
            .with_context(|| format!("applying migration {}", migration.name))?;
        sqlx::query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)")
            .bind(migration.version)
            .bind(migration.name)
            .bind(checksum(sql))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        applied.push(migration.name);
    }
    Ok(applied)
}

/// Creates the table of applied migrations, and its checksum column on a database migrated
/// before checksums were recorded.
async fn prepare_table(db: &Database, conn: &mut PoolConnection<Any>) -> anyhow::Result<()> {
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations \
         (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT)",
    )
    .await
    .context("creating schema_migrations")?;
    let has_checksum = match db.engine {
        Engine::Sqlite => {
            let (count,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM pragma_table_info('schema_migrations') WHERE name = 'checksum'",
            )
            .fetch_one(&mut **conn)
            .await?;
            count > 0
        }
        Engine::Postgres => {
            conn.execute("ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum TEXT")
                .await?;
            true
        }
    };
    if !has_checksum {
        conn.execute("ALTER TABLE schema_migrations ADD COLUMN checksum TEXT")
            .await?;
    }
    Ok(())
}

/// Refuses a database whose applied migrations differ from this release's (edited after they were
/// applied) or that a newer release migrated; records the checksums missing from before they were
/// kept.
async fn check_recorded(db: &Database, conn: &mut PoolConnection<Any>) -> anyhow::Result<()> {
    let recorded: Vec<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
            .fetch_all(&mut **conn)
            .await?;
    for (version, name, stored) in recorded {
        let Some(migration) = MIGRATIONS.iter().find(|m| m.version == version) else {
            anyhow::bail!(
                "the database has migration {version} ({name}), which this release does not know: \
                 it was migrated by a newer release"
            );
        };
        let sql = match db.engine {
            Engine::Sqlite => migration.sqlite,
            Engine::Postgres => migration.postgres,
        };
        let expected = checksum(sql);
        match stored {
            Some(stored) if stored == expected => {}
            Some(stored) => anyhow::bail!(
                "migration {} was changed after it was applied to this database (recorded checksum \
                 {stored}, this release's {expected}): restore the original migration",
                migration.name
            ),
            None => {
                sqlx::query("UPDATE schema_migrations SET checksum = $1 WHERE version = $2")
                    .bind(&expected)
                    .bind(version)
                    .execute(&mut **conn)
                    .await?;
            }
        }
    }
    Ok(())
}
