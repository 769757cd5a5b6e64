//! Signing keys over two nodes on one PostgreSQL database (DESIGN.md "Hot paths, caches and
//! several nodes", ops/adr/0028): a rotation on one node is in the other's JWK Set, and the other
//! accepts tokens signed with the new key, within the coherence bound; two nodes that find a
//! fresh tenant without keys at the same moment create one key per algorithm between them.

use idaas_tests::cluster::{active_at, userinfo_at, within_bound};
use idaas_tests::oauth;
use idaas_tests::sso::Browser;
use idaas_tests::{on_postgres, Client, Engine, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

const WIKI: &str = "https://wiki.example.com/cb";
const JWKS: &str = "/api/v1/oauth2/jwks";

/// The key ids of the JWK Set at `node`, for the tenant of `host` (the default tenant without).
async fn kids_at(node: &Client, host: Option<&str>) -> Vec<String> {
    let mut request = reqwest::Client::new().get(format!("{}{JWKS}", node.base));
    if let Some(host) = host {
        request = request.header("host", host);
    }
    let jwks: Value = request.send().await.unwrap().json().await.unwrap();
    let mut kids: Vec<String> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect();
    kids.sort();
    kids
}

async fn a_rotation_on_one_node_is_published_and_trusted_by_the_other(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (node, b) = server.peer_node().await;
    let (app, _) = oauth::app_with_user(
        &server,
        "Wiki",
        json!({"redirect_uris": [WIKI]}),
        "keyuser",
        "13800000012",
    )
    .await;
    let browser = Browser::new(&server);
    let signed = || async {
        let code = oauth::code(&browser, &app, WIKI, &[("scope", "openid")], "keyuser").await;
        oauth::exchange(&server, &app, &code, WIKI)
            .await
            .str("access_token")
    };
    let before = signed().await;
    let kids = kids_at(&b, None).await;
    assert_eq!(kids, kids_at(&server.client, None).await);
    assert_eq!(userinfo_at(&b, &before).await, StatusCode::OK);

    let t = server.token().await;
    let rotated = server
        .client
        .post("/admin/v1/signing-keys", &t, json!({"algorithm": "RS256"}))
        .await;
    let new_kid = rotated.assert_status(201)["key_id"]
        .as_str()
        .unwrap()
        .to_string();
    let after = signed().await;
    assert_eq!(oauth::jose_header(&after)["kid"], json!(new_kid));
    within_bound("the new key in the other node's JWK Set", || async {
        kids_at(&b, None).await.contains(&new_kid)
    })
    .await;
    within_bound(
        "a token of the new key accepted by the other node",
        || async {
            userinfo_at(&b, &after).await == StatusCode::OK && active_at(&b, &app, &after).await
        },
    )
    .await;
    assert_eq!(kids_at(&b, None).await, kids_at(&server.client, None).await);
    assert_eq!(
        userinfo_at(&b, &before).await,
        StatusCode::OK,
        "the superseded key still verifies"
    );
    node.stop().await.expect("the other node stops");
    server.finish().await;
}

async fn two_nodes_finding_no_keys_at_once_create_one_per_algorithm(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (node, b) = server.peer_node().await;
    let t = server.token().await;
    for round in 0..4 {
        let host = format!("fresh{round}.test");
        let created = server
            .client
            .post(
                "/admin/v1/tenants",
                &t,
                json!({"name": format!("Fresh {round}"), "domains": [host]}),
            )
            .await;
        let tenant_id = created.assert_status(201)["tenant_id"]
            .as_str()
            .unwrap()
            .to_string();
        let count = || async {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM events WHERE tenant_id = $1 AND stream_type = 'signing_key'",
            )
            .bind(&tenant_id)
            .fetch_one(&server.store().database().pool)
            .await
            .unwrap()
        };
        assert_eq!(count().await, 0, "a new tenant has no keys yet");
        let (one, other, third, fourth) = tokio::join!(
            kids_at(&server.client, Some(&host)),
            kids_at(&b, Some(&host)),
            kids_at(&b, Some(&host)),
            kids_at(&server.client, Some(&host)),
        );
        assert_eq!(count().await, 2, "one RS256 and one ES256 key");
        assert_eq!(one.len(), 2, "{one:?}");
        for seen in [other, third, fourth] {
            assert_eq!(seen, one, "every node publishes the same keys");
        }
    }
    node.stop().await.expect("the other node stops");
    server.finish().await;
}

on_postgres!(
    a_rotation_on_one_node_is_published_and_trusted_by_the_other,
    two_nodes_finding_no_keys_at_once_create_one_per_algorithm,
);
