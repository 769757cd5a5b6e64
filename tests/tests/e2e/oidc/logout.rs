//! Ending sessions: OIDC RP-Initiated Logout 1.0 at `/api/v1/oauth2/logout`, the documented global
//! logout `GET /api/v1/logout?redirect_url=` (#55, no open redirect), and OIDC Back-Channel Logout
//! 1.0 tokens posted to a listener the test runs.

use idaas_tests::oauth;
use idaas_tests::sso::Browser;
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CB: &str = "https://erp.example.com/cb";
const BYE: &str = "https://erp.example.com/bye";
const SESSION: &str = "idaas_session";

/// Whether the browser's session still yields a code without signing in.
async fn signed_in(browser: &Browser, app: &idaas_tests::sso::SsoApp) -> bool {
    let hop = browser
        .get(&oauth::authorize_url(
            app,
            &[("response_type", "code"), ("redirect_uri", CB)],
        ))
        .await;
    hop.param("code").is_some()
}

async fn rp_initiated_logout_checks_the_hint_and_the_registered_return_address(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (app, _) = oauth::app_with_user(
        &server,
        "ERP",
        json!({"redirect_uris": [CB], "post_logout_redirect_uris": [BYE]}),
        "lo",
        "13400000001",
    )
    .await;
    let browser = Browser::new(&server);
    let code = oauth::code(&browser, &app, CB, &[("scope", "openid")], "lo").await;
    let tokens = oauth::exchange(&server, &app, &code, CB).await;
    let (id_token, access) = (tokens.str("id_token"), tokens.str("access_token"));
    let logout = |params: &[(&str, &str)]| {
        format!(
            "/api/v1/oauth2/logout?{}",
            serde_urlencoded::to_string(params).unwrap()
        )
    };

    // Unregistered return addresses, foreign hints and mismatched clients: a page, no redirect.
    for params in [
        vec![
            ("id_token_hint", id_token.as_str()),
            ("post_logout_redirect_uri", "https://evil.example.com/"),
        ],
        vec![
            ("id_token_hint", id_token.as_str()),
            ("post_logout_redirect_uri", "https://erp.example.com/bye/"),
        ],
        vec![
            ("id_token_hint", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."),
            ("post_logout_redirect_uri", BYE),
        ],
        vec![
            ("id_token_hint", id_token.as_str()),
            ("client_id", "another"),
            ("post_logout_redirect_uri", BYE),
        ],
        vec![("post_logout_redirect_uri", BYE)],
    ] {
        let hop = browser.get(&logout(&params)).await;
        assert_eq!(
            (hop.status, hop.location.as_deref()),
            (StatusCode::BAD_REQUEST, None),
            "{params:?}"
        );
    }
    assert!(signed_in(&browser, &app).await, "nothing ended");

    // Without a hint the user confirms first (a cross-site link cannot sign them out).
    let page = browser
        .get(&logout(&[
            ("client_id", &app.client_id),
            ("post_logout_redirect_uri", BYE),
            ("state", "x1"),
        ]))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    // The confirmation cannot be framed by another site (clickjacking).
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(page.headers["x-frame-options"], "DENY");
    let csrf = page.hidden("csrf").expect("a confirmation form");
    assert_eq!(
        page.hidden("post_logout_redirect_uri").as_deref(),
        Some(BYE)
    );
    let forged = browser
        .post(
            "/api/v1/oauth2/logout",
            &[
                ("csrf", "forged-forged-forged-forged-forged-0"),
                ("client_id", &app.client_id),
            ],
        )
        .await;
    assert_eq!(
        forged.status,
        StatusCode::OK,
        "asked again: {}",
        forged.text
    );
    assert!(
        signed_in(&browser, &app).await,
        "a forged confirmation ends nothing"
    );
    let session = browser.cookie(SESSION).unwrap();
    let confirmed = browser
        .post(
            "/api/v1/oauth2/logout",
            &[
                ("csrf", &csrf),
                ("client_id", &app.client_id),
                ("post_logout_redirect_uri", BYE),
                ("state", "x1"),
            ],
        )
        .await;
    assert_eq!(
        confirmed.location.as_deref(),
        Some(format!("{BYE}?state=x1").as_str())
    );
    assert_eq!(browser.cookie(SESSION), None, "the cookie is cleared");
    browser.set_cookie(SESSION, &session);
    assert!(
        !signed_in(&browser, &app).await,
        "the session itself has ended"
    );
    assert_eq!(
        oauth::userinfo(&server, &access).await.status,
        StatusCode::UNAUTHORIZED,
        "its grants with it"
    );

    // With a hint for the current session: at once, back with the state.
    let code = oauth::code(&browser, &app, CB, &[("scope", "openid")], "lo").await;
    let id_token = oauth::exchange(&server, &app, &code, CB)
        .await
        .str("id_token");
    let hop = browser
        .get(&logout(&[
            ("id_token_hint", &id_token),
            ("post_logout_redirect_uri", BYE),
            ("state", "a b"),
        ]))
        .await;
    assert_eq!(
        hop.location.as_deref(),
        Some(format!("{BYE}?state=a+b").as_str())
    );
    assert!(!signed_in(&browser, &app).await);
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn global_logout_ends_the_session_and_refuses_open_redirects(engine: Engine) {
    let server = TestServer::start(engine).await;
    let protocols = json!({"redirect_uris": [CB], "refresh_token_lifetime_secs": 3600});
    let (app, _) = oauth::app_with_user(&server, "ERP", protocols, "gl", "13400000002").await;
    let browser = Browser::new(&server);
    let code = oauth::code(&browser, &app, CB, &[], "gl").await;
    let tokens = oauth::exchange(&server, &app, &code, CB).await;
    let (access, refresh) = (tokens.str("access_token"), tokens.str("refresh_token"));
    // A link alone does not sign the user out: it asks first (a cross-site image cannot).
    let asked = browser
        .get("/api/v1/logout?redirect_url=https%3A%2F%2Ferp.example.com%2Fhome")
        .await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(
        asked.text.contains(r#"action="/api/v1/logout""#),
        "{}",
        asked.text
    );
    assert!(signed_in(&browser, &app).await, "nothing ended yet");
    let forged = browser
        .post(
            "/api/v1/logout",
            &[
                ("csrf", "forged"),
                ("redirect_url", "https://erp.example.com/home"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(
        signed_in(&browser, &app).await,
        "a forged confirmation ends nothing"
    );
    let out = browser
        .logout("/api/v1/logout?redirect_url=https%3A%2F%2Ferp.example.com%2Fhome")
        .await;
    assert_eq!(
        (out.status, out.location.as_deref()),
        (StatusCode::FOUND, Some("https://erp.example.com/home"))
    );
    assert_eq!(browser.cookie(SESSION), None);
    let again = browser
        .follow(
            browser
                .get(&oauth::authorize_url(
                    &app,
                    &[("response_type", "code"), ("redirect_uri", CB)],
                ))
                .await,
        )
        .await;
    assert!(
        again.hidden("csrf").is_some(),
        "asked to sign in again: {again:?}"
    );
    assert_eq!(
        oauth::userinfo(&server, &access).await.status,
        StatusCode::UNAUTHORIZED
    );
    oauth::refresh(&server, &app, &refresh)
        .await
        .assert_error(400, "invalid_grant");
    for target in [
        "https://evil.example.com/",
        "https://erp.example.com.evil.com/",
        "https://evil.com@erp.example.com/",
        "http://erp.example.com/home",
        "//evil.example.com/",
        "/\\evil.example.com",
        "javascript:alert(1)",
    ] {
        oauth::code(&browser, &app, CB, &[], "gl").await;
        let query = serde_urlencoded::to_string([("redirect_url", target)]).unwrap();
        let url = format!("/api/v1/logout?{query}");
        let out = browser.logout(&url).await;
        assert_eq!(out.location.as_deref(), Some("/api/v1/login"), "{target}");
        assert!(
            !signed_in(&browser, &app).await,
            "{target}: signed out all the same"
        );
    }
    let plain = browser.logout("/api/v1/logout").await;
    assert_eq!(plain.location.as_deref(), Some("/api/v1/login"));
    server.finish().await;
}

async fn rfc8725_2_8_an_access_token_is_neither_an_id_token_hint_nor_the_reverse(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (app, _) = oauth::app_with_user(
        &server,
        "ERP",
        json!({"redirect_uris": [CB], "post_logout_redirect_uris": [BYE]}),
        "cj",
        "13400000004",
    )
    .await;
    let browser = Browser::new(&server);
    let code = oauth::code(&browser, &app, CB, &[("scope", "openid")], "cj").await;
    let tokens = oauth::exchange(&server, &app, &code, CB).await;
    let (id_token, access) = (tokens.str("id_token"), tokens.str("access_token"));
    let query = serde_urlencoded::to_string([
        ("id_token_hint", access.as_str()),
        ("post_logout_redirect_uri", BYE),
    ])
    .unwrap();
    let hop = browser.get(&format!("/api/v1/oauth2/logout?{query}")).await;
    assert_eq!(
        (hop.status, hop.location.as_deref()),
        (StatusCode::BAD_REQUEST, None),
        "an access token is no hint"
    );
    assert!(signed_in(&browser, &app).await, "the session lives on");
    oauth::userinfo(&server, &id_token)
        .await
        .assert_error(401, "invalid_token");
    assert!(
        !oauth::active(&server, &app, &id_token).await,
        "an id_token is no access token"
    );
    server.finish().await;
}

/// Accepts one HTTP request and answers 200; its body.
async fn receive_one(listener: tokio::net::TcpListener) -> String {
    let (mut stream, _) = listener.accept().await.expect("a connection");
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let read = stream.read(&mut chunk).await.expect("read");
        buffer.extend_from_slice(&chunk[..read]);
        let text = String::from_utf8_lossy(&buffer).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if body.len() >= length || read == 0 {
                stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                    .await
                    .unwrap();
                return body.to_string();
            }
        }
        assert!(read > 0, "connection closed early");
    }
}

async fn back_channel_logout_posts_a_logout_token_with_the_session_id(engine: Engine) {
    let server = TestServer::start(engine).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let backchannel = format!("http://{}/backchannel", listener.local_addr().unwrap());
    let received = tokio::spawn(receive_one(listener));
    let protocols = json!({"redirect_uris": [CB], "backchannel_logout_uri": backchannel});
    let (app, user_id) = oauth::app_with_user(&server, "ERP", protocols, "bc", "13400000003").await;
    let browser = Browser::new(&server);
    let code = oauth::code(&browser, &app, CB, &[("scope", "openid")], "bc").await;
    let id_token = oauth::exchange(&server, &app, &code, CB)
        .await
        .str("id_token");
    browser.logout("/api/v1/logout").await;

    let body = tokio::time::timeout(std::time::Duration::from_secs(10), received)
        .await
        .expect("delivered in time")
        .unwrap();
    let form: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap();
    let (name, token) = form.into_iter().next().expect("one field");
    assert_eq!(name, "logout_token");
    let claims = oauth::claims(&token);
    let id = oauth::claims(&id_token);
    assert_eq!(claims["iss"], id["iss"]);
    assert_eq!(claims["aud"], json!(app.client_id));
    assert_eq!(claims["sub"], json!(user_id));
    assert_eq!(claims["sid"], id["sid"], "the session the id_token named");
    assert_eq!(
        claims["events"],
        json!({"http://schemas.openid.net/event/backchannel-logout": {}})
    );
    assert!(claims["jti"].is_string() && claims["iat"].is_i64());
    assert!(
        claims.get("nonce").is_none(),
        "a logout token never has a nonce (§2.4)"
    );
    assert_eq!(
        oauth::jose_header(&token)["kid"],
        oauth::jose_header(&id_token)["kid"]
    );
    server.finish().await;
}

on_both_engines!(
    rp_initiated_logout_checks_the_hint_and_the_registered_return_address,
    global_logout_ends_the_session_and_refuses_open_redirects,
    rfc8725_2_8_an_access_token_is_neither_an_id_token_hint_nor_the_reverse,
    back_channel_logout_posts_a_logout_token_with_the_session_id,
);
