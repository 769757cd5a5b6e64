//! Who may hold tokens, and what the record keeps: a token of one tenant is worthless at another
//! (RFC 9068 §4: the issuer and keys are the tenant's), a disabled user or application loses its
//! tokens at once, and every issuance is on the audit record while no event carries a token, code
//! or secret (STYLE.md).

use idaas_tests::oauth::{self, Call};
use idaas_tests::sso::{self, Browser, PASSWORD};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::header::{COOKIE, HOST, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::json;

const CB: &str = "https://erp.example.com/cb";
const ACME: &str = "acme.test";

async fn rfc9068_4_a_token_of_one_tenant_is_refused_by_another(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (app, _) = oauth::app_with_user(
        &server,
        "ERP",
        json!({"redirect_uris": [CB]}),
        "ta",
        "13500000001",
    )
    .await;
    let t = server.token().await;
    let c = &server.client;
    let acme = c
        .post(
            "/admin/v1/tenants",
            &t,
            json!({"name": "Acme", "domains": [ACME]}),
        )
        .await;
    let acme = acme.assert_status(201).clone();
    let acme_admin = c
        .token(
            acme["client_id"].as_str().unwrap(),
            acme["client_secret"].as_str().unwrap(),
            Some(ACME),
        )
        .await;
    let body = json!({"name": "Acme ERP", "protocols": {"redirect_uris": [CB]}});
    let created = c
        .send(
            Method::POST,
            "/admin/v1/applications",
            Some(&acme_admin),
            Some(&body),
            &[("host", ACME)],
        )
        .await;
    let acme_app = sso::SsoApp {
        application_id: created.body["application_id"].as_str().unwrap().to_string(),
        client_id: created.body["client_id"].as_str().unwrap().to_string(),
        client_secret: created.body["client_secret"].as_str().unwrap().to_string(),
    };

    let browser = Browser::new(&server);
    let code = oauth::code(&browser, &app, CB, &[], "ta").await;
    let at_acme =
        |form: Vec<(&'static str, String)>, bearer: Option<String>, path: &'static str| {
            let server = &server;
            async move {
                let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let call = Call {
                    form,
                    bearer: bearer.as_deref(),
                    host: Some(ACME),
                    ..Default::default()
                };
                oauth::call(server, Method::POST, path, call).await
            }
        };
    // The default tenant's client and code mean nothing at Acme.
    let exchange = vec![
        ("grant_type", "authorization_code".to_string()),
        ("code", code.clone()),
        ("client_id", app.client_id.clone()),
        ("client_secret", app.client_secret.clone()),
    ];
    at_acme(exchange, None, oauth::TOKEN)
        .await
        .assert_error(400, "invalid_client");
    let access = oauth::exchange(&server, &app, &code, CB)
        .await
        .str("access_token");
    // Its access token is refused by Acme's userinfo and unknown to Acme's introspection.
    let info = at_acme(vec![], Some(access.clone()), oauth::USERINFO).await;
    assert_eq!(info.status, StatusCode::UNAUTHORIZED, "{}", info.text);
    let introspected = at_acme(
        vec![
            ("client_id", acme_app.client_id.clone()),
            ("client_secret", acme_app.client_secret.clone()),
            ("token", access.clone()),
        ],
        None,
        oauth::INTROSPECT,
    )
    .await;
    assert_eq!(introspected.ok(), &json!({"active": false}));
    assert_eq!(
        oauth::userinfo(&server, &access).await.status,
        StatusCode::OK,
        "still good at home"
    );

    // Neither the client id nor the session cookie crosses over at the authorisation endpoint.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let session = browser.cookie("idaas_session").expect("a session at home");
    let authorize = |client_id: &str| {
        let query = serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", CB),
        ])
        .unwrap();
        http.get(format!(
            "{}/api/v1/oauth2/authorize?{query}",
            server.client.base
        ))
        .header(HOST, ACME)
        .header(COOKIE, format!("idaas_session={session}"))
        .send()
    };
    let foreign = authorize(&app.client_id).await.unwrap();
    assert_eq!(
        (foreign.status(), foreign.headers().get(LOCATION)),
        (StatusCode::BAD_REQUEST, None)
    );
    let own = authorize(&acme_app.client_id).await.unwrap();
    let location = own
        .headers()
        .get(LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        location.starts_with("/api/v1/login?"),
        "Acme asks for its own sign-in: {location}"
    );
    server.finish().await;
}

