//! Retention (ops/adr/0026): a tenant's `retention.de_identify_after_days` makes a run (the
//! worker, or `idaas retention run`) erase the users deleted longer ago and forget older request
//! metadata, recorded as one `tenant.retention_applied` by the system; a run with nothing to do
//! records nothing, and the chain and the projections still verify.

use std::time::Duration;

use idaas_server::cli::{self, Verdict};
use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::{json, Value};

use super::support::{assert_error, auditor, found, USERS};

const RETENTION: &str = "/admin/v1/tenant/settings/retention";
const DAY: Duration = Duration::from_secs(86_400);

async fn user(server: &TestServer, t: &str, name: &str, mobile: &str) -> String {
    let body = json!({"user_name": name, "mobile": mobile});
    let created = server.client.post(USERS, t, body).await;
    created.assert_status(201)["user_id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn metadata_rows(server: &TestServer) -> i64 {
    let pool = &server.store().database().pool;
    let (rows,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM request_metadata WHERE tenant_id = 'default'")
            .fetch_one(pool)
            .await
            .unwrap();
    rows
}

/// A tenant keeping personal data one day, with a deleted user and a live one.
async fn one_day_policy(server: &TestServer, t: &str) -> (String, String) {
    let set = server
        .client
        .put(RETENTION, t, json!({"de_identify_after_days": 1}))
        .await;
    assert_eq!(
        set.assert_status(200)["retention"],
        json!({"de_identify_after_days": 1})
    );
    let gone = user(server, t, "gone", "13900000001").await;
    let kept = user(server, t, "kept", "13900000002").await;
    let deleted = server.client.delete(&format!("{USERS}/{gone}"), t).await;
    assert_eq!(deleted.status.as_u16(), 204);
    (gone, kept)
}

async fn a_retention_run_erases_deleted_users_and_forgets_old_request_metadata(engine: Engine) {
    let server = TestServer::start_configured(engine, |c| c.retention.interval_seconds = 0).await;
    let t = server.token().await;
    // Bad input is the admin API's 400.
    let too_long = json!({"de_identify_after_days": 5000});
    let refused = server.client.put(RETENTION, &t, too_long).await;
    assert_error(&refused, 400, "invalid_request");
    let unknown = json!({"days": 1});
    let refused = server.client.put(RETENTION, &t, unknown).await;
    assert_error(&refused, 400, "invalid_request");
    let (gone, kept) = one_day_policy(&server, &t).await;
    let clock = server.clock.clone();

    // Nothing is due yet: nothing is done or recorded.
    let run = idaas_server::erasure::run_retention(server.store(), None, clock.as_ref());
    assert!(run.await.unwrap().is_empty());
    assert!(metadata_rows(&server).await > 0);

    server.advance(2 * DAY);
    let applied = idaas_server::erasure::run_retention(server.store(), None, clock.as_ref())
        .await
        .unwrap();
    assert_eq!(applied.len(), 1);
    assert_eq!(applied[0].run.users_erased, std::slice::from_ref(&gone));
    assert!(applied[0].run.request_metadata_removed > 0);
    assert_eq!(metadata_rows(&server).await, 0);
    // A second run finds nothing.
    let again =
        idaas_server::erasure::run_retention(server.store(), Some("default"), clock.as_ref());
    assert!(again.await.unwrap().is_empty());

    // Read after the run (tokens of two days ago have expired).
    let t = server.token().await;
    let auditor = auditor(&server, &t, true).await;
    let query = [("event_type", "tenant.retention_applied")];
    let recorded = found(&server, &auditor.token, &query).await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0]["actor_kind"], "system");
    assert_eq!(recorded[0]["payload"]["users_erased"], json!([gone]));
    assert_eq!(recorded[0]["payload"]["after_days"], 1);
    let erased = [("stream_id", gone.as_str())];
    let erased = found(&server, &auditor.token, &erased).await;
    assert_eq!(erased[0]["payload"]["personal"], "[erased]");
    assert_eq!(erased.last().unwrap()["payload"]["reason"], "retention");
    // The live user keeps its data, not its old request metadata.
    let live = [("stream_id", kept.as_str())];
    let live = found(&server, &auditor.token, &live).await;
    assert_eq!(live[0]["payload"]["personal"]["mobile"], "13900000002");
    assert_eq!(live[0]["client_ip"], Value::Null);

    assert_eq!(found(&server, &auditor.token, &query).await.len(), 1);
    assert!(matches!(
        cli::verify(server.store()).await.unwrap(),
        Verdict::Sound { .. }
    ));
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn the_retention_worker_applies_the_policy_as_time_passes(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (gone, _) = one_day_policy(&server, &t).await;
    server.advance(2 * DAY);
    let t = server.token().await;
    let auditor = auditor(&server, &t, false).await;
    let query = [("event_type", "tenant.retention_applied")];
    let mut recorded = Vec::new();
    for _ in 0..120 {
        recorded = found(&server, &auditor.token, &query).await;
        if !recorded.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(recorded.len(), 1, "the worker ran within 30 s");
    assert_eq!(recorded[0]["payload"]["users_erased"], json!([gone]));
    server.finish().await;
}

on_both_engines!(
    a_retention_run_erases_deleted_users_and_forgets_old_request_metadata,
    the_retention_worker_applies_the_policy_as_time_passes,
);
