//! Conformance gaps found by independent clients (issue 14), each named by the rule it holds:
//! nonce in the implicit flow, the redirect URI a code is bound to, S256 for clients that must
//! use PKCE, the claims `openid` alone releases and claims without a value, and plain-http
//! callbacks at registration.

use idaas_tests::oauth;
use idaas_tests::sso::{self, Browser};
use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::json;

const CB: &str = "https://rp.example.com/cb";

async fn core_3_2_2_1_the_implicit_flow_requires_a_nonce(engine: Engine) {
    let server = TestServer::start(engine).await;
    let protocols = json!({"redirect_uris": [CB], "grant_types": ["implicit"]});
    let (app, _) = oauth::app_with_user(&server, "SPA", protocols, "imp", "13500000001").await;
    let browser = Browser::new(&server);
    let url = oauth::authorize_url(
        &app,
        &[
            ("response_type", "id_token"),
            ("redirect_uri", CB),
            ("scope", "openid"),
        ],
    );
    let refused = browser.get(&url).await;
    let location = refused.location.clone().unwrap_or_default();
    assert!(location.starts_with(CB), "{refused:?}");
    assert!(location.contains("error=invalid_request"), "{location}");
    assert!(location.contains("nonce"), "{location}");
    server.finish().await;
}

async fn rfc6749_4_1_3_a_code_is_redeemed_only_with_the_redirect_uri_it_was_issued_for(
    engine: Engine,
) {
    let server = TestServer::start(engine).await;
    let (app, _) = oauth::app_with_user(
        &server,
        "RP",
        json!({"redirect_uris": [CB]}),
        "rb",
        "13500000002",
    )
    .await;
    let browser = Browser::new(&server);
    let code = oauth::code(&browser, &app, CB, &[], "rb").await;
    oauth::token(
        &server,
        &app,
        &[("grant_type", "authorization_code"), ("code", &code)],
    )
    .await
    .assert_error(400, "invalid_grant");
    server.finish().await;
}

async fn rfc7636_a_client_that_must_use_pkce_must_use_s256(engine: Engine) {
    let server = TestServer::start(engine).await;
    let protocols = json!({"redirect_uris": [CB], "require_pkce": true});
    let (app, _) = oauth::app_with_user(&server, "Native", protocols, "pk", "13500000003").await;
    let browser = Browser::new(&server);
    let verifier = "a".repeat(43);
    let url = oauth::authorize_url(
        &app,
        &[
            ("response_type", "code"),
            ("redirect_uri", CB),
            ("code_challenge", &verifier),
            ("code_challenge_method", "plain"),
        ],
    );
    let refused = browser.get(&url).await;
    let location = refused.location.clone().unwrap_or_default();
    assert!(location.contains("error=invalid_request"), "{refused:?}");
    let challenge = oauth::s256(&verifier);
    let extra = [
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    oauth::code(&browser, &app, CB, &extra, "pk").await;
    server.finish().await;
}

async fn core_5_4_openid_alone_releases_no_email_or_phone_and_5_3_2_no_empty_claims(
    engine: Engine,
) {
    let server = TestServer::start(engine).await;
    let (app, _) = oauth::app_with_user(
        &server,
        "RP",
        json!({"redirect_uris": [CB]}),
        "sc",
        "13500000004",
    )
    .await;
    let browser = Browser::new(&server);
    let userinfo = |scope: &'static str| {
        let (browser, app, server) = (&browser, &app, &server);
        async move {
            let code = oauth::code(browser, app, CB, &[("scope", scope)], "sc").await;
            let tokens = oauth::exchange(server, app, &code, CB).await;
            assert_eq!(tokens.body["scope"], scope, "{}", tokens.text);
            oauth::userinfo(server, &tokens.str("access_token"))
                .await
                .body
        }
    };
    let openid = userinfo("openid").await;
    assert_eq!(openid["userName"], "sc");
    for claim in ["email", "mobile", "phone_number"] {
        assert!(openid.get(claim).is_none(), "{claim} in {openid}");
    }
    assert!(
        openid.as_object().unwrap().values().all(|v| !v.is_null()),
        "no claim is null: {openid}"
    );
    let phone = userinfo("openid phone").await;
    assert_eq!(phone["phone_number"], "13500000004");
    // OneAccess's own scope keeps its documented claims (#48).
    let documented = userinfo("get_user_info").await;
    assert_eq!(documented["mobile"], "13500000004");
    assert_eq!(documented["email"], "sc@example.com");
    // A claim without a value is left out, never null: a user without an e-mail address.
    let t = server.token().await;
    let created = server
        .client
        .post(
            "/api/v2/tenant/users",
            &t,
            json!({"user_name": "nomail", "name": "No Mail", "mobile": "13500000005",
                   "password": sso::PASSWORD, "pwd_must_modify": false}),
        )
        .await;
    let user_id = created.assert_status(201)["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    sso::account(&server, &t, &app, &user_id, "nomail").await;
    let other = Browser::new(&server);
    let code = oauth::code(&other, &app, CB, &[("scope", "get_user_info")], "nomail").await;
    let tokens = oauth::exchange(&server, &app, &code, CB).await;
    let claims = oauth::userinfo(&server, &tokens.str("access_token"))
        .await
        .body;
    assert_eq!(claims["userName"], "nomail");
    assert!(claims.get("email").is_none(), "{claims}");
    server.finish().await;
}

async fn rfc8252_7_3_plain_http_callbacks_only_to_loopback_hosts(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    for protocols in [
        json!({"redirect_uris": ["http://rp.example.com/cb"]}),
        json!({"post_logout_redirect_uris": ["http://rp.example.com/bye"]}),
        json!({"cas_services": ["http://cas.example.com/app"]}),
    ] {
        let body = json!({"name": "Plain", "protocols": protocols});
        let refused = server.client.post("/admin/v1/applications", &t, body).await;
        assert_eq!(refused.assert_status(400)["error"], "invalid_request");
        assert!(refused.text.contains("loopback"), "{}", refused.text);
    }
    let loopback = json!({"redirect_uris": ["http://127.0.0.1:8765/cb"]});
    sso::register(&server, &t, "Desktop", loopback).await;
    server.finish().await;
}

on_both_engines!(
    core_3_2_2_1_the_implicit_flow_requires_a_nonce,
    rfc6749_4_1_3_a_code_is_redeemed_only_with_the_redirect_uri_it_was_issued_for,
    rfc7636_a_client_that_must_use_pkce_must_use_s256,
    core_5_4_openid_alone_releases_no_email_or_phone_and_5_3_2_no_empty_claims,
    rfc8252_7_3_plain_http_callbacks_only_to_loopback_hosts,
);
