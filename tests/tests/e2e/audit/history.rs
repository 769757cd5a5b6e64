//! `GET /audit/v1/entities/{type}/{id}/history` and the payloads of the search (ops/adr/0022):
//! each event with the fields it changed, before → after; personal values only to a credential
//! granted them, secrets to nobody; JSON or CSV, cursor-paged.

use domain::authority::AuditReading;
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

use super::support::{assert_error, auditor, found, grant, USERS};

const PASSWORD: &str = "Old@1234";
const NEW_PASSWORD: &str = "Newer#789";

/// A user created, its email and name changed, disabled, and its password reset; its id.
async fn scripted_user(server: &TestServer, t: &str) -> String {
    let body = json!({"user_name": "lisi", "name": "Li Si", "mobile": "13800000002",
        "email": "lisi@example.com", "password": PASSWORD});
    let created = server.client.post(USERS, t, body).await;
    let id = created.assert_status(201)["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("{USERS}/{id}");
    let change = json!({"email": "si.li@example.com", "name": "Li Si II"});
    server.client.put(&path, t, change).await.assert_status(200);
    let disable = format!("{path}/disable");
    server
        .client
        .put(&disable, t, json!({}))
        .await
        .assert_status(200);
    let reset = format!("{path}/change-password");
    let body = json!({"password": NEW_PASSWORD});
    server.client.put(&reset, t, body).await.assert_status(200);
    id
}

async fn history(server: &TestServer, token: &str, path: &str) -> Value {
    let reply = server.client.get(path, token).await;
    reply.assert_status(200).clone()
}

/// The change of `field` in `entry`.
fn change<'a>(entry: &'a Value, field: &str) -> &'a Value {
    entry["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == field)
        .unwrap_or_else(|| panic!("no change of {field} in {entry}"))
}

async fn a_history_shows_before_and_after_masking_personal_values_unless_granted(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let masked = auditor(&server, &t, false).await;
    let personal = auditor(&server, &t, true).await;
    let id = scripted_user(&server, &t).await;
    let path = format!("/audit/v1/entities/user/{id}/history");

    let seen = history(&server, &masked.token, &path).await;
    assert_eq!(
        (seen["type"].as_str(), seen["id"].as_str()),
        (Some("user"), Some(id.as_str()))
    );
    let entries = seen["entries"].as_array().unwrap();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "user.created",
            "user.updated",
            "user.disabled",
            "user.password_changed"
        ]
    );
    let email = change(&entries[0], "personal.email");
    assert_eq!(
        (&email["before"], &email["after"]),
        (&json!(null), &json!("[masked]"))
    );
    let email = change(&entries[1], "personal.email");
    assert_eq!(
        (&email["before"], &email["after"]),
        (&json!("[masked]"), &json!("[masked]"))
    );
    assert!(
        entries[1]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["field"] != "personal.mobile"),
        "an unchanged field is not listed"
    );
    let enabled = change(&entries[2], "enabled");
    assert_eq!(enabled["after"], json!(false));
    let hash = change(&entries[3], "password_hash");
    assert_eq!(
        (&hash["before"], &hash["after"]),
        (&json!("[secret]"), &json!("[secret]"))
    );
    assert_eq!(entries[1]["actor_id"], server.credentials.application_id);
    assert!(!seen.to_string().contains("lisi@example.com"));
    assert!(!seen.to_string().contains("argon2"));

    let open = history(&server, &personal.token, &path).await;
    let email = change(&open["entries"][1], "personal.email");
    assert_eq!(email["before"], "lisi@example.com");
    assert_eq!(email["after"], "si.li@example.com");
    let name = change(&open["entries"][1], "personal.display_name");
    assert_eq!(
        (&name["before"], &name["after"]),
        (&json!("Li Si"), &json!("Li Si II"))
    );
    let hash = change(&open["entries"][3], "password_hash");
    assert_eq!(hash["after"], "[secret]");
    assert!(!open.to_string().contains("argon2"), "secrets to nobody");

    // The search shows payloads and request metadata under the same rules.
    let query = [("stream_id", id.as_str()), ("event_type", "user.created")];
    let event = &found(&server, &masked.token, &query).await[0];
    assert_eq!(event["payload"]["personal"]["email"], "[masked]");
    assert_eq!(event["payload"]["password_hash"], "[secret]");
    assert_eq!(event["client_ip"], "[masked]");
    let event = &found(&server, &personal.token, &query).await[0];
    assert_eq!(event["payload"]["personal"]["email"], "lisi@example.com");
    assert_eq!(event["payload"]["password_hash"], "[secret]");
    assert_eq!(event["client_ip"], "127.0.0.1");
    server.finish().await;
}

