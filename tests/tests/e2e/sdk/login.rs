//! The OneAccess SDK password login (seed 002 A2, specs/oneaccess-sdk-and-hainan-uaa.md §1.4):
//! SUCCESS with a device-bound session token and an id token, ACCESS_DENIED without an account in
//! the client application, and every refusal the input can cause, recorded with its reason.

use idaas_tests::sdk::{self, Device};
use idaas_tests::sso::{self, PASSWORD};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::json;

async fn a_password_login_answers_a_device_bound_session_and_an_id_token(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (app, user_id) = sdk::app_and_user(&server, &t, "sdkuser", "13900000021").await;
    let device = Device::new("156aysdna213sc50", &app.client_id);

    let reply = sdk::login(&server, &device, "sdkuser", PASSWORD).await;
    let body = sdk::assert_status(&reply, "SUCCESS");
    assert_eq!(body["expire"], 43200, "{body}");
    assert!(body.get("state_token").is_none());
    let session_token = body["session_token"].as_str().unwrap().to_string();
    let id_token = body["id_token"].as_str().unwrap().to_string();
    assert!(id_token.starts_with("eyJ"));
    assert!(
        sdk::verifies(&server, &id_token).await,
        "signed by the tenant"
    );
    let claims = sdk::claims(&id_token);
    assert_eq!(claims["sub"], user_id);
    assert_eq!(claims["id"], user_id);
    assert_eq!(claims["userName"], "sdkuser");
    assert_eq!(claims["mobile"], "13900000021");
    assert_eq!(claims["aud"], app.client_id);
    assert_eq!(claims["amr"], json!(["pwd"]));
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 7200, "2 h by default");

    // The session is on the record, bound to the device; no token is stored in clear.
    let events = sdk::event_types(&server).await;
    for expected in [
        "sdk_login.started",
        "sdk_login.completed",
        "sso_session.started",
    ] {
        assert!(
            events.iter().any(|e| e == expected),
            "{expected}: {events:?}"
        );
    }
    let stored = sdk::stored_text(&server).await;
    assert!(!stored.contains(&session_token));
    assert!(!stored.contains(&id_token));
    assert!(
        !stored.contains("156aysdna213sc50"),
        "the fingerprint is kept hashed"
    );
    let (device_hash,): (Option<String>,) =
        sqlx::query_as("SELECT device_hash FROM proj_sso_sessions WHERE user_id = $1")
            .bind(&user_id)
            .fetch_one(&server.store().database().pool)
            .await
            .unwrap();
    assert!(device_hash.is_some_and(|h| h.len() == 64));

    // The session token is no browser session cookie.
    let browser = sso::Browser::new(&server);
    browser.set_cookie("idaas_session", &session_token);
    let page = browser.get("/api/v1/login").await;
    assert!(page.hidden("csrf").is_some(), "still asked to sign in");

    // Each login is a new session.
    let again = sdk::login(&server, &device, "sdkuser", PASSWORD).await;
    let again = sdk::assert_status(&again, "SUCCESS");
    assert_ne!(again["session_token"], body["session_token"]);
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn a_user_without_an_account_in_the_client_is_denied(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (app, _) = sdk::app_and_user(&server, &t, "member", "13900000022").await;
    let outsider = sso::user(&server, &t, "outsider", "13900000023").await;
    let device = Device::new("fp-outsider", &app.client_id);
    let reply = sdk::login(&server, &device, "outsider", PASSWORD).await;
    let body = sdk::assert_status(&reply, "ACCESS_DENIED");
    assert_eq!(body, json!({"status": "ACCESS_DENIED"}));
    let reasons: Vec<String> = sqlx::query_scalar(
        "SELECT payload FROM events WHERE event_type = 'login.failed' AND stream_id = $1",
    )
    .bind(&outsider)
    .fetch_all(&server.store().database().pool)
    .await
    .unwrap();
    assert_eq!(reasons.len(), 1);
    assert!(reasons[0].contains("no_account"), "{}", reasons[0]);
    // A disabled account is no account.
    let member_account: String =
        sqlx::query_scalar("SELECT account_id FROM proj_app_accounts WHERE application_id = $1")
            .bind(&app.application_id)
            .fetch_one(&server.store().database().pool)
            .await
            .unwrap();
    server
        .client
        .put(
            &format!(
                "/api/v2/tenant/applications/{}/accounts/{member_account}/disable",
                app.application_id
            ),
            &t,
            json!({}),
        )
        .await
        .assert_status(200);
    let reply = sdk::login(&server, &device, "member", PASSWORD).await;
    sdk::assert_status(&reply, "ACCESS_DENIED");
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn refusals_have_their_codes_and_messages(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (app, user_id) = sdk::app_and_user(&server, &t, "refused", "13900000024").await;
    let device = Device::new("fp-refused", &app.client_id);
    let headers = device.headers(&[]);
    let body = json!({"user_name": "refused", "password": PASSWORD});

    // Each required device header, then the client.
    for missing in ["X-operating-sys-version", "X-device-fingerprint", "X-agent"] {
        let without: Vec<_> = headers
            .iter()
            .filter(|(k, _)| k != missing)
            .cloned()
            .collect();
        let reply = sdk::send(
            &server,
            Method::POST,
            "/api/v2/sdk/login",
            &without,
            Some(body.clone()),
        )
        .await;
        reply.assert_error("PARAM.0001");
    }
    let no_ip: Vec<_> = headers
        .iter()
        .filter(|(k, _)| k != "X-device-ip")
        .cloned()
        .collect();
    let reply = sdk::send(
        &server,
        Method::POST,
        "/api/v2/sdk/login",
        &no_ip,
        Some(body.clone()),
    )
    .await;
    sdk::assert_status(&reply, "SUCCESS");
    let no_client: Vec<_> = headers
        .iter()
        .filter(|(k, _)| k != "X-client-id")
        .cloned()
        .collect();
    let reply = sdk::send(
        &server,
        Method::POST,
        "/api/v2/sdk/login",
        &no_client,
        Some(body.clone()),
    )
    .await;
    reply.assert_error("PARAM.0002");
    let stranger = Device::new("fp-refused", "no-such-client");
    sdk::login(&server, &stranger, "refused", PASSWORD)
        .await
        .assert_error("APP.0001");

    // The body.
    sdk::login_body(&server, &device, json!({"password": PASSWORD}))
        .await
        .assert_error("PARAM.0010");
    sdk::login_body(&server, &device, json!({"user_name": "refused"}))
        .await
        .assert_error("PWD.0008");
    sdk::login_body(&server, &device, json!({"user_name": 1, "password": []}))
        .await
        .assert_error("PARAM.0000");

    // Bad credentials, in English and in Chinese.
    let wrong = sdk::login(&server, &device, "refused", "Wrong#Pass1").await;
    wrong.assert_error("LOGIN.0002");
    assert_eq!(
        wrong.body["error_msg"],
        "Invalid account name or password. Remaining attempts: 4"
    );
    let zh = sdk::login(&server, &device.chinese(), "nobody", "Wrong#Pass1").await;
    zh.assert_error("LOGIN.0002");
    assert!(
        zh.body["error_msg"]
            .as_str()
            .unwrap()
            .contains("无效的账号或密码"),
        "{}",
        zh.text
    );

    // A disabled user.
    server
        .client
        .put(
            &format!("/api/v2/tenant/users/{user_id}/disable"),
            &t,
            json!({}),
        )
        .await
        .assert_status(200);
    sdk::login(&server, &device, "refused", PASSWORD)
        .await
        .assert_error("USER.0004");
    // In Chinese it says the user is disabled (the reference's table has "姓氏不能为空", "last
    // name required", copied from another row; specs/oneaccess.md §4, ADR 0002).
    let zh = sdk::login(&server, &device.chinese(), "refused", PASSWORD).await;
    zh.assert_error("USER.0004");
    assert!(zh.text.contains("用户已禁用"), "{}", zh.text);
    let payloads = sdk::stored_text(&server).await;
    for reason in ["bad_password", "user_disabled"] {
        assert!(payloads.contains(reason), "{reason} recorded");
    }
    assert!(!payloads.contains(PASSWORD) && !payloads.contains("Wrong#Pass1"));
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn repeated_failures_need_a_captcha_and_then_lock_the_user(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (app, _) = sdk::app_and_user(&server, &t, "guessed", "13900000025").await;
    let device = Device::new("fp-guessed", &app.client_id);
    for _ in 0..2 {
        sdk::login(&server, &device, "guessed", "Wrong#Pass1")
            .await
            .assert_error("LOGIN.0002");
    }
    // The right password is not even tried without a CAPTCHA answer.
    sdk::login(&server, &device, "guessed", PASSWORD)
        .await
        .assert_error("CAPTCHA.0002");
    let login_with = |captcha_id: Option<&str>, captcha: Option<&str>, password: &str| {
        let mut body = json!({"user_name": "guessed", "password": password});
        if let Some(id) = captcha_id {
            body["captcha_id"] = json!(id);
        }
        if let Some(answer) = captcha {
            body["captcha"] = json!(answer);
        }
        sdk::login_body(&server, &device, body)
    };
    login_with(None, Some("12345"), PASSWORD)
        .await
        .assert_error("PARAM.0005");

    // GET /api/v2/sdk/captcha: the OS version is required.
    let no_os: Vec<_> = device
        .headers(&[])
        .into_iter()
        .filter(|(k, _)| k != "X-operating-sys-version")
        .collect();
    sdk::send(&server, Method::GET, "/api/v2/sdk/captcha", &no_os, None)
        .await
        .assert_error("PARAM.0001");
    let only_os = vec![(
        "X-operating-sys-version".to_string(),
        "Android 10".to_string(),
    )];
    let captcha = sdk::send(&server, Method::GET, "/api/v2/sdk/captcha", &only_os, None).await;
    let captcha = captcha.assert_status(200).clone();
    assert_eq!(captcha["expire"], 300);
    let image = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        captcha["captcha_image"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(&image[..8], b"\x89PNG\r\n\x1a\n");
    let captcha_id = captcha["captcha_id"].as_str().unwrap().to_string();
    let answer = sdk::captcha_answer(&server, &captcha_id).await;
    login_with(Some(&captcha_id), None, PASSWORD)
        .await
        .assert_error("PARAM.0009");
    login_with(Some(&captcha_id), Some("99999x"), PASSWORD)
        .await
        .assert_error("CAPTCHA.0002");
    // A challenge is answered once, right or wrong.
    login_with(Some(&captcha_id), Some(&answer), PASSWORD)
        .await
        .assert_error("CAPTCHA.0002");
    // A solved CAPTCHA lets the right password in.
    let fresh = sdk::send(&server, Method::GET, "/api/v2/sdk/captcha", &only_os, None).await;
    let fresh_id = fresh.body["captcha_id"].as_str().unwrap().to_string();
    let answer = sdk::captcha_answer(&server, &fresh_id).await;
    let ok = login_with(Some(&fresh_id), Some(&answer), PASSWORD).await;
    sdk::assert_status(&ok, "SUCCESS");

    // The lockout: two counted failures with a lower limit lock the user.
    server
        .client
        .put(
            "/admin/v1/tenant/settings/lockout",
            &t,
            json!({"max_failures": 2, "lock_minutes": 5}),
        )
        .await
        .assert_status(200);
    let wrong = sdk::login(&server, &device, "guessed", "Wrong#Pass1").await;
    wrong.assert_error("LOGIN.0002");
    assert!(
        wrong.text.contains("Remaining attempts: 1"),
        "{}",
        wrong.text
    );
    let locked = sdk::login(&server, &device, "guessed", "Wrong#Pass2").await;
    locked.assert_error("LOGIN.0001");
    let text = &locked.text;
    assert!(
        text.contains("unlocked in 4 minutes") || text.contains("unlocked in 5 minutes"),
        "{text}"
    );
    // Locked: even the right password (and before any CAPTCHA) is refused.
    sdk::login(&server, &device, "guessed", PASSWORD)
        .await
        .assert_error("LOGIN.0001");
    let events = sdk::event_types(&server).await;
    assert!(
        !events.iter().any(|e| e.starts_with("captcha.")),
        "{events:?}"
    );
    // Both challenges were answered (once each): none is left.
    let pool = &server.store().database().pool;
    assert_eq!(store::ephemeral::captcha_count(pool).await.unwrap(), 0);
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(
    a_password_login_answers_a_device_bound_session_and_an_id_token,
    a_user_without_an_account_in_the_client_is_denied,
    refusals_have_their_codes_and_messages,
    repeated_failures_need_a_captcha_and_then_lock_the_user,
);
