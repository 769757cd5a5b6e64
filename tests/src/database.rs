//! Throwaway databases for tests.

use std::path::PathBuf;

use idaas_server::Config;
use sqlx::Executor;

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

pub struct TestDatabase {
    pub engine: Engine,
    pub url: String,
    pub data_dir: PathBuf,
    pub master_key: String,
    admin_url: Option<String>,
    name: String,
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

impl TestDatabase {
    pub async fn create(engine: Engine) -> Self {
        sqlx::any::install_default_drivers();
        let name = format!("idaas_t_{}", uuid::Uuid::new_v4().simple());
        let data_dir = std::env::temp_dir().join(&name);
        std::fs::create_dir_all(&data_dir).expect("temp dir");
        let master_key = store::Keys::generate_master();
        match engine {
            Engine::Sqlite => Self {
                engine,
                url: store::db::sqlite_url(&data_dir.join("idaas.db")),
                data_dir,
                master_key,
                admin_url: None,
                name,
            },
            Engine::Postgres => {
                let admin_url = std::env::var(POSTGRES_URL_VAR).expect("postgres URL");
                let admin = sqlx::AnyPool::connect(&admin_url)
                    .await
                    .expect("connect to PostgreSQL");
                admin
                    .execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("create the test database");
                admin.close().await;
                Self {
                    engine,
                    url: with_database(&admin_url, &name),
                    data_dir,
                    master_key,
                    admin_url: Some(admin_url),
                    name,
                }
            }
        }
    }

    pub fn config(&self) -> Config {
        Config {
            database_url: Some(self.url.clone()),
            data_dir: self.data_dir.clone(),
            master_key: Some(self.master_key.clone()),
            ..Config::default()
        }
    }

    pub async fn drop_database(&self) {
        if let Some(admin_url) = &self.admin_url {
            if let Ok(admin) = sqlx::AnyPool::connect(admin_url).await {
                let _ = admin
                    .execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
                    .await;
                admin.close().await;
            }
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}
