//! The hosted login (specs/oneaccess.md §3.5): the form's CSRF protection, the lockout messages
//! LOGIN.0002 ("Remaining attempts: {n}") and LOGIN.0001 under the tenant's lockout settings, the
//! forced password change before the session starts, resuming only local paths, and no sign-in to
//! an application the user has no account in.

use idaas_tests::oauth;
use idaas_tests::sso::{self, Browser, PASSWORD};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::StatusCode;
use serde_json::json;

const CB: &str = "https://oa.example.com/cb";
const ERP: &str = "https://erp.example.com/cb";
const SESSION: &str = "idaas_session";
const CSRF: &str = "idaas_csrf";

async fn the_login_form_refuses_posts_without_its_csrf_value(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    sso::user(&server, &t, "csrfuser", "13300000001").await;
    let browser = Browser::new(&server);
    let page = browser.get("/api/v1/login").await;
    let csrf = page.hidden("csrf").expect("a csrf field");
    assert_eq!(
        browser.cookie(CSRF).as_deref(),
        Some(csrf.as_str()),
        "double-submit cookie"
    );
    let other = "A".repeat(32);
    for form in [
        vec![("username", "csrfuser"), ("password", PASSWORD)],
        vec![
            ("username", "csrfuser"),
            ("password", PASSWORD),
            ("csrf", other.as_str()),
        ],
        vec![
            ("username", "csrfuser"),
            ("password", PASSWORD),
            ("csrf", ""),
        ],
    ] {
        let hop = browser.post("/api/v1/login/form", &form).await;
        assert_eq!(hop.status, StatusCode::FORBIDDEN, "{form:?}");
        assert_eq!(browser.cookie(SESSION), None, "{form:?}: no session");
    }
    // A page's value without its cookie (another site's form) is refused too.
    let cross_site = Browser::new(&server);
    let hop = cross_site
        .post(
            "/api/v1/login/form",
            &[
                ("username", "csrfuser"),
                ("password", PASSWORD),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(
        (hop.status, cross_site.cookie(SESSION)),
        (StatusCode::FORBIDDEN, None)
    );
    let hop = browser.sign_in(&page, "csrfuser", PASSWORD).await;
    assert_eq!(
        (hop.status, hop.location.as_deref()),
        (StatusCode::FOUND, Some("/api/v1/login"))
    );
    assert!(browser.cookie(SESSION).is_some());
    server.finish().await;
}

async fn repeated_wrong_passwords_lock_the_account_with_the_documented_messages(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    // Two: from the second consecutive failure on, a CAPTCHA comes before the password is tried
    // (login_steps.rs), and unanswered CAPTCHAs do not count towards a lock.
    server
        .client
        .put(
            "/admin/v1/tenant/settings/lockout",
            &t,
            json!({"max_failures": 2, "lock_minutes": 10}),
        )
        .await
        .assert_status(200);
    let (app, _) = oauth::app_with_user(
        &server,
        "OA",
        json!({"redirect_uris": [CB]}),
        "locky",
        "13300000002",
    )
    .await;
    let browser = Browser::new(&server);
    let url = oauth::authorize_url(&app, &[("response_type", "code"), ("redirect_uri", CB)]);
    let page = browser.follow(browser.get(&url).await).await;
    let wrong = browser.sign_in(&page, "locky", "Wrong#1").await;
    assert!(
        wrong
            .text
            .contains("Invalid account name or password. Remaining attempts: 1"),
        "{}",
        wrong.text
    );
    assert!(
        wrong.hidden("return_to").is_some(),
        "the form keeps the request to resume"
    );
    // A success clears the count.
    let fine = browser
        .follow(browser.sign_in(&wrong, "locky", PASSWORD).await)
        .await;
    oauth::landed_code(&fine, CB);
    browser.logout("/api/v1/logout").await;
    let mut last = browser.follow(browser.get(&url).await).await;
    for remaining in [1] {
        last = browser.sign_in(&last, "locky", "Wrong#2").await;
        assert!(
            last.text
                .contains(&format!("Remaining attempts: {remaining}")),
            "{}",
            last.text
        );
    }
    last = browser.sign_in(&last, "locky", "Wrong#3").await;
    let locked = "User has been locked due to multiple login failures. It will be unlocked in";
    assert!(last.text.contains(locked), "LOGIN.0001: {}", last.text);
    assert!(last.text.contains("minutes and"), "{}", last.text);
    // Locked: the right password does not help, and no session starts.
    let refused = browser.sign_in(&last, "locky", PASSWORD).await;
    assert!(refused.text.contains(locked), "{}", refused.text);
    assert_eq!(browser.cookie(SESSION), None);
    // An unknown user hears the same as a known one would (no username probing).
    let unknown = browser.sign_in(&refused, "nobody-here", "Wrong#4").await;
    assert!(
        unknown.text.contains("Remaining attempts: 1"),
        "{}",
        unknown.text
    );
    // The Chinese message.
    let zh_page = browser.get("/api/v1/login?lang=zh").await;
    let csrf = zh_page.hidden("csrf").unwrap();
    let fields = [
        ("username", "locky"),
        ("password", "Wrong#5"),
        ("lang", "zh"),
        ("csrf", csrf.as_str()),
    ];
    let zh_refused = browser.post("/api/v1/login/form", &fields).await;
    assert!(
        zh_refused.text.contains("由于多次登录失败，用户已被锁定"),
        "{}",
        zh_refused.text
    );
    let failed = oauth::event_types(&server)
        .await
        .iter()
        .filter(|e| *e == "login.failed")
        .count();
    assert!(
        failed >= 5,
        "every refusal of a known user is recorded: {failed}"
    );
    server.assert_replay_identical().await;
    server.finish().await;
}

fn sso_encode(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)]).unwrap()[2..].to_string()
}

