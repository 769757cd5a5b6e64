//! Throwaway databases for tests.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use idaas_server::Config;
use sqlx::{Connection, Executor};

pub const POSTGRES_URL_VAR: &str = "IDAAS_TEST_POSTGRES_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// Whether PostgreSQL tests can run. When they cannot, says so visibly and they are skipped,
    /// or, under `IDAAS_TEST_REQUIRE_ALL=1`, fail.
    pub fn postgres_available() -> bool {
        let available = std::env::var(POSTGRES_URL_VAR).is_ok_and(|v| !v.is_empty());
        if !available {
            crate::skip(
                "on PostgreSQL",
                &format!(
                    "{POSTGRES_URL_VAR} is not set (e.g. postgres://postgres@127.0.0.1:5432/postgres)"
                ),
            );
        }
        available
    }
}

/// A throwaway database: a temporary directory (the SQLite file, or only the data directory on
/// PostgreSQL) and, on PostgreSQL, a database of its own. Both are removed when it is dropped,
/// also while a test panics, unless `drop_database` already did.
pub struct TestDatabase {
    pub engine: Engine,
    pub url: String,
    pub data_dir: PathBuf,
    pub master_key: String,
    /// The server to drop the database on, once it was created.
    admin_url: Option<String>,
    name: String,
    removed: AtomicBool,
}

/// The URL of database `name` on the server of `url` (its path replaced, its query kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let server = match base.rfind('/') {
        Some(i) if base[..i].contains("//") && i > base.find("//").unwrap_or(0) + 1 => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

/// How long dropping a PostgreSQL test database may take before it is given up (and reported).
const DROP_TIMEOUT: Duration = Duration::from_secs(30);

impl TestDatabase {
    pub async fn create(engine: Engine) -> Self {
        sqlx::any::install_default_drivers();
        let name = format!("idaas_test_{}", uuid::Uuid::new_v4().simple());
        let data_dir = std::env::temp_dir().join(&name);
        let master_key = store::Keys::generate_master();
        let admin_url = match engine {
            Engine::Sqlite => None,
            Engine::Postgres => Some(std::env::var(POSTGRES_URL_VAR).expect("postgres URL")),
        };
        // Built before anything is created, so that a failure below still removes what was.
        let mut database = Self {
            engine,
            url: match &admin_url {
                None => store::db::sqlite_url(&data_dir.join("idaas.db")),
                Some(admin_url) => with_database(admin_url, &name),
            },
            data_dir,
            master_key,
            admin_url: None,
            name,
            removed: AtomicBool::new(false),
        };
        std::fs::create_dir_all(&database.data_dir).expect("temp dir");
        if let Some(admin_url) = admin_url {
            let admin = sqlx::AnyPool::connect(&admin_url)
                .await
                .expect("connect to PostgreSQL");
            admin
                .execute(format!("CREATE DATABASE {}", database.name).as_str())
                .await
                .expect("create the test database");
            admin.close().await;
            // From here on, dropping `database` drops this database too.
            database.admin_url = Some(admin_url);
        }
        database
    }

    /// The database's name (also the temporary directory's); on PostgreSQL, the database.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn config(&self) -> Config {
        Config {
            database_url: Some(self.url.clone()),
            data_dir: self.data_dir.clone(),
            master_key: Some(self.master_key.clone().into()),
            ..Config::default()
        }
    }

    /// Removes the database and the temporary directory now (dropping it does too).
    pub async fn drop_database(&self) {
        if self.removed.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Some(admin_url) = &self.admin_url {
            report(&self.name, drop_postgres(admin_url, &self.name).await);
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if self.removed.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Some(admin_url) = self.admin_url.clone() {
            // On a thread of its own with a runtime of its own: this drop may run inside the
            // test's runtime (where starting another would panic), or while a test panics.
            let name = self.name.clone();
            let dropped = std::thread::Builder::new()
                .name(format!("drop {name}"))
                .spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|e| e.to_string())?;
                    runtime.block_on(drop_postgres(&admin_url, &name))
                })
                .map_err(|e| e.to_string())
                .and_then(|thread| {
                    thread
                        .join()
                        .unwrap_or_else(|_| Err("the dropping thread panicked".into()))
                });
            report(&self.name, dropped);
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// `DROP DATABASE … WITH (FORCE)` over a connection of its own (ending the server's connections).
async fn drop_postgres(admin_url: &str, name: &str) -> Result<(), String> {
    let drop = async {
        let mut admin = sqlx::AnyConnection::connect(admin_url).await?;
        admin
            .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
            .await?;
        admin.close().await
    };
    match tokio::time::timeout(DROP_TIMEOUT, drop).await {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(_) => Err(format!("no answer in {DROP_TIMEOUT:?}")),
    }
}

/// A database that could not be dropped is left behind: said past the harness's capture, since a
/// drop cannot fail the test (it may already be panicking).
fn report(name: &str, dropped: Result<(), String>) {
    if let Err(e) = dropped {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "LEFT BEHIND PostgreSQL test database {name}: {e}"
        );
    }
}
