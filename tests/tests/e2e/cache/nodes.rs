//! Two nodes over one PostgreSQL database, each with its own caches (DESIGN.md "Hot paths, caches
//! and several nodes", ops/adr/0028): what one node commits is honoured by the other within the
//! coherence bound — a token of one is good at the other, and a revocation, a disabled client or
//! a moved host name on one is seen by the other within a second, although the other had it
//! cached.

use idaas_tests::cluster::{active_at, userinfo_at, within_bound};
use idaas_tests::oauth::{self, Call, TOKEN};
use idaas_tests::sso::{Browser, SsoApp};
use idaas_tests::{on_postgres, Client, Engine, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const WIKI: &str = "https://wiki.example.com/cb";
const USERS: &str = "/api/v2/tenant/users?offset=0&limit=10";

/// A client-credentials token of `app` at `node`: the answer's status and body.
async fn client_token_at(node: &Client, app: &SsoApp) -> (StatusCode, Value) {
    let call = Call {
        form: vec![
            ("grant_type", "client_credentials"),
            ("client_id", &app.client_id),
            ("client_secret", &app.client_secret),
        ],
        ..Default::default()
    };
    let answer = oauth::call_at(&node.base, Method::POST, TOKEN, call).await;
    (answer.status, answer.body)
}

/// A user's access token from the code flow at the first node.
async fn user_token(server: &TestServer, browser: &Browser, app: &SsoApp) -> String {
    let code = oauth::code(browser, app, WIKI, &[("scope", "openid")], "cacheuser").await;
    oauth::exchange(server, app, &code, WIKI)
        .await
        .str("access_token")
}

async fn a_token_of_one_node_is_good_at_the_other_until_revoked_there(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (node, b) = server.peer_node().await;
    let protocols = json!({"redirect_uris": [WIKI], "grant_types": ["authorization_code", "client_credentials"]});
    let (app, _) =
        oauth::app_with_user(&server, "Wiki", protocols, "cacheuser", "13800000011").await;
    let browser = Browser::new(&server);
    let token = user_token(&server, &browser, &app).await;
    let (status, body) = client_token_at(&server.client, &app).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let client_token = body["access_token"].as_str().unwrap().to_string();

    // Good at the other node, twice (the second from its caches).
    for _ in 0..2 {
        assert_eq!(userinfo_at(&b, &token).await, StatusCode::OK);
        assert!(active_at(&b, &app, &token).await);
        assert!(active_at(&b, &app, &client_token).await);
    }

    // Revoked at the first node: refused there at once, at the other within the bound.
    oauth::revoke(&server, &app, &token).await.ok();
    assert_eq!(
        userinfo_at(&server.client, &token).await,
        StatusCode::UNAUTHORIZED
    );
    within_bound("a revoked token refused at the other node", || async {
        userinfo_at(&b, &token).await == StatusCode::UNAUTHORIZED
            && !active_at(&b, &app, &token).await
    })
    .await;
    assert!(
        active_at(&b, &app, &client_token).await,
        "another grant's token is still good"
    );
    node.stop().await.expect("the other node stops");
    server.finish().await;
}

async fn a_client_disabled_on_one_node_is_refused_by_the_other(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (node, b) = server.peer_node().await;
    let t = server.token().await;
    let protocols = json!({"grant_types": ["client_credentials"]});
    let app = idaas_tests::sso::register(&server, &t, "Batch", protocols).await;
    let created = server
        .client
        .post(
            "/admin/v1/applications",
            &t,
            json!({"name": "Directory sync", "api_product": true}),
        )
        .await;
    let sync = created.assert_status(201).clone();
    let (sync_id, sync_secret) = (
        sync["client_id"].as_str().unwrap(),
        sync["client_secret"].as_str().unwrap(),
    );
    let sync_token = b.token(sync_id, sync_secret, None).await;
    for _ in 0..2 {
        assert_eq!(client_token_at(&b, &app).await.0, StatusCode::OK);
        b.get(USERS, &sync_token).await.assert_status(200);
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
    let (_, body) = client_token_at(&server.client, &app).await;
    assert_eq!(body["error"], "invalid_client", "{body}");
    within_bound("a disabled client refused at the other node", || async {
        client_token_at(&b, &app).await.1["error"] == "invalid_client"
    })
    .await;
    within_bound(
        "a disabled management client's token refused at the other node",
        || async { b.get(USERS, &sync_token).await.status == StatusCode::UNAUTHORIZED },
    )
    .await;
    node.stop().await.expect("the other node stops");
    server.finish().await;
}

async fn a_host_name_moved_on_one_node_is_followed_by_the_other(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (node, b) = server.peer_node().await;
    let t = server.token().await;
    let created = server
        .client
        .post(
            "/admin/v1/tenants",
            &t,
            json!({"name": "Shop", "domains": ["shop.test"]}),
        )
        .await;
    let shop = created.assert_status(201).clone();
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        shop["client_id"].as_str().unwrap(),
        shop["client_secret"].as_str().unwrap()
    );
    // Not yet the shop's: the other node resolves (and keeps) the default tenant for it.
    for _ in 0..2 {
        let reply = b.token_reply(&form, Some("store.test")).await;
        assert_eq!(reply.body["error"], "invalid_client", "{}", reply.text);
    }
    let tenant_id = shop["tenant_id"].as_str().unwrap();
    let path = format!("/admin/v1/tenants/{tenant_id}/domains");
    let added = server
        .client
        .post(&path, &t, json!({"domain": "store.test"}))
        .await;
    added.assert_status(200);
    within_bound("a new host name followed at the other node", || async {
        b.token_reply(&form, Some("store.test")).await.status == StatusCode::OK
    })
    .await;

    let removed = server
        .client
        .delete(&format!("{path}/store.test"), &t)
        .await;
    removed.assert_status(200);
    within_bound("a removed host name followed at the other node", || async {
        b.token_reply(&form, Some("store.test")).await.body["error"] == "invalid_client"
    })
    .await;
    node.stop().await.expect("the other node stops");
    server.finish().await;
}

/// A code issued at the first node is redeemed at the other; its user is then disabled; the
/// code presented again at the first node (which kept the grant's state from issuing it, with
/// the code not yet redeemed) is a replay all the same: it revokes what the first exchange
/// issued, so the token stays dead once the user is enabled again.
async fn a_code_redeemed_at_the_other_node_is_a_replay_at_the_first(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (node, b) = server.peer_node().await;
    let protocols = json!({"redirect_uris": [WIKI]});
    let (app, user_id) =
        oauth::app_with_user(&server, "Wiki", protocols, "replayuser", "13800000012").await;
    let browser = Browser::new(&server);
    let code = oauth::code(&browser, &app, WIKI, &[("scope", "openid")], "replayuser").await;
    let call = Call {
        form: vec![
            ("client_id", &app.client_id),
            ("client_secret", &app.client_secret),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WIKI),
        ],
        ..Default::default()
    };
    let first = oauth::call_at(&b.base, Method::POST, TOKEN, call).await;
    let access = first.ok()["access_token"].as_str().unwrap().to_string();
    assert!(active_at(&server.client, &app, &access).await);

    let t = server.token().await;
    let user = format!("/api/v2/tenant/users/{user_id}");
    let disable = format!("{user}/disable");
    server
        .client
        .put(&disable, &t, json!({}))
        .await
        .assert_status(200);
    oauth::exchange(&server, &app, &code, WIKI)
        .await
        .assert_error(400, "invalid_grant");
    let enable = format!("{user}/enable");
    server
        .client
        .put(&enable, &t, json!({}))
        .await
        .assert_status(200);
    assert!(
        !active_at(&server.client, &app, &access).await,
        "the replay revoked the first exchange's token"
    );
    node.stop().await.expect("the other node stops");
    server.finish().await;
}

on_postgres!(
    a_code_redeemed_at_the_other_node_is_a_replay_at_the_first,
    a_token_of_one_node_is_good_at_the_other_until_revoked_there,
    a_client_disabled_on_one_node_is_refused_by_the_other,
    a_host_name_moved_on_one_node_is_followed_by_the_other,
);
