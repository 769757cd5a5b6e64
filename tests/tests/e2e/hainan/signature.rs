//! Signed calls to the Hainan gateway (ops/adr/0019, "Signed calls"): access keys issued,
//! listed and revoked through the admin API, and an independent client (tests/python/
//! hainan_signed.py, standard library only) signing calls as the README describes — a good
//! call answers, a replayed nonce, a skewed clock, a wrong secret, a changed body, a revoked
//! key and another application's key are refused.

use idaas_tests::hainan::api_client;
use idaas_tests::python;
use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::{json, Value};

async fn signed_calls_answer_and_every_kind_of_forgery_is_refused(engine: Engine) {
    let Some(py) = python::interpreter() else {
        return;
    };
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let c = &server.client;
    let gov = api_client(&server, &t, "政务").await;
    let (gov, key) = (gov.application_id, gov.client_id);
    let edu = api_client(&server, &t, "教育").await;
    let (edu, other_key) = (edu.application_id, edu.client_id);
    let keys = format!("/admin/v1/applications/{gov}/access-keys");
    let issued = c.post(&keys, &t, json!({})).await;
    let issued = issued.assert_status(201).clone();
    let access_key = issued["access_key_id"].as_str().unwrap().to_string();
    let secret = issued["secret_key"].as_str().unwrap().to_string();
    assert!(secret.len() >= 40, "{secret}");
    let listed = c.get(&keys, &t).await;
    let listed = listed.assert_status(200)["access_keys"].clone();
    assert_eq!(listed[0]["access_key_id"], json!(access_key));
    assert!(
        listed[0].get("secret_key").is_none(),
        "the secret is shown once"
    );
    let theirs = c
        .post(
            &format!("/admin/v1/applications/{edu}/access-keys"),
            &t,
            json!({}),
        )
        .await;
    let theirs = theirs.assert_status(201).clone();

    let base = format!("http://{}", server.server.as_ref().unwrap().addr);
    let call = |extra: Value| {
        let mut call = json!({"api": "pushOrgRootInfo", "app_key": key, "access_key": access_key,
                              "secret": secret, "body": "{}"});
        for (k, v) in extra.as_object().unwrap() {
            call[k] = v.clone();
        }
        call
    };
    let calls = json!([
        call(json!({"repeat": true, "nonce": "nonce-0123456789abcdef"})),
        call(json!({"skew_ms": -600_000})),
        call(json!({"secret": "not-the-secret"})),
        call(json!({"body": "{\"x\": 1}", "signed_body": "{}"})),
        call(json!({"api": "pushOrgRootInfoTest", "secret": "not-the-secret"})),
        call(json!({"app_key": other_key})),
        call(json!({"access_key": theirs["access_key_id"], "secret": theirs["secret_key"]})),
    ]);
    let out = python::run_json(&py, "hainan_signed.py", &[&base, &calls.to_string()]).await;
    let answers = out["answers"].as_array().unwrap().clone();
    let outcome = |i: usize| {
        let a = &answers[i];
        (
            a["status"].as_u64().unwrap(),
            a["body"]["code"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(outcome(0), (200, "0".into()), "{}", answers[0]);
    assert!(answers[0]["body"]["data"]["orgs"].is_array());
    assert_eq!(
        outcome(1),
        (401, "ERR_UNAUTHORIZED".into()),
        "a replayed nonce"
    );
    assert_eq!(
        outcome(2),
        (401, "ERR_UNAUTHORIZED".into()),
        "a skewed clock"
    );
    assert_eq!(
        outcome(3),
        (401, "ERR_UNAUTHORIZED".into()),
        "a wrong secret"
    );
    assert_eq!(
        outcome(4),
        (401, "ERR_UNAUTHORIZED".into()),
        "a changed body"
    );
    assert_eq!(
        answers[5]["body"]["debugMessage"],
        "the signature does not match the call"
    );
    assert_eq!(
        answers[3]["body"]["debugMessage"], "",
        "production names say nothing more"
    );
    assert_eq!(
        outcome(6),
        (403, "ERR_FORBIDDEN".into()),
        "a key of this application under another's app key"
    );
    assert_eq!(
        outcome(7),
        (403, "ERR_FORBIDDEN".into()),
        "another application's key"
    );
    // What the signature binds: the tenant header (absent is signed as empty), the API name, the
    // clock both ways, a well-formed nonce; a signed change goes through.
    let role =
        json!({"operator": "op-1", "roleList": [{"roleName": "签名角色", "roleCode": "SIGNED"}]})
            .to_string();
    let calls = json!([
        call(json!({"tenant": null})),
        call(json!({"tenant": null, "send_tenant": "1"})),
        call(json!({"api": "pushOrgRootInfo", "send_api": "uaaListAppRoles"})),
        call(json!({"skew_ms": 360_000})),
        call(json!({"nonce": "short"})),
        call(json!({"api": "uaaAddRole", "body": role})),
    ]);
    let out = python::run_json(&py, "hainan_signed.py", &[&base, &calls.to_string()]).await;
    let answers = out["answers"].as_array().unwrap().clone();
    let codes: Vec<(u64, String)> = answers
        .iter()
        .map(|a| {
            (
                a["status"].as_u64().unwrap(),
                a["body"]["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let refused = (401, "ERR_UNAUTHORIZED".to_string());
    let ok = (200, "0".to_string());
    assert_eq!(
        codes,
        [
            ok.clone(),
            refused.clone(),
            refused.clone(),
            refused.clone(),
            refused,
            ok
        ],
        "{answers:?}"
    );
    // A revoked key signs nothing; revoking twice changes nothing; unknown keys are 404.
    let revoke = format!("{keys}/{access_key}");
    c.delete(&revoke, &t).await.assert_status(200);
    c.delete(&revoke, &t).await.assert_status(200);
    c.delete(&format!("{keys}/AKNOPE"), &t)
        .await
        .assert_status(404);
    let calls = json!([call(json!({}))]);
    let out = python::run_json(&py, "hainan_signed.py", &[&base, &calls.to_string()]).await;
    assert_eq!(out["answers"][0]["status"], 401, "{out}");
    // At most five live keys.
    for _ in 0..5 {
        c.post(&keys, &t, json!({})).await.assert_status(201);
    }
    c.post(&keys, &t, json!({})).await.assert_status(409);
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(signed_calls_answer_and_every_kind_of_forgery_is_refused);
