//! Application organisations end to end (specs/oneaccess.md §2.4 #19–#23, APP_ORG.* codes).

use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::{json, Value};

async fn app(server: &TestServer, name: &str, app_orgs: bool) -> String {
    server.application(name, app_orgs, false).await
}

async fn application_organisations_form_a_tree_per_application(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let app_id = app(&server, "ERP", true).await;
    let base = format!("/api/v2/tenant/applications/{app_id}/organizations");
    let root = server
        .client
        .post(
            &base,
            &t,
            json!({"org_code": "10000", "name": "总部", "parent_id": ""}),
        )
        .await;
    let root = root.assert_status(201)["org_id"]
        .as_str()
        .unwrap()
        .to_string();
    let child = server
        .client
        .post(
            &base,
            &t,
            json!({"org_code": "10001", "name": "开发组", "parent_id": root}),
        )
        .await;
    let child = child.assert_status(201)["org_id"]
        .as_str()
        .unwrap()
        .to_string();
    let detail = server.client.get(&format!("{base}/{root}"), &t).await;
    assert_eq!(
        detail.assert_status(200),
        &json!({"org_id": root, "org_code": "10000", "name": "总部", "parent_id": null})
    );
    let list = server
        .client
        .get(&format!("{base}?offset=0&limit=10"), &t)
        .await;
    assert_eq!(list.assert_status(200)["total"], 2);
    let ids: Vec<&str> = list.body["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["org_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [root.as_str(), child.as_str()]);

    // Update: the name changes, the code cannot.
    let updated = server
        .client
        .put(
            &format!("{base}/{child}"),
            &t,
            json!({"name": "测试组", "org_code": "99999"}),
        )
        .await;
    assert_eq!(updated.assert_status(200), &json!({"org_id": child}));
    let d = server.client.get(&format!("{base}/{child}"), &t).await.body;
    assert_eq!(
        (d["name"].as_str(), d["org_code"].as_str()),
        (Some("测试组"), Some("10001"))
    );

    // An account placed in the child by code keeps it from being deleted.
    let user = server
        .client
        .post(
            "/api/v2/tenant/users",
            &t,
            json!({"user_name": "zs", "mobile": "13200000001"}),
        )
        .await;
    let user_id = user.body["user_id"].as_str().unwrap().to_string();
    let accounts = format!("/api/v2/tenant/applications/{app_id}/accounts");
    let account = server
        .client
        .post(
            &format!("{accounts}/basic-account"),
            &t,
            json!({"user_id": user_id, "org_code": "10001"}),
        )
        .await;
    let account_id = account.assert_status(201)["account_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        server
            .client
            .get(&format!("{accounts}/{account_id}"), &t)
            .await
            .body["org_id"],
        json!(child)
    );
    server
        .client
        .delete(&format!("{base}/{child}"), &t)
        .await
        .assert_error("APP_ORG.0007");
    server
        .client
        .delete(&format!("{base}/{root}"), &t)
        .await
        .assert_error("APP_ORG.0007");
    server
        .client
        .delete(&format!("{accounts}/{account_id}"), &t)
        .await
        .assert_status(204);
    assert_eq!(
        server
            .client
            .delete(&format!("{base}/{child}"), &t)
            .await
            .status
            .as_u16(),
        204
    );
    server
        .client
        .get(&format!("{base}/{child}"), &t)
        .await
        .assert_error("APP_ORG.0001");
    assert_eq!(
        server
            .client
            .delete(&format!("{base}/{root}"), &t)
            .await
            .status
            .as_u16(),
        204
    );
    server.finish().await;
}

