//! Application accounts end to end (specs/oneaccess.md §2.2 #12–#13, §2.5 #24–#30).

use domain::application::{Application, ApplicationCommand};
use domain::Aggregate;
use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::{json, Value};
use store::{CommandBus, Context};

const USERS: &str = "/api/v2/tenant/users";

async fn app(server: &TestServer, name: &str, app_orgs: bool) -> String {
    server.application(name, app_orgs, false).await
}

async fn user(server: &TestServer, t: &str, name: &str, mobile: &str) -> String {
    let reply = server
        .client
        .post(
            USERS,
            t,
            json!({"user_name": name, "mobile": mobile, "name": format!("{name} display")}),
        )
        .await;
    reply.assert_status(201)["user_id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn accounts_are_added_read_listed_updated_enabled_disabled_and_deleted(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let app_id = app(&server, "HR", false).await;
    let base = format!("/api/v2/tenant/applications/{app_id}/accounts");
    let zhangsan = user(&server, &t, "zhangsan", "13000000001").await;
    // The documented example body, with empty strings meaning "not given".
    let created = server
        .client
        .post(&format!("{base}/basic-account"), &t, json!({"account_name": "zhangsan", "user_id": zhangsan, "name": "zs", "org_code": "", "password": "", "disabled": false, "extension": {}}))
        .await;
    let account_id = created.assert_status(201)["account_id"]
        .as_str()
        .unwrap()
        .to_string();
    let detail = server.client.get(&format!("{base}/{account_id}"), &t).await;
    let d = detail.assert_status(200);
    let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "id",
            "account_name",
            "account_type",
            "name",
            "disabled",
            "org_id",
            "roles",
            "extension"
        ]
    );
    assert_eq!(d["account_type"], "BASIC_ACCOUNT");
    assert_eq!(d["name"], "zs");
    assert_eq!(d["org_id"], Value::Null);
    assert_eq!(d["roles"], json!([]));

    let list = server
        .client
        .get(
            &format!("{base}?account_type=BASIC_ACCOUNT&offset=0&limit=100"),
            &t,
        )
        .await;
    assert_eq!(list.assert_status(200)["total"], 1);
    assert_eq!(list.body["accounts"][0]["id"], json!(account_id));
    server
        .client
        .get(&format!("{base}?account_type=SHARED&offset=0&limit=10"), &t)
        .await
        .assert_error("APP_ACCOUNT.0003");
    server
        .client
        .get(&format!("{base}?offset=0&limit=5"), &t)
        .await
        .assert_error("PAGE.0001");

    let path = format!("{base}/{account_id}");
    let updated = server
        .client
        .put(
            &path,
            &t,
            json!({"account_name": "Test02", "name": "Example", "disabled": false}),
        )
        .await;
    assert_eq!(
        updated.assert_status(200),
        &json!({"account_id": account_id})
    );
    let d = server.client.get(&path, &t).await.body;
    assert_eq!(
        (d["account_name"].as_str(), d["name"].as_str()),
        (Some("Test02"), Some("Example"))
    );
    assert_eq!(
        server
            .client
            .put(&format!("{path}/disable"), &t, json!({}))
            .await
            .assert_status(200),
        &json!({"account_id": account_id})
    );
    assert_eq!(server.client.get(&path, &t).await.body["disabled"], true);
    server
        .client
        .put(&format!("{path}/enable"), &t, json!({}))
        .await
        .assert_status(200);
    assert_eq!(server.client.get(&path, &t).await.body["disabled"], false);

    // #12 and #13: authorise an account for a user, then list the user's accounts.
    let lisi = user(&server, &t, "lisi", "13000000002").await;
    let authorized = server
        .client
        .post(
            &format!("{USERS}/{lisi}/applications/{app_id}/accounts"),
            &t,
            json!({"account_name": "Test01"}),
        )
        .await;
    let lisi_account = authorized.assert_status(200)["account_id"]
        .as_str()
        .unwrap()
        .to_string();
    let theirs = server
        .client
        .get(&format!("{USERS}/{lisi}/accounts"), &t)
        .await;
    let body = theirs.assert_status(200);
    assert_eq!(body["total"], 1);
    let first = &body["accounts"][0];
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "application_id",
            "account_name",
            "account_type",
            "name",
            "extension"
        ]
    );
    assert_eq!(
        (first["id"].as_str(), first["account_name"].as_str()),
        (Some(lisi_account.as_str()), Some("Test01"))
    );
    assert_eq!(
        first["name"], "lisi display",
        "the display name defaults to the user's name"
    );
    // Without a name the account is named after the username.
    let other_app = app(&server, "Wiki", false).await;
    server
        .client
        .post(
            &format!("{USERS}/{lisi}/applications/{other_app}/accounts"),
            &t,
            json!({}),
        )
        .await
        .assert_status(200);
    let theirs = server
        .client
        .get(&format!("{USERS}/{lisi}/accounts"), &t)
        .await;
    assert_eq!(theirs.body["total"], 2);
    assert_eq!(theirs.body["accounts"][1]["account_name"], "lisi");

    // Deleting an account frees its name; deleting a user orphans its accounts.
    let deleted = server.client.delete(&path, &t).await;
    assert_eq!(deleted.status.as_u16(), 204);
    server
        .client
        .get(&path, &t)
        .await
        .assert_error("APP_ACCOUNT.0001");
    server
        .client
        .post(
            &format!("{base}/basic-account"),
            &t,
            json!({"account_name": "Test02", "user_id": zhangsan}),
        )
        .await
        .assert_status(201);
    server.client.delete(&format!("{USERS}/{lisi}"), &t).await;
    let orphans = server
        .client
        .get(
            &format!("{base}?account_type=ORPHAN_ACCOUNT&offset=0&limit=10"),
            &t,
        )
        .await;
    assert_eq!(orphans.body["total"], 1);
    assert_eq!(orphans.body["accounts"][0]["id"], json!(lisi_account));

    // Replay gives the same rows.
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn bad_account_input_gets_the_documented_codes(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let app_id = app(&server, "HR", false).await;
    let with_orgs = app(&server, "ERP", true).await;
    let other_app = app(&server, "Wiki", false).await;
    let base = format!("/api/v2/tenant/applications/{app_id}/accounts");
    let u1 = user(&server, &t, "u1", "13100000001").await;
    let u2 = user(&server, &t, "u2", "13100000002").await;
    let first = server
        .client
        .post(
            &format!("{base}/basic-account"),
            &t,
            json!({"user_id": u1, "account_name": "taken"}),
        )
        .await;
    let account_id = first.assert_status(201)["account_id"]
        .as_str()
        .unwrap()
        .to_string();
    let cases = [
        (json!({}), "USER.0061"),
        (json!({"user_id": ""}), "USER.0061"),
        (json!({"user_id": "nobody"}), "USER.0001"),
        (
            json!({"user_id": u1, "account_name": "other"}),
            "APP_ACCOUNT.0002",
        ),
        (
            json!({"user_id": u2, "account_name": "TAKEN"}),
            "APP_ACCOUNT.0002",
        ),
        (
            json!({"user_id": u2, "account_name": "bad name"}),
            "APP_ACCOUNT.0036",
        ),
        (json!({"user_id": u2, "org_code": "10000"}), "APP_ORG.0002"),
        (json!({"user_id": u2, "name": "n".repeat(65)}), "PARAM.0000"),
        (
            json!({"user_id": u2, "extension": {"deep": {"x": 1}}}),
            "APP_ACCOUNT.0007",
        ),
        (json!({"user_id": u2, "disabled": "perhaps"}), "PARAM.0000"),
    ];
    for (body, code) in cases {
        server
            .client
            .post(&format!("{base}/basic-account"), &t, body)
            .await
            .assert_error(code);
    }
    server
        .client
        .post(
            &format!("/api/v2/tenant/applications/{with_orgs}/accounts/basic-account"),
            &t,
            json!({"user_id": u2, "org_code": "10000"}),
        )
        .await
        .assert_error("APP_ORG.0001");
    server
        .client
        .post(
            "/api/v2/tenant/applications/nope/accounts/basic-account",
            &t,
            json!({"user_id": u2}),
        )
        .await
        .assert_error("APP.0001");
    server
        .client
        .get(
            "/api/v2/tenant/applications/nope/accounts?offset=0&limit=10",
            &t,
        )
        .await
        .assert_error("APP.0001");
    server
        .client
        .get(&format!("{USERS}/nobody/accounts"), &t)
        .await
        .assert_error("USER.0001");
    server
        .client
        .post(
            &format!("{USERS}/nobody/applications/{app_id}/accounts"),
            &t,
            json!({}),
        )
        .await
        .assert_error("USER.0001");
    // An account is only reachable through its own application.
    let elsewhere = format!("/api/v2/tenant/applications/{other_app}/accounts/{account_id}");
    server
        .client
        .get(&elsewhere, &t)
        .await
        .assert_error("APP_ACCOUNT.0001");
    server
        .client
        .put(&format!("{elsewhere}/disable"), &t, json!({}))
        .await
        .assert_error("APP_ACCOUNT.0001");
    server
        .client
        .delete(&elsewhere, &t)
        .await
        .assert_error("APP_ACCOUNT.0001");
    server
        .client
        .put(
            &format!("{base}/{account_id}"),
            &t,
            json!({"account_name": "bad name"}),
        )
        .await
        .assert_error("APP_ACCOUNT.0036");
    server
        .client
        .put(
            &format!("{base}/{account_id}"),
            &t,
            json!({"name": "bad\u{1}"}),
        )
        .await
        .assert_error("PARAM.0000");
    // Account names are personal data: sealed in the stored events.
    let (payload,): (String,) = sqlx::query_as(
        "SELECT payload FROM events WHERE stream_type = 'app_account' ORDER BY position LIMIT 1",
    )
    .fetch_one(&server.store().database().pool)
    .await
    .unwrap();
    assert!(
        payload.contains("sealed") && !payload.contains("taken"),
        "{payload}"
    );
    // A disabled application takes no new accounts.
    let bus = CommandBus::new(server.store().clone());
    let ctx = Context {
        tenant_id: "default".into(),
        metadata: Default::default(),
    };
    let disable = ApplicationCommand::Disable { now: 1 };
    bus.execute::<Application, _>(&ctx, &app_id, |a| a.decide(disable.clone(), &()))
        .await
        .unwrap();
    server
        .client
        .post(&format!("{base}/basic-account"), &t, json!({"user_id": u2}))
        .await
        .assert_error("APP.0003");
    server
        .client
        .post(
            &format!("{USERS}/{u2}/applications/{app_id}/accounts"),
            &t,
            json!({}),
        )
        .await
        .assert_error("APP.0003");
    server.finish().await;
}

on_both_engines!(
    accounts_are_added_read_listed_updated_enabled_disabled_and_deleted,
    bad_account_input_gets_the_documented_codes,
);
