//! One node reads its own writes through its caches (DESIGN.md "Hot paths, caches and several
//! nodes", ops/adr/0028): the change feed tells the caches before a write is answered, so a
//! revocation, a disabled client or a rotated key is honoured by the very next request even when
//! the answer before it came from memory; and issuing tokens, itself an event, leaves the caches
//! full.

use idaas_tests::oauth;
use idaas_tests::sso::{self, Browser};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::StatusCode;
use serde_json::json;

const WIKI: &str = "https://wiki.example.com/cb";
const USERS: &str = "/api/v2/tenant/users?offset=0&limit=10";

/// The `idaas_cache_lookups_total` hits of `cache` so far (every server of this process counts).
async fn hits(server: &TestServer, cache: &str) -> f64 {
    let scrape = reqwest::get(format!("{}/metrics", server.client.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let series = format!("cache=\"{cache}\"");
    scrape
        .lines()
        .filter(|l| l.starts_with("idaas_cache_lookups_total{"))
        .filter(|l| l.contains(&series) && l.contains("result=\"hit\""))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}

async fn a_revocation_is_honoured_at_once_after_answers_from_memory(engine: Engine) {
    let server = TestServer::start(engine).await;
    let protocols = json!({"redirect_uris": [WIKI], "refresh_token_lifetime_secs": 3600});
    let (app, _) = oauth::app_with_user(&server, "Wiki", protocols, "ownuser", "13800000013").await;
    let browser = Browser::new(&server);
    let tokens = || async {
        let code = oauth::code(&browser, &app, WIKI, &[("scope", "openid")], "ownuser").await;
        oauth::exchange(&server, &app, &code, WIKI).await
    };
    let first = tokens().await;
    let access = first.str("access_token");
    let before = hits(&server, "access_token").await;
    for _ in 0..3 {
        oauth::userinfo(&server, &access).await.ok();
        assert!(oauth::active(&server, &app, &access).await);
    }
    assert!(
        hits(&server, "access_token").await > before,
        "the token was answered from memory"
    );
    // Issuing more tokens (events of other grants) leaves it there.
    tokens().await.ok();
    oauth::revoke(&server, &app, &access).await.ok();
    let refused = oauth::userinfo(&server, &access).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.text);
    assert!(!oauth::active(&server, &app, &access).await);

    // Revoking the refresh token ends the whole grant, its access token too.
    let second = tokens().await;
    let access = second.str("access_token");
    oauth::userinfo(&server, &access).await.ok();
    oauth::userinfo(&server, &access).await.ok();
    oauth::revoke(&server, &app, &second.str("refresh_token"))
        .await
        .ok();
    let refused = oauth::userinfo(&server, &access).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.text);
    server.finish().await;
}

async fn a_disabled_client_and_its_management_tokens_are_refused_at_once(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let protocols = json!({"grant_types": ["client_credentials"]});
    let app = sso::register(&server, &t, "Batch", protocols).await;
    let created = server
        .client
        .post(
            "/admin/v1/applications",
            &t,
            json!({"name": "Directory sync", "api_product": true}),
        )
        .await;
    let sync = created.assert_status(201).clone();
    let sync_token = server
        .client
        .token(
            sync["client_id"].as_str().unwrap(),
            sync["client_secret"].as_str().unwrap(),
            None,
        )
        .await;
    let grant = [("grant_type", "client_credentials")];
    for _ in 0..3 {
        oauth::token(&server, &app, &grant).await.ok();
        server
            .client
            .get(USERS, &sync_token)
            .await
            .assert_status(200);
    }
    for id in [
        &app.application_id,
        sync["application_id"].as_str().unwrap(),
    ] {
        let path = format!("/admin/v1/applications/{id}/disable");
        server
            .client
            .post(&path, &t, json!({}))
            .await
            .assert_status(200);
    }
    oauth::token(&server, &app, &grant)
        .await
        .assert_error(400, "invalid_client");
    let refused = server.client.get(USERS, &sync_token).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.text);

    // Enabled again: accepted again, at once.
    for id in [
        &app.application_id,
        sync["application_id"].as_str().unwrap(),
    ] {
        let path = format!("/admin/v1/applications/{id}/enable");
        server
            .client
            .post(&path, &t, json!({}))
            .await
            .assert_status(200);
    }
    oauth::token(&server, &app, &grant).await.ok();
    server
        .client
        .get(USERS, &sync_token)
        .await
        .assert_status(200);
    server.finish().await;
}

on_both_engines!(
    a_revocation_is_honoured_at_once_after_answers_from_memory,
    a_disabled_client_and_its_management_tokens_are_refused_at_once,
);
