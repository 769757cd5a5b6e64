//! `GET /audit/v1/events` (ops/adr/0022): every filter finds what it names and nothing else, a
//! cursor walk neither skips nor repeats an event while others are appended, CSV carries the same
//! rows, a tenant's auditor sees only its tenant, and bad input is a 400 in the one error shape.

use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

use super::support::{assert_error, auditor, found, search, types, EVENTS, USERS};

const ORGS: &str = "/api/v2/tenant/organizations";

async fn organization(server: &TestServer, t: &str, code: &str) -> String {
    let reply = server
        .client
        .post(ORGS, t, json!({"code": code, "name": code}))
        .await;
    reply.assert_status(201)["org_id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn events_are_found_by_each_filter(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let auditor = auditor(&server, &t, false).await;
    let a = auditor.token.as_str();
    let operator = server.credentials.application_id.clone();
    let org = organization(&server, &t, "A100").await;
    let body = json!({"user_name": "audited", "mobile": "13700000001", "org_code": "A100"});
    let created = server
        .client
        .send(
            Method::POST,
            USERS,
            Some(&t),
            Some(&body),
            &[("x-request-id", "corr-audit-1")],
        )
        .await;
    let user = created.assert_status(201)["user_id"]
        .as_str()
        .unwrap()
        .to_string();

    // Actor and exact type.
    let by_actor = found(
        &server,
        a,
        &[("actor", &operator), ("event_type", "user.created")],
    )
    .await;
    assert_eq!(types(&by_actor), ["user.created"]);
    assert_eq!(by_actor[0]["stream_id"], user);
    assert_eq!(by_actor[0]["actor_kind"], "application");
    let by_kind = found(&server, a, &[("actor_kind", "system")]).await;
    assert!(!by_kind.is_empty() && by_kind.iter().all(|e| e["actor_kind"] == "system"));
    assert!(found(&server, a, &[("actor", "nobody")]).await.is_empty());
    // Stream.
    let stream = found(&server, a, &[("stream_type", "user"), ("stream_id", &user)]).await;
    assert_eq!(types(&stream), ["user.created"]);
    // Subject: the organisation's own events and the user created in it.
    let subject = types(&found(&server, a, &[("subject", &org)]).await);
    assert!(
        subject.contains(&"organization.created".to_string()),
        "{subject:?}"
    );
    assert!(subject.contains(&"user.created".to_string()), "{subject:?}");
    // A type prefix.
    let orgs = found(&server, a, &[("event_type", "organization.*")]).await;
    assert!(!orgs.is_empty());
    assert!(types(&orgs).iter().all(|t| t.starts_with("organization.")));
    // Surface.
    let oneaccess = types(&found(&server, a, &[("surface", "oneaccess")]).await);
    assert!(oneaccess.contains(&"user.created".to_string()));
    let admin = found(&server, a, &[("surface", "admin")]).await;
    assert!(types(&admin).contains(&"application.authority_changed".to_string()));
    assert!(admin.iter().all(|e| e["surface"] == "admin"));
    // Correlation id: the request id the call came with.
    let correlated = found(&server, a, &[("correlation_id", "corr-audit-1")]).await;
    assert!(types(&correlated).contains(&"user.created".to_string()));
    assert!(correlated
        .iter()
        .all(|e| e["correlation_id"] == "corr-audit-1"));
    // Time: from is inclusive, to exclusive, any offset.
    let at = by_actor[0]["recorded_at"].as_str().unwrap().to_string();
    let from = types(&found(&server, a, &[("from", &at), ("stream_id", &user)]).await);
    assert_eq!(from, ["user.created"]);
    assert!(found(&server, a, &[("to", &at), ("stream_id", &user)])
        .await
        .is_empty());
    let future = [("from", "2999-01-01T08:00:00+08:00")];
    assert!(found(&server, a, &future).await.is_empty());
    let always = [
        ("from", "1970-01-01T00:00:00Z"),
        ("to", "2999-01-01T00:00:00Z"),
    ];
    assert!(found(&server, a, &always).await.len() > 5);
    // Everything at once still finds it.
    let all = [
        ("actor", operator.as_str()),
        ("subject", org.as_str()),
        ("stream_type", "user"),
        ("event_type", "user.*"),
        ("surface", "oneaccess"),
        ("correlation_id", "corr-audit-1"),
        ("from", at.as_str()),
    ];
    assert_eq!(types(&found(&server, a, &all).await), ["user.created"]);
    server.finish().await;
}

async fn a_cursor_walk_neither_skips_nor_repeats_while_events_are_appended(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let auditor = auditor(&server, &t, false).await;
    for i in 0..12 {
        organization(&server, &t, &format!("P{i:03}")).await;
    }
    let mut walked: Vec<i64> = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let reply = search(
            &server,
            &auditor.token,
            &[("limit", "5"), ("cursor", &cursor)],
        )
        .await;
        let body = reply.assert_status(200).clone();
        let events = body["events"].as_array().unwrap();
        assert!(events.len() <= 5);
        walked.extend(events.iter().map(|e| e["position"].as_i64().unwrap()));
        pages += 1;
        if pages == 2 {
            // Appended while the walk goes on: found on a later page.
            for i in 0..4 {
                organization(&server, &t, &format!("Q{i:03}")).await;
            }
        }
        match body["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    assert!(walked.windows(2).all(|w| w[0] < w[1]), "{walked:?}");
    let everything = found(&server, &auditor.token, &[("limit", "1000")]).await;
    let all: Vec<i64> = everything
        .iter()
        .map(|e| e["position"].as_i64().unwrap())
        .collect();
    assert_eq!(walked, all, "the walk saw every event once");
    assert!(pages >= 5, "{pages} pages");
    server.finish().await;
}

/// A GET with raw headers in and out.
async fn raw_get(server: &TestServer, path: &str, token: &str, accept: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", server.client.base))
        .bearer_auth(token)
        .header("accept", accept)
        .send()
        .await
        .expect("request sent")
}

async fn events_come_as_csv_on_request(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let auditor = auditor(&server, &t, false).await;
    for code in ["C1", "C2", "C3"] {
        organization(&server, &t, code).await;
    }
    let path = format!("{EVENTS}?event_type=organization.created&limit=2");
    let first = raw_get(&server, &path, &auditor.token, "text/csv").await;
    assert_eq!(first.status().as_u16(), 200);
    let content_type = first.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let next = first.headers()["x-next-cursor"]
        .to_str()
        .unwrap()
        .to_string();
    let text = first.text().await.unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(lines[0].starts_with("position,recorded_at,stream_type,stream_id,version,event_type"));
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1..]
        .iter()
        .all(|l| l.contains(",organization.created,")));
    // format=csv wins over Accept; the cursor continues.
    let rest = format!("{path}&format=csv&cursor={next}");
    let second = raw_get(&server, &rest, &auditor.token, "application/json").await;
    assert!(second.headers().get("x-next-cursor").is_none());
    let text = second.text().await.unwrap();
    assert_eq!(text.split("\r\n").filter(|l| !l.is_empty()).count(), 2);
    // JSON unless asked.
    let json = raw_get(&server, &path, &auditor.token, "*/*").await;
    let body: Value = json.json().await.unwrap();
    assert_eq!(body["events"].as_array().unwrap().len(), 2);
    server.finish().await;
}

