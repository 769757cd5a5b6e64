//! The SDK login's challenges (seed 002 A3–A6, specs/oneaccess-sdk-and-hainan-uaa.md §1.4):
//! PASSWORD_WARN (skip or change), PASSWORD_EXPIRED (change), MFA_AUTH (TOTP or SMS), their
//! chaining, and state tokens refused by the wrong endpoint, client, device, or after use.

use idaas_tests::sdk::{self, Device};
use idaas_tests::sso::{self, PASSWORD};
use idaas_tests::{on_both_engines, Engine, Reply, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

const SKIP: &str = "/api/v2/sdk/pwd/skip-update";
const UPDATE: &str = "/api/v2/sdk/pwd/update";
const MOBILE: &str = "/api/v2/sdk/mobile-by-token";
const SMS: &str = "/api/v2/sdk/mfa/sms";
const TOTP: &str = "/api/v2/sdk/mfa/totp";

async fn expiring_passwords(server: &TestServer, token: &str) {
    let settings = server.client.get("/admin/v1/tenant/settings", token).await;
    let mut policy = settings.body["password_policy"].clone();
    policy["max_age_days"] = json!(1);
    policy["expiry_warning_days"] = json!(7);
    server
        .client
        .put("/admin/v1/tenant/settings/password-policy", token, policy)
        .await
        .assert_status(200);
}

async fn get(server: &TestServer, device: &Device, path: &str, state_token: &str) -> Reply {
    sdk::step(server, device, Method::GET, path, state_token, None).await
}

async fn post(
    server: &TestServer,
    device: &Device,
    path: &str,
    state_token: &str,
    body: Value,
) -> Reply {
    sdk::step(server, device, Method::POST, path, state_token, Some(body)).await
}

fn change(old: &str, new: &str) -> Value {
    json!({"old_password": old, "new_password": new})
}

async fn an_expiring_password_warns_and_its_change_may_be_skipped(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    expiring_passwords(&server, &t).await;
    let (app, user_id) = sdk::app_and_user(&server, &t, "warned", "13900000031").await;
    let device = Device::new("fp-warned", &app.client_id);

    let reply = sdk::login(&server, &device, "warned", PASSWORD).await;
    let warn = sdk::state_token(&reply, "PASSWORD_WARN");
    assert_eq!(reply.body["data"]["days_left"], 1, "{}", reply.text);
    assert!(warn.starts_with("eyJ"));
    let claims = sdk::claims(&warn);
    assert_eq!(claims["sub"], user_id);
    assert_eq!(claims["challenge"], "PASSWORD_WARN");
    assert_eq!(claims["aud"], app.client_id);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        300
    );

    // The token is refused without it, by the MFA endpoints, by another client or device.
    sdk::send(&server, Method::GET, SKIP, &device.headers(&[]), None)
        .await
        .assert_error("PARAM.0013");
    get(&server, &device, MOBILE, &warn)
        .await
        .assert_error("PARAM.0014");
    post(&server, &device, TOTP, &warn, json!({"code": "123456"}))
        .await
        .assert_error("PARAM.0014");
    let other_app = sso::register(&server, &t, "Other", json!({})).await;
    let other_client = Device::new("fp-warned", &other_app.client_id);
    get(&server, &other_client, SKIP, &warn)
        .await
        .assert_error("PARAM.0014");
    let other_device = Device::new("fp-elsewhere", &app.client_id);
    get(&server, &other_device, SKIP, &warn)
        .await
        .assert_error("PARAM.0014");
    get(&server, &device, SKIP, "not-a-token")
        .await
        .assert_error("PARAM.0014");
    let zh = get(&server, &device.chinese(), SKIP, "not-a-token").await;
    assert_eq!(zh.body["error_msg"], "临时令牌无效");

    let skipped = get(&server, &device, SKIP, &warn).await;
    let body = sdk::assert_status(&skipped, "SUCCESS");
    assert!(body["session_token"].is_string() && body["id_token"].is_string());
    // A step is passed once.
    get(&server, &device, SKIP, &warn)
        .await
        .assert_error("PARAM.0014");

    // The change may be made instead of skipped.
    let reply = sdk::login(&server, &device, "warned", PASSWORD).await;
    let warn = sdk::state_token(&reply, "PASSWORD_WARN");
    let changed = post(
        &server,
        &device,
        UPDATE,
        &warn,
        change(PASSWORD, "Changed#2024x"),
    )
    .await;
    sdk::assert_status(&changed, "SUCCESS");
    let events = sdk::stored_text(&server).await;
    assert!(!events.contains(&warn), "state tokens are not stored");
    for expected in [
        "\"by\":\"skip\"",
        "\"by\":\"password_change\"",
        "PASSWORD_WARN",
    ] {
        assert!(events.contains(expected), "{expected}");
    }
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn an_expired_password_must_be_changed_under_the_policy(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (app, user_id) = sdk::app_and_user(&server, &t, "expired", "13900000032").await;
    server
        .client
        .put(
            &format!("/api/v2/tenant/users/{user_id}/change-password"),
            &t,
            json!({"password": "Admin#Set2024", "pwd_must_modify": true}),
        )
        .await
        .assert_status(200);
    let device = Device::new("fp-expired", &app.client_id);
    let reply = sdk::login(&server, &device, "expired", "Admin#Set2024").await;
    let expired = sdk::state_token(&reply, "PASSWORD_EXPIRED");
    assert!(reply.body.get("data").is_none());
    // An expired password cannot be skipped.
    get(&server, &device, SKIP, &expired)
        .await
        .assert_error("PARAM.0014");
    // A forged token naming another challenge, or an expired one, is refused even when signed by
    // the tenant's key.
    let mut claims = sdk::claims(&expired);
    claims["challenge"] = json!("PASSWORD_WARN");
    let forged = sdk::resign(&server, &claims).await;
    get(&server, &device, SKIP, &forged)
        .await
        .assert_error("PARAM.0014");
    let mut claims = sdk::claims(&expired);
    claims["exp"] = json!(claims["iat"].as_i64().unwrap() - 1);
    let stale = sdk::resign(&server, &claims).await;
    post(
        &server,
        &device,
        UPDATE,
        &stale,
        change("Admin#Set2024", "Changed#2024x"),
    )
    .await
    .assert_error("PARAM.0014");
    let last = if expired.ends_with('A') { "B" } else { "A" };
    let tampered = format!("{}{last}", &expired[..expired.len() - 1]);
    post(
        &server,
        &device,
        UPDATE,
        &tampered,
        change("Admin#Set2024", "Changed#2024x"),
    )
    .await
    .assert_error("PARAM.0014");

    // The password policy and the old password.
    for (body, code) in [
        (json!({"new_password": "Changed#2024x"}), "PARAM.0018"),
        (json!({"old_password": "Admin#Set2024"}), "PARAM.0019"),
        (change("Admin#Set2024", "Admin#Set2024"), "PARAM.0020"),
        (change("Wrong#Old2024", "Changed#2024x"), "PARAM.0028"),
        (change("Admin#Set2024", "abc"), "PWD.0007"),
    ] {
        post(&server, &device, UPDATE, &expired, body)
            .await
            .assert_error(code);
    }
    let changed = post(
        &server,
        &device,
        UPDATE,
        &expired,
        change("Admin#Set2024", "Changed#2024x"),
    )
    .await;
    sdk::assert_status(&changed, "SUCCESS");
    // The new password works and nothing is due any more.
    let again = sdk::login(&server, &device, "expired", "Changed#2024x").await;
    sdk::assert_status(&again, "SUCCESS");
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn the_second_factor_is_a_totp_code_or_an_sms_code(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (app, _) = sdk::app_and_user(&server, &t, "twofactor", "13900000033").await;
    let secret = sdk::enrol_totp(&server, "twofactor").await;
    let device = Device::new("fp-2fa", &app.client_id);

    // TOTP.
    let reply = sdk::login(&server, &device, "twofactor", PASSWORD).await;
    let mfa = sdk::state_token(&reply, "MFA_AUTH");
    assert_eq!(reply.body["data"]["factors"], json!(["totp", "sms"]));
    get(&server, &device, SKIP, &mfa)
        .await
        .assert_error("PARAM.0014");
    post(
        &server,
        &device,
        UPDATE,
        &mfa,
        change(PASSWORD, "Changed#2024x"),
    )
    .await
    .assert_error("PARAM.0014");
    post(&server, &device, TOTP, &mfa, json!({}))
        .await
        .assert_error("PARAM.0009");
    post(&server, &device, TOTP, &mfa, json!({"code": "000000"}))
        .await
        .assert_error("CAPTCHA.0007");
    let passed = post(
        &server,
        &device,
        TOTP,
        &mfa,
        json!({"code": sdk::totp_code(&secret, 1)}),
    )
    .await;
    let body = sdk::assert_status(&passed, "SUCCESS");
    assert_eq!(
        sdk::claims(body["id_token"].as_str().unwrap())["amr"],
        json!(["pwd", "otp"])
    );

    // SMS: the code goes to the user's number, shown masked.
    let reply = sdk::login(&server, &device, "twofactor", PASSWORD).await;
    let mfa = sdk::state_token(&reply, "MFA_AUTH");
    let mobile = get(&server, &device, MOBILE, &mfa).await;
    assert_eq!(mobile.assert_status(200)["mobile"], "139****0033");
    let code = server
        .sms
        .last_code_to("13900000033")
        .expect("an SMS was sent");
    assert_eq!(code.len(), 6);
    let sms = |mobile: &str, code: &str| json!({"mobile": mobile, "code": code});
    post(
        &server,
        &device,
        SMS,
        &mfa,
        json!({"mobile": "13900000033"}),
    )
    .await
    .assert_error("PARAM.0009");
    post(&server, &device, SMS, &mfa, sms("13900000099", &code))
        .await
        .assert_error("MOBILE.0002");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    post(&server, &device, SMS, &mfa, sms("13900000033", wrong))
        .await
        .assert_error("CAPTCHA.0007");
    let passed = post(&server, &device, SMS, &mfa, sms("139****0033", &code)).await;
    let body = sdk::assert_status(&passed, "SUCCESS");
    assert_eq!(
        sdk::claims(body["id_token"].as_str().unwrap())["amr"],
        json!(["pwd", "sms"])
    );
    // The code and the token are spent.
    post(&server, &device, SMS, &mfa, sms("13900000033", &code))
        .await
        .assert_error("PARAM.0014");

    // A new login's code replaces nothing of the old: each login has its own codes.
    let reply = sdk::login(&server, &device, "twofactor", PASSWORD).await;
    let mfa = sdk::state_token(&reply, "MFA_AUTH");
    post(&server, &device, SMS, &mfa, sms("13900000033", &code))
        .await
        .assert_error("CAPTCHA.0007");
    for _ in 0..5 {
        get(&server, &device, MOBILE, &mfa).await.assert_status(200);
    }
    get(&server, &device, MOBILE, &mfa)
        .await
        .assert_error("CAPTCHA.0006");
    assert_eq!(server.sms.count_to("13900000033"), 6);

    let stored = sdk::stored_text(&server).await;
    assert!(
        !stored.contains(&format!("\"{code}\"")),
        "SMS codes are stored hashed"
    );
    let events = sdk::event_types(&server).await;
    for expected in [
        "sms_code.sent",
        "sms_code.rejected",
        "sms_code.used",
        "totp.verified",
    ] {
        assert!(
            events.iter().any(|e| e == expected),
            "{expected}: {events:?}"
        );
    }
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn a_user_without_a_mobile_number_has_only_totp(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let app = sso::register(&server, &t, "NoMobile", json!({})).await;
    let settings = server.client.get("/admin/v1/tenant/settings", &t).await;
    let mut rules = settings.body["user_attributes"].clone();
    rules["mobile"] = json!({"required": false, "unique": true});
    server
        .client
        .put("/admin/v1/tenant/settings/user-attributes", &t, rules)
        .await
        .assert_status(200);
    let created = server
        .client
        .post(
            "/api/v2/tenant/users",
            &t,
            json!({"user_name": "nomobile", "name": "No Mobile", "password": PASSWORD,
                   "pwd_must_modify": false}),
        )
        .await;
    let user_id = created.assert_status(201)["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    sso::account(&server, &t, &app, &user_id, "nomobile").await;
    sdk::enrol_totp(&server, "nomobile").await;
    let device = Device::new("fp-nomobile", &app.client_id);
    let reply = sdk::login(&server, &device, "nomobile", PASSWORD).await;
    let mfa = sdk::state_token(&reply, "MFA_AUTH");
    assert_eq!(reply.body["data"]["factors"], json!(["totp"]));
    get(&server, &device, MOBILE, &mfa)
        .await
        .assert_error("MOBILE.0002");
    post(
        &server,
        &device,
        SMS,
        &mfa,
        json!({"mobile": "13900000034", "code": "123456"}),
    )
    .await
    .assert_error("MOBILE.0002");
    server.finish().await;
}

async fn challenges_chain_password_first_then_the_second_factor(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (app, _) = sdk::app_and_user(&server, &t, "chained", "13900000035").await;
    // Enrolled on the hosted pages before the password policy makes the password expire soon.
    let secret = sdk::enrol_totp(&server, "chained").await;
    expiring_passwords(&server, &t).await;
    let device = Device::new("fp-chained", &app.client_id);

    // WARN → skip → MFA_AUTH → SMS → SUCCESS.
    let reply = sdk::login(&server, &device, "chained", PASSWORD).await;
    let warn = sdk::state_token(&reply, "PASSWORD_WARN");
    let skipped = get(&server, &device, SKIP, &warn).await;
    let mfa = sdk::state_token(&skipped, "MFA_AUTH");
    assert_ne!(mfa, warn);
    assert_eq!(
        sdk::claims(&mfa)["jti"],
        sdk::claims(&warn)["jti"],
        "one login, two steps"
    );
    get(&server, &device, SKIP, &mfa)
        .await
        .assert_error("PARAM.0014");
    get(&server, &device, MOBILE, &mfa).await.assert_status(200);
    let code = server.sms.last_code_to("13900000035").unwrap();
    let done = post(
        &server,
        &device,
        SMS,
        &mfa,
        json!({"mobile": "13900000035", "code": code}),
    )
    .await;
    sdk::assert_status(&done, "SUCCESS");

    // WARN → change → MFA_AUTH → TOTP → SUCCESS.
    let reply = sdk::login(&server, &device, "chained", PASSWORD).await;
    let warn = sdk::state_token(&reply, "PASSWORD_WARN");
    let changed = post(
        &server,
        &device,
        UPDATE,
        &warn,
        change(PASSWORD, "Changed#2024x"),
    )
    .await;
    let mfa = sdk::state_token(&changed, "MFA_AUTH");
    let done = post(
        &server,
        &device,
        TOTP,
        &mfa,
        json!({"code": sdk::totp_code(&secret, 1)}),
    )
    .await;
    sdk::assert_status(&done, "SUCCESS");
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(
    an_expiring_password_warns_and_its_change_may_be_skipped,
    an_expired_password_must_be_changed_under_the_policy,
    the_second_factor_is_a_totp_code_or_an_sms_code,
    a_user_without_a_mobile_number_has_only_totp,
    challenges_chain_password_first_then_the_second_factor,
);