async fn a_history_pages_by_cursor_and_comes_as_csv(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let personal = auditor(&server, &t, true).await;
    let id = scripted_user(&server, &t).await;
    let path = format!("/audit/v1/entities/user/{id}/history");
    let first = history(&server, &personal.token, &format!("{path}?limit=3")).await;
    assert_eq!(first["entries"].as_array().unwrap().len(), 3);
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest = history(
        &server,
        &personal.token,
        &format!("{path}?limit=3&cursor={cursor}"),
    )
    .await;
    let rest_entries = rest["entries"].as_array().unwrap();
    assert_eq!(rest_entries.len(), 1);
    assert_eq!(rest_entries[0]["event_type"], "user.password_changed");
    assert_eq!(rest["next_cursor"], json!(null));
    // Folding still starts at the beginning: the page after the cursor knows the old hash.
    assert_eq!(
        change(&rest_entries[0], "password_hash")["before"],
        "[secret]"
    );

    let csv = server
        .client
        .send(
            Method::GET,
            &format!("{path}?format=csv"),
            Some(&personal.token),
            None,
            &[],
        )
        .await;
    assert_eq!(csv.status.as_u16(), 200, "{}", csv.text);
    let lines: Vec<&str> = csv.text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "position,version,recorded_at,event_type,actor_kind,actor_id,surface,correlation_id,field,before,after"
    );
    let email = lines
        .iter()
        .find(|l| l.contains(",user.updated,") && l.contains(",personal.email,"))
        .expect("a row for the changed email");
    assert!(
        email.ends_with(",\"\"\"lisi@example.com\"\"\",\"\"\"si.li@example.com\"\"\""),
        "{email}"
    );
    server.finish().await;
}

async fn unknown_entities_and_bad_types_are_refused_in_one_shape(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let masked = auditor(&server, &t, false).await;
    let missing = server
        .client
        .get("/audit/v1/entities/user/nobody/history", &masked.token)
        .await;
    assert_error(&missing, 404, "not_found");
    let bad = server
        .client
        .get("/audit/v1/entities/User!/x/history", &masked.token)
        .await;
    assert_error(&bad, 400, "invalid_request");
    let control = server
        .client
        .get("/audit/v1/entities/user/a%00b/history", &masked.token)
        .await;
    assert_error(&control, 400, "invalid_request");
    let cursor = server
        .client
        .get(
            "/audit/v1/entities/user/x/history?cursor=%25%25",
            &masked.token,
        )
        .await;
    assert_error(&cursor, 400, "invalid_request");
    // An application's history names its grants; its secret is never shown.
    let app = &masked.application_id;
    grant(&server, app, Some(AuditReading::Events)).await;
    let path = format!("/audit/v1/entities/application/{app}/history");
    let seen = history(&server, &masked.token, &path).await;
    let entries = seen["entries"].as_array().unwrap();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "application.registered",
            "application.authority_changed",
            "application.audit_reading_changed"
        ]
    );
    assert_eq!(
        change(&entries[0], "client_secret_hash")["after"],
        "[secret]"
    );
    assert_eq!(change(&entries[1], "authority")["after"], "auditor");
    assert_eq!(change(&entries[2], "reading")["after"], "events");
    assert_eq!(entries[2]["actor_id"], "cli");
    server.finish().await;
}

on_both_engines!(
    a_history_shows_before_and_after_masking_personal_values_unless_granted,
    a_history_pages_by_cursor_and_comes_as_csv,
    unknown_entities_and_bad_types_are_refused_in_one_shape,
);
