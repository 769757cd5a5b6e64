//! What an open sign-in page draws (ops/adr/0012): rate limits per client address and per
//! account in each surface's shape, the client address behind trusted proxies only, lockout that
//! strangers cannot turn against the user's own device, `locked` in the OneAccess user detail,
//! the administrator's unlock, and "busy" when the password pool is full.

use std::time::Duration;

use idaas_tests::sdk::{self, Device};
use idaas_tests::sso::{self, Browser, PASSWORD};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};
use usecases::limits::Rate;

/// `POST /api/v2/sdk/login` with extra headers; status, `Retry-After` and body.
async fn sdk_login(
    server: &TestServer,
    device: &Device,
    user: &str,
    password: &str,
    extra: &[(&str, &str)],
) -> (StatusCode, Option<String>, Value) {
    let client = reqwest::Client::new();
    let url = format!(
        "http://{}/api/v2/sdk/login",
        server.server.as_ref().unwrap().addr
    );
    let mut request = client
        .post(url)
        .json(&json!({"user_name": user, "password": password}));
    for (name, value) in device.headers(extra) {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, retry, response.json().await.unwrap_or(Value::Null))
}

async fn sign_in_attempts_are_limited_per_address_in_each_surface_shape(engine: Engine) {
    let server = TestServer::start_configured(engine, |c| {
        c.limits.sign_in_per_address = Rate::new(3, 1);
        c.limits.client_failures_per_address = Rate::new(2, 1);
    })
    .await;
    let t = server.token().await;
    let (app, _) = sdk::app_and_user(&server, &t, "limited", "13900000101").await;
    let device = Device::new("fp-limited", &app.client_id);
    for _ in 0..3 {
        let (status, _, body) = sdk_login(&server, &device, "limited", "Wrong#1", &[]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    let (status, retry, body) = sdk_login(&server, &device, "limited", PASSWORD, &[]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error_code"], "COM.0002");
    assert_eq!(retry.as_deref(), Some("60"));
    // The hosted login shares the address's budget and answers with a page.
    let browser = Browser::new(&server);
    let page = browser.get("/api/v1/login").await;
    let refused = browser.sign_in(&page, "limited", PASSWORD).await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        refused.text
    );
    assert!(refused.text.contains("System busy"), "{}", refused.text);
    // Refused client authentications spend their own budget; good ones do not.
    for _ in 0..3 {
        server.token().await;
    }
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", app.client_id.as_str()),
        ("client_secret", "wrong"),
    ];
    let url = format!(
        "http://{}/api/v1/oauth2/token",
        server.server.as_ref().unwrap().addr
    );
    let client = reqwest::Client::new();
    for expected in [400, 400, 429] {
        let response = client.post(&url).form(&form).send().await.unwrap();
        assert_eq!(response.status().as_u16(), expected);
        if expected == 429 {
            assert!(response.headers().contains_key("retry-after"));
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"], "temporarily_unavailable");
        }
    }
    // The buckets refill with time (and the sign-in goes on to the CAPTCHA its failures earned).
    server.advance(Duration::from_secs(60));
    let (status, _, body) = sdk_login(&server, &device, "limited", PASSWORD, &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error_code"], "CAPTCHA.0002");
    server.finish().await;
}

async fn an_account_is_limited_from_everywhere_and_forwarded_addresses_count_only_from_trusted_proxies(
    engine: Engine,
) {
    let server = TestServer::start_configured(engine, |c| {
        c.limits.sign_in_per_account = Rate::new(2, 1);
        c.limits.sign_in_per_address = Rate::new(3, 1);
        c.limits.trusted_proxies = vec!["127.0.0.0/8".into()];
    })
    .await;
    let t = server.token().await;
    let (app, _) = sdk::app_and_user(&server, &t, "target", "13900000102").await;
    sso::user(&server, &t, "bystander", "13900000103").await;
    let device = Device::new("fp-target", &app.client_id);
    let from = |ip: &'static str| [("x-forwarded-for", ip)];
    for ip in ["198.51.100.1", "198.51.100.2"] {
        let (status, _, _) = sdk_login(&server, &device, "target", "Wrong#1", &from(ip)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    // A third address: the account's budget is spent, whoever asks.
    let (status, _, body) =
        sdk_login(&server, &device, "target", PASSWORD, &from("198.51.100.3")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // Another account from that address is not affected.
    let (status, _, _) = sdk_login(
        &server,
        &device,
        "bystander",
        "Wrong#1",
        &from("198.51.100.3"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Each forwarded address has its own budget (three each), and is what the audit records.
    for name in ["nobody1", "nobody2", "nobody3"] {
        let (status, _, _) =
            sdk_login(&server, &device, name, "Wrong#2", &from("203.0.113.9")).await;
        assert_ne!(status, StatusCode::TOO_MANY_REQUESTS);
    }
    let pool = &server.store().database().pool;
    // The address is kept beside the hash chain, by position (ops/adr/0026).
    let recorded: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT r.client_ip FROM events e JOIN request_metadata r \
         ON r.tenant_id = e.tenant_id AND r.position = e.position \
         WHERE e.event_type = 'login.failed' ORDER BY e.position",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(
        recorded.last().unwrap().as_deref(),
        Some("203.0.113.9"),
        "{recorded:?}"
    );
    server.finish().await;
}

async fn forwarded_addresses_from_untrusted_peers_are_ignored(engine: Engine) {
    let server = TestServer::start_configured(engine, |c| {
        c.limits.sign_in_per_address = Rate::new(2, 1);
    })
    .await;
    let t = server.token().await;
    let (app, _) = sdk::app_and_user(&server, &t, "spoofer", "13900000104").await;
    let device = Device::new("fp-spoofer", &app.client_id);
    let mut statuses = Vec::new();
    for ip in ["192.0.2.1", "192.0.2.2", "192.0.2.3"] {
        let extra = [("x-forwarded-for", ip)];
        statuses.push(
            sdk_login(&server, &device, "spoofer", "Wrong#1", &extra)
                .await
                .0,
        );
    }
    assert_eq!(
        statuses,
        [
            StatusCode::BAD_REQUEST,
            StatusCode::BAD_REQUEST,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    server.finish().await;
}

async fn strangers_lock_the_account_but_not_the_users_own_device_and_an_administrator_unlocks_it(
    engine: Engine,
) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (app, user_id) = sdk::app_and_user(&server, &t, "victim", "13900000105").await;
    let policy = json!({"max_failures": 2, "lock_minutes": 30});
    server
        .client
        .put("/admin/v1/tenant/settings/lockout", &t, policy)
        .await
        .assert_status(200);
    let own = Device::new("fp-victims-phone", &app.client_id);
    sdk::assert_status(
        &sdk::login(&server, &own, "victim", PASSWORD).await,
        "SUCCESS",
    );
    let path = format!("/api/v2/tenant/users/{user_id}");
    let detail = |_: &TestServer| server.client.get(&path, &t);
    assert_eq!(detail(&server).await.body["locked"], json!(false));
    // An attacker's device locks the account...
    let attacker = Device::new("fp-attacker", &app.client_id);
    sdk::login(&server, &attacker, "victim", "Guess#1")
        .await
        .assert_error("LOGIN.0002");
    sdk::login(&server, &attacker, "victim", "Guess#2")
        .await
        .assert_error("LOGIN.0001");
    sdk::login(&server, &attacker, "victim", PASSWORD)
        .await
        .assert_error("LOGIN.0001");
    assert_eq!(
        detail(&server).await.body["locked"],
        json!(true),
        "locked while locked"
    );
    // ...for every device the user has not signed in from, but not for the user's own.
    let new_phone = Device::new("fp-new-phone", &app.client_id);
    sdk::login(&server, &new_phone, "victim", PASSWORD)
        .await
        .assert_error("LOGIN.0001");
    sdk::assert_status(
        &sdk::login(&server, &own, "victim", PASSWORD).await,
        "SUCCESS",
    );
    // An administrator lifts the lock, on the record.
    let path = format!("/admin/v1/users/{user_id}/unlock");
    let unlocked = server.client.post(&path, &t, json!({})).await;
    assert_eq!(
        unlocked.assert_status(200),
        &json!({"user_id": user_id, "unlocked": true})
    );
    assert_eq!(detail(&server).await.body["locked"], json!(false));
    sdk::assert_status(
        &sdk::login(&server, &new_phone, "victim", PASSWORD).await,
        "SUCCESS",
    );
    let again = server.client.post(&path, &t, json!({})).await;
    assert_eq!(again.assert_status(200)["unlocked"], json!(false));
    let missing = server
        .client
        .post("/admin/v1/users/nobody/unlock", &t, json!({}))
        .await;
    assert_eq!(missing.assert_status(404)["error"], "not_found");
    let pool = &server.store().database().pool;
    let unlocks: Vec<String> =
        sqlx::query_scalar("SELECT metadata FROM events WHERE event_type = 'login.unlocked'")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(
        unlocks.len(),
        1,
        "an unlock with nothing to lift writes nothing"
    );
    assert!(
        unlocks[0].contains("\"surface\":\"admin\""),
        "{}",
        unlocks[0]
    );
    // The command line unlocks too (the lock comes back first).
    for guess in ["Guess#3", "Guess#4"] {
        sdk::login(&server, &attacker, "victim", guess).await;
    }
    assert_eq!(detail(&server).await.body["locked"], json!(true));
    let who = idaas_server::cli::Who::Name("victim".into());
    let cli = idaas_server::cli::unlock_user(server.store(), "default", who)
        .await
        .unwrap();
    assert!(cli.changed);
    assert_eq!(detail(&server).await.body["locked"], json!(false));
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn each_failure_past_the_second_makes_the_next_attempt_wait(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (app, _) = sdk::app_and_user(&server, &t, "patient", "13900000106").await;
    let policy = json!({"max_failures": 10, "lock_minutes": 30});
    server
        .client
        .put("/admin/v1/tenant/settings/lockout", &t, policy)
        .await
        .assert_status(200);
    let device = Device::new("fp-patient", &app.client_id);
    for _ in 0..2 {
        sdk::login(&server, &device, "patient", "Wrong#1")
            .await
            .assert_error("LOGIN.0002");
    }
    // The third failure needs a CAPTCHA; answered, it counts and starts a one-second wait.
    let captcha = sdk::send(
        &server,
        reqwest::Method::GET,
        "/api/v2/sdk/captcha",
        &device.headers(&[]),
        None,
    )
    .await;
    let captcha_id = captcha.body["captcha_id"].as_str().unwrap().to_string();
    let answer = sdk::captcha_answer(&server, &captcha_id).await;
    let body = json!({"user_name": "patient", "password": "Wrong#1",
        "captcha_id": captcha_id, "captcha": answer});
    sdk::login_body(&server, &device, body)
        .await
        .assert_error("LOGIN.0002");
    let waiting = sdk::login(&server, &device, "patient", PASSWORD).await;
    waiting.assert_error("LOGIN.0001");
    assert!(
        waiting.text.contains("0 minutes and 1 seconds"),
        "{}",
        waiting.text
    );
    server.advance(Duration::from_secs(1));
    // The wait is over; the CAPTCHA is still due.
    sdk::login(&server, &device, "patient", PASSWORD)
        .await
        .assert_error("CAPTCHA.0002");
    server.finish().await;
}

async fn a_full_password_pool_answers_busy_not_an_error(engine: Engine) {
    let server = TestServer::start_configured(engine, |c| {
        c.limits.password_workers = 1;
        c.limits.password_queue = 0;
    })
    .await;
    let t = server.token().await;
    let (app, _) = sdk::app_and_user(&server, &t, "crowded", "13900000107").await;
    // In English, then in Chinese (`X-L: zh`): the translated answer says when to retry too.
    for language in [None, Some("zh")] {
        let extra: Vec<(&str, &str)> = language.map(|l| ("x-l", l)).into_iter().collect();
        let attempts = (0..8).map(|i| {
            let (server, extra) = (&server, &extra);
            let device = Device::new(&format!("fp-crowd-{i}"), &app.client_id);
            async move { sdk_login(server, &device, &format!("nobody{i}"), "Wrong#1", extra).await }
        });
        let replies = futures::future::join_all(attempts).await;
        let busy: Vec<_> = replies
            .iter()
            .filter(|(status, _, _)| *status == StatusCode::SERVICE_UNAVAILABLE)
            .collect();
        assert!(!busy.is_empty(), "one thread, no queue: {replies:?}");
        for (status, retry, body) in &replies {
            match *status {
                StatusCode::SERVICE_UNAVAILABLE => {
                    assert_eq!(body["error_code"], "COM.0002", "{language:?}");
                    assert_eq!(retry.as_deref(), Some("1"), "{language:?}: {body}");
                }
                StatusCode::BAD_REQUEST => assert_eq!(body["error_code"], "LOGIN.0002"),
                other => panic!("{other}: {body}"),
            }
        }
    }
    server.finish().await;
}

on_both_engines!(
    sign_in_attempts_are_limited_per_address_in_each_surface_shape,
    an_account_is_limited_from_everywhere_and_forwarded_addresses_count_only_from_trusted_proxies,
    forwarded_addresses_from_untrusted_peers_are_ignored,
    strangers_lock_the_account_but_not_the_users_own_device_and_an_administrator_unlocks_it,
    each_failure_past_the_second_makes_the_next_attempt_wait,
    a_full_password_pool_answers_busy_not_an_error,
);
