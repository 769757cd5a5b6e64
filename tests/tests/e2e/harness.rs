//! The harness cleans up after itself: a test server or test database that is dropped, also while
//! its test panics, stops the server, removes the temporary directory and drops the PostgreSQL
//! database.

use std::path::PathBuf;
use std::time::Duration;

use idaas_tests::{on_both_engines, with_database, Engine, TestDatabase, TestServer};

#[test]
fn the_database_name_replaces_the_path() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h/db?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
}

/// What a test database leaves behind if it is not cleaned up.
struct Traces {
    engine: Engine,
    data_dir: PathBuf,
    name: String,
}

impl Traces {
    fn of(database: &TestDatabase) -> Self {
        Self {
            engine: database.engine,
            data_dir: database.data_dir.clone(),
            name: database.name().to_owned(),
        }
    }

    async fn database_exists(&self) -> bool {
        use sqlx::{Connection, Row};
        if self.engine == Engine::Sqlite {
            return self.data_dir.join("idaas.db").exists();
        }
        let url = std::env::var(idaas_tests::POSTGRES_URL_VAR).expect("postgres URL");
        let mut admin = sqlx::AnyConnection::connect(&url).await.expect("connect");
        let found = sqlx::query("SELECT count(*) FROM pg_database WHERE datname = $1")
            .bind(&self.name)
            .fetch_one(&mut admin)
            .await
            .expect("pg_database")
            .get::<i64, _>(0);
        admin.close().await.expect("close");
        found == 1
    }

    async fn assert_exist(&self) {
        assert!(self.data_dir.exists(), "{} exists", self.data_dir.display());
        assert!(self.database_exists().await, "{} exists", self.name);
    }

    async fn assert_gone(&self) {
        assert!(
            !self.data_dir.exists(),
            "{} is left behind",
            self.data_dir.display()
        );
        assert!(
            !self.database_exists().await,
            "{} is left behind",
            self.name
        );
    }
}

async fn a_dropped_test_server_stops_and_leaves_nothing_behind(engine: Engine) {
    let server = TestServer::start(engine).await;
    let traces = Traces::of(&server.database);
    let addr = server.server.as_ref().expect("running").addr;
    let token = server.token().await;
    assert!(!token.is_empty());
    traces.assert_exist().await;

    drop(server);

    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the dropped server still accepts connections on {addr}"
    );
    traces.assert_gone().await;
}

async fn a_dropped_test_database_leaves_nothing_behind(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let db = store::connect(&database.url).await.expect("connect");
    store::migrate(&db).await.expect("migrate");
    let traces = Traces::of(&database);
    traces.assert_exist().await;

    // Dropped while a connection to it is still open.
    drop(database);

    traces.assert_gone().await;
    drop(db);
}

/// A test moves the server's clock instead of sleeping: a management token (1800 s) expires when
/// the clock says so, and the clock is kept across a restart and shared with a second node.
async fn the_harness_clock_moves_the_servers_time(engine: Engine) {
    const USERS: &str = "/api/v2/tenant/users?offset=0&limit=10";
    let mut server = TestServer::start(engine).await;
    let token = server.token().await;
    let started = server.now_ms();
    server.advance(Duration::from_secs(1799));
    assert!(server.now_ms() - started >= 1_799_000);
    server.client.get(USERS, &token).await.assert_status(200);
    server.advance(Duration::from_secs(2));
    let expired = server.client.get(USERS, &token).await;
    expired.assert_status(401);
    assert_eq!(expired.body["error"], "invalid_token");

    let (node, client) = server.second_node().await;
    client.get(USERS, &token).await.assert_status(401);
    node.stop().await.expect("the second node stops");
    server.restart().await;
    server.client.get(USERS, &token).await.assert_status(401);
    let fresh = server.token().await;
    server.client.get(USERS, &fresh).await.assert_status(200);
    server.finish().await;
}

on_both_engines!(
    a_dropped_test_server_stops_and_leaves_nothing_behind,
    a_dropped_test_database_leaves_nothing_behind,
    the_harness_clock_moves_the_servers_time,
);

/// As `#[tokio::test]` runs a test: a multi-threaded runtime on a thread of its own, whose test
/// starts a server and then panics. What the server left behind, once the panic is caught.
fn traces_of_a_panicking_test(engine: Engine) -> Traces {
    let (sender, receiver) = std::sync::mpsc::channel();
    let test = std::thread::spawn(move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(async move {
                let server = TestServer::start(engine).await;
                sender.send(Traces::of(&server.database)).expect("send");
                server.token().await;
                panic!("a test fails while its server runs");
            })
    });
    assert!(test.join().is_err(), "the test panicked");
    receiver.recv().expect("traces")
}

fn check_after_a_panic(engine: Engine) {
    let traces = traces_of_a_panicking_test(engine);
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(traces.assert_gone());
}

#[test]
fn a_test_that_panics_leaves_nothing_behind_on_sqlite() {
    check_after_a_panic(Engine::Sqlite);
}

#[test]
fn a_test_that_panics_leaves_nothing_behind_on_postgres() {
    if Engine::postgres_available() {
        check_after_a_panic(Engine::Postgres);
    }
}
