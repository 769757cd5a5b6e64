//! Security regressions of the code flow, each named by the section of the RFC or BCP it holds the
//! provider to: PKCE (RFC 7636, RFC 9700 §4.8), redirect-URI matching (RFC 9700 §4.1, RFC 6749
//! §4.1.3), code replay (RFC 6749 §4.1.2), refresh-token reuse (RFC 9700 §4.14), state and nonce
//! (RFC 6749 §10.12, OIDC Core §3.1.2.1) and re-authentication (OIDC Core §3.1.2.1 `prompt`).

use idaas_tests::oauth::{self, Answer};
use idaas_tests::sso::{Browser, SsoApp, PASSWORD};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::StatusCode;
use serde_json::json;

const CB: &str = "https://app.example.com/cb";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

async fn redeem(server: &TestServer, app: &SsoApp, code: &str, verifier: Option<&str>) -> Answer {
    let mut fields = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", CB),
    ];
    fields.extend(verifier.map(|v| ("code_verifier", v)));
    oauth::token(server, app, &fields).await
}

async fn rfc7636_4_6_a_code_issued_with_a_challenge_needs_its_verifier(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (app, _) = oauth::app_with_user(
        &server,
        "App",
        json!({"redirect_uris": [CB]}),
        "pk",
        "13600000001",
    )
    .await;
    let browser = Browser::new(&server);
    let challenge = oauth::s256(VERIFIER);
    assert_eq!(
        challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "RFC 7636 appendix B"
    );
    let s256 = [
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let code = oauth::code(&browser, &app, CB, &s256, "pk").await;
    redeem(&server, &app, &code, None)
        .await
        .assert_error(400, "invalid_grant");
    let wrong = "wrong-verifier-wrong-verifier-wrong-verifier-0";
    redeem(&server, &app, &code, Some(wrong))
        .await
        .assert_error(400, "invalid_grant");
    redeem(&server, &app, &code, Some(VERIFIER)).await.ok();

    // `plain` (and no method at all, which means plain) compare the verifier itself.
    for method in [Some("plain"), None] {
        let mut extra = vec![("code_challenge", VERIFIER)];
        extra.extend(method.map(|m| ("code_challenge_method", m)));
        let code = oauth::code(&browser, &app, CB, &extra, "pk").await;
        redeem(&server, &app, &code, Some(VERIFIER)).await.ok();
    }
    server.finish().await;
}

async fn rfc9700_4_8_pkce_downgrade_is_refused(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (app, _) = oauth::app_with_user(
        &server,
        "App",
        json!({"redirect_uris": [CB]}),
        "dg",
        "13600000002",
    )
    .await;
    let browser = Browser::new(&server);
    // A verifier for a code issued without a challenge: the attacker's injected code.
    let code = oauth::code(&browser, &app, CB, &[], "dg").await;
    let fields = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("code_verifier", VERIFIER),
    ];
    oauth::token(&server, &app, &fields)
        .await
        .assert_error(400, "invalid_grant");
    // The S256 challenge presented as a plain verifier.
    let challenge = oauth::s256(VERIFIER);
    let s256 = [
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let code = oauth::code(&browser, &app, CB, &s256, "dg").await;
    let fields = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("code_verifier", &challenge),
    ];
    oauth::token(&server, &app, &fields)
        .await
        .assert_error(400, "invalid_grant");
    // A client that must use PKCE cannot drop it at the authorisation request.
    let t = server.token().await;
    let strict = idaas_tests::sso::register(
        &server,
        &t,
        "Strict",
        json!({"redirect_uris": [CB], "require_pkce": true}),
    )
    .await;
    let hop = browser
        .get(&oauth::authorize_url(
            &strict,
            &[("response_type", "code"), ("redirect_uri", CB)],
        ))
        .await;
    assert_eq!(hop.param("error").as_deref(), Some("invalid_request"));
    server.finish().await;
}

