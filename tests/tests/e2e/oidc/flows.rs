//! The OAuth 2.0 / OIDC flows end to end through the hosted login (specs/oneaccess.md #46–#53):
//! the code flow with the documented OneAccess token and userinfo shapes, OIDC with refresh
//! rotation and HTTP Basic, the implicit flow's fragment, `response_mode=form_post`, `prompt` and
//! `max_age`.

use idaas_tests::oauth::{self, Call, TOKEN, USERINFO};
use idaas_tests::sso::{Browser, PASSWORD};
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const WIKI: &str = "https://wiki.example.com/cb";

fn keys(body: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = body
        .as_object()
        .expect("a JSON object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

async fn the_code_flow_gives_the_documented_token_and_userinfo_shapes(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (app, user_id) = oauth::app_with_user(
        &server,
        "Wiki",
        json!({"redirect_uris": [WIKI]}),
        "zhangsan",
        "13800000001",
    )
    .await;
    let browser = Browser::new(&server);
    let url = oauth::authorize_url(
        &app,
        &[
            ("response_type", "code"),
            ("redirect_uri", WIKI),
            ("scope", "get_user_info"),
            ("state", "test"),
        ],
    );
    let first = browser.get(&url).await;
    assert_eq!(first.status, StatusCode::FOUND);
    let login = first.location.clone().unwrap();
    assert!(login.starts_with("/api/v1/login?return_to="), "{login}");
    let landed = browser.authorize(&url, "zhangsan", PASSWORD).await;
    assert_eq!(landed.status, StatusCode::FOUND);
    assert!(landed
        .location
        .as_ref()
        .unwrap()
        .starts_with(&format!("{WIKI}?code=")));
    assert_eq!(landed.param("state").as_deref(), Some("test"));
    let code = oauth::landed_code(&landed, WIKI);

    let tokens = oauth::exchange(&server, &app, &code, WIKI).await;
    let body = tokens.ok().clone();
    assert_eq!(
        keys(&body),
        ["access_token", "expires_in", "scope", "token_type"]
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(
        body["expires_in"], 7200,
        "a JSON integer, the documented default"
    );
    assert_eq!(body["scope"], "get_user_info");
    assert_eq!(tokens.header("cache-control").as_deref(), Some("no-store"));
    let access = tokens.str("access_token");

    let expected = json!({"id": user_id, "userName": "zhangsan", "name": "zhangsan name",
        "email": "zhangsan@example.com", "mobile": "13800000001"});
    let info = oauth::userinfo(&server, &access).await;
    for field in ["id", "userName", "name", "email", "mobile"] {
        assert_eq!(info.ok()[field], expected[field], "{field}: {}", info.text);
    }
    let posted = oauth::call(
        &server,
        Method::POST,
        USERINFO,
        Call {
            bearer: Some(&access),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(posted.ok()["userName"], "zhangsan");
    let in_body = oauth::call(
        &server,
        Method::POST,
        USERINFO,
        Call {
            form: vec![("access_token", &access)],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(in_body.ok()["id"], json!(user_id));
    let anonymous = oauth::call(&server, Method::GET, USERINFO, Call::default()).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        anonymous.body,
        json!({"error": "unauthorized", "error_description": "Full authentication is required to access this resource"})
    );

    // Signed in already: no login page; scope and redirect_uri default to the registration.
    let again = browser
        .get(&oauth::authorize_url(&app, &[("response_type", "code")]))
        .await;
    let code = oauth::landed_code(&again, WIKI);
    assert_eq!(again.param("state"), None, "no state asked, none sent");
    let tokens = oauth::token(
        &server,
        &app,
        &[("grant_type", "authorization_code"), ("code", &code)],
    )
    .await;
    assert_eq!(tokens.ok()["scope"], "get_user_info");
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn oidc_clients_get_id_tokens_and_rotating_refresh_tokens(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (app, user_id) = oauth::app_with_user(
        &server,
        "Mail",
        json!({"redirect_uris": [WIKI], "refresh_token_lifetime_secs": 3600}),
        "lisi",
        "13800000002",
    )
    .await;
    let browser = Browser::new(&server);
    let extra = [
        ("scope", "openid"),
        ("nonce", "n-0S6_WzA2Mj"),
        ("state", "af0ifjsldkj"),
    ];
    let code = oauth::code(&browser, &app, WIKI, &extra, "lisi").await;
    // client_secret_basic: the credentials in the header only.
    let tokens = oauth::call(
        &server,
        Method::POST,
        TOKEN,
        Call {
            form: vec![
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", WIKI),
            ],
            basic: Some((&app.client_id, &app.client_secret)),
            ..Default::default()
        },
    )
    .await;
    let body = tokens.ok().clone();
    assert_eq!(
        keys(&body),
        [
            "access_token",
            "expires_in",
            "id_token",
            "refresh_token",
            "scope",
            "token_type"
        ]
    );
    assert_eq!(body["scope"], "openid");
    let id_token = tokens.str("id_token");
    let claims = oauth::claims(&id_token);
    let issuer = format!("{}/api/v1/oauth2", server.client.base);
    assert_eq!(claims["iss"], json!(issuer));
    assert_eq!(claims["aud"], json!(app.client_id));
    assert_eq!(claims["sub"], json!(user_id));
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj", "the nonce is echoed");
    assert_eq!(
        claims["at_hash"],
        json!(oauth::at_hash(&tokens.str("access_token")))
    );
    assert!(claims["auth_time"].as_i64().is_some() && claims["sid"].is_string());
    assert_eq!(oauth::jose_header(&id_token)["alg"], "RS256");

    let first_refresh = tokens.str("refresh_token");
    let refreshed = oauth::refresh(&server, &app, &first_refresh).await;
    let renewed = refreshed.ok().clone();
    assert_eq!(renewed["token_type"], "Bearer");
    assert_eq!(renewed["scope"], "openid");
    assert_ne!(
        renewed["refresh_token"],
        json!(first_refresh),
        "refresh tokens rotate"
    );
    assert_ne!(renewed["access_token"], body["access_token"]);
    let renewed_id = oauth::claims(
        renewed["id_token"]
            .as_str()
            .expect("an id_token on refresh"),
    );
    assert_eq!(renewed_id["sub"], json!(user_id));
    assert_eq!(renewed_id["sid"], claims["sid"]);
    let info = oauth::userinfo(&server, renewed["access_token"].as_str().unwrap()).await;
    assert_eq!(info.ok()["userName"], "lisi");
    assert_eq!(info.body["sub"], json!(user_id));

    // Without openid there is no id_token, on the exchange or the refresh.
    let code = oauth::code(&browser, &app, WIKI, &[("scope", "get_user_info")], "lisi").await;
    let plain = oauth::exchange(&server, &app, &code, WIKI).await;
    assert!(plain.ok().get("id_token").is_none(), "{}", plain.text);
    let refreshed = oauth::refresh(&server, &app, &plain.str("refresh_token")).await;
    assert!(refreshed.ok().get("id_token").is_none());

    let recorded = oauth::event_types(&server).await;
    for event in [
        "sso_session.started",
        "oauth_grant.code_granted",
        "oauth_grant.code_exchanged",
        "oauth_grant.token_issued",
        "oauth_grant.refresh_issued",
    ] {
        assert!(recorded.iter().any(|e| e == event), "{event} is recorded");
    }
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn the_implicit_flow_returns_tokens_in_the_fragment(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (app, user_id) = oauth::app_with_user(
        &server,
        "SPA",
        json!({"redirect_uris": [WIKI], "grant_types": ["implicit"]}),
        "wangwu",
        "13800000003",
    )
    .await;
    let browser = Browser::new(&server);
    let url = oauth::authorize_url(
        &app,
        &[
            ("response_type", "id_token"),
            ("redirect_uri", WIKI),
            ("scope", "openid"),
            ("nonce", "abc"),
            ("state", "s1"),
        ],
    );
    let landed = browser.authorize(&url, "wangwu", PASSWORD).await;
    let location = landed.location.clone().unwrap();
    assert!(location.starts_with(&format!("{WIKI}#")), "{location}");
    assert_eq!(landed.param("state").as_deref(), Some("s1"));
    assert_eq!(landed.param("access_token"), None);
    let id_token = landed.param("id_token").expect("id_token");
    let claims = oauth::claims(&id_token);
    assert_eq!(
        (claims["nonce"].as_str(), claims["sub"].as_str()),
        (Some("abc"), Some(user_id.as_str()))
    );
    assert!(
        claims.get("at_hash").is_none(),
        "no access token, no at_hash"
    );

    let both = oauth::authorize_url(
        &app,
        &[
            ("response_type", "id_token token"),
            ("redirect_uri", WIKI),
            ("scope", "openid"),
            ("state", "s2"),
            ("nonce", "n2"),
        ],
    );
    let landed = browser.get(&both).await;
    assert!(landed
        .location
        .as_ref()
        .unwrap()
        .starts_with(&format!("{WIKI}#access_token=")));
    assert_eq!(landed.param("token_type").as_deref(), Some("Bearer"));
    assert_eq!(landed.param("expires_in").as_deref(), Some("7200"));
    assert_eq!(landed.param("state").as_deref(), Some("s2"));
    let access = landed.param("access_token").unwrap();
    let claims = oauth::claims(&landed.param("id_token").unwrap());
    assert_eq!(claims["at_hash"], json!(oauth::at_hash(&access)));
    assert_eq!(
        oauth::userinfo(&server, &access).await.ok()["userName"],
        "wangwu"
    );
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn form_post_answers_with_a_page_that_posts_to_the_client(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (app, _) = oauth::app_with_user(
        &server,
        "Legacy",
        json!({"redirect_uris": [WIKI]}),
        "zhaoliu",
        "13800000004",
    )
    .await;
    let browser = Browser::new(&server);
    let url = oauth::authorize_url(
        &app,
        &[
            ("response_type", "code"),
            ("redirect_uri", WIKI),
            ("response_mode", "form_post"),
            ("state", "a<b\"c"),
        ],
    );
    let page = browser.authorize(&url, "zhaoliu", PASSWORD).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text
            .contains(&format!(r#"<form method="post" action="{WIKI}">"#)),
        "{}",
        page.text
    );
    assert_eq!(
        page.hidden("state").as_deref(),
        Some("a<b\"c"),
        "state escaped and echoed"
    );
    let code = page.hidden("code").expect("the code in a hidden field");
    oauth::exchange(&server, &app, &code, WIKI).await.ok();
    server.finish().await;
}

async fn prompt_and_max_age_decide_when_the_user_signs_in_again(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (app, _) = oauth::app_with_user(
        &server,
        "HR",
        json!({"redirect_uris": [WIKI]}),
        "sunqi",
        "13800000005",
    )
    .await;
    let browser = Browser::new(&server);
    let url = |extra: &[(&str, &str)]| {
        let mut params = vec![
            ("response_type", "code"),
            ("redirect_uri", WIKI),
            ("scope", "openid"),
        ];
        params.extend_from_slice(extra);
        oauth::authorize_url(&app, &params)
    };
    let silent = browser
        .get(&url(&[("prompt", "none"), ("state", "q")]))
        .await;
    assert!(silent.location.as_ref().unwrap().starts_with(WIKI));
    assert_eq!(silent.param("error").as_deref(), Some("login_required"));
    assert_eq!(silent.param("state").as_deref(), Some("q"));

    let code = oauth::code(&browser, &app, WIKI, &[("scope", "openid")], "sunqi").await;
    let first = oauth::exchange(&server, &app, &code, WIKI).await;
    let first_auth = oauth::claims(&first.str("id_token"))["auth_time"]
        .as_i64()
        .unwrap();
    // A session now: prompt=none and a generous max_age answer at once.
    for extra in [[("prompt", "none")], [("max_age", "3600")]] {
        let hop = browser.get(&url(&extra)).await;
        oauth::landed_code(&hop, WIKI);
    }
    // prompt=login and max_age=0 show the form again, and the new sign-in is what counts
    // (`auth_time` is in seconds: a second passes before each).
    for extra in [[("prompt", "login")], [("max_age", "0")]] {
        server.advance(std::time::Duration::from_millis(1100));
        let page = browser.follow(browser.get(&url(&extra)).await).await;
        assert_eq!(page.status, StatusCode::OK, "{extra:?}: {page:?}");
        assert!(page.hidden("csrf").is_some(), "{extra:?}: the login form");
        let landed = browser
            .follow(browser.sign_in(&page, "sunqi", PASSWORD).await)
            .await;
        let code = oauth::landed_code(&landed, WIKI);
        let tokens = oauth::exchange(&server, &app, &code, WIKI).await;
        let auth_time = oauth::claims(&tokens.str("id_token"))["auth_time"]
            .as_i64()
            .unwrap();
        assert!(
            auth_time > first_auth,
            "{extra:?}: a new authentication time"
        );
    }
    server.finish().await;
}

on_both_engines!(
    the_code_flow_gives_the_documented_token_and_userinfo_shapes,
    oidc_clients_get_id_tokens_and_rotating_refresh_tokens,
    the_implicit_flow_returns_tokens_in_the_fragment,
    form_post_answers_with_a_page_that_posts_to_the_client,
    prompt_and_max_age_decide_when_the_user_signs_in_again,
);
