//! Token signing keys: created on first use (RS256 and ES256), private halves sealed in the store,
//! rotated through the admin API, the superseded key still published and still verifying the
//! tokens it signed, until its publication ends; rotation bounded per algorithm (ADR 0005).

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use domain::signing_key::MAX_PUBLISHED_PER_ALGORITHM;

use idaas_tests::sso::{self, SsoApp};
use idaas_tests::{on_both_engines, Engine, Reply, TestServer};
use serde_json::{json, Value};
use usecases::signing::PUBLISH_AFTER_ROTATION_MS;

fn header_of(jwt: &str) -> Value {
    let header = jwt.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap()
}

async fn client_token(server: &TestServer, app: &SsoApp) -> String {
    let reply = reqwest::Client::new()
        .post(format!("{}/api/v1/oauth2/token", server.client.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &app.client_id),
            ("client_secret", &app.client_secret),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let body: Value = reply.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

async fn active(server: &TestServer, app: &SsoApp, token: &str) -> bool {
    let reply = reqwest::Client::new()
        .post(format!("{}/api/v1/oauth2/introspect", server.client.base))
        .basic_auth(&app.client_id, Some(&app.client_secret))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    let body: Value = reply.json().await.unwrap();
    body["active"] == true
}

async fn jwks_kids(server: &TestServer) -> Vec<(String, String)> {
    let jwks: Value = reqwest::get(format!("{}/api/v1/oauth2/jwks", server.client.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["kid"].as_str().unwrap().to_string(),
                k["alg"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn a_rotated_key_stays_published_and_keeps_verifying_its_tokens(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let protocols = json!({"grant_types": ["client_credentials"]});
    let rs = sso::register(&server, &t, "RS client", protocols.clone()).await;
    let mut es_protocols = protocols;
    es_protocols["id_token_signing_alg"] = json!("ES256");
    let es = sso::register(&server, &t, "ES client", es_protocols).await;

    let listed = server.client.get("/admin/v1/signing-keys", &t).await;
    let keys = listed.assert_status(200).as_array().unwrap().clone();
    let algorithms: Vec<&str> = keys
        .iter()
        .map(|k| k["algorithm"].as_str().unwrap())
        .collect();
    assert!(
        algorithms.contains(&"RS256") && algorithms.contains(&"ES256"),
        "{keys:?}"
    );

    let old = client_token(&server, &rs).await;
    let old_kid = header_of(&old)["kid"].as_str().unwrap().to_string();
    assert_eq!(header_of(&old)["alg"], "RS256");
    assert_eq!(header_of(&client_token(&server, &es).await)["alg"], "ES256");

    let rotated = server
        .client
        .post("/admin/v1/signing-keys", &t, json!({"algorithm": "RS256"}))
        .await;
    let new_kid = rotated.assert_status(201)["key_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new_kid, old_kid);
    let kids = jwks_kids(&server).await;
    assert!(
        kids.contains(&(old_kid.clone(), "RS256".into())),
        "old key still published"
    );
    assert!(kids.contains(&(new_kid.clone(), "RS256".into())));
    assert_eq!(kids.len(), 3, "{kids:?}");

    let new = client_token(&server, &rs).await;
    assert_eq!(header_of(&new)["kid"], json!(new_kid));
    assert!(
        active(&server, &rs, &old).await,
        "the old key still verifies"
    );
    assert!(active(&server, &rs, &new).await);

    let listed = server.client.get("/admin/v1/signing-keys", &t).await;
    let keys = listed.assert_status(200).as_array().unwrap().clone();
    let old_row = keys.iter().find(|k| k["key_id"] == json!(old_kid)).unwrap();
    assert_eq!(old_row["current"], false);
    assert!(old_row["publish_until"].as_i64().is_some());

    server
        .client
        .post("/admin/v1/signing-keys", &t, json!({"algorithm": "HS256"}))
        .await
        .assert_status(400);

    // The private halves are sealed at rest: no stored payload names them in clear.
    let payloads: Vec<String> =
        sqlx::query_scalar("SELECT payload FROM events WHERE stream_type = 'signing_key'")
            .fetch_all(&server.store().database().pool)
            .await
            .unwrap();
    assert!(payloads.len() >= 3);
    assert!(
        payloads.iter().all(|p| !p.contains("private_key")),
        "{payloads:?}"
    );

    server.assert_replay_identical().await;
    server.finish().await;
}

async fn rotate(server: &TestServer, token: &str, algorithm: &str) -> Reply {
    server
        .client
        .post(
            "/admin/v1/signing-keys",
            token,
            json!({ "algorithm": algorithm }),
        )
        .await
}

fn count(kids: &[(String, String)], algorithm: &str) -> usize {
    kids.iter().filter(|(_, alg)| alg == algorithm).count()
}

/// A superseded key's publication end, as the admin API lists it.
async fn publish_until(server: &TestServer, token: &str, key_id: &str) -> i64 {
    let listed = server.client.get("/admin/v1/signing-keys", token).await;
    let keys = listed.assert_status(200).as_array().unwrap().clone();
    let key = keys.iter().find(|k| k["key_id"] == json!(key_id)).unwrap();
    key["publish_until"].as_i64().unwrap()
}

async fn rotation_stops_at_the_published_bound_and_an_expired_key_leaves_the_jwk_set(
    engine: Engine,
) {
    const DAY: Duration = Duration::from_secs(24 * 3600);
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let first = jwks_kids(&server).await;
    let (oldest, _) = first.iter().find(|(_, alg)| alg == "RS256").unwrap();
    let before = server.now_ms();
    rotate(&server, &t, "RS256").await.assert_status(201);
    let oldest_until = publish_until(&server, &t, oldest).await;
    assert!(oldest_until >= before + PUBLISH_AFTER_ROTATION_MS);
    server.advance(DAY);
    let t = server.token().await;
    for _ in 2..MAX_PUBLISHED_PER_ALGORITHM {
        rotate(&server, &t, "RS256").await.assert_status(201);
    }
    assert_eq!(
        count(&jwks_kids(&server).await, "RS256"),
        MAX_PUBLISHED_PER_ALGORITHM
    );

    let refused = rotate(&server, &t, "RS256").await;
    assert_eq!(refused.status.as_u16(), 409, "{}", refused.text);
    assert_eq!(refused.body["error"], "conflict");
    let message = refused.body["message"].as_str().unwrap();
    assert!(message.contains("RS256"), "{message}");
    assert!(message.contains(&oldest_until.to_string()), "{message}");
    // The bound is per algorithm.
    rotate(&server, &t, "ES256").await.assert_status(201);
    let kids = jwks_kids(&server).await;
    assert_eq!(count(&kids, "RS256"), MAX_PUBLISHED_PER_ALGORITHM);
    assert_eq!(count(&kids, "ES256"), 2);

    // Half a minute before its publication ends the oldest key is in the set (loaded afresh);
    // a second after it ends it is not, although the loaded set is not due for a reload yet.
    // (The server's clock also follows the wall clock, hence the margins.)
    let remaining = oldest_until - server.now_ms() - 30_000;
    server.advance(Duration::from_millis(u64::try_from(remaining).unwrap()));
    let kids = jwks_kids(&server).await;
    assert!(kids.iter().any(|(kid, _)| kid == oldest), "{kids:?}");
    server.advance(Duration::from_secs(31));
    let kids = jwks_kids(&server).await;
    assert!(!kids.iter().any(|(kid, _)| kid == oldest), "{kids:?}");
    assert_eq!(count(&kids, "RS256"), MAX_PUBLISHED_PER_ALGORITHM - 1);
    assert_eq!(count(&kids, "ES256"), 2);

    // Its place is free for one more rotation, and no more.
    let t = server.token().await;
    rotate(&server, &t, "RS256").await.assert_status(201);
    assert_eq!(rotate(&server, &t, "RS256").await.status.as_u16(), 409);
    server.finish().await;
}

on_both_engines!(
    a_rotated_key_stays_published_and_keeps_verifying_its_tokens,
    rotation_stops_at_the_published_bound_and_an_expired_key_leaves_the_jwk_set,
);
