//! What an SDK session token is good for (seed 002 A8–A10): one-time sso_tickets for the
//! application's server, bound to the login's device, and the user's own profile change.

use idaas_tests::sdk::{self, Device};
use idaas_tests::sso::{self, PASSWORD};
use idaas_tests::{on_both_engines, Engine, Reply, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

const TICKET: &str = "/api/v2/tenant/sso/session-token/sso-ticket";
const VERIFY: &str = "/api/v2/tenant/sso/sso-ticket/verify";
const PROFILE: &str = "/api/v2/sdk/profile/update";

async fn session_token(server: &TestServer, device: &Device, user_name: &str) -> String {
    let reply = sdk::login(server, device, user_name, PASSWORD).await;
    sdk::assert_status(&reply, "SUCCESS")["session_token"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn sso_tickets_are_single_use_and_bound_to_the_login_device(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (app, user_id) = sdk::app_and_user(&server, &t, "ticketed", "13900000041").await;
    let device = Device::new("fp-ticket", &app.client_id);
    let elsewhere = Device::new("fp-elsewhere", &app.client_id);
    let session = session_token(&server, &device, "ticketed").await;
    let c = &server.client;

    // Minting: a bearer token, the session token and the login's device are needed.
    let minted = c
        .send(
            Method::POST,
            TICKET,
            None,
            Some(&device.body(json!({"session_token": session}))),
            &[],
        )
        .await;
    assert_eq!(minted.status.as_u16(), 401, "{}", minted.text);
    c.post(TICKET, &t, device.body(json!({})))
        .await
        .assert_error("PARAM.0030");
    c.post(TICKET, &t, device.body(json!({"session_token": "nope"})))
        .await
        .assert_error("PARAM.0030");
    c.post(
        TICKET,
        &t,
        elsewhere.body(json!({"session_token": session})),
    )
    .await
    .assert_error("PARAM.0030");
    for missing in ["operating_sys_version", "device_ip", "device_fingerprint"] {
        let mut body = device.body(json!({"session_token": session}));
        body.as_object_mut().unwrap().remove(missing);
        c.post(TICKET, &t, body).await.assert_error("PARAM.0001");
    }
    let mut no_agent = device.body(json!({"session_token": session}));
    no_agent.as_object_mut().unwrap().remove("agent");
    let minted = c.post(TICKET, &t, no_agent).await;
    let body = minted.assert_status(200).clone();
    assert_eq!(body["expire"], 300);
    let ticket = body["sso_ticket"].as_str().unwrap().to_string();

    // Redeeming: once, from the login's device.
    c.post(VERIFY, &t, device.body(json!({})))
        .await
        .assert_error("PARAM.0031");
    c.post(VERIFY, &t, device.body(json!({"sso_ticket": "nope"})))
        .await
        .assert_error("PARAM.0032");
    c.post(VERIFY, &t, elsewhere.body(json!({"sso_ticket": ticket})))
        .await
        .assert_error("PARAM.0032");
    let mut no_ip = device.body(json!({"sso_ticket": ticket}));
    no_ip.as_object_mut().unwrap().remove("device_ip");
    c.post(VERIFY, &t, no_ip).await.assert_error("PARAM.0001");
    let verified = c
        .post(VERIFY, &t, device.body(json!({"sso_ticket": ticket})))
        .await;
    assert_eq!(
        verified.assert_status(200),
        &json!({"code": "0", "message": "success", "data": {"user": {
            "userName": "ticketed", "id": user_id, "name": "ticketed name",
            "mobile": "13900000041", "email": "ticketed@example.com"}}})
    );
    c.post(VERIFY, &t, device.body(json!({"sso_ticket": ticket})))
        .await
        .assert_error("PARAM.0032");
    let zh = c
        .send(
            Method::POST,
            VERIFY,
            Some(&t),
            Some(&device.body(json!({"sso_ticket": ticket}))),
            &[("X-L", "zh")],
        )
        .await;
    assert_eq!(zh.body["error_msg"], "一次性令牌无效或已过期");

    // A ticket for a named application: the user must hold an account in it.
    let with_client =
        |client_id: &str| device.body(json!({"session_token": session, "client_id": client_id}));
    let other = sso::register(&server, &t, "Other", json!({})).await;
    c.post(TICKET, &t, with_client(&other.client_id))
        .await
        .assert_error("APP_ACCOUNT.0001");
    c.post(TICKET, &t, with_client("no-such-client"))
        .await
        .assert_error("APP.0001");
    let named = c.post(TICKET, &t, with_client(&app.client_id)).await;
    let named = named.assert_status(200)["sso_ticket"]
        .as_str()
        .unwrap()
        .to_string();
    let verified = c
        .post(VERIFY, &t, device.body(json!({"sso_ticket": named})))
        .await;
    assert_eq!(verified.assert_status(200)["data"]["user"]["id"], user_id);

    let stored = sdk::stored_text(&server).await;
    assert!(!stored.contains(&ticket) && !stored.contains(&named) && !stored.contains(&session));
    let events = sdk::event_types(&server).await;
    assert_eq!(
        events.iter().filter(|e| *e == "sso_ticket.issued").count(),
        2
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| *e == "sso_ticket.redeemed")
            .count(),
        2
    );
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn profile(server: &TestServer, device: &Device, session: &str, body: Value) -> Reply {
    let headers = device.headers(&[("X-session-token", session)]);
    sdk::send(server, Method::POST, PROFILE, &headers, Some(body)).await
}

async fn the_user_changes_their_profile_with_the_session_token(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let (app, user_id) = sdk::app_and_user(&server, &t, "profiled", "13900000042").await;
    let device = Device::new("fp-profile", &app.client_id);
    let session = session_token(&server, &device, "profiled").await;

    let changed = profile(
        &server,
        &device,
        &session,
        json!({"name": "New Name", "attr_nick_name": "nick", "mobile": "13900000042"}),
    )
    .await;
    assert_eq!(changed.assert_status(200), &json!({"user_id": user_id}));
    let user = server
        .client
        .get(&format!("/api/v2/tenant/users/{user_id}"), &t)
        .await;
    assert_eq!(user.body["name"], "New Name");
    assert_eq!(user.body["mobile"], "13900000042");

    // The password, another mobile number or email, and administrative attributes are refused.
    for body in [
        json!({"password": "Other#Pass2024"}),
        json!({"mobile": "13900000099"}),
        json!({"email": "other@example.com"}),
        json!({"org_code": "root"}),
        json!({"employee_id": "E1"}),
    ] {
        profile(&server, &device, &session, body)
            .await
            .assert_error("PARAM.0000");
    }
    profile(&server, &device, &session, json!({"name": ""}))
        .await
        .assert_status(200);
    profile(
        &server,
        &device,
        &session,
        json!({"user_name": "bad name!"}),
    )
    .await
    .assert_error("USER.0036");

    // The session token, from its device only.
    profile(&server, &device, "", json!({"name": "X"}))
        .await
        .assert_error("PARAM.0030");
    profile(&server, &device, "nope", json!({"name": "X"}))
        .await
        .assert_error("PARAM.0030");
    let elsewhere = Device::new("fp-elsewhere", &app.client_id);
    profile(&server, &elsewhere, &session, json!({"name": "X"}))
        .await
        .assert_error("PARAM.0030");
    let headers: Vec<_> = device
        .headers(&[("X-session-token", &session)])
        .into_iter()
        .filter(|(k, _)| k != "X-agent")
        .collect();
    sdk::send(
        &server,
        Method::POST,
        PROFILE,
        &headers,
        Some(json!({"name": "X"})),
    )
    .await
    .assert_error("PARAM.0001");
    let user = server
        .client
        .get(&format!("/api/v2/tenant/users/{user_id}"), &t)
        .await;
    assert_eq!(
        user.body["name"], "New Name",
        "nothing changed by the refusals"
    );
    let events: Vec<String> = sqlx::query_scalar(
        "SELECT metadata FROM events WHERE event_type = 'user.updated' ORDER BY position",
    )
    .fetch_all(&server.store().database().pool)
    .await
    .unwrap();
    assert!(
        events.last().unwrap().contains(&user_id),
        "the user is the actor"
    );
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(
    sso_tickets_are_single_use_and_bound_to_the_login_device,
    the_user_changes_their_profile_with_the_session_token,
);
