//! Who reads the audit API (ops/adr/0022): an auditor reads it and nothing else; an administrator
//! — the operator included — reads it only when granted audit reading; every refusal is a 403 in
//! the surface's shape and a recorded `management.refused`; grants are audited too.

use domain::authority::AuditReading;
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

use super::support::{assert_error, auditor, credential, found, grant, search, types, USERS};

/// The payloads of the `management.refused` events of an application's calls.
async fn refusals(server: &TestServer, application_id: &str) -> Vec<Value> {
    let pool = &server.store().database().pool;
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT payload FROM events WHERE event_type = 'management.refused' AND stream_id = $1 \
         ORDER BY position",
    )
    .bind(application_id)
    .fetch_all(pool)
    .await
    .unwrap();
    rows.iter()
        .map(|r| serde_json::from_str(r).unwrap())
        .collect()
}

async fn an_administrator_reads_the_audit_api_only_when_granted(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let operator = server.credentials.application_id.clone();
    // The operator, a tenant administrator and a directory client are refused, each recorded.
    let admin = credential(&server, &t, "Admin", Some("tenant_admin")).await;
    let directory = credential(&server, &t, "ERP", None).await;
    for (token, application, held) in [
        (&t, &operator, "operator"),
        (&admin.token, &admin.application_id, "tenant_admin"),
        (&directory.token, &directory.application_id, "directory"),
    ] {
        let refused = search(&server, token, &[]).await;
        assert_error(&refused, 403, "forbidden");
        let history = server
            .client
            .get("/audit/v1/entities/user/x/history", token)
            .await;
        assert_error(&history, 403, "forbidden");
        let recorded = refusals(&server, application).await;
        assert_eq!(recorded.len(), 2, "{recorded:?}");
        assert_eq!(recorded[0]["held"], held);
        assert_eq!(recorded[0]["required"], "auditor");
        assert_eq!(recorded[0]["action"], "GET /audit/v1/events");
    }
    // Granted audit reading, the administrator reads; revoked, it is refused again.
    grant(&server, &admin.application_id, Some(AuditReading::Events)).await;
    let granted = found(
        &server,
        &admin.token,
        &[("event_type", "management.refused")],
    )
    .await;
    assert_eq!(granted.len(), 6, "the refusals are on the record");
    let grants = found(
        &server,
        &admin.token,
        &[("event_type", "application.audit_reading_changed")],
    )
    .await;
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0]["stream_id"], admin.application_id);
    assert_eq!(
        (
            grants[0]["actor_id"].as_str(),
            grants[0]["surface"].as_str()
        ),
        (Some("cli"), Some("cli"))
    );
    assert_eq!(grants[0]["payload"]["reading"], "events");
    // Still an administrator: the grant adds audit reading, it takes nothing away.
    server
        .client
        .get("/admin/v1/applications", &admin.token)
        .await
        .assert_status(200);
    grant(&server, &admin.application_id, None).await;
    assert_error(&search(&server, &admin.token, &[]).await, 403, "forbidden");
    server.finish().await;
}

async fn an_auditor_reads_the_audit_api_and_nothing_else(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let auditor = auditor(&server, &t, false).await;
    let app = auditor.application_id.clone();
    // Refused on the admin API and on the OneAccess management API, each refusal recorded.
    let admin = server
        .client
        .get("/admin/v1/applications", &auditor.token)
        .await;
    assert_eq!(admin.assert_status(403)["error"], "forbidden");
    let body = json!({"user_name": "nobody", "mobile": "13900000009"});
    let oneaccess = server.client.post(USERS, &auditor.token, body).await;
    assert_eq!(oneaccess.assert_status(403)["error"], "insufficient_scope");
    let orgs = server
        .client
        .send(
            Method::GET,
            "/api/v2/tenant/organizations?org_id=&offset=0&limit=10",
            Some(&auditor.token),
            None,
            &[],
        )
        .await;
    assert_eq!(orgs.status.as_u16(), 403, "{}", orgs.text);
    let recorded = refusals(&server, &app).await;
    assert_eq!(recorded.len(), 3, "{recorded:?}");
    assert!(recorded.iter().all(|r| r["held"] == "auditor"));
    assert_eq!(recorded[0]["action"], "GET /admin/v1/applications");
    // It reads the audit API, its own refusals and the grant that made it an auditor included.
    let own = found(&server, &auditor.token, &[("stream_id", &app)]).await;
    let kinds = types(&own);
    assert_eq!(
        kinds,
        [
            "application.registered",
            "application.authority_changed",
            "management.refused",
            "management.refused",
            "management.refused"
        ]
    );
    assert_eq!(own[1]["payload"]["authority"], "auditor");
    assert_eq!(own[1]["actor_id"], server.credentials.application_id);
    // An auditor cannot grant itself more: there is no management call it may make.
    let grant_self = server
        .client
        .put(
            &format!("/admin/v1/applications/{app}/authority"),
            &auditor.token,
            json!({"authority": "tenant_admin"}),
        )
        .await;
    assert_eq!(grant_self.assert_status(403)["error"], "forbidden");
    server.finish().await;
}

on_both_engines!(
    an_administrator_reads_the_audit_api_only_when_granted,
    an_auditor_reads_the_audit_api_and_nothing_else,
);

/// The admin API grants audit reading too (`PUT /admin/v1/applications/{id}/audit-reading`),
/// recorded with the granting credential as actor; never to the caller's own application, and
/// refused to a credential below a tenant administrator.
async fn audit_reading_is_granted_through_the_admin_api(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let admin = credential(&server, &t, "Admin", Some("tenant_admin")).await;
    let directory = credential(&server, &t, "ERP", None).await;
    let path = format!(
        "/admin/v1/applications/{}/audit-reading",
        admin.application_id
    );
    let granted = server
        .client
        .put(&path, &t, json!({"reading": "personal"}))
        .await;
    let granted = granted.assert_status(200).clone();
    assert_eq!(
        granted,
        json!({"application_id": admin.application_id, "reading": "personal"})
    );
    let grants = found(
        &server,
        &admin.token,
        &[("event_type", "application.audit_reading_changed")],
    )
    .await;
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0]["actor_id"], server.credentials.application_id);
    assert_eq!(grants[0]["surface"], "admin");
    // Not its own, not by a directory client, not a reading that does not exist.
    let own = server
        .client
        .put(&path, &admin.token, json!({"reading": null}))
        .await;
    assert_error(&own, 403, "forbidden");
    let other = format!(
        "/admin/v1/applications/{}/audit-reading",
        directory.application_id
    );
    let by_directory = server
        .client
        .put(&other, &directory.token, json!({"reading": "events"}))
        .await;
    assert_eq!(by_directory.status.as_u16(), 403, "{}", by_directory.text);
    let bad = server
        .client
        .put(&other, &t, json!({"reading": "all"}))
        .await;
    assert_error(&bad, 400, "invalid_request");
    let revoked = server.client.put(&path, &t, json!({"reading": null})).await;
    assert_eq!(revoked.assert_status(200)["reading"], Value::Null);
    assert_error(&search(&server, &admin.token, &[]).await, 403, "forbidden");
    server.finish().await;
}

on_both_engines!(audit_reading_is_granted_through_the_admin_api);
