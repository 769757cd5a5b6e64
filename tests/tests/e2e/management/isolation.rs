//! Routing traps and tenant isolation across the application endpoints.

use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::json;
use usecases::applications::NewApplication;

async fn literal_segments_are_never_taken_for_ids(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let new = NewApplication {
        name: "HR".into(),
        ..Default::default()
    };
    let app_id = idaas_server::cli::create_app(server.store(), "default", new)
        .await
        .unwrap()
        .application_id;
    let user_id = server
        .client
        .post(
            "/api/v2/tenant/users",
            &t,
            json!({"user_name": "zs", "mobile": "13500000001"}),
        )
        .await
        .body["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    let base = format!("/api/v2/tenant/applications/{app_id}/accounts");
    let created = server
        .client
        .post(
            &format!("{base}/basic-account"),
            &t,
            json!({"user_id": user_id}),
        )
        .await;
    let account_id = created.assert_status(201)["account_id"]
        .as_str()
        .unwrap()
        .to_string();
    server
        .client
        .get(&format!("{base}/{account_id}"), &t)
        .await
        .assert_status(200);
    // Other methods on the literal segment are not account operations.
    for method in [Method::GET, Method::PUT, Method::DELETE] {
        let reply = server
            .client
            .send(
                method.clone(),
                &format!("{base}/basic-account"),
                Some(&t),
                None,
                &[],
            )
            .await;
        assert_eq!(reply.status.as_u16(), 405, "{method} on basic-account");
    }
    // user-by-username is POST only: other methods are refused, not read as a user id.
    let by_name = server
        .client
        .post(
            "/api/v2/tenant/users/user-by-username",
            &t,
            json!({"user_name": "zs"}),
        )
        .await;
    assert_eq!(by_name.assert_status(200)["user_id"], json!(user_id));
    let reply = server
        .client
        .get("/api/v2/tenant/users/user-by-username", &t)
        .await;
    assert_eq!(reply.status.as_u16(), 405);
    server.finish().await;
}

async fn another_tenant_sees_none_of_the_applications_data(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let new = NewApplication {
        name: "HR".into(),
        app_orgs: true,
        app_roles: true,
        ..Default::default()
    };
    let app_id = idaas_server::cli::create_app(server.store(), "default", new)
        .await
        .unwrap()
        .application_id;
    let user_id = server
        .client
        .post(
            "/api/v2/tenant/users",
            &t,
            json!({"user_name": "zs", "mobile": "13500000002"}),
        )
        .await
        .body["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    let base = format!("/api/v2/tenant/applications/{app_id}");
    let account_id = server
        .client
        .post(
            &format!("{base}/accounts/basic-account"),
            &t,
            json!({"user_id": user_id}),
        )
        .await
        .body["account_id"]
        .as_str()
        .unwrap()
        .to_string();
    let org_id = server
        .client
        .post(
            &format!("{base}/organizations"),
            &t,
            json!({"org_code": "O", "name": "O"}),
        )
        .await
        .body["org_id"]
        .as_str()
        .unwrap()
        .to_string();
    let role_id = server
        .client
        .post(&format!("{base}/role"), &t, json!({"code": "admin"}))
        .await
        .body["role_id"]
        .as_str()
        .unwrap()
        .to_string();

    let other =
        idaas_server::cli::create_tenant(server.store(), "Acme", vec!["acme.test".into()], &[])
            .await
            .unwrap();
    let acme = server
        .client
        .token(&other.client_id, &other.client_secret, Some("acme.test"))
        .await;
    let as_acme = |method: Method, path: String, body: Option<serde_json::Value>| {
        let client = server.client.clone();
        let acme = acme.clone();
        async move {
            client
                .send(
                    method,
                    &path,
                    Some(&acme),
                    body.as_ref(),
                    &[("host", "acme.test")],
                )
                .await
        }
    };
    for path in [
        format!("{base}/accounts?offset=0&limit=10"),
        format!("{base}/accounts/{account_id}"),
        format!("{base}/organizations/{org_id}"),
        format!("{base}/role/{role_id}"),
        format!("{base}/role-list?limit=10"),
    ] {
        as_acme(Method::GET, path, None)
            .await
            .assert_error("APP.0001");
    }
    as_acme(
        Method::GET,
        format!("/api/v2/tenant/users/{user_id}/accounts"),
        None,
    )
    .await
    .assert_error("USER.0001");
    as_acme(
        Method::POST,
        format!("{base}/accounts/basic-account"),
        Some(json!({"user_id": user_id})),
    )
    .await
    .assert_error("APP.0001");
    as_acme(
        Method::DELETE,
        format!("{base}/accounts/{account_id}"),
        None,
    )
    .await
    .assert_error("APP.0001");
    as_acme(
        Method::POST,
        format!("{base}/role-member"),
        Some(json!({"role_id": role_id, "account_Ids": [account_id]})),
    )
    .await
    .assert_error("APP.0001");
    // Nothing changed in the owning tenant.
    let members = server
        .client
        .get(&format!("{base}/role-member-list/{role_id}?limit=10"), &t)
        .await;
    assert_eq!(members.body["total"], 0);
    server
        .client
        .get(&format!("{base}/accounts/{account_id}"), &t)
        .await
        .assert_status(200);
    server.finish().await;
}

on_both_engines!(
    literal_segments_are_never_taken_for_ids,
    another_tenant_sees_none_of_the_applications_data
);
