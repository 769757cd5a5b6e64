//! The listener's limits (ops/adr/0012): a client that never finishes its header, a silent
//! connection, a body that never arrives, and connections past the limit are all dropped.

use std::time::Duration;

use idaas_tests::{on_both_engines, Engine, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the server closes the connection (or 10 s pass, which fails the test): what it
/// sent before closing.
async fn closed_by_server(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return String::from_utf8_lossy(&seen).into_owned(),
            Ok(Ok(n)) => seen.extend_from_slice(&buffer[..n]),
            Err(_) => panic!("the server kept the connection open"),
        }
    }
}

async fn slow_and_silent_clients_are_dropped(engine: Engine) {
    let server = TestServer::start_configured(engine, |c| {
        c.limits.header_timeout_ms = 300;
        c.limits.body_timeout_ms = 300;
        c.limits.idle_timeout_ms = 600;
    })
    .await;
    let addr = server.server.as_ref().unwrap().addr;
    // A header that never ends.
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    closed_by_server(&mut slow).await;
    // A connection that never says anything.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    closed_by_server(&mut silent).await;
    // A body that never arrives: the request is refused, the connection closed.
    let mut body = TcpStream::connect(addr).await.unwrap();
    let head = "POST /api/v2/sdk/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                Content-Length: 100\r\n\r\n{\"user_name\":";
    body.write_all(head.as_bytes()).await.unwrap();
    let answer = closed_by_server(&mut body).await;
    assert!(!answer.contains(" 500 "), "{answer}");
    // A keep-alive connection is served, then closed once idle.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = closed_by_server(&mut idle).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    server.finish().await;
}

async fn connections_past_the_limit_are_closed_at_once(engine: Engine) {
    let server = TestServer::start_configured(engine, |c| c.limits.max_connections = 2).await;
    let addr = server.server.as_ref().unwrap().addr;
    let _first = TcpStream::connect(addr).await.unwrap();
    let _second = TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut third = TcpStream::connect(addr).await.unwrap();
    let _ = third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let answer = closed_by_server(&mut third).await;
    assert!(answer.is_empty(), "{answer}");
    drop((_first, _second));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut fourth = TcpStream::connect(addr).await.unwrap();
    fourth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    assert!(closed_by_server(&mut fourth)
        .await
        .starts_with("HTTP/1.1 200"));
    server.finish().await;
}

/// A stopped server leaves its SQLite store in one file: the write-ahead log is checkpointed
/// and emptied, so copying `idaas.db` alone is a complete copy.
async fn a_stop_checkpoints_the_write_ahead_log(engine: Engine) {
    let mut server = TestServer::start(engine).await;
    let t = server.token().await;
    server
        .client
        .post(
            "/api/v2/tenant/organizations",
            &t,
            serde_json::json!({"code": "WAL", "name": "WAL"}),
        )
        .await
        .assert_status(201);
    let running = server.server.take().expect("running");
    let pool = running.store.database().pool.clone();
    running.stop().await.expect("stops");
    // Measured while the pool is still open (closing the last connection would checkpoint too).
    if engine == Engine::Sqlite {
        let wal = server.database.data_dir.join("idaas.db-wal");
        let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        assert_eq!(size, 0, "{} still holds {size} bytes", wal.display());
    }
    pool.close().await;
    server.database.drop_database().await;
}

on_both_engines!(
    slow_and_silent_clients_are_dropped,
    connections_past_the_limit_are_closed_at_once,
    a_stop_checkpoints_the_write_ahead_log,
);
