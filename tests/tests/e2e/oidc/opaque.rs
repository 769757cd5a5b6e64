//! Opaque access tokens as a per-client option (issue 20 item 2): an application registered with
//! `access_token_format: "opaque"` gets random access tokens from every grant; introspection
//! (RFC 7662) and userinfo answer for them as for JWTs, revocation (RFC 7009) ends them, the log
//! holds only their keyed hash, and JWT clients are unchanged.

use idaas_tests::oauth;
use idaas_tests::sso::{self, Browser};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::StatusCode;
use serde_json::json;

const CB: &str = "https://reports.example.com/cb";

fn opaque(token: &str) -> bool {
    token.len() >= 40 && token.chars().all(|c| c.is_ascii_alphanumeric())
}

async fn opaque_access_tokens_are_answered_by_introspection_and_userinfo(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (app, user_id) = oauth::app_with_user(
        &server,
        "Reports",
        json!({"redirect_uris": [CB], "refresh_token_lifetime_secs": 3600,
               "access_token_format": "opaque"}),
        "chenjiu",
        "13700000003",
    )
    .await;
    let t = server.token().await;
    let reply = server
        .client
        .get(
            &format!("/admin/v1/applications/{}", app.application_id),
            &t,
        )
        .await;
    let shown = reply.assert_status(200);
    assert_eq!(shown["protocols"]["access_token_format"], "opaque");

    let browser = Browser::new(&server);
    let code = oauth::code(&browser, &app, CB, &[], "chenjiu").await;
    let tokens = oauth::exchange(&server, &app, &code, CB).await;
    let (access, refresh) = (tokens.str("access_token"), tokens.str("refresh_token"));
    assert!(opaque(&access), "{access}");
    assert_eq!(tokens.body["token_type"], "Bearer");

    let about = oauth::introspect(&server, &app, &access).await;
    assert_eq!(about["active"], true);
    assert_eq!(about["client_id"], json!(app.client_id));
    assert_eq!(about["sub"], json!(user_id));
    assert_eq!(about["username"], "chenjiu");
    assert_eq!(about["scope"], "get_user_info");
    assert!(
        about.get("jti").is_none(),
        "its keyed hash is not told: {about}"
    );
    let me = oauth::userinfo(&server, &access).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(me.body["sub"], json!(user_id));
    assert_eq!(me.body["userName"], "chenjiu");
    // A token of the right shape that was never issued, and a changed one, are nothing.
    let forged: String = access.chars().rev().collect();
    assert_eq!(
        oauth::userinfo(&server, &forged).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        oauth::introspect(&server, &app, &forged).await,
        json!({"active": false})
    );

    // Refreshing gives another opaque token; revoking one ends it alone.
    let renewed = oauth::refresh(&server, &app, &refresh).await;
    let access2 = renewed.str("access_token");
    assert!(opaque(&access2) && access2 != access);
    assert_eq!(
        oauth::revoke(&server, &app, &access).await.status,
        StatusCode::OK
    );
    assert!(!oauth::active(&server, &app, &access).await);
    assert_eq!(
        oauth::userinfo(&server, &access).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(oauth::active(&server, &app, &access2).await);

    // The log and the read models hold the token's keyed hash, never the token.
    let pool = &server.store().database().pool;
    let (mentions,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM events WHERE payload LIKE $1 OR payload LIKE $2")
            .bind(format!("%{access}%"))
            .bind(format!("%{access2}%"))
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(mentions, 0);
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM proj_oauth_tokens WHERE jti = $1")
        .bind(&access)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(rows, 0);
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn client_credentials_give_opaque_tokens_to_opaque_clients_only(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let robot = sso::register(
        &server,
        &t,
        "Robot",
        json!({"grant_types": ["client_credentials"], "access_token_format": "opaque"}),
    )
    .await;
    let jwt_robot = sso::register(
        &server,
        &t,
        "Other robot",
        json!({"grant_types": ["client_credentials"]}),
    )
    .await;
    let issued = oauth::token(&server, &robot, &[("grant_type", "client_credentials")]).await;
    let token = issued.str("access_token");
    assert!(opaque(&token), "{token}");
    let about = oauth::introspect(&server, &robot, &token).await;
    assert_eq!(about["active"], true);
    assert_eq!(about["sub"], json!(robot.client_id));
    assert!(!oauth::active(&server, &jwt_robot, &token).await);
    // A client token has no user: userinfo refuses it, as it does a JWT client token.
    assert_eq!(
        oauth::userinfo(&server, &token).await.status,
        StatusCode::UNAUTHORIZED
    );
    let jwt = oauth::token(&server, &jwt_robot, &[("grant_type", "client_credentials")]).await;
    assert_eq!(jwt.str("access_token").split('.').count(), 3);

    // An unknown format is refused with the admin API's error.
    let refused = server
        .client
        .post(
            "/admin/v1/applications",
            &t,
            json!({"name": "Bad", "protocols": {"access_token_format": "xml"}}),
        )
        .await;
    refused.assert_status(400);
    server.finish().await;
}

/// Grants asked for at once are written in one batch, whose new grants, tokens and refresh
/// tokens the OAuth projection inserts together (ops/adr/0033), a code going into its grant's new
/// row: each token is found, a revocation after them ends its own alone, and a replay (event by
/// event) gives the same rows.
async fn grants_issued_together_are_each_found_and_replay_the_same(engine: Engine) {
    let server = TestServer::start(engine).await;
    let protocols = json!({
        "redirect_uris": [CB],
        "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
        "refresh_token_lifetime_secs": 3600,
        "access_token_format": "opaque",
    });
    let (app, user_id) =
        oauth::app_with_user(&server, "Batch", protocols, "zhoushi", "13700000009").await;
    let grant = [("grant_type", "client_credentials")];
    let asked = (0..24).map(|_| oauth::token(&server, &app, &grant));
    let tokens: Vec<String> = futures::future::join_all(asked)
        .await
        .iter()
        .map(|issued| issued.str("access_token"))
        .collect();
    let browsers: Vec<Browser> = (0..4).map(|_| Browser::new(&server)).collect();
    let codes = browsers
        .iter()
        .map(|browser| oauth::code(browser, &app, CB, &[], "zhoushi"));
    let codes = futures::future::join_all(codes).await;
    let exchanged = codes
        .iter()
        .map(|code| oauth::exchange(&server, &app, code, CB));
    let sets = futures::future::join_all(exchanged).await;
    for token in &tokens {
        assert!(oauth::active(&server, &app, token).await, "{token}");
    }
    let revoked = oauth::revoke(&server, &app, &tokens[3]).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text);
    assert!(!oauth::active(&server, &app, &tokens[3]).await);
    assert!(oauth::active(&server, &app, &tokens[4]).await);
    for set in &sets {
        let me = oauth::userinfo(&server, &set.str("access_token")).await;
        assert_eq!(me.body["sub"], json!(user_id), "{}", me.text);
        let renewed = oauth::refresh(&server, &app, &set.str("refresh_token")).await;
        assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.text);
    }
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(
    opaque_access_tokens_are_answered_by_introspection_and_userinfo,
    client_credentials_give_opaque_tokens_to_opaque_clients_only,
    grants_issued_together_are_each_found_and_replay_the_same,
);