async fn a_disabled_user_gets_no_tokens_and_loses_those_issued(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (app, user_id) = oauth::app_with_user(
        &server,
        "ERP",
        json!({"redirect_uris": [CB], "refresh_token_lifetime_secs": 3600}),
        "du",
        "13500000002",
    )
    .await;
    let browser = Browser::new(&server);
    let code = oauth::code(&browser, &app, CB, &[], "du").await;
    let tokens = oauth::exchange(&server, &app, &code, CB).await;
    let (access, refresh) = (tokens.str("access_token"), tokens.str("refresh_token"));
    let pending = oauth::code(&browser, &app, CB, &[], "du").await;
    let t = server.token().await;
    server
        .client
        .put(
            &format!("/api/v2/tenant/users/{user_id}/disable"),
            &t,
            json!({}),
        )
        .await
        .assert_status(200);

    oauth::exchange(&server, &app, &pending, CB)
        .await
        .assert_error(400, "invalid_grant");
    assert_eq!(
        oauth::userinfo(&server, &access).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert!(!oauth::active(&server, &app, &access).await);
    oauth::refresh(&server, &app, &refresh)
        .await
        .assert_error(400, "invalid_grant");
    let hop = browser
        .get(&oauth::authorize_url(
            &app,
            &[("response_type", "code"), ("redirect_uri", CB)],
        ))
        .await;
    assert_eq!(
        hop.param("error").as_deref(),
        Some("access_denied"),
        "the live session gives no code"
    );
    let fresh = Browser::new(&server);
    let page = fresh
        .follow(
            fresh
                .get(&oauth::authorize_url(
                    &app,
                    &[("response_type", "code"), ("redirect_uri", CB)],
                ))
                .await,
        )
        .await;
    let refused = fresh.sign_in(&page, "du", PASSWORD).await;
    assert!(
        refused.text.contains("User disabled."),
        "USER.0004: {}",
        refused.text
    );
    assert_eq!(fresh.cookie("idaas_session"), None);
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn a_disabled_application_can_neither_sign_users_in_nor_use_its_tokens(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (app, _) = oauth::app_with_user(
        &server,
        "ERP",
        json!({"redirect_uris": [CB]}),
        "da",
        "13500000003",
    )
    .await;
    let browser = Browser::new(&server);
    let code = oauth::code(&browser, &app, CB, &[], "da").await;
    let access = oauth::exchange(&server, &app, &code, CB)
        .await
        .str("access_token");
    let pending = oauth::code(&browser, &app, CB, &[], "da").await;
    let t = server.token().await;
    server
        .client
        .post(
            &format!("/admin/v1/applications/{}/disable", app.application_id),
            &t,
            json!({}),
        )
        .await
        .assert_status(200);
    let hop = browser
        .get(&oauth::authorize_url(
            &app,
            &[("response_type", "code"), ("redirect_uri", CB)],
        ))
        .await;
    assert_eq!(
        (hop.status, hop.location.as_deref()),
        (StatusCode::FORBIDDEN, None)
    );
    oauth::exchange(&server, &app, &pending, CB)
        .await
        .assert_error(400, "invalid_client");
    assert_eq!(
        oauth::userinfo(&server, &access).await.status,
        StatusCode::UNAUTHORIZED
    );
    server.finish().await;
}

async fn every_issuance_is_audited_and_no_event_holds_a_secret(engine: Engine) {
    let server = TestServer::start(engine).await;
    let protocols = json!({"redirect_uris": [CB], "grant_types": ["authorization_code", "implicit"], "refresh_token_lifetime_secs": 3600});
    let (app, _) = oauth::app_with_user(&server, "ERP", protocols, "audited", "13500000007").await;
    let t = server.token().await;
    let robot = sso::register(
        &server,
        &t,
        "Robot",
        json!({"grant_types": ["client_credentials"]}),
    )
    .await;
    let browser = Browser::new(&server);
    let page = browser
        .follow(
            browser
                .get(&oauth::authorize_url(
                    &app,
                    &[("response_type", "code"), ("redirect_uri", CB)],
                ))
                .await,
        )
        .await;
    let wrong_password = "Wrong#Pass2024";
    browser.sign_in(&page, "audited", wrong_password).await;
    let code = oauth::code(&browser, &app, CB, &[("scope", "openid")], "audited").await;
    let tokens = oauth::exchange(&server, &app, &code, CB).await;
    let refreshed = oauth::refresh(&server, &app, &tokens.str("refresh_token")).await;
    let implicit = browser
        .get(&oauth::authorize_url(
            &app,
            &[
                ("response_type", "id_token token"),
                ("redirect_uri", CB),
                ("scope", "openid"),
                ("nonce", "n-audited"),
            ],
        ))
        .await;
    let robot_token = oauth::token(&server, &robot, &[("grant_type", "client_credentials")])
        .await
        .str("access_token");
    let session = browser.cookie("idaas_session").unwrap();
    browser.logout("/api/v1/logout").await;

    let mut secrets = vec![
        code,
        tokens.str("access_token"),
        tokens.str("refresh_token"),
        tokens.str("id_token"),
        refreshed.str("access_token"),
        refreshed.str("refresh_token"),
        refreshed.str("id_token"),
        implicit.param("access_token").unwrap(),
        implicit.param("id_token").unwrap(),
        robot_token,
        session,
        app.client_secret.clone(),
        robot.client_secret.clone(),
        PASSWORD.to_string(),
        wrong_password.to_string(),
    ];
    secrets.push(server.credentials.client_secret.clone());
    let pool = &server.store().database().pool;
    let events: Vec<(String, String, String)> =
        sqlx::query_as("SELECT event_type, payload, metadata FROM events ORDER BY position")
            .fetch_all(pool)
            .await
            .unwrap();
    let audit: Vec<(String, String)> =
        sqlx::query_as("SELECT event_type, summary FROM proj_audit_trail ORDER BY position")
            .fetch_all(pool)
            .await
            .unwrap();
    for secret in &secrets {
        for (event_type, payload, metadata) in &events {
            assert!(
                !payload.contains(secret.as_str()) && !metadata.contains(secret.as_str()),
                "{event_type} holds a secret"
            );
        }
        assert!(audit
            .iter()
            .all(|(_, summary)| !summary.contains(secret.as_str())));
    }
    let count = |wanted: &str| audit.iter().filter(|(t, _)| t == wanted).count();
    assert_eq!(count("oauth_grant.token_issued"), 2, "refresh and implicit");
    assert_eq!(count("oauth_grant.client_token_issued"), 1);
    assert_eq!(count("oauth_grant.code_granted"), 1);
    assert_eq!(count("oauth_grant.code_issued"), 0);
    assert_eq!(count("oauth_grant.started"), 1, "the implicit grant");
    assert_eq!(count("oauth_grant.code_exchanged"), 1);
    assert_eq!(count("oauth_grant.code_redeemed"), 0);
    assert_eq!(count("oauth_grant.refresh_issued"), 1, "the rotation");
    assert_eq!(count("login.failed"), 1);
    assert_eq!(count("sso_session.started"), 1);
    assert_eq!(count("sso_session.ended"), 1);
    assert!(
        count("oauth_grant.revoked") >= 2,
        "the session's grants end with it"
    );
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(
    rfc9068_4_a_token_of_one_tenant_is_refused_by_another,
    a_disabled_user_gets_no_tokens_and_loses_those_issued,
    a_disabled_application_can_neither_sign_users_in_nor_use_its_tokens,
    every_issuance_is_audited_and_no_event_holds_a_secret,
);