async fn a_forced_password_change_comes_before_the_session(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    let app = sso::register(&server, &t, "OA", json!({"redirect_uris": [CB]})).await;
    let created = server
        .client
        .post("/api/v2/tenant/users", &t, json!({"user_name": "newbie", "mobile": "13300000003", "password": PASSWORD, "pwd_must_modify": true}))
        .await;
    let user_id = created.assert_status(201)["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    sso::account(&server, &t, &app, &user_id, "newbie").await;
    let browser = Browser::new(&server);
    let url = oauth::authorize_url(
        &app,
        &[
            ("response_type", "code"),
            ("redirect_uri", CB),
            ("state", "keep"),
        ],
    );
    let page = browser.follow(browser.get(&url).await).await;
    let hop = browser.sign_in(&page, "newbie", PASSWORD).await;
    assert_eq!(hop.location.as_deref(), Some("/api/v1/login/password"));
    assert_eq!(
        browser.cookie(SESSION),
        None,
        "no session before the change"
    );
    let form = browser.get("/api/v1/login/password").await;
    let csrf = form.hidden("csrf").expect("the change form");
    let new = "Changed#Pass2025";
    let change = |old: &'static str, new: &'static str, confirm: &'static str| {
        let browser = &browser;
        let csrf = csrf.clone();
        async move {
            browser
                .post(
                    "/api/v1/login/password",
                    &[
                        ("old_password", old),
                        ("new_password", new),
                        ("confirm_password", confirm),
                        ("csrf", &csrf),
                    ],
                )
                .await
        }
    };
    let mismatch = change(PASSWORD, new, "Other#Pass2025").await;
    assert!(
        mismatch.text.contains("The new passwords do not match."),
        "{}",
        mismatch.text
    );
    let wrong_old = change("Wrong#Old2024", new, new).await;
    assert_eq!(
        (wrong_old.status, browser.cookie(SESSION)),
        (StatusCode::OK, None),
        "{}",
        wrong_old.text
    );
    let done = change(PASSWORD, new, new).await;
    assert!(browser.cookie(SESSION).is_some());
    let landed = browser.follow(done).await;
    oauth::landed_code(&landed, CB);
    assert_eq!(
        landed.param("state").as_deref(),
        Some("keep"),
        "the original request resumed"
    );
    // The old password is gone, the new one works and asks for nothing more.
    let other = Browser::new(&server);
    let page = other.get("/api/v1/login").await;
    assert!(other
        .sign_in(&page, "newbie", PASSWORD)
        .await
        .text
        .contains("Remaining attempts"));
    let page = other.get("/api/v1/login").await;
    assert_eq!(
        other
            .sign_in(&page, "newbie", new)
            .await
            .location
            .as_deref(),
        Some("/api/v1/login")
    );
    server.finish().await;
}

async fn the_login_page_resumes_only_paths_on_this_server(engine: Engine) {
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    sso::user(&server, &t, "resumer", "13300000004").await;
    for target in [
        "https://evil.example.com/",
        "//evil.example.com/",
        "/\\evil.example.com",
    ] {
        let browser = Browser::new(&server);
        let page = browser
            .get(&format!("/api/v1/login?return_to={}", sso_encode(target)))
            .await;
        let hop = browser.sign_in(&page, "resumer", PASSWORD).await;
        assert_eq!(hop.location.as_deref(), Some("/api/v1/login"), "{target}");
        let signed_in = browser
            .get(&format!("/api/v1/login?return_to={}", sso_encode(target)))
            .await;
        assert_eq!(
            (signed_in.status, signed_in.location),
            (StatusCode::OK, None),
            "{target}"
        );
    }
    server.finish().await;
}

async fn a_user_without_an_account_in_the_application_cannot_sign_in_to_it(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (app, _) = oauth::app_with_user(
        &server,
        "ERP",
        json!({"redirect_uris": [ERP]}),
        "member",
        "13500000004",
    )
    .await;
    let t = server.token().await;
    let outsider_id = sso::user(&server, &t, "outsider", "13500000005").await;
    let (portal, _) = oauth::app_with_user(
        &server,
        "Portal",
        json!({"redirect_uris": ["https://portal.example.com/cb"]}),
        "other",
        "13500000006",
    )
    .await;
    sso::account(&server, &t, &portal, &outsider_id, "outsider").await;
    let url = oauth::authorize_url(
        &app,
        &[
            ("response_type", "code"),
            ("redirect_uri", ERP),
            ("state", "s"),
        ],
    );
    let browser = Browser::new(&server);
    let page = browser.follow(browser.get(&url).await).await;
    let refused = browser.sign_in(&page, "outsider", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(
        refused
            .text
            .contains("You have no account in this application"),
        "{}",
        refused.text
    );
    assert_eq!(browser.cookie("idaas_session"), None, "no session");
    // Signed in through another application, the user still gets no code here.
    oauth::code(
        &browser,
        &portal,
        "https://portal.example.com/cb",
        &[],
        "outsider",
    )
    .await;
    let hop = browser.get(&url).await;
    assert_eq!(
        (hop.param("error").as_deref(), hop.param("state").as_deref()),
        (Some("access_denied"), Some("s"))
    );
    assert!(oauth::event_types(&server)
        .await
        .iter()
        .any(|e| e == "login.failed"));
    server.finish().await;
}

on_both_engines!(
    the_login_form_refuses_posts_without_its_csrf_value,
    repeated_wrong_passwords_lock_the_account_with_the_documented_messages,
    a_forced_password_change_comes_before_the_session,
    the_login_page_resumes_only_paths_on_this_server,
    a_user_without_an_account_in_the_application_cannot_sign_in_to_it,
);
