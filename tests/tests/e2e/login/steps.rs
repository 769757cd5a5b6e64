//! The hosted login's steps after the password: TOTP enrolment and verification, the CAPTCHA after
//! repeated failures, the forced password change, and the expiry warning that may be skipped.

use domain::totp;
use idaas_tests::sso::{self, Browser, Hop, PASSWORD};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::StatusCode;
use serde_json::json;

const REDIRECT: &str = "https://app.example.com/cb";

fn authorize_url(client_id: &str) -> String {
    format!("/api/v1/oauth2/authorize?response_type=code&client_id={client_id}&redirect_uri={REDIRECT}&state=s1&scope=openid")
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn secret_on(page: &Hop) -> Vec<u8> {
    let start = page.text.find("<code>").expect("secret shown") + "<code>".len();
    let end = page.text[start..].find("</code>").unwrap() + start;
    totp::from_base32(&page.text[start..end]).expect("base32 secret")
}

async fn a_user_enrols_totp_and_then_signs_in_with_password_and_code(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let app = sso::register(&server, &t, "Portal", json!({"redirect_uris": [REDIRECT]})).await;
    let user_id = sso::user(&server, &t, "totpuser", "13900000011").await;
    sso::account(&server, &t, &app, &user_id, "totpuser").await;

    // Sign in with the password alone, then enrol a second factor.
    let browser = Browser::new(&server);
    let landed = browser
        .authorize(&authorize_url(&app.client_id), "totpuser", PASSWORD)
        .await;
    assert!(landed.location.unwrap().starts_with(REDIRECT));
    let enroll = browser.get("/api/v1/login/otp/enroll").await;
    assert_eq!(enroll.status, StatusCode::OK, "{}", enroll.text);
    let secret = secret_on(&enroll);
    let csrf = enroll.hidden("csrf").unwrap();
    let wrong = browser
        .post(
            "/api/v1/login/otp/enroll",
            &[("code", "000000"), ("csrf", &csrf)],
        )
        .await;
    assert!(
        wrong.text.contains("Incorrect verification code"),
        "{}",
        wrong.text
    );
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

    // A new browser: the password leads to the code page, not to the client.
    let browser = Browser::new(&server);
    let page = browser
        .follow(browser.get(&authorize_url(&app.client_id)).await)
        .await;
    let after_password = browser.sign_in(&page, "totpuser", PASSWORD).await;
    assert_eq!(
        after_password.location.as_deref(),
        Some("/api/v1/login/otp")
    );
    assert!(
        browser.cookie("idaas_session").is_none(),
        "no session before the second factor"
    );
    let otp_page = browser.get("/api/v1/login/otp").await;
    let csrf = otp_page.hidden("csrf").expect(&otp_page.text);
    // The enrolment's code cannot be used again, and a wrong code is refused.
    let replayed = browser
        .post("/api/v1/login/otp", &[("code", &code), ("csrf", &csrf)])
        .await;
    assert_eq!(replayed.status, StatusCode::OK);
    assert!(replayed.text.contains("Incorrect verification code"));
    let next = totp::code_at(&secret, totp::step_of(now_ms()) + 1);
    let passed = browser
        .post("/api/v1/login/otp", &[("code", &next), ("csrf", &csrf)])
        .await;
    assert!(browser.cookie("idaas_session").is_some());
    let landed = browser.follow(passed).await;
    assert!(landed.location.as_deref().unwrap().starts_with(REDIRECT));
    assert!(landed.param("code").is_some(), "the client gets its code");

    let events = event_types(&server).await;
    for expected in [
        "totp.enrolled",
        "totp.verified",
        "login.failed",
        "sso_session.started",
    ] {
        assert!(
            events.iter().any(|e| e == expected),
            "{expected} in {events:?}"
        );
    }
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn event_types(server: &TestServer) -> Vec<String> {
    sqlx::query_scalar::<_, String>("SELECT event_type FROM events ORDER BY position")
        .fetch_all(&server.store().database().pool)
        .await
        .unwrap()
}

async fn repeated_failures_bring_a_captcha_that_must_be_answered(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    sso::user(&server, &t, "capuser", "13900000012").await;
    let browser = Browser::new(&server);
    let mut page = browser.get("/api/v1/login").await;
    for _ in 0..2 {
        page = browser.sign_in(&page, "capuser", "Wrong#Pass1").await;
        assert!(
            page.text.contains("Invalid account name or password"),
            "{}",
            page.text
        );
    }
    assert!(
        page.text.contains("data:image/png;base64,"),
        "a captcha after two failures"
    );
    // Without the captcha answer even the right password is refused.
    let refused = browser.sign_in(&page, "capuser", PASSWORD).await;
    assert!(
        refused.text.contains("Invalid CAPTCHA code"),
        "{}",
        refused.text
    );
    assert!(browser.cookie("idaas_session").is_none());
    // A wrong answer is refused too, and the challenge cannot be retried.
    let captcha_id = refused.hidden("captcha_id").expect("a new captcha");
    let csrf = refused.hidden("csrf").unwrap();
    let wrong = browser
        .post(
            "/api/v1/login/form",
            &[
                ("username", "capuser"),
                ("password", PASSWORD),
                ("csrf", &csrf),
                ("captcha_id", &captcha_id),
                ("captcha", "99999x"),
            ],
        )
        .await;
    assert!(wrong.text.contains("Invalid CAPTCHA code"));
    let again = browser
        .post(
            "/api/v1/login/form",
            &[
                ("username", "capuser"),
                ("password", PASSWORD),
                ("csrf", &csrf),
                ("captcha_id", &captcha_id),
                ("captcha", "12345"),
            ],
        )
        .await;
    assert!(
        again.text.contains("Invalid CAPTCHA code"),
        "a captcha is answered once"
    );
    let events = event_types(&server).await;
    // Challenges stay out of the permanent log (ops/adr/0012); the refusals they caused do not.
    assert!(
        !events.iter().any(|e| e.starts_with("captcha.")),
        "{events:?}"
    );
    assert!(events.iter().any(|e| e == "login.failed"));
    server.finish().await;
}

async fn a_forced_password_change_comes_before_the_session(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let user_id = sso::user(&server, &t, "forceduser", "13900000013").await;
    server
        .client
        .put(
            &format!("/api/v2/tenant/users/{user_id}/change-password"),
            &t,
            json!({"password": "Admin#Set2024", "pwd_must_modify": true}),
        )
        .await
        .assert_status(200);
    let browser = Browser::new(&server);
    let page = browser.get("/api/v1/login").await;
    let after = browser.sign_in(&page, "forceduser", "Admin#Set2024").await;
    assert_eq!(after.location.as_deref(), Some("/api/v1/login/password"));
    let form = browser.get("/api/v1/login/password").await;
    assert!(form.text.contains("must be changed"));
    assert!(
        !form.text.contains(r#"name="skip""#),
        "a forced change cannot be skipped"
    );
    let csrf = form.hidden("csrf").unwrap();
    let skipped = browser
        .post(
            "/api/v1/login/password",
            &[("skip", "true"), ("csrf", &csrf)],
        )
        .await;
    assert!(
        browser.cookie("idaas_session").is_none(),
        "{}",
        skipped.text
    );
    let weak = browser
        .post(
            "/api/v1/login/password",
            &[
                ("old_password", "Admin#Set2024"),
                ("new_password", "abc"),
                ("confirm_password", "abc"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert!(weak.text.contains("Password must be"), "{}", weak.text);
    let changed = browser
        .post(
            "/api/v1/login/password",
            &[
                ("old_password", "Admin#Set2024"),
                ("new_password", "Changed#2024x"),
                ("confirm_password", "Changed#2024x"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(changed.location.as_deref(), Some("/api/v1/login"));
    assert!(browser.cookie("idaas_session").is_some());
    // The new password works; the flag is gone.
    let browser = Browser::new(&server);
    let page = browser.get("/api/v1/login").await;
    let after = browser.sign_in(&page, "forceduser", "Changed#2024x").await;
    assert_eq!(after.location.as_deref(), Some("/api/v1/login"));
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn an_expiring_password_is_offered_for_change_and_may_be_skipped(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let settings = server.client.get("/admin/v1/tenant/settings", &t).await;
    let mut policy = settings.body["password_policy"].clone();
    policy["max_age_days"] = json!(1);
    policy["expiry_warning_days"] = json!(7);
    server
        .client
        .put("/admin/v1/tenant/settings/password-policy", &t, policy)
        .await
        .assert_status(200);
    sso::user(&server, &t, "expiring", "13900000014").await;
    let browser = Browser::new(&server);
    let page = browser.get("/api/v1/login").await;
    let after = browser.sign_in(&page, "expiring", PASSWORD).await;
    assert_eq!(after.location.as_deref(), Some("/api/v1/login/password"));
    let form = browser.get("/api/v1/login/password").await;
    assert!(form.text.contains("expires soon"), "{}", form.text);
    let csrf = form.hidden("csrf").unwrap();
    let skipped = browser
        .post(
            "/api/v1/login/password",
            &[("skip", "true"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(skipped.location.as_deref(), Some("/api/v1/login"));
    assert!(browser.cookie("idaas_session").is_some());
    server.finish().await;
}

async fn an_unknown_username_is_answered_exactly_like_a_wrong_password(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    sso::user(&server, &t, "realuser", "13900000015").await;
    let attempt = |name: &'static str| {
        let browser = Browser::new(&server);
        async move {
            let mut texts = Vec::new();
            let mut page = browser.get("/api/v1/login").await;
            for _ in 0..2 {
                page = browser.sign_in(&page, name, "Wrong#Pass1").await;
                let start = page.text.find("role=\"alert\">").unwrap();
                texts.push(page.text[start..start + 80].to_string());
            }
            texts.push(page.text.contains("data:image/png").to_string());
            texts
        }
    };
    let real = attempt("realuser").await;
    let ghost = attempt("ghost-user").await;
    assert_eq!(real, ghost, "the answers do not tell the names apart");
    assert!(real[0].contains("Remaining attempts: 4"), "{real:?}");
    let payloads: Vec<String> =
        sqlx::query_scalar("SELECT payload FROM events WHERE event_type = 'login.failed'")
            .fetch_all(&server.store().database().pool)
            .await
            .unwrap();
    assert!(payloads.iter().any(|p| p.contains("unknown_user")));
    assert!(
        payloads.iter().all(|p| !p.contains("ghost-user")),
        "no name in the record"
    );
    server.finish().await;
}

async fn the_chosen_language_carries_on_to_the_next_step(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let user_id = sso::user(&server, &t, "zhuser", "13900000016").await;
    server
        .client
        .put(
            &format!("/api/v2/tenant/users/{user_id}/change-password"),
            &t,
            json!({"password": "Admin#Set2024", "pwd_must_modify": true}),
        )
        .await
        .assert_status(200);
    let browser = Browser::new(&server);
    let page = browser.get("/api/v1/login?lang=zh").await;
    let csrf = page.hidden("csrf").unwrap();
    let after = browser
        .post(
            "/api/v1/login/form",
            &[
                ("username", "zhuser"),
                ("password", "Admin#Set2024"),
                ("csrf", &csrf),
                ("lang", "zh"),
            ],
        )
        .await;
    let next = after.location.clone().unwrap();
    assert_eq!(next, "/api/v1/login/password?lang=zh");
    let form = browser.get(&next).await;
    assert!(form.text.contains("修改密码"), "{}", form.text);
    assert_eq!(form.hidden("lang").as_deref(), Some("zh"));
    server.finish().await;
}

on_both_engines!(
    the_chosen_language_carries_on_to_the_next_step,
    an_unknown_username_is_answered_exactly_like_a_wrong_password,
    a_user_enrols_totp_and_then_signs_in_with_password_and_code,
    repeated_failures_bring_a_captcha_that_must_be_answered,
    a_forced_password_change_comes_before_the_session,
    an_expiring_password_is_offered_for_change_and_may_be_skipped,
);
