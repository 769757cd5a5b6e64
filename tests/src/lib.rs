//! The end-to-end harness: a real server on port 0 over a throwaway database, on SQLite or on
//! PostgreSQL (a fresh database per test, from `IDAAS_TEST_POSTGRES_URL`), and an HTTP client.
//! A test server and a test database clean up after themselves when dropped, also when a test
//! panics: the server stops, the temporary directory goes, the PostgreSQL database is dropped.
//!
//! Every test server runs on a `MovableClock` the harness keeps: a test that needs time to pass
//! (a code, ticket or session expiring, a retry falling due) calls `server.advance(…)` instead of
//! sleeping. The clock starts at the wall clock and only moves when told to.

pub mod callback;
pub mod cas;
mod client;
pub mod cluster;
mod database;
pub mod hainan;
pub mod inspur;
pub mod node;
pub mod oauth;
pub mod python;
pub mod saml;
pub mod sdk;
pub mod sso;
pub mod webdriver;

pub use client::{Client, Reply};
pub use database::{with_database, Engine, TestDatabase, POSTGRES_URL_VAR};

use std::sync::Arc;
use std::time::Duration;

use idaas_server::{Config, RunningServer, Wiring};
use usecases::clock::{Clock, MovableClock};
use usecases::sms::MemorySmsSender;
use usecases::tenants::Credentials;

pub const REQUIRE_ALL_VAR: &str = "IDAAS_TEST_REQUIRE_ALL";

/// Whether every test must run: with `IDAAS_TEST_REQUIRE_ALL=1` (CI sets it) a test that would be
/// skipped for something missing here (PostgreSQL, the Python clients, Chromium) fails instead.
pub fn require_all() -> bool {
    std::env::var(REQUIRE_ALL_VAR).is_ok_and(|v| v == "1")
}

/// Skips `what` because `missing`, visibly: written to the process's stderr directly, past the
/// test harness's capture, so the skip shows even when the test passes. Under
/// `IDAAS_TEST_REQUIRE_ALL=1` it panics instead, naming what is missing.
pub fn skip(what: &str, missing: &str) {
    if require_all() {
        panic!("{REQUIRE_ALL_VAR}=1, but this test would be SKIPPED {what}: {missing}");
    }
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED {what}: {missing}");
}

/// Generates one test per engine for an `async fn(Engine)` scenario.
#[macro_export]
macro_rules! on_both_engines {
    ($($scenario:ident),+ $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn on_sqlite() {
                    super::$scenario($crate::Engine::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn on_postgres() {
                    if $crate::Engine::postgres_available() {
                        super::$scenario($crate::Engine::Postgres).await
                    }
                }
            }
        )+
    };
}

/// Generates one test for an `async fn(Engine)` scenario that needs PostgreSQL (several nodes over
/// one database): it prints `SKIPPED` and passes without `IDAAS_TEST_POSTGRES_URL`.
#[macro_export]
macro_rules! on_postgres {
    ($($scenario:ident),+ $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn on_postgres() {
                    if $crate::Engine::postgres_available() {
                        super::$scenario($crate::Engine::Postgres).await
                    }
                }
            }
        )+
    };
}

/// A running server with its database and the bootstrap credential of the default tenant.
pub struct TestServer {
    pub database: TestDatabase,
    pub config: Config,
    pub server: Option<RunningServer>,
    pub credentials: Credentials,
    pub client: Client,
    /// Every SMS verification code the server sent.
    pub sms: Arc<MemorySmsSender>,
    /// The server's clock, kept across restarts and shared with a second node: move it with
    /// `advance`.
    pub clock: Arc<MovableClock>,
}

impl TestServer {
    pub async fn start(engine: Engine) -> Self {
        Self::start_configured(engine, |_| {}).await
    }

    /// Starts a server whose configuration `configure` has changed first.
    pub async fn start_configured(engine: Engine, configure: impl FnOnce(&mut Config)) -> Self {
        let database = TestDatabase::create(engine).await;
        let mut config = database.config();
        configure(&mut config);
        let sms = Arc::new(MemorySmsSender::default());
        let clock = Arc::new(MovableClock::default());
        let server = boot(&config, &sms, &clock).await;
        let credentials = server
            .bootstrap
            .clone()
            .expect("a new store is bootstrapped");
        let client = Client::new(server.addr);
        Self {
            database,
            config,
            server: Some(server),
            credentials,
            client,
            sms,
            clock,
        }
    }

