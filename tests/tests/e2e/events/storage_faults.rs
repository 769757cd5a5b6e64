//! Storage faults (ops/adr/0011) on both engines: unavailable storage is answered 503 with
//! `Retry-After` in each surface's shape and `/readyz` says so at once; migrations are
//! checksummed and run under a lock, so nodes can start together on an empty database.

use idaas_tests::{on_both_engines, Engine, TestDatabase, TestServer};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::net::TcpListener;

async fn call(
    request: reqwest::RequestBuilder,
) -> (StatusCode, Option<String>, Value, std::time::Duration) {
    let started = std::time::Instant::now();
    let response = request.send().await.expect("an answer");
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let body = response.json().await.unwrap_or(Value::Null);
    (status, retry_after, body, started.elapsed())
}

async fn unavailable_storage_is_answered_503_in_each_surface_shape(engine: Engine) {
    let server = TestServer::start(engine).await;
    let token = server.token().await;
    let base = &server.client.base;
    let http = reqwest::Client::new();
    let (status, _, body, _) = call(http.get(format!("{base}/readyz"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ready");
    assert_eq!(body["writes"], "ok");

    // Every later database call fails as it would with the database gone.
    server.store().database().pool.close().await;

    let (status, _, body, elapsed) = call(http.get(format!("{base}/readyz"))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["database"], "down");
    assert!(elapsed.as_secs() < 2, "readyz took {elapsed:?}");

    let users = http
        .get(format!("{base}/api/v2/tenant/users?offset=0&limit=10"))
        .bearer_auth(&token);
    let (status, retry, body, _) = call(users).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(retry.as_deref(), Some("5"));
    assert_eq!(body["error_code"], "COM.0002");
    assert_eq!(body["error_msg"], "System busy. Please try again later.");

    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", server.credentials.client_id.as_str()),
        ("client_secret", server.credentials.client_secret.as_str()),
    ];
    let issue = http.post(format!("{base}/api/v2/tenant/token")).form(&form);
    let (status, retry, body, _) = call(issue).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(retry.as_deref(), Some("5"));
    assert_eq!(body["error"], "temporarily_unavailable");

    let admin = http
        .get(format!("{base}/admin/v1/applications"))
        .bearer_auth(&token);
    let (status, retry, body, _) = call(admin).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(retry.as_deref(), Some("5"));
    assert_eq!(body["error"], "temporarily_unavailable");
    assert!(body["message"].is_string());
}

async fn migrations_are_checksummed(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let db = store::connect(&database.url).await.expect("connect");
    let applied = store::migrate(&db).await.expect("migrate");
    assert!(!applied.is_empty());
    assert!(store::migrate(&db).await.expect("again").is_empty());

    // A row from before checksums were kept is filled in.
    sqlx::query("UPDATE schema_migrations SET checksum = NULL WHERE version = 2")
        .execute(&db.pool)
        .await
        .unwrap();
    store::migrate(&db).await.expect("fills the checksum in");
    let (filled,): (Option<String>,) =
        sqlx::query_as("SELECT checksum FROM schema_migrations WHERE version = 2")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(filled.map(|c| c.len()), Some(64));

    // An applied migration that was edited afterwards is refused, by name.
    sqlx::query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
        .execute(&db.pool)
        .await
        .unwrap();
    let refused = store::migrate(&db).await.expect_err("refused");
    assert!(
        format!("{refused:#}").contains("0001_event_store was changed"),
        "{refused:#}"
    );

    // So is a database a newer release migrated.
    sqlx::query("DELETE FROM schema_migrations WHERE version = 1")
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future')")
        .execute(&db.pool)
        .await
        .unwrap();
    let refused = store::migrate(&db).await.expect_err("refused");
    assert!(
        format!("{refused:#}").contains("newer release"),
        "{refused:#}"
    );
}

async fn nodes_start_together_on_an_empty_database(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let config = database.config();
    // Started concurrently (interleaved on this runtime), each with its own pool and writer, as
    // separate processes would.
    let starts = (0..3).map(|_| {
        let config = config.clone();
        async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            idaas_server::start(config, listener).await
        }
    });
    let servers: Vec<_> = futures::future::join_all(starts)
        .await
        .into_iter()
        .map(|started| started.expect("every node starts"))
        .collect();
    let bootstrapped = servers.iter().filter(|s| s.bootstrap.is_some()).count();
    assert_eq!(bootstrapped, 1, "exactly one node bootstraps");
    let (apps,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM events WHERE event_type = 'application.registered'")
            .fetch_one(&servers[0].store.database().pool)
            .await
            .unwrap();
    assert_eq!(apps, 1, "one management application");
    for server in servers {
        server.stop().await.unwrap();
    }
}

on_both_engines!(
    unavailable_storage_is_answered_503_in_each_surface_shape,
    migrations_are_checksummed,
    nodes_start_together_on_an_empty_database,
);