async fn rfc9700_4_1_redirect_uris_match_exactly_unless_the_domain_rule_is_chosen(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (exact, user_id) = oauth::app_with_user(
        &server,
        "Exact",
        json!({"redirect_uris": [CB]}),
        "ru",
        "13600000003",
    )
    .await;
    let t = server.token().await;
    let domain = idaas_tests::sso::register(
        &server,
        &t,
        "Domain",
        json!({"redirect_uris": [CB], "redirect_uri_match": "domain"}),
    )
    .await;
    idaas_tests::sso::account(&server, &t, &domain, &user_id, "ru").await;
    let browser = Browser::new(&server);
    oauth::code(&browser, &exact, CB, &[], "ru").await;
    let refused = |app: &SsoApp, uri: &str| {
        let url = oauth::authorize_url(app, &[("response_type", "code"), ("redirect_uri", uri)]);
        let browser = &browser;
        async move {
            let hop = browser.get(&url).await;
            assert_eq!(
                (hop.status, hop.location),
                (StatusCode::BAD_REQUEST, None),
                "{url}"
            );
        }
    };
    for uri in [
        "https://app.example.com/cb/",
        "https://app.example.com/cb?x=1",
        "https://app.example.com/other",
        "https://APP.example.com/cb",
    ] {
        refused(&exact, uri).await;
    }
    // The documented OneAccess rule: same scheme, host and port; any path.
    for uri in [
        "https://app.example.com/other?x=1",
        "https://app.example.com:443/",
    ] {
        let hop = browser
            .get(&oauth::authorize_url(
                &domain,
                &[("response_type", "code"), ("redirect_uri", uri)],
            ))
            .await;
        oauth::landed_code(&hop, uri);
    }
    for uri in [
        "http://app.example.com/cb",
        "https://app.example.com:8443/cb",
        "https://app.example.com.evil.com/cb",
        "https://evil.com@app.example.com/cb",
        "https://evil.com/app.example.com/cb",
        "javascript:alert(1)//app.example.com",
    ] {
        refused(&domain, uri).await;
    }
    server.finish().await;
}

async fn rfc6749_4_1_3_the_token_request_repeats_the_authorization_redirect_uri(engine: Engine) {
    let server = TestServer::start(engine).await;
    let other = "https://app.example.com/landing";
    let (app, _) = oauth::app_with_user(
        &server,
        "App",
        json!({"redirect_uris": [CB], "redirect_uri_match": "domain"}),
        "rt",
        "13600000004",
    )
    .await;
    let browser = Browser::new(&server);
    let code = oauth::code(&browser, &app, other, &[], "rt").await;
    oauth::exchange(&server, &app, &code, CB)
        .await
        .assert_error(400, "invalid_grant");
    oauth::exchange(&server, &app, &code, "https://evil.example.com/cb")
        .await
        .assert_error(400, "invalid_grant");
    oauth::exchange(&server, &app, &code, other).await.ok();
    server.finish().await;
}

