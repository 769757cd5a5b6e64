//! CAS single logout end to end (CAS Protocol 3.0 §2.3.3): when the SSO session ends, every
//! service that validated a ticket from it is sent a `logoutRequest` naming that ticket, through
//! a durable outbox: a delivery that fails is retried, and every attempt is on record.

use idaas_tests::cas::{self, Listener, STANDARD};
use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::json;

async fn logout_reaches_each_service_and_retries_after_a_failure(engine: Engine) {
    let listener = Listener::start(1).await;
    let mut server = TestServer::start(engine).await;
    server.config.cas_logout_retry_ms = 200;
    server.restart().await;
    let service = listener.url("/cas/callback");
    let fixture = cas::fixture(&server, "slo", json!({"cas_services": [service]})).await;

    let validated = fixture.ticket(&service).await;
    let answer = cas::validate_json(
        &server,
        STANDARD,
        "serviceValidate",
        &service,
        &validated,
        "",
    )
    .await;
    assert_eq!(cas::failure_code(&answer), None, "{answer}");
    // A ticket the service never validated names no session there.
    let _unvalidated = fixture.ticket(&service).await;

    let hop = fixture.browser.get(&format!("{STANDARD}/logout")).await;
    assert_eq!(hop.status, reqwest::StatusCode::FOUND);

    let heard = listener.wait_for_logouts(1, 10).await;
    assert_eq!(heard, std::slice::from_ref(&validated));
    assert_eq!(
        listener.refused(),
        1,
        "the first delivery failed and was retried"
    );

    let pool = &server.store().database().pool;
    // The service hears the request before the server has its answer and records the delivery:
    // wait (up to 10 s) for the record.
    let mut events: Vec<(String, String)> = Vec::new();
    for _ in 0..200 {
        events = sqlx::query_as(
            "SELECT event_type, payload FROM events WHERE stream_type = 'cas_logout' ORDER BY position",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        if events.len() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let types: Vec<&str> = events.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "cas_logout.queued",
            "cas_logout.attempt_failed",
            "cas_logout.delivered"
        ]
    );
    assert!(events[1].1.contains("HTTP 500"), "{}", events[1].1);
    assert!(
        events.iter().all(|(_, p)| !p.contains(&validated)),
        "the session index is sealed in the store"
    );
    let audited: Vec<(String,)> = sqlx::query_as(
        "SELECT event_type FROM proj_audit_trail WHERE stream_type = 'cas_logout' ORDER BY position",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(audited.len(), 3);
    // Nothing more is sent later, even once any retry would long be due: the worker (every
    // 200 ms here) gets a few rounds to send one.
    server.advance(std::time::Duration::from_secs(3600));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(listener.logouts().len(), 1);
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn a_pending_delivery_survives_a_restart(engine: Engine) {
    let listener = Listener::start(1).await;
    let mut server = TestServer::start(engine).await;
    server.config.cas_logout_retry_ms = 1500;
    server.restart().await;
    let service = listener.url("/cas/callback");
    let fixture = cas::fixture(&server, "sloagain", json!({"cas_services": [service]})).await;
    let ticket = fixture.ticket(&service).await;
    cas::validate_json(&server, STANDARD, "serviceValidate", &service, &ticket, "").await;
    // Global logout ends the session too.
    fixture.browser.logout("/api/v1/logout").await;
    for _ in 0..100 {
        if listener.refused() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(listener.refused(), 1);
    // The retry falls due after the restart: the new process delivers it (at its worker's next
    // round, within a second).
    server.restart().await;
    server.advance(std::time::Duration::from_millis(1500));
    assert_eq!(listener.wait_for_logouts(1, 10).await, [ticket]);
    server.finish().await;
}

on_both_engines!(
    logout_reaches_each_service_and_retries_after_a_failure,
    a_pending_delivery_survives_a_restart,
);
