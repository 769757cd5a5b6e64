//! Who may do what (DESIGN.md "Who may do what", ops/adr/0014): a business application holding
//! the API product is a directory client — refused (403, recorded) on every admin route, limited
//! on the OneAccess API to its own and its granted applications — while a tenant administrator
//! manages the tenant but never a credential above its own, and only the operator manages
//! tenants.

use idaas_tests::sso;
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

/// Registers an application with the API product (as the bootstrap operator) and returns its id
/// and a management token of it.
async fn app_with_token(server: &TestServer, t: &str, name: &str) -> (String, String) {
    let created = server
        .client
        .post(
            "/admin/v1/applications",
            t,
            json!({"name": name, "api_product": true}),
        )
        .await;
    let body = created.assert_status(201).clone();
    let token = server
        .client
        .token(
            body["client_id"].as_str().unwrap(),
            body["client_secret"].as_str().unwrap(),
            None,
        )
        .await;
    (body["application_id"].as_str().unwrap().to_string(), token)
}

async fn a_business_application_is_refused_on_every_admin_route(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (erp, erp_token) = app_with_token(&server, &t, "ERP").await;
    let doc = server
        .client
        .send(Method::GET, "/admin/v1/openapi.json", None, None, &[])
        .await
        .body;
    let mut tried = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{application_id}", &erp)
            .replace("{role_id}", "role-x")
            .replace("{user_id}", "user-x")
            .replace("{tenant_id}", "default")
            .replace("{domain}", "x.test");
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            tried += 1;
            let reply = server
                .client
                .send(
                    method.to_uppercase().parse().unwrap(),
                    &concrete,
                    Some(&erp_token),
                    Some(&json!({})),
                    &[],
                )
                .await;
            assert_eq!(
                (reply.status.as_u16(), reply.body["error"].as_str()),
                (403, Some("forbidden")),
                "{method} {path}: {}",
                reply.text
            );
        }
    }
    assert!(tried >= 34, "{tried} operations tried");
    // Each refusal is on the record, attributed to the caller.
    let pool = &server.store().database().pool;
    let refusals: Vec<String> = sqlx::query_scalar(
        "SELECT payload FROM events WHERE event_type = 'management.refused' AND stream_id = $1",
    )
    .bind(&erp)
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(refusals.len(), tried);
    assert!(
        refusals[0].contains("\"held\":\"directory\""),
        "{}",
        refusals[0]
    );
    server.finish().await;
}

async fn a_directory_client_manages_the_directory_and_only_its_granted_applications(
    engine: Engine,
) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (erp, erp_token) = app_with_token(&server, &t, "ERP").await;
    let other = sso::register(&server, &t, "HR", json!({})).await;
    // Users and organisations: yes.
    let user_id = sso::user(&server, &erp_token, "dirclient", "13600000001").await;
    // Its own application's accounts: yes; another's: 403 in the OneAccess bearer-error shape.
    let own = format!("/api/v2/tenant/applications/{erp}/accounts?offset=0&limit=10");
    server.client.get(&own, &erp_token).await.assert_status(200);
    let theirs = format!(
        "/api/v2/tenant/applications/{}/accounts?offset=0&limit=10",
        other.application_id
    );
    let refused = server.client.get(&theirs, &erp_token).await;
    assert_eq!(refused.assert_status(403)["error"], "insufficient_scope");
    let via_user = format!(
        "/api/v2/tenant/users/{user_id}/applications/{}/accounts",
        other.application_id
    );
    let body = json!({"account_name": "dirclient"});
    server
        .client
        .post(&via_user, &erp_token, body)
        .await
        .assert_status(403);
    // Granted the application, it may.
    let grant = json!({"authority": "directory", "applications": [other.application_id]});
    let granted = server
        .client
        .put(
            &format!("/admin/v1/applications/{erp}/authority"),
            &t,
            grant,
        )
        .await;
    assert_eq!(
        granted.assert_status(200)["granted_applications"],
        json!([other.application_id])
    );
    server
        .client
        .get(&theirs, &erp_token)
        .await
        .assert_status(200);
    server.finish().await;
}

async fn a_tenant_administrator_never_touches_a_greater_credential(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let operator_app = server.credentials.application_id.clone();
    let (ops, ops_token) = app_with_token(&server, &t, "Ops").await;
    let promote = json!({"authority": "tenant_admin"});
    let promoted = server
        .client
        .put(
            &format!("/admin/v1/applications/{ops}/authority"),
            &t,
            promote,
        )
        .await;
    assert_eq!(promoted.assert_status(200)["authority"], "tenant_admin");
    // It administers the tenant…
    let (erp, _) = app_with_token(&server, &ops_token, "ERP").await;
    server
        .client
        .post(
            &format!("/admin/v1/applications/{erp}/disable"),
            &ops_token,
            json!({}),
        )
        .await
        .assert_status(200);
    // …but not the operator's credential, not above its own, not its own, not tenants.
    for action in ["disable", "rotate-secret"] {
        let path = format!("/admin/v1/applications/{operator_app}/{action}");
        let refused = server.client.post(&path, &ops_token, json!({})).await;
        assert_eq!(refused.assert_status(403)["error"], "forbidden", "{action}");
    }
    let to_operator = json!({"authority": "operator"});
    let path = format!("/admin/v1/applications/{erp}/authority");
    server
        .client
        .put(&path, &ops_token, to_operator)
        .await
        .assert_status(403);
    let own = format!("/admin/v1/applications/{ops}/authority");
    server
        .client
        .put(&own, &ops_token, json!({"authority": "operator"}))
        .await
        .assert_status(403);
    let tenant = json!({"name": "Acme", "domains": ["acme.test"]});
    let refused = server
        .client
        .post("/admin/v1/tenants", &ops_token, tenant)
        .await;
    refused.assert_status(403);
    // The operator's credential still works.
    let apps: Value = server.client.get("/admin/v1/applications", &t).await.body;
    let listed = apps.as_array().unwrap();
    let operator = listed
        .iter()
        .find(|a| a["application_id"] == json!(operator_app))
        .unwrap();
    assert_eq!(operator["authority"], "operator");
    assert_eq!(operator["enabled"], true);
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(
    a_business_application_is_refused_on_every_admin_route,
    a_directory_client_manages_the_directory_and_only_its_granted_applications,
    a_tenant_administrator_never_touches_a_greater_credential,
);