async fn rfc6749_4_1_2_a_replayed_code_revokes_the_tokens_it_issued(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (app, _) = oauth::app_with_user(
        &server,
        "App",
        json!({"redirect_uris": [CB], "refresh_token_lifetime_secs": 3600}),
        "rp",
        "13600000005",
    )
    .await;
    let browser = Browser::new(&server);
    let code = oauth::code(&browser, &app, CB, &[("scope", "openid")], "rp").await;
    let first = oauth::exchange(&server, &app, &code, CB).await;
    let (access, refresh) = (first.str("access_token"), first.str("refresh_token"));
    assert!(oauth::active(&server, &app, &access).await);
    let replay = oauth::exchange(&server, &app, &code, CB).await;
    assert_eq!(
        replay.body,
        json!({"error": "invalid_grant", "error_description": "Invalid authorization code"})
    );
    assert_eq!(
        oauth::userinfo(&server, &access).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(!oauth::active(&server, &app, &access).await);
    oauth::refresh(&server, &app, &refresh)
        .await
        .assert_error(400, "invalid_grant");
    oauth::exchange(&server, &app, &code, CB)
        .await
        .assert_error(400, "invalid_grant");
    oauth::exchange(&server, &app, &code, CB)
        .await
        .assert_error(400, "invalid_grant");
    // ops/adr/0027: the first replay is recorded, the later ones are not.
    let recorded = oauth::event_types(&server).await;
    let replays = recorded
        .iter()
        .filter(|e| *e == "oauth_grant.code_replayed")
        .count();
    assert_eq!(replays, 1, "{recorded:?}");
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn rfc9700_4_14_2_a_reused_refresh_token_revokes_its_whole_family(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (app, _) = oauth::app_with_user(
        &server,
        "App",
        json!({"redirect_uris": [CB], "refresh_token_lifetime_secs": 3600}),
        "rr",
        "13600000006",
    )
    .await;
    let browser = Browser::new(&server);
    let code = oauth::code(&browser, &app, CB, &[], "rr").await;
    let first = oauth::exchange(&server, &app, &code, CB).await;
    let r1 = first.str("refresh_token");
    let second = oauth::refresh(&server, &app, &r1).await;
    let (a2, r2) = (second.str("access_token"), second.str("refresh_token"));
    let third = oauth::refresh(&server, &app, &r2).await;
    let (a3, r3) = (third.str("access_token"), third.str("refresh_token"));
    // The attacker replays the rotated-away token: refused, and the family is gone.
    oauth::refresh(&server, &app, &r1)
        .await
        .assert_error(400, "invalid_grant");
    oauth::refresh(&server, &app, &r3)
        .await
        .assert_error(400, "invalid_grant");
    for access in [&a2, &a3] {
        assert!(!oauth::active(&server, &app, access).await);
        assert_eq!(
            oauth::userinfo(&server, access).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Another client cannot use (or burn) a refresh token it was not issued.
    let (other, _) = oauth::app_with_user(
        &server,
        "Other",
        json!({"redirect_uris": [CB], "refresh_token_lifetime_secs": 3600}),
        "rr2",
        "13600000007",
    )
    .await;
    let code = oauth::code(&Browser::new(&server), &app, CB, &[], "rr").await;
    let fresh = oauth::exchange(&server, &app, &code, CB)
        .await
        .str("refresh_token");
    oauth::refresh(&server, &other, &fresh)
        .await
        .assert_error(400, "invalid_grant");
    oauth::refresh(&server, &app, &fresh).await.ok();
    assert!(oauth::event_types(&server)
        .await
        .iter()
        .any(|e| e == "oauth_grant.refresh_reused"));
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn rfc6749_10_12_state_and_oidc_nonce_come_back_unchanged(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (app, _) = oauth::app_with_user(
        &server,
        "App",
        json!({"redirect_uris": ["https://app.example.com/cb?tenant=7"]}),
        "sn",
        "13600000008",
    )
    .await;
    let cb = "https://app.example.com/cb?tenant=7";
    let browser = Browser::new(&server);
    let state = "a b&c=d/é+%20?#";
    let nonce = "n ü&=?#";
    let url = oauth::authorize_url(
        &app,
        &[
            ("response_type", "code"),
            ("redirect_uri", cb),
            ("scope", "openid"),
            ("state", state),
            ("nonce", nonce),
        ],
    );
    let landed = browser.authorize(&url, "sn", PASSWORD).await;
    assert!(landed
        .location
        .as_ref()
        .unwrap()
        .starts_with("https://app.example.com/cb?tenant=7&code="));
    assert_eq!(landed.param("state").as_deref(), Some(state));
    assert_eq!(
        landed.param("tenant").as_deref(),
        Some("7"),
        "the registered query is kept"
    );
    let tokens = oauth::exchange(&server, &app, &landed.param("code").unwrap(), cb).await;
    assert_eq!(
        oauth::claims(&tokens.str("id_token"))["nonce"],
        json!(nonce)
    );
    server.finish().await;
}

async fn oidc_core_3_1_2_1_prompt_login_is_not_skipped_by_revisiting_the_resume_url(
    engine: Engine,
) {
    let server = TestServer::start(engine).await;
    let (app, _) = oauth::app_with_user(
        &server,
        "App",
        json!({"redirect_uris": [CB]}),
        "pl",
        "13600000009",
    )
    .await;
    let browser = Browser::new(&server);
    oauth::code(&browser, &app, CB, &[], "pl").await;
    for extra in [("prompt", "login"), ("max_age", "0")] {
        server.advance(std::time::Duration::from_millis(5));
        let url = oauth::authorize_url(
            &app,
            &[("response_type", "code"), ("redirect_uri", CB), extra],
        );
        let to_login = browser.get(&url).await;
        let login = to_login.location.clone().expect("sent to sign in");
        assert!(login.starts_with("/api/v1/login?"), "{extra:?}: {login}");
        let login_hop = browser.get(&login).await;
        assert_eq!(
            login_hop.status,
            StatusCode::OK,
            "{extra:?}: the form, not a redirect: {login_hop:?}"
        );
        // The browser goes back to the resume URL without signing in: no code for the old session.
        let resume = login_hop.hidden("return_to").expect("the resume URL");
        let skipped = browser.follow(browser.get(&resume).await).await;
        assert_eq!(skipped.param("code"), None, "{extra:?}: {skipped:?}");
        assert!(
            skipped.hidden("csrf").is_some(),
            "{extra:?}: the login form again"
        );
    }
    server.finish().await;
}

on_both_engines!(
    rfc7636_4_6_a_code_issued_with_a_challenge_needs_its_verifier,
    rfc9700_4_8_pkce_downgrade_is_refused,
    rfc9700_4_1_redirect_uris_match_exactly_unless_the_domain_rule_is_chosen,
    rfc6749_4_1_3_the_token_request_repeats_the_authorization_redirect_uri,
    rfc6749_4_1_2_a_replayed_code_revokes_the_tokens_it_issued,
    rfc9700_4_14_2_a_reused_refresh_token_revokes_its_whole_family,
    rfc6749_10_12_state_and_oidc_nonce_come_back_unchanged,
    oidc_core_3_1_2_1_prompt_login_is_not_skipped_by_revisiting_the_resume_url,
);
