//! Erasure (DESIGN.md "Audit and compliance", ops/adr/0026): `POST /admin/v1/users/{id}/erase`
//! and `idaas user erase` append `user.erased`, destroy the keys of the user and of its
//! application accounts and delete its request metadata in one transaction; the user is gone from
//! the directory (admin, OneAccess, Inspur), erased in the audit trail and the export envelope, and the chain, the
//! projections and an export still verify.

use idaas_server::checkpoints as cp;
use idaas_server::cli::{self, Verdict};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

use super::support::{assert_error, auditor, credential, found, types, USERS};

const MOBILE: &str = "13800000077";
const AGENT: &str = "erasure-test/1.0";

/// A user created with a user agent, and an application account of it: (user id, account id).
async fn user_with_account(server: &TestServer, t: &str) -> (String, String) {
    let body = json!({"user_name": "wangwu", "name": "Wang Wu", "mobile": MOBILE,
        "email": "wangwu@example.com", "password": "Old@1234"});
    let created = server
        .client
        .send(
            Method::POST,
            USERS,
            Some(t),
            Some(&body),
            &[("user-agent", AGENT)],
        )
        .await;
    let user_id = created.assert_status(201)["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    let app_id = server.application("ERP", false, false).await;
    let account = server
        .client
        .post(
            &format!("{USERS}/{user_id}/applications/{app_id}/accounts"),
            t,
            json!({"account_name": "wangwu"}),
        )
        .await;
    let account_id = account.assert_status(200)["account_id"]
        .as_str()
        .unwrap()
        .to_string();
    (user_id, account_id)
}

fn erase_path(user_id: &str) -> String {
    format!("/admin/v1/users/{user_id}/erase")
}

/// Rows kept for `subject`: (subject keys, request metadata rows).
async fn kept(server: &TestServer, subject: &str) -> (i64, i64) {
    let pool = &server.store().database().pool;
    let (keys,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM subject_keys WHERE tenant_id = 'default' AND subject_id = $1",
    )
    .bind(subject)
    .fetch_one(pool)
    .await
    .unwrap();
    let (metadata,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM request_metadata WHERE tenant_id = 'default' \
         AND (subject_id = $1 OR stream_id = $1)",
    )
    .bind(subject)
    .fetch_one(pool)
    .await
    .unwrap();
    (keys, metadata)
}

async fn an_erased_user_is_erased_everywhere_and_the_chain_still_verifies(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let auditor = auditor(&server, &t, true).await;
    let (user_id, account_id) = user_with_account(&server, &t).await;

    // Before: the request metadata is kept beside the chain, not in the hashed bytes, and the
    // audit API joins it back.
    let query = [("stream_id", user_id.as_str())];
    let before = found(&server, &auditor.token, &query).await;
    assert_eq!(before[0]["payload"]["personal"]["mobile"], MOBILE);
    assert_eq!(before[0]["client_ip"], "127.0.0.1");
    assert_eq!(before[0]["user_agent"], AGENT);
    let pool = &server.store().database().pool;
    let (in_chain,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM events WHERE metadata LIKE '%127.0.0.1%'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(in_chain, 0, "no client address in the hashed metadata");
    assert!(kept(&server, &user_id).await.1 > 0);
    // An account of the user in another application, deleted before the erasure: its sealed
    // names go too.
    let crm = server.application("CRM", false, false).await;
    let other = server
        .client
        .post(
            &format!("{USERS}/{user_id}/applications/{crm}/accounts"),
            &t,
            json!({"account_name": "wangwu-crm"}),
        )
        .await;
    let deleted_account = other.assert_status(200)["account_id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v2/tenant/applications/{crm}/accounts/{deleted_account}");
    server.client.delete(&path, &t).await.assert_status(204);
    assert_eq!(kept(&server, &deleted_account).await.0, 1);

    let erased = server
        .client
        .post(&erase_path(&user_id), &t, json!({}))
        .await;
    assert_eq!(
        erased.assert_status(200),
        &json!({"user_id": user_id, "erased": true})
    );

    // Gone from the directory: OneAccess and the admin API answer their not-found.
    let detail = server.client.get(&format!("{USERS}/{user_id}"), &t).await;
    detail.assert_error("USER.0001");
    let unlock = format!("/admin/v1/users/{user_id}/unlock");
    let unlocked = server.client.post(&unlock, &t, json!({})).await;
    assert_error(&unlocked, 404, "not_found");
    let list = server
        .client
        .get(&format!("{USERS}?org_id=&offset=0&limit=100"), &t)
        .await;
    assert!(!list.text.contains(&user_id), "{}", list.text);
    let inspur = format!("/idaas/v1/user/userInfoDetail?id={user_id}");
    let inspur = idaas_tests::inspur::call(&server, &t, Method::GET, &inspur, None).await;
    assert_eq!(inspur.0, 404, "{}", inspur.1);

    // Erased in the audit trail, request metadata gone; its account's names too.
    let after = found(&server, &auditor.token, &query).await;
    assert_eq!(
        types(&after),
        ["user.created", "user.deleted", "user.erased"]
    );
    assert_eq!(after[0]["payload"]["personal"], "[erased]");
    assert_eq!(after[0]["client_ip"], Value::Null);
    assert_eq!(after[0]["user_agent"], Value::Null);
    assert_eq!(after[2]["payload"]["reason"], "request");
    let mut accounts = vec![account_id.clone(), deleted_account.clone()];
    accounts.sort();
    assert_eq!(after[2]["payload"]["account_ids"], json!(accounts));
    assert_eq!(after[2]["actor_kind"], "application");
    let history = format!("/audit/v1/entities/user/{user_id}/history");
    let history = server.client.get(&history, &auditor.token).await;
    let text = history.assert_status(200).to_string();
    assert!(
        text.contains("[erased]") && !text.contains(MOBILE),
        "{text}"
    );
    let account = [("stream_id", account_id.as_str())];
    let account = found(&server, &auditor.token, &account).await;
    assert_eq!(account[0]["payload"]["personal"], "[erased]");
    assert_eq!(kept(&server, &user_id).await, (0, 0));
    assert_eq!(kept(&server, &account_id).await, (0, 0));
    assert_eq!(kept(&server, &deleted_account).await, (0, 0));
    let (name, display): (String, String) = sqlx::query_as(
        "SELECT account_name, name FROM proj_app_accounts WHERE tenant_id = 'default' \
         AND account_id = $1",
    )
    .bind(&account_id)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!((name.as_str(), display.as_str()), ("", ""), "no names kept");

    // The export envelope shows the subject erased.
    let events = server
        .store()
        .load("default", "user", &user_id)
        .await
        .unwrap();
    let envelope = usecases::export::envelope::envelope("test", &events[0]);
    assert_eq!(envelope["data"]["personal"], "[erased]");

    // Erasing again is a conflict; an unknown user is not found.
    let again = server
        .client
        .post(&erase_path(&user_id), &t, json!({}))
        .await;
    assert_error(&again, 409, "conflict");
    let unknown = server
        .client
        .post(&erase_path("no-such-user"), &t, json!({}))
        .await;
    assert_error(&unknown, 404, "not_found");

    // The chain, the checkpoints and the projections verify; an export verifies offline.
    assert!(matches!(
        cli::verify(server.store()).await.unwrap(),
        Verdict::Sound { .. }
    ));
    let path = server.database.data_dir.join("erased.jsonl");
    cp::export_to(&server.config, Some(&path), None)
        .await
        .unwrap();
    let report = cp::verify_offline(&path, None)
        .unwrap()
        .expect("the export verifies");
    assert_eq!(report.tenants[0].erased, 1);
    let mut described = Vec::new();
    cp::describe(&report, &mut described).unwrap();
    let described = String::from_utf8(described).unwrap();
    assert!(described.contains("1 subject(s) erased"), "{described}");
    let export = std::fs::read_to_string(&path).unwrap();
    assert!(export.contains("user.erased") && !export.contains(MOBILE));
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn only_a_tenant_administrator_erases_and_the_cli_erases_too(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (user_id, _) = user_with_account(&server, &t).await;
    let directory = credential(&server, &t, "Directory", None).await;
    let refused = server
        .client
        .post(&erase_path(&user_id), &directory.token, json!({}))
        .await;
    assert_error(&refused, 403, "forbidden");
    let detail = server.client.get(&format!("{USERS}/{user_id}"), &t).await;
    detail.assert_status(200);

    // `idaas user erase`.
    let clock = server.clock.clone();
    idaas_server::erasure::erase_user(server.store(), "default", &user_id, clock.as_ref())
        .await
        .expect("erased from the command line");
    let detail = server.client.get(&format!("{USERS}/{user_id}"), &t).await;
    detail.assert_error("USER.0001");
    let again =
        idaas_server::erasure::erase_user(server.store(), "default", &user_id, clock.as_ref())
            .await
            .unwrap_err();
    assert!(again.to_string().contains("already erased"), "{again}");
    // The name is free again: a new user may take it.
    let body = json!({"user_name": "wangwu", "mobile": MOBILE});
    server.client.post(USERS, &t, body).await.assert_status(201);
    assert!(matches!(
        cli::verify(server.store()).await.unwrap(),
        Verdict::Sound { .. }
    ));
    server.finish().await;
}

on_both_engines!(
    an_erased_user_is_erased_everywhere_and_the_chain_still_verifies,
    only_a_tenant_administrator_erases_and_the_cli_erases_too,
);