async fn bad_input_is_a_400_in_one_shape_never_a_500(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let auditor = auditor(&server, &t, false).await;
    let a = auditor.token.as_str();
    for query in [
        vec![("limit", "0")],
        vec![("limit", "1001")],
        vec![("limit", "ten")],
        vec![("cursor", "not-a-cursor")],
        vec![("from", "yesterday")],
        vec![
            ("from", "2026-02-01T00:00:00Z"),
            ("to", "2026-01-01T00:00:00Z"),
        ],
        vec![("actor", "a\u{0}b")],
        vec![("subject", &"x".repeat(300))],
        vec![("format", "xml")],
        vec![("colour", "blue")],
    ] {
        let reply = search(&server, a, &query).await;
        assert_error(&reply, 400, "invalid_request");
    }
    let none = server
        .client
        .send(Method::GET, EVENTS, None, None, &[])
        .await;
    assert_error(&none, 401, "unauthorized");
    assert_error(&search(&server, "forged", &[]).await, 401, "invalid_token");
    server.finish().await;
}

async fn an_auditor_sees_only_its_own_tenant(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let auditor = auditor(&server, &t, false).await;
    let other =
        idaas_server::cli::create_tenant(server.store(), "Other", vec!["other.test".into()], &[])
            .await
            .expect("tenant created");
    let pool = &server.store().database().pool;
    let theirs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE stream_id = $1")
        .bind(&other.application_id)
        .fetch_one(pool)
        .await
        .unwrap();
    assert!(theirs > 0, "the other tenant's application has events");
    let seen = found(
        &server,
        &auditor.token,
        &[("stream_id", &other.application_id)],
    )
    .await;
    assert!(seen.is_empty(), "{seen:?}");
    let everything = found(&server, &auditor.token, &[("limit", "1000")]).await;
    assert!(everything
        .iter()
        .all(|e| e["stream_id"] != other.application_id.as_str()));
    server.finish().await;
}

on_both_engines!(
    events_are_found_by_each_filter,
    a_cursor_walk_neither_skips_nor_repeats_while_events_are_appended,
    events_come_as_csv_on_request,
    bad_input_is_a_400_in_one_shape_never_a_500,
    an_auditor_sees_only_its_own_tenant,
);
