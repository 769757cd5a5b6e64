//! What the audit tests share: credentials that may or may not read the audit API, and reading
//! it.

use domain::authority::AuditReading;
use idaas_tests::{Reply, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

pub const EVENTS: &str = "/audit/v1/events";
pub const USERS: &str = "/api/v2/tenant/users";

/// An application's id and a management token of it.
pub struct Credential {
    pub application_id: String,
    pub token: String,
}

/// Registers an application with the API product as the operator (`t`), gives it `authority`
/// when one is named, and fetches a management token of it.
pub async fn credential(
    server: &TestServer,
    t: &str,
    name: &str,
    authority: Option<&str>,
) -> Credential {
    let created = server
        .client
        .post(
            "/admin/v1/applications",
            t,
            json!({"name": name, "api_product": true}),
        )
        .await;
    let body = created.assert_status(201).clone();
    let application_id = body["application_id"].as_str().unwrap().to_string();
    if let Some(authority) = authority {
        let path = format!("/admin/v1/applications/{application_id}/authority");
        let granted = server
            .client
            .put(&path, t, json!({"authority": authority}))
            .await;
        assert_eq!(granted.assert_status(200)["authority"], authority);
    }
    let token = server
        .client
        .token(
            body["client_id"].as_str().unwrap(),
            body["client_secret"].as_str().unwrap(),
            None,
        )
        .await;
    Credential {
        application_id,
        token,
    }
}

/// An auditor's credential; granted personal values too when `personal`.
pub async fn auditor(server: &TestServer, t: &str, personal: bool) -> Credential {
    let name = if personal { "Privacy" } else { "Audit" };
    let auditor = credential(server, t, name, Some("auditor")).await;
    if personal {
        grant(
            server,
            &auditor.application_id,
            Some(AuditReading::Personal),
        )
        .await;
    }
    auditor
}

/// Grants (or revokes) audit reading from the command line, as `idaas audit grant` does.
pub async fn grant(server: &TestServer, application_id: &str, reading: Option<AuditReading>) {
    idaas_server::cli::set_audit_reading(server.store(), "default", application_id, reading)
        .await
        .expect("audit reading set");
}

/// `GET /audit/v1/events` with these query parameters.
pub async fn search(server: &TestServer, token: &str, query: &[(&str, &str)]) -> Reply {
    let query = serde_urlencoded::to_string(query).unwrap();
    server
        .client
        .send(
            Method::GET,
            &format!("{EVENTS}?{query}"),
            Some(token),
            None,
            &[],
        )
        .await
}

/// The events of a search that must succeed.
pub async fn found(server: &TestServer, token: &str, query: &[(&str, &str)]) -> Vec<Value> {
    let reply = search(server, token, query).await;
    reply.assert_status(200)["events"]
        .as_array()
        .unwrap()
        .clone()
}

/// The event types of `events`, in order.
pub fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["event_type"].as_str().unwrap().to_string())
        .collect()
}

/// Asserts an error in the audit API's one shape.
#[track_caller]
pub fn assert_error(reply: &Reply, status: u16, error: &str) {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.text);
    assert_eq!(reply.body["error"], error, "{}", reply.text);
    assert!(
        reply.body["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{}",
        reply.text
    );
}