    /// Starts a server over a store that already exists in `database` (copied there by the test),
    /// with `config` and the store's management credential `credentials`, on `clock`.
    pub async fn start_over(
        database: TestDatabase,
        config: Config,
        credentials: Credentials,
        clock: Arc<MovableClock>,
    ) -> Self {
        let sms = Arc::new(MemorySmsSender::default());
        let server = boot(&config, &sms, &clock).await;
        assert!(
            server.bootstrap.is_none(),
            "an existing store is not bootstrapped again"
        );
        let client = Client::new(server.addr);
        Self {
            database,
            config,
            server: Some(server),
            credentials,
            client,
            sms,
            clock,
        }
    }

    /// Makes `by` pass at once for the server (and every node started from this one).
    pub fn advance(&self, by: Duration) {
        self.clock
            .advance(i64::try_from(by.as_millis()).expect("a duration in milliseconds"));
    }

    /// The server's current time, in milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_millis()
    }

    pub fn store(&self) -> &store::EventStore {
        &self.server.as_ref().expect("server running").store
    }

    /// A management token for the default tenant.
    pub async fn token(&self) -> String {
        self.client
            .token(
                &self.credentials.client_id,
                &self.credentials.client_secret,
                None,
            )
            .await
    }

    /// Registers an application in the default tenant, as `idaas app create` does; its id.
    pub async fn application(&self, name: &str, app_orgs: bool, app_roles: bool) -> String {
        let new = usecases::applications::NewApplication {
            name: name.into(),
            app_orgs,
            app_roles,
            ..Default::default()
        };
        idaas_server::cli::create_app(self.store(), "default", new)
            .await
            .expect("application registered")
            .application_id
    }

    /// Every projection row, as sorted text per table.
    pub async fn snapshot(&self) -> std::collections::BTreeMap<&'static str, Vec<String>> {
        let mut conn = self
            .store()
            .database()
            .pool
            .acquire()
            .await
            .expect("connection");
        projections::rebuild::snapshot(&mut conn)
            .await
            .expect("snapshot")
    }

    /// Replays every projection from position 0 and asserts it gives exactly the live rows.
    pub async fn assert_replay_identical(&self) {
        let live = self.snapshot().await;
        projections::rebuild::replay(self.store())
            .await
            .expect("replay");
        assert_eq!(
            self.snapshot().await,
            live,
            "replay changed projection rows"
        );
    }

    /// Stops the server and starts a new one over the same database.
    pub async fn restart(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await.expect("server stops");
        }
        let server = boot(&self.config, &self.sms, &self.clock).await;
        assert!(
            server.bootstrap.is_none(),
            "a restarted store is not bootstrapped again"
        );
        self.client = Client::new(server.addr);
        self.server = Some(server);
    }

    /// Starts a second server process over the same database (another node of a cluster), with
    /// its own client.
    pub async fn second_node(&self) -> (RunningServer, Client) {
        let node = boot(&self.config, &self.sms, &self.clock).await;
        let client = Client::new(node.addr);
        (node, client)
    }

    /// Stops the server and removes the database, reporting a server that does not stop cleanly.
    /// Dropping a `TestServer` does the same, without the report.
    pub async fn finish(mut self) {
        if let Some(server) = self.server.take() {
            let pool = server.store.database().pool.clone();
            server.stop().await.expect("server stops");
            pool.close().await;
        }
        self.database.drop_database().await;
    }
}

/// How long a dropped test server may take to stop.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

impl Drop for TestServer {
    /// Stops the server (if `finish` did not); then the `database` field is dropped, which removes
    /// the database.
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            stop_blocking(server);
        }
    }
}

/// Stops a server from synchronous code: a `Drop`, perhaps while the test panics, perhaps on a
/// thread inside the test's runtime (where no other runtime may be started). The stopping runs on
/// a thread of its own with a runtime of its own, while the test runtime's workers (still running)
/// finish the server's tasks; bounded, so that a stuck connection cannot hang the test.
fn stop_blocking(server: RunningServer) {
    let pool = server.store.database().pool.clone();
    let multi_thread = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if !multi_thread {
        // Nothing would run the server's tasks while this thread waits: the pool refuses new
        // connections at once, dropping the server tells it to shut down, and its runtime's end
        // ends its tasks.
        drop(pool.close());
        drop(server);
        return;
    }
    let stopper = std::thread::Builder::new()
        .name("stop test server".into())
        .spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                let _ = tokio::time::timeout(STOP_TIMEOUT, async move {
                    let _ = server.stop().await;
                    pool.close().await;
                })
                .await;
            });
        });
    if let Ok(stopper) = stopper {
        let _ = stopper.join();
    }
}

async fn boot(
    config: &Config,
    sms: &Arc<MemorySmsSender>,
    clock: &Arc<MovableClock>,
) -> RunningServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let wiring = Wiring {
        sms: sms.clone(),
        clock: clock.clone(),
    };
    idaas_server::start_wired(config.clone(), listener, wiring)
        .await
        .expect("server starts")
}