async fn bad_application_organisation_input_gets_the_documented_codes(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let app_id = app(&server, "ERP", true).await;
    let other = app(&server, "CRM", true).await;
    let off = app(&server, "Wiki", false).await;
    let base = format!("/api/v2/tenant/applications/{app_id}/organizations");
    let root = server
        .client
        .post(&base, &t, json!({"org_code": "R", "name": "Root"}))
        .await
        .body["org_id"]
        .as_str()
        .unwrap()
        .to_string();
    let child = server
        .client
        .post(
            &base,
            &t,
            json!({"org_code": "C", "name": "Child", "parent_id": root}),
        )
        .await
        .body["org_id"]
        .as_str()
        .unwrap()
        .to_string();
    let foreign = server
        .client
        .post(
            &format!("/api/v2/tenant/applications/{other}/organizations"),
            &t,
            json!({"org_code": "F", "name": "Foreign"}),
        )
        .await
        .body["org_id"]
        .as_str()
        .unwrap()
        .to_string();
    let cases: Vec<(Value, &str)> = vec![
        (json!({"name": "x"}), "APP_ORG.0008"),
        (json!({"org_code": "x"}), "APP_ORG.0009"),
        (json!({"org_code": "bad code", "name": "x"}), "APP_ORG.0011"),
        (json!({"org_code": "x", "name": "bad/name"}), "APP_ORG.0012"),
        (json!({"org_code": "R", "name": "x"}), "APP_ORG.0003"),
        (
            json!({"org_code": "x", "name": "Child", "parent_id": root}),
            "APP_ORG.0010",
        ),
        (
            json!({"org_code": "x", "name": "x", "parent_id": "nope"}),
            "APP_ORG.0004",
        ),
        (
            json!({"org_code": "x", "name": "x", "parent_id": foreign}),
            "APP_ORG.0004",
        ),
    ];
    for (body, code) in cases {
        server.client.post(&base, &t, body).await.assert_error(code);
    }
    // The same code is fine in another application, the same name under another parent.
    server
        .client
        .post(
            &format!("/api/v2/tenant/applications/{other}/organizations"),
            &t,
            json!({"org_code": "R", "name": "Root"}),
        )
        .await
        .assert_status(201);
    server
        .client
        .post(&base, &t, json!({"org_code": "C2", "name": "Child"}))
        .await
        .assert_status(201);
    server
        .client
        .put(&format!("{base}/{child}"), &t, json!({"parent_id": child}))
        .await
        .assert_error("APP_ORG.0006");
    server
        .client
        .put(&format!("{base}/{root}"), &t, json!({"parent_id": child}))
        .await
        .assert_error("APP_ORG.0006");
    server
        .client
        .put(&format!("{base}/{child}"), &t, json!({"parent_id": "nope"}))
        .await
        .assert_error("APP_ORG.0004");
    server
        .client
        .put(&format!("{base}/{child}"), &t, json!({"name": "bad/name"}))
        .await
        .assert_error("APP_ORG.0012");
    server
        .client
        .get(&format!("{base}/{foreign}"), &t)
        .await
        .assert_error("APP_ORG.0001");
    server
        .client
        .put(&format!("{base}/{foreign}"), &t, json!({"name": "x"}))
        .await
        .assert_error("APP_ORG.0001");
    server
        .client
        .delete(&format!("{base}/{foreign}"), &t)
        .await
        .assert_error("APP_ORG.0001");
    server
        .client
        .get(&format!("{base}?offset=0&limit=200"), &t)
        .await
        .assert_error("PAGE.0001");
    let off_base = format!("/api/v2/tenant/applications/{off}/organizations");
    server
        .client
        .post(&off_base, &t, json!({"org_code": "x", "name": "x"}))
        .await
        .assert_error("APP_ORG.0002");
    server
        .client
        .get(&format!("{off_base}?offset=0&limit=10"), &t)
        .await
        .assert_error("APP_ORG.0002");
    server
        .client
        .get(
            "/api/v2/tenant/applications/nope/organizations?offset=0&limit=10",
            &t,
        )
        .await
        .assert_error("APP.0001");
    server.finish().await;
}

on_both_engines!(
    application_organisations_form_a_tree_per_application,
    bad_application_organisation_input_gets_the_documented_codes,
);
