//! CAS ticket validation end to end (specs/oneaccess.md #40, #42, #43, §3.1; CAS Protocol 3.0
//! §2.4–§2.6, §3): every validation endpoint on both bases, XML and JSON exactly as documented
//! (null and boolean rules, defaults per base, `format` in any case), every failure code with
//! HTTP 200, and tickets as the specification wants them: used once whatever the outcome, bound
//! to their service and tenant, expiring, surviving a restart, shared by two server processes,
//! and on the audit record from issuance to expiry without ever being stored in clear.

use idaas_tests::cas::{self, failure_code, ONEACCESS, SERVICE, STANDARD};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

fn released() -> Value {
    json!({"cas_released_attributes": ["account_name", "name", "email", "org_id", "birthday"]})
}

fn query(service: &str, ticket: &str) -> String {
    format!(
        "service={}&ticket={}",
        cas::encode(service),
        cas::encode(ticket)
    )
}

async fn each_endpoint_answers_in_its_documented_format(engine: Engine) {
    let server = TestServer::start(engine).await;
    let fixture = cas::fixture(&server, "formats", released()).await;

    // OneAccess base: JSON unless asked, with nulls left out and booleans as booleans.
    let ticket = fixture.ticket(SERVICE).await;
    let path = format!("{ONEACCESS}/p3/serviceValidate?{}", query(SERVICE, &ticket));
    let (status, content_type, body) = cas::call(&server, &path).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/json;charset=UTF-8");
    let answer: Value = serde_json::from_str(&body).unwrap();
    let success = &answer["serviceResponse"]["authenticationSuccess"];
    assert_eq!(success["user"], "formats-acct", "{body}");
    let attributes = success["attributes"].as_object().unwrap();
    assert_eq!(attributes["account_name"], "formats-acct");
    assert_eq!(attributes["name"], "formats-acct");
    assert_eq!(attributes["email"], "formats@example.com");
    assert!(
        !attributes.contains_key("org_id"),
        "a null is left out: {body}"
    );
    assert!(!attributes.contains_key("birthday"), "{body}");
    assert_eq!(attributes["isFromNewLogin"], true);
    assert_eq!(attributes["longTermAuthenticationRequestTokenUsed"], false);
    let date = attributes["authenticationDate"].as_str().unwrap();
    assert_eq!(date.len(), "2020-02-11T09:28:14.987Z".len(), "{date}");
    assert!(date.ends_with('Z') && date.as_bytes()[19] == b'.', "{date}");

    // Standard base: XML unless asked; an attribute without a value is left out, not the text
    // "null" stock clients would store (ADR 0007).
    let ticket = fixture.ticket(SERVICE).await;
    let path = format!("{STANDARD}/p3/serviceValidate?{}", query(SERVICE, &ticket));
    let (_, content_type, body) = cas::call(&server, &path).await;
    assert_eq!(content_type, "application/xml;charset=UTF-8");
    assert!(
        body.starts_with(r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">"#),
        "{body}"
    );
    for expected in [
        "<cas:authenticationSuccess>",
        "<cas:user>formats-acct</cas:user>",
        "<cas:isFromNewLogin>false</cas:isFromNewLogin>",
        "<cas:longTermAuthenticationRequestTokenUsed>false</cas:longTermAuthenticationRequestTokenUsed>",
        "<cas:email>formats@example.com</cas:email>",
    ] {
        assert!(body.contains(expected), "{expected} in {body}");
    }
    assert!(
        !body.contains("org_id") && !body.contains(">null<"),
        "{body}"
    );

    // format= in any case overrides either default.
    let ticket = fixture.ticket(SERVICE).await;
    let path = format!(
        "{STANDARD}/serviceValidate?{}&format=json",
        query(SERVICE, &ticket)
    );
    let (_, content_type, _) = cas::call(&server, &path).await;
    assert!(content_type.starts_with("application/json"));
    let ticket = fixture.ticket(SERVICE).await;
    let path = format!(
        "{ONEACCESS}/serviceValidate?{}&format=Xml",
        query(SERVICE, &ticket)
    );
    let (_, content_type, body) = cas::call(&server, &path).await;
    assert!(content_type.starts_with("application/xml"), "{body}");
    assert!(body.contains("<cas:user>formats-acct</cas:user>"));

    // CAS 1.0: two lines of text.
    for base in [STANDARD, ONEACCESS] {
        let ticket = fixture.ticket(SERVICE).await;
        let path = format!("{base}/validate?{}", query(SERVICE, &ticket));
        let (status, content_type, body) = cas::call(&server, &path).await;
        assert_eq!(
            (status, content_type.as_str(), body.as_str()),
            (200, "text/plain;charset=UTF-8", "yes\nformats-acct\n")
        );
        let (_, _, again) = cas::call(&server, &path).await;
        assert_eq!(again, "no\n\n");
    }

    // proxyValidate and p3/proxyValidate accept service tickets too.
    for endpoint in ["proxyValidate", "p3/proxyValidate"] {
        let ticket = fixture.ticket(SERVICE).await;
        let answer = cas::validate_json(&server, STANDARD, endpoint, SERVICE, &ticket, "").await;
        assert_eq!(failure_code(&answer), None, "{endpoint}: {answer}");
    }
    server.finish().await;
}

async fn every_failure_has_its_code_and_http_200(engine: Engine) {
    let server = TestServer::start(engine).await;
    let fixture = cas::fixture(&server, "failures", json!({})).await;

    // INVALID_REQUEST: a parameter missing.
    let (status, _, body) =
        cas::call(&server, &format!("{ONEACCESS}/serviceValidate?service=x")).await;
    assert_eq!(status, 200);
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(failure_code(&answer).as_deref(), Some("INVALID_REQUEST"));
    let (_, _, body) = cas::call(
        &server,
        &format!("{STANDARD}/p3/serviceValidate?ticket=ST-1"),
    )
    .await;
    assert!(
        body.contains(r#"<cas:authenticationFailure code="INVALID_REQUEST">"#),
        "{body}"
    );

    // INVALID_TICKET in the documented wording, XML and JSON.
    let unknown = "ST-l1HnvKIWa0hhKTapEMdR7CU31iSG2xyz";
    let (_, _, body) = cas::call(
        &server,
        &format!(
            "{ONEACCESS}/p3/serviceValidate?{}&format=XML",
            query(SERVICE, unknown)
        ),
    )
    .await;
    assert!(body.contains(&format!(
        r#"<cas:authenticationFailure code="INVALID_TICKET">Ticket {unknown} not recognized</cas:authenticationFailure>"#
    )), "{body}");
    let answer = cas::validate_json(
        &server,
        ONEACCESS,
        "p3/serviceValidate",
        SERVICE,
        unknown,
        "",
    )
    .await;
    assert_eq!(
        answer,
        json!({"serviceResponse": {"authenticationFailure": {
            "code": "INVALID_TICKET",
            "description": format!("the ticket provided was not valid, ticket is {unknown}")
        }}})
    );
    // Markup in a presented ticket is never echoed raw.
    let (_, _, body) = cas::call(
        &server,
        &format!(
            "{STANDARD}/serviceValidate?{}",
            query(SERVICE, "ST-<script>")
        ),
    )
    .await;
    assert!(!body.contains("<script>"), "{body}");

    // INVALID_SERVICE: another service than the ticket's; the ticket is spent by it.
    let ticket = fixture.ticket(SERVICE).await;
    let elsewhere = "https://app.example.com/cas/other";
    let answer =
        cas::validate_json(&server, STANDARD, "serviceValidate", elsewhere, &ticket, "").await;
    assert_eq!(
        failure_code(&answer).as_deref(),
        Some("INVALID_SERVICE"),
        "{answer}"
    );
    let answer =
        cas::validate_json(&server, STANDARD, "serviceValidate", SERVICE, &ticket, "").await;
    assert_eq!(
        failure_code(&answer).as_deref(),
        Some("INVALID_TICKET"),
        "{answer}"
    );

    // A replay: INVALID_TICKET.
    let ticket = fixture.ticket(SERVICE).await;
    let first =
        cas::validate_json(&server, STANDARD, "serviceValidate", SERVICE, &ticket, "").await;
    assert_eq!(failure_code(&first), None);
    let again = cas::validate_json(
        &server,
        STANDARD,
        "p3/serviceValidate",
        SERVICE,
        &ticket,
        "",
    )
    .await;
    assert_eq!(failure_code(&again).as_deref(), Some("INVALID_TICKET"));

    // A disabled user's ticket no longer validates.
    let ticket = fixture.ticket(SERVICE).await;
    let token = server.token().await;
    server
        .client
        .put(
            &format!("/api/v2/tenant/users/{}/disable", fixture.user_id),
            &token,
            json!({}),
        )
        .await
        .assert_status(200);
    let answer =
        cas::validate_json(&server, STANDARD, "serviceValidate", SERVICE, &ticket, "").await;
    assert_eq!(
        failure_code(&answer).as_deref(),
        Some("INVALID_TICKET"),
        "{answer}"
    );
    server.finish().await;
}

async fn concurrent_validations_of_one_ticket_succeed_once(engine: Engine) {
    let server = TestServer::start(engine).await;
    let fixture = cas::fixture(&server, "racer", json!({})).await;
    let ticket = fixture.ticket(SERVICE).await;
    let attempts = (0..8)
        .map(|_| cas::validate_json(&server, STANDARD, "serviceValidate", SERVICE, &ticket, ""));
    let answers = futures::future::join_all(attempts).await;
    let successes = answers.iter().filter(|a| failure_code(a).is_none()).count();
    assert_eq!(successes, 1, "{answers:?}");
    server.finish().await;
}

async fn a_ticket_expires_and_its_expiry_is_recorded(engine: Engine) {
    let mut server = TestServer::start(engine).await;
    // A one-second lifetime: the expiry sweep runs once per lifetime of real time (at most every
    // 30 s), on the background worker's timer.
    server.config.cas_ticket_seconds = 1;
    server.restart().await;
    let fixture = cas::fixture(&server, "expiring", json!({})).await;
    let late = fixture.ticket(SERVICE).await;
    let never = fixture.ticket(SERVICE).await;
    server.advance(std::time::Duration::from_millis(1200));
    let answer = cas::validate_json(&server, STANDARD, "serviceValidate", SERVICE, &late, "").await;
    assert_eq!(
        failure_code(&answer).as_deref(),
        Some("INVALID_TICKET"),
        "{answer}"
    );
    // The ticket nobody presented is recorded as expired by the background sweep: for the
    // server's clock it is over at once, but the sweep comes at the worker's next round (within
    // about two seconds here); wait for it, up to 10 s.
    let pool = &server.store().database().pool;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let recorded = loop {
        let recorded = sqlx::query_as::<_, (String, String)>(
            "SELECT event_type, payload FROM events WHERE stream_type = 'cas_ticket' ORDER BY position",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        if recorded.iter().any(|(t, _)| t == "cas_ticket.expired")
            || std::time::Instant::now() > deadline
        {
            break recorded;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let types: Vec<&str> = recorded.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types.iter().filter(|t| **t == "cas_ticket.expired").count(),
        1,
        "{types:?}"
    );
    assert!(recorded
        .iter()
        .any(|(t, p)| t == "cas_ticket.refused" && p.contains("\"expired\"")));
    let _ = never;
    server.finish().await;
}

async fn tickets_survive_a_restart_work_across_nodes_and_stay_in_their_tenant(engine: Engine) {
    let mut server = TestServer::start(engine).await;
    let fixture = cas::fixture(&server, "durable", json!({})).await;

    // Issued, restarted, validated once.
    let ticket = fixture.ticket(SERVICE).await;
    server.restart().await;
    let answer =
        cas::validate_json(&server, STANDARD, "serviceValidate", SERVICE, &ticket, "").await;
    assert_eq!(failure_code(&answer), None, "{answer}");
    let again =
        cas::validate_json(&server, STANDARD, "serviceValidate", SERVICE, &ticket, "").await;
    assert_eq!(failure_code(&again).as_deref(), Some("INVALID_TICKET"));

    // Issued by one process, validated by another over the same database, once.
    fixture.browser.forget_cookies();
    let mut fixture = fixture;
    fixture.browser = idaas_tests::sso::Browser::new(&server);
    let ticket = fixture.ticket(SERVICE).await;
    let (node, client) = server.second_node().await;
    let path = format!(
        "{STANDARD}/serviceValidate?{}&format=JSON",
        query(SERVICE, &ticket)
    );
    let other = client.send(Method::GET, &path, None, None, &[]).await;
    assert_eq!(failure_code(&other.body), None, "{}", other.text);
    assert_eq!(
        other.body["serviceResponse"]["authenticationSuccess"]["user"],
        "durable-acct"
    );
    let back_here =
        cas::validate_json(&server, STANDARD, "serviceValidate", SERVICE, &ticket, "").await;
    assert_eq!(failure_code(&back_here).as_deref(), Some("INVALID_TICKET"));
    node.stop().await.unwrap();

    // Another tenant, with the same service registered, does not know this tenant's ticket.
    let token = server.token().await;
    let acme = server
        .client
        .post(
            "/admin/v1/tenants",
            &token,
            json!({"name": "Acme", "domains": ["acme.test"]}),
        )
        .await
        .assert_status(201)
        .clone();
    let acme_admin = server
        .client
        .token(
            acme["client_id"].as_str().unwrap(),
            acme["client_secret"].as_str().unwrap(),
            Some("acme.test"),
        )
        .await;
    let body = json!({"name": "Acme CAS", "protocols": {"cas_services": [SERVICE]}});
    server
        .client
        .send(
            Method::POST,
            "/admin/v1/applications",
            Some(&acme_admin),
            Some(&body),
            &[("host", "acme.test")],
        )
        .await;
    let ticket = fixture.ticket(SERVICE).await;
    let path = format!(
        "{STANDARD}/serviceValidate?{}&format=JSON",
        query(SERVICE, &ticket)
    );
    let (_, _, body) = cas::call_at(&server, &path, Some("acme.test")).await;
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        failure_code(&answer).as_deref(),
        Some("INVALID_TICKET"),
        "{body}"
    );
    // Still good at home.
    let (_, _, body) = cas::call(&server, &path).await;
    assert!(body.contains("authenticationSuccess"), "{body}");
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn every_ticket_is_on_the_audit_record_and_never_in_clear(engine: Engine) {
    let server = TestServer::start(engine).await;
    let fixture = cas::fixture(&server, "audited", json!({})).await;
    let good = fixture.ticket(SERVICE).await;
    let bad = fixture.ticket(SERVICE).await;
    cas::validate_json(&server, STANDARD, "serviceValidate", SERVICE, &good, "").await;
    cas::validate_json(
        &server,
        STANDARD,
        "serviceValidate",
        "https://x.example.com/",
        &bad,
        "",
    )
    .await;
    cas::validate_json(&server, STANDARD, "serviceValidate", SERVICE, &good, "").await;

    let pool = &server.store().database().pool;
    let audit: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT event_type, actor_kind FROM proj_audit_trail WHERE stream_type = 'cas_ticket' ORDER BY position",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let types: Vec<&str> = audit.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "cas_ticket.issued",
            "cas_ticket.issued",
            "cas_ticket.validated",
            "cas_ticket.refused",
            "cas_ticket.refused",
        ]
    );
    assert_eq!(audit[0].1.as_deref(), Some("user"));
    assert_eq!(audit[2].1.as_deref(), Some("application"));
    let stored: Vec<(String,)> = sqlx::query_as("SELECT payload FROM events")
        .fetch_all(pool)
        .await
        .unwrap();
    for ticket in [&good, &bad] {
        assert!(
            stored.iter().all(|(p,)| !p.contains(ticket.as_str())),
            "a ticket is stored in clear"
        );
    }
    server.finish().await;
}

/// ops/adr/0027: a ticket replayed again and again gets the same answer each time, and the log
/// records the first replay only.
async fn a_ticket_replayed_many_times_is_recorded_once(engine: Engine) {
    let server = TestServer::start(engine).await;
    let fixture = cas::fixture(&server, "replayed", json!({})).await;
    let ticket = fixture.ticket(SERVICE).await;
    let first =
        cas::validate_json(&server, STANDARD, "serviceValidate", SERVICE, &ticket, "").await;
    assert_eq!(failure_code(&first), None, "{first}");
    let answers: Vec<Value> = replays(&server, &ticket, 5).await;
    for answer in &answers {
        assert_eq!(answer, &answers[0], "the same answer every time");
    }
    assert_eq!(failure_code(&answers[0]).as_deref(), Some("INVALID_TICKET"));
    let types: Vec<(String,)> = sqlx::query_as(
        "SELECT event_type FROM events WHERE stream_type = 'cas_ticket' ORDER BY position",
    )
    .fetch_all(&server.store().database().pool)
    .await
    .unwrap();
    let types: Vec<&str> = types.iter().map(|(t,)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "cas_ticket.issued",
            "cas_ticket.validated",
            "cas_ticket.refused"
        ]
    );
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn replays(server: &TestServer, ticket: &str, times: usize) -> Vec<Value> {
    let mut answers = Vec::new();
    for _ in 0..times {
        answers.push(
            cas::validate_json(server, STANDARD, "serviceValidate", SERVICE, ticket, "").await,
        );
    }
    answers
}

on_both_engines!(
    a_ticket_replayed_many_times_is_recorded_once,
    each_endpoint_answers_in_its_documented_format,
    every_failure_has_its_code_and_http_200,
    concurrent_validations_of_one_ticket_succeed_once,
    a_ticket_expires_and_its_expiry_is_recorded,
    tickets_survive_a_restart_work_across_nodes_and_stay_in_their_tenant,
    every_ticket_is_on_the_audit_record_and_never_in_clear,
);
