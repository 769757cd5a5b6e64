//! Application-side roles and members end to end (specs/oneaccess.md §2.6 #31–#38).

use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

async fn app(server: &TestServer, name: &str, app_roles: bool) -> String {
    server.application(name, false, app_roles).await
}

async fn account(server: &TestServer, t: &str, app_id: &str, user: &str, mobile: &str) -> String {
    let user_id = server
        .client
        .post(
            "/api/v2/tenant/users",
            t,
            json!({"user_name": user, "mobile": mobile}),
        )
        .await
        .body["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    let reply = server
        .client
        .post(
            &format!("/api/v2/tenant/applications/{app_id}/accounts/basic-account"),
            t,
            json!({"user_id": user_id}),
        )
        .await;
    reply.assert_status(201)["account_id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

async fn roles_are_managed_and_accounts_join_and_leave_them(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let app_id = app(&server, "ERP", true).await;
    let other = app(&server, "CRM", true).await;
    let a1 = account(&server, &t, &app_id, "u1", "13400000001").await;
    let a2 = account(&server, &t, &app_id, "u2", "13400000002").await;
    let b1 = account(&server, &t, &other, "u3", "13400000003").await;
    let base = format!("/api/v2/tenant/applications/{app_id}");

    let created = server
        .client
        .post(
            &format!("{base}/role"),
            &t,
            json!({"code": "admin1", "name": "管理员1"}),
        )
        .await;
    let role_id = created.assert_status(200)["role_id"]
        .as_str()
        .unwrap()
        .to_string();
    let detail = server
        .client
        .get(&format!("{base}/role/{role_id}"), &t)
        .await;
    assert_eq!(
        keys(detail.assert_status(200)),
        ["id", "code", "name", "createdAt", "updatedAt"]
    );
    assert_eq!(detail.body["updatedAt"], Value::Null);
    assert_eq!(
        server
            .client
            .put(
                &format!("{base}/role/{role_id}"),
                &t,
                json!({"name": "管理员2"})
            )
            .await
            .assert_status(200),
        &json!({"role_id": role_id})
    );
    let detail = server
        .client
        .get(&format!("{base}/role/{role_id}"), &t)
        .await
        .body;
    assert_eq!(
        (detail["name"].as_str(), detail["code"].as_str()),
        (Some("管理员2"), Some("admin1"))
    );
    assert!(detail["updatedAt"].is_string());
    let list = server
        .client
        .get(&format!("{base}/role-list?limit=10"), &t)
        .await;
    assert_eq!(
        keys(list.assert_status(200)),
        ["total", "offset", "limit", "roles"]
    );
    assert_eq!(
        (
            list.body["total"].as_i64(),
            list.body["offset"].as_i64(),
            list.body["limit"].as_i64()
        ),
        (Some(1), Some(0), Some(10))
    );

    let members = format!("{base}/role-member");
    let added = server
        .client
        .post(
            &members,
            &t,
            json!({"role_id": role_id, "account_Ids": [a1, a2, b1, "nope"]}),
        )
        .await;
    assert_eq!(
        added.assert_status(200),
        &json!({"success_list": [a1, a2], "fail_list": [b1, "nope"]})
    );
    let again = server
        .client
        .post(
            &members,
            &t,
            json!({"role_id": role_id, "account_Ids": [a1]}),
        )
        .await;
    assert_eq!(
        again.body,
        json!({"success_list": [a1], "fail_list": []}),
        "adding a member again succeeds"
    );

    let account_detail = server
        .client
        .get(&format!("{base}/accounts/{a1}"), &t)
        .await
        .body;
    assert_eq!(
        account_detail["roles"],
        json!([{"role_id": role_id, "role_code": "admin1", "role_name": "管理员2", "privileges": []}])
    );

    // Paging from the query string, or from the body exactly as the reference prints it.
    let member_list = format!("{base}/role-member-list/{role_id}");
    let by_query = server
        .client
        .get(&format!("{member_list}?offset=0&limit=10"), &t)
        .await;
    assert_eq!(by_query.assert_status(200)["total"], 2);
    assert_eq!(
        keys(&by_query.body["role_members"][0]),
        [
            "id",
            "account_name",
            "name",
            "org_id",
            "disabled",
            "account_type",
            "extension"
        ]
    );
    let by_body = reqwest::Client::new()
        .get(format!("{}{member_list}", server.client.base))
        .bearer_auth(&t)
        .header("content-type", "application/json;charset=utf8")
        .body("{\"offset\": \"0\", \"limit\": \"10\",}")
        .send()
        .await
        .unwrap();
    assert_eq!(by_body.status().as_u16(), 200);
    let by_body: Value = by_body.json().await.unwrap();
    assert_eq!(
        (by_body["total"].as_i64(), by_body["limit"].as_i64()),
        (Some(2), Some(10))
    );

    server
        .client
        .delete(&format!("{base}/role/{role_id}"), &t)
        .await
        .assert_error("APP_ROLE.0004");
    let removed = server
        .client
        .send(
            Method::DELETE,
            &members,
            Some(&t),
            Some(&json!({"role_id": role_id, "account_Ids": [a1, "nope"]})),
            &[],
        )
        .await;
    assert_eq!(
        removed.assert_status(200),
        &json!({"success_list": [a1], "fail_list": ["nope"]})
    );
    // A deleted account leaves its roles.
    server
        .client
        .delete(&format!("{base}/accounts/{a2}"), &t)
        .await
        .assert_status(204);
    assert_eq!(
        server
            .client
            .get(&format!("{member_list}?offset=0&limit=10"), &t)
            .await
            .body["total"],
        0
    );
    // Removing the deleted account afterwards fails.
    let gone = server
        .client
        .send(
            Method::DELETE,
            &members,
            Some(&t),
            Some(&json!({"role_id": role_id, "account_Ids": [a2]})),
            &[],
        )
        .await;
    assert_eq!(gone.body, json!({"success_list": [], "fail_list": [a2]}));
    // A long code names a role that was given no name.
    let long = "c".repeat(40);
    server
        .client
        .post(&format!("{base}/role"), &t, json!({"code": long}))
        .await
        .assert_status(200);
    let deleted = server
        .client
        .delete(&format!("{base}/role/{role_id}"), &t)
        .await;
    assert_eq!(deleted.status.as_u16(), 200);
    assert!(deleted.text.is_empty());
    server
        .client
        .get(&format!("{base}/role/{role_id}"), &t)
        .await
        .assert_error("APP_ROLE.0001");
    // The code is free again.
    server
        .client
        .post(&format!("{base}/role"), &t, json!({"code": "admin1"}))
        .await
        .assert_status(200);

    server.assert_replay_identical().await;
    server.finish().await;
}

async fn bad_role_input_gets_the_documented_codes(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let app_id = app(&server, "ERP", true).await;
    let other = app(&server, "CRM", true).await;
    let off = app(&server, "Wiki", false).await;
    let base = format!("/api/v2/tenant/applications/{app_id}");
    let role_id = server
        .client
        .post(&format!("{base}/role"), &t, json!({"code": "admin"}))
        .await
        .body["role_id"]
        .as_str()
        .unwrap()
        .to_string();
    let foreign = server
        .client
        .post(
            &format!("/api/v2/tenant/applications/{other}/role"),
            &t,
            json!({"code": "x"}),
        )
        .await
        .body["role_id"]
        .as_str()
        .unwrap()
        .to_string();
    let cases = [
        (json!({"name": "x"}), "APP_ROLE.0005"),
        (json!({"code": "bad code"}), "APP_ROLE.0006"),
        (json!({"code": "c".repeat(51)}), "APP_ROLE.0006"),
        (json!({"code": "admin"}), "APP_ROLE.0003"),
        (
            json!({"code": "ok", "name": "n".repeat(33)}),
            "APP_ROLE.0008",
        ),
    ];
    for (body, code) in cases {
        server
            .client
            .post(&format!("{base}/role"), &t, body)
            .await
            .assert_error(code);
    }
    server
        .client
        .put(&format!("{base}/role/{role_id}"), &t, json!({}))
        .await
        .assert_error("APP_ROLE.0007");
    server
        .client
        .get(&format!("{base}/role/nope"), &t)
        .await
        .assert_error("APP_ROLE.0001");
    server
        .client
        .get(&format!("{base}/role/{foreign}"), &t)
        .await
        .assert_error("APP_ROLE.0001");
    let members = format!("{base}/role-member");
    let fifty_one: Vec<String> = (0..51).map(|i| format!("id{i}")).collect();
    server
        .client
        .post(
            &members,
            &t,
            json!({"role_id": role_id, "account_Ids": fifty_one}),
        )
        .await
        .assert_error("PARAM.0029");
    server
        .client
        .post(&members, &t, json!({"role_id": role_id, "account_Ids": []}))
        .await
        .assert_error("PARAM.0029");
    server
        .client
        .post(&members, &t, json!({"role_id": role_id}))
        .await
        .assert_error("PARAM.0029");
    server
        .client
        .post(&members, &t, json!({"account_Ids": ["x"]}))
        .await
        .assert_error("APP_ROLE.0001");
    server
        .client
        .post(
            &members,
            &t,
            json!({"role_id": foreign, "account_Ids": ["x"]}),
        )
        .await
        .assert_error("APP_ROLE.0001");
    server
        .client
        .get(&format!("{base}/role-list?offset=0&limit=5"), &t)
        .await
        .assert_error("PAGE.0001");
    server
        .client
        .get(&format!("{base}/role-member-list/{role_id}?limit=500"), &t)
        .await
        .assert_error("PAGE.0001");
    let off_base = format!("/api/v2/tenant/applications/{off}");
    server
        .client
        .post(&format!("{off_base}/role"), &t, json!({"code": "x"}))
        .await
        .assert_error("APP_ROLE.0002");
    server
        .client
        .get(&format!("{off_base}/role-list?limit=10"), &t)
        .await
        .assert_error("APP_ROLE.0002");
    server
        .client
        .get("/api/v2/tenant/applications/nope/role-list?limit=10", &t)
        .await
        .assert_error("APP.0001");
    server.finish().await;
}

on_both_engines!(
    roles_are_managed_and_accounts_join_and_leave_them,
    bad_role_input_gets_the_documented_codes,
);
