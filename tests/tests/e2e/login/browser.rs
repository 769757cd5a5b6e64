//! The hosted login in a real browser (issue 4): headless Chromium, driven over WebDriver, starts at
//! a client's authorisation request (RFC 6749 §4.1.1), signs in with a password and a TOTP code on
//! the server's own pages, and lands back at the client's redirect URI with a code and the client's
//! `state` (§4.1.2), which the client exchanges for tokens with an ID token (OIDC Core §3.1.3).
//! Skipped without Chromium and ChromeDriver unless `IDAAS_TEST_BROWSER=1`.

use std::collections::HashMap;

use domain::totp;
use idaas_tests::callback::Callback;
use idaas_tests::sso::{self, Browser, PASSWORD};
use idaas_tests::webdriver::{self, Chrome};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn params(encoded: &str) -> HashMap<String, String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(encoded)
        .expect("form-encoded parameters")
        .into_iter()
        .collect()
}

fn authorize_url(base: &str, client_id: &str, redirect_uri: &str, extra: &str) -> String {
    let pairs = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("scope", "openid"),
    ];
    let query = serde_urlencoded::to_string(pairs).unwrap();
    format!("{base}/api/v1/oauth2/authorize?{query}&{extra}")
}

/// Signs the user in with the test's own cookie-keeping client and enrols TOTP through the hosted
/// enrolment page; the secret.
async fn enrol_totp(server: &TestServer, user_name: &str) -> Vec<u8> {
    let browser = Browser::new(server);
    let page = browser.get("/api/v1/login").await;
    let signed_in = browser.sign_in(&page, user_name, PASSWORD).await;
    assert_eq!(
        signed_in.location.as_deref(),
        Some("/api/v1/login"),
        "{}",
        signed_in.text
    );
    let enroll = browser.get("/api/v1/login/otp/enroll").await;
    assert_eq!(enroll.status, StatusCode::OK, "{}", enroll.text);
    let start = enroll.text.find("<code>").expect("secret shown") + "<code>".len();
    let end = enroll.text[start..].find("</code>").unwrap() + start;
    let secret = totp::from_base32(&enroll.text[start..end]).expect("base32 secret");
    let csrf = enroll.hidden("csrf").unwrap();
    let code = totp::code_at(&secret, totp::step_of(now_ms()));
    let enrolled = browser
        .post(
            "/api/v1/login/otp/enroll",
            &[("code", &code), ("csrf", &csrf)],
        )
        .await;
    assert!(
        enrolled.text.contains("Two-step verification is on"),
        "{}",
        enrolled.text
    );
    secret
}

async fn chromium_signs_in_with_password_and_totp_and_lands_at_the_client_with_a_code(
    engine: Engine,
) {
    if !webdriver::browser_available("browser_login") {
        return;
    }
    let server = TestServer::start(engine).await;
    let base = server.client.base.clone();
    let callback = Callback::start().await;
    let t = server.token().await;
    let protocols = json!({"redirect_uris": [callback.uri()]});
    let app = sso::register(&server, &t, "Portal", protocols).await;
    let user_id = sso::user(&server, &t, "chromeuser", "13900000021").await;
    sso::account(&server, &t, &app, &user_id, "chromeuser").await;
    let secret = enrol_totp(&server, "chromeuser").await;

    let chrome = Chrome::start().await;
    let state = "browser-state-1";
    let authorize = authorize_url(
        &base,
        &app.client_id,
        &callback.uri(),
        &format!("state={state}"),
    );
    chrome.goto(&authorize).await;
    let login_page = format!("{base}/api/v1/login?");
    chrome
        .wait_for_url("the login page", |url| url.starts_with(&login_page))
        .await;
    assert_eq!(chrome.text("h1").await, "Sign in");

    // A wrong password: the form comes back with LOGIN.0002 and the name kept.
    chrome.type_into("#username", "chromeuser").await;
    chrome.type_into("#password", "Wrong#Pass1").await;
    chrome.click("button[type=submit]").await;
    let error = chrome.text(".error").await;
    assert!(
        error.starts_with("Invalid account name or password. Remaining attempts:"),
        "{error}"
    );

    // The language link shows the same sign-in in Chinese; the request is still resumed from it.
    chrome.click("nav a[href$='lang=zh']").await;
    chrome
        .wait_for_url("the Chinese login page", |url| {
            url.starts_with(&login_page) && url.ends_with("lang=zh")
        })
        .await;
    assert_eq!(chrome.text("h1").await, "登录");
    assert_eq!(chrome.text("button[type=submit]").await, "登录");
    chrome.type_into("#username", "chromeuser").await;
    chrome.type_into("#password", PASSWORD).await;
    chrome.click("button[type=submit]").await;

    // The second factor: a code the enrolment did not use.
    let otp_page = format!("{base}/api/v1/login/otp");
    chrome
        .wait_for_url("the TOTP page", |url| url.starts_with(&otp_page))
        .await;
    let code = totp::code_at(&secret, totp::step_of(now_ms()) + 1);
    chrome.type_into("#code", &code).await;
    chrome.click("button[type=submit]").await;

    // Back at the client with a code and the same state.
    let cb = callback.uri();
    let landed = chrome
        .wait_for_url("the client's redirect URI", |url| url.starts_with(&cb))
        .await;
    assert_eq!(chrome.text("body").await, "signed in");
    let query = landed.split_once('?').expect("a query").1;
    let result = params(query);
    assert_eq!(result.get("state").map(String::as_str), Some(state));
    let code = result.get("code").expect("a code").clone();
    let seen = callback.last();
    assert_eq!(
        (seen.method.as_str(), seen.target.as_str()),
        ("GET", format!("/cb?{query}").as_str())
    );

    // The client redeems it (client_secret_post, RFC 6749 §2.3.1) for tokens with an ID token.
    let tokens = redeem(&base, &app, &callback.uri(), &code).await;
    assert_eq!(tokens["token_type"], "Bearer", "{tokens}");
    assert!(tokens["access_token"].as_str().is_some(), "{tokens}");
    let id_token = tokens["id_token"].as_str().expect("an id_token");
    assert_eq!(id_token.split('.').count(), 3, "a signed JWT");

    // Signed in now, the browser is sent straight back; form_post (OAuth 2.0 Form Post Response
    // Mode) makes Chromium post the result to the client itself.
    let authorize = authorize_url(
        &base,
        &app.client_id,
        &callback.uri(),
        "state=browser-state-2&response_mode=form_post",
    );
    chrome.goto(&authorize).await;
    chrome
        .wait_for_url("the client's redirect URI", |url| url == cb)
        .await;
    let posted = callback.last();
    assert_eq!(
        (posted.method.as_str(), posted.target.as_str()),
        ("POST", "/cb")
    );
    let result = params(&posted.body);
    assert_eq!(
        result.get("state").map(String::as_str),
        Some("browser-state-2")
    );
    let code = result.get("code").expect("a posted code");
    let tokens = redeem(&base, &app, &callback.uri(), code).await;
    assert!(tokens["id_token"].as_str().is_some(), "{tokens}");

    chrome.quit().await;
    server.finish().await;
}

async fn redeem(base: &str, app: &sso::SsoApp, redirect_uri: &str, code: &str) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.as_str()),
        ])
        .send()
        .await
        .expect("token request sent");
    let status = response.status();
    let body: Value = response.json().await.expect("token response is JSON");
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

on_both_engines!(chromium_signs_in_with_password_and_totp_and_lands_at_the_client_with_a_code);
