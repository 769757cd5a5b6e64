//! CAS login and logout end to end (specs/oneaccess.md #39, #41; CAS Protocol 3.0 §2.1–§2.3):
//! sign-in then a ticket, single sign-on, `renew`, `gateway`, `method`, services that are not
//! registered or users without an account (no ticket, no redirect), and logout's redirect rule.

use idaas_tests::cas::{self, ticket_of, CasFixture, ONEACCESS, SERVICE, STANDARD};
use idaas_tests::sso::PASSWORD;
use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::StatusCode;
use serde_json::json;

async fn isolated(fixture: &CasFixture, service: &str, extra: &str) -> idaas_tests::sso::Hop {
    fixture
        .browser
        .get(&format!("{}{extra}", cas::login_path(STANDARD, service)))
        .await
}

async fn signing_in_brings_back_a_ticket_and_the_session_signs_in_again_silently(engine: Engine) {
    let server = TestServer::start(engine).await;
    let fixture = cas::fixture(&server, "casuser", json!({})).await;

    // No session: to the hosted login page, which resumes the CAS request.
    let first = isolated(&fixture, SERVICE, "").await;
    assert_eq!(first.status, StatusCode::FOUND);
    let login = first.location.clone().unwrap();
    assert!(login.starts_with("/api/v1/login?return_to="), "{login}");
    assert!(
        login.contains(&fixture.app.client_id),
        "the login page knows the application: {login}"
    );

    let hop = fixture.login(ONEACCESS, SERVICE, "").await;
    let location = hop.location.clone().unwrap();
    assert!(
        location.starts_with(&format!("{SERVICE}?ticket=ST-")),
        "{location}"
    );
    let ticket = ticket_of(&hop);
    assert_eq!(ticket.len(), 3 + 32, "ST- and 32 characters: {ticket}");
    assert!(ticket[3..].bytes().all(|b| b.is_ascii_alphanumeric()));
    let answer = cas::validate_json(
        &server,
        ONEACCESS,
        "p3/serviceValidate",
        SERVICE,
        &ticket,
        "",
    )
    .await;
    let success = &answer["serviceResponse"]["authenticationSuccess"];
    assert_eq!(success["user"], "casuser-acct", "{answer}");
    assert_eq!(success["attributes"]["isFromNewLogin"], true, "{answer}");

    // The session serves the next request without a sign-in: not a new login.
    let again = isolated(&fixture, SERVICE, "").await;
    let second = ticket_of(&again);
    assert_ne!(second, ticket);
    let answer = cas::validate_json(
        &server,
        ONEACCESS,
        "p3/serviceValidate",
        SERVICE,
        &second,
        "",
    )
    .await;
    let attributes = &answer["serviceResponse"]["authenticationSuccess"]["attributes"];
    assert_eq!(attributes["isFromNewLogin"], false, "{answer}");
    assert_eq!(
        attributes["longTermAuthenticationRequestTokenUsed"], false,
        "{answer}"
    );

    // A service with a query string gets `&ticket=`.
    let with_query = format!("{SERVICE}?next=%2Fhome");
    let hop = isolated(&fixture, &with_query, "").await;
    let location = hop.location.clone().unwrap();
    assert!(
        location.starts_with(&format!("{with_query}&ticket=ST-")),
        "{location}"
    );
    server.finish().await;
}

async fn renew_asks_again_and_gateway_never_asks(engine: Engine) {
    let server = TestServer::start(engine).await;
    let fixture = cas::fixture(&server, "renewuser", json!({})).await;

    // gateway without a session: straight back to the service, without a ticket.
    let hop = isolated(&fixture, SERVICE, "&gateway=true").await;
    assert_eq!(hop.status, StatusCode::FOUND);
    assert_eq!(hop.location.as_deref(), Some(SERVICE));

    let ticket = fixture.ticket(SERVICE).await;
    // gateway with a session: a ticket as usual.
    let hop = isolated(&fixture, SERVICE, "&gateway=true").await;
    ticket_of(&hop);

    // renew with a session: the login page again, asking even though a session exists.
    let hop = isolated(&fixture, SERVICE, "&renew=true").await;
    assert_eq!(hop.status, StatusCode::FOUND);
    let login = hop.location.clone().unwrap();
    assert!(login.contains("prompt=login"), "{login}");
    let page = fixture.browser.follow(hop).await;
    assert!(page.hidden("csrf").is_some(), "{}", page.text);
    let back = fixture
        .browser
        .follow(
            fixture
                .browser
                .sign_in(&page, &fixture.user_name, PASSWORD)
                .await,
        )
        .await;
    let renewed = ticket_of(&back);
    // A ticket from the fresh sign-in passes renew=true at validation...
    let answer = cas::validate_json(
        &server,
        STANDARD,
        "p3/serviceValidate",
        SERVICE,
        &renewed,
        "&renew=true",
    )
    .await;
    assert_eq!(cas::failure_code(&answer), None, "{answer}");
    assert_eq!(
        answer["serviceResponse"]["authenticationSuccess"]["attributes"]["isFromNewLogin"],
        true
    );
    // ...and one from single sign-on does not.
    let _ = ticket;
    let sso_ticket = ticket_of(&isolated(&fixture, SERVICE, "").await);
    let answer = cas::validate_json(
        &server,
        STANDARD,
        "serviceValidate",
        SERVICE,
        &sso_ticket,
        "&renew=true",
    )
    .await;
    assert_eq!(
        cas::failure_code(&answer).as_deref(),
        Some("INVALID_TICKET_SPEC"),
        "{answer}"
    );

    // A forged, old return marker does not pass an old session off as a new login.
    let forged = isolated(&fixture, SERVICE, "&renew=true&auth_after=0").await;
    assert!(
        forged
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with("/api/v1/login")),
        "{:?}",
        forged.location
    );
    server.finish().await;
}

async fn method_post_and_header_deliver_the_ticket_their_way(engine: Engine) {
    let server = TestServer::start(engine).await;
    let fixture = cas::fixture(&server, "methoduser", json!({})).await;
    fixture.ticket(SERVICE).await;

    let post = isolated(&fixture, SERVICE, "&method=POST").await;
    assert_eq!(post.status, StatusCode::OK);
    assert!(
        post.text
            .contains(&format!(r#"<form method="post" action="{SERVICE}">"#)),
        "{}",
        post.text
    );
    let ticket = post.hidden("ticket").expect("a ticket field");
    let answer =
        cas::validate_json(&server, STANDARD, "serviceValidate", SERVICE, &ticket, "").await;
    assert_eq!(cas::failure_code(&answer), None, "{answer}");

    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!(
            "{}{}&method=header",
            server.client.base,
            cas::login_path(STANDARD, SERVICE)
        ))
        .header(
            "cookie",
            format!(
                "idaas_session={}",
                fixture.browser.cookie("idaas_session").unwrap()
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["service"], SERVICE);
    let ticket = response.headers()["ticket"].to_str().unwrap().to_string();
    assert!(ticket.starts_with("ST-"));

    let bad = isolated(&fixture, SERVICE, "&method=PUT").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    server.finish().await;
}

async fn unregistered_services_and_users_without_an_account_get_no_ticket(engine: Engine) {
    let server = TestServer::start(engine).await;
    let fixture = cas::fixture(&server, "gooduser", json!({})).await;
    fixture.ticket(SERVICE).await;

    for service in [
        "https://evil.example.com/steal",
        "https://app.example.com/cas/callback/../../admin",
        "https://app.example.com.evil.com/cas/callback",
        "javascript:alert(1)",
        "/relative/path",
    ] {
        let hop = isolated(&fixture, service, "").await;
        assert!(
            hop.status == StatusCode::FORBIDDEN || hop.status == StatusCode::BAD_REQUEST,
            "{service}: {} {:?}",
            hop.status,
            hop.location
        );
        assert_eq!(hop.location, None, "no redirect for {service}");
        // Not even with gateway.
        let hop = isolated(&fixture, service, "&gateway=true").await;
        assert_eq!(hop.location, None, "no gateway redirect for {service}");
    }

    // Another application's service, where this user has no account.
    let token = server.token().await;
    let other = "https://other.example.com/cas";
    let other_app = idaas_tests::sso::register(
        &server,
        &token,
        "other-cas",
        json!({"cas_services": [other]}),
    )
    .await;
    let hop = isolated(&fixture, other, "").await;
    assert_eq!(hop.status, StatusCode::FORBIDDEN, "{}", hop.text);
    assert_eq!(hop.location, None);
    // A grant of it (Inspur USR-07) is not an account: CAS answers with the account's name.
    grant(&server, &token, &fixture.user_id, &other_app.application_id).await;
    let hop = isolated(&fixture, other, "").await;
    assert_eq!(hop.status, StatusCode::FORBIDDEN, "granted: {}", hop.text);

    // A disabled account gets no ticket either.
    let account_id = &fixture.account_id;
    server
        .client
        .put(
            &format!(
                "/api/v2/tenant/applications/{}/accounts/{account_id}/disable",
                fixture.app.application_id
            ),
            &token,
            json!({}),
        )
        .await
        .assert_status(200);
    let hop = isolated(&fixture, SERVICE, "").await;
    assert_eq!(hop.status, StatusCode::FORBIDDEN, "{}", hop.text);
    // Nor with a grant of the application besides.
    grant(
        &server,
        &token,
        &fixture.user_id,
        &fixture.app.application_id,
    )
    .await;
    let hop = isolated(&fixture, SERVICE, "").await;
    assert_eq!(hop.status, StatusCode::FORBIDDEN, "{}", hop.text);
    server.finish().await;
}

/// Grants the application to the user through Inspur USR-07.
async fn grant(server: &TestServer, token: &str, user_id: &str, application_id: &str) {
    let body = json!({"userIdList": [user_id], "appIdList": [application_id]});
    let path = "/idaas/v1/user/addUserAppAuth";
    let answer = idaas_tests::inspur::call(server, token, reqwest::Method::POST, path, Some(body));
    idaas_tests::inspur::data(&answer.await);
}

async fn logout_ends_the_session_and_redirects_only_to_registered_hosts(engine: Engine) {
    let server = TestServer::start(engine).await;
    let fixture = cas::fixture(&server, "byeuser", json!({})).await;
    fixture.ticket(SERVICE).await;

    let hop = fixture
        .browser
        .get(&format!(
            "{ONEACCESS}/logout?service={}",
            cas::encode(SERVICE)
        ))
        .await;
    assert_eq!(hop.status, StatusCode::FOUND);
    assert_eq!(hop.location.as_deref(), Some(SERVICE));
    assert_eq!(fixture.browser.cookie("idaas_session"), None);
    // Signed out: the next login asks again.
    let hop = isolated(&fixture, SERVICE, "").await;
    assert!(hop.location.unwrap().starts_with("/api/v1/login"));

    fixture.ticket(SERVICE).await;
    let hop = fixture
        .browser
        .get(&format!(
            "{STANDARD}/logout?service={}",
            cas::encode("https://evil.example.com/")
        ))
        .await;
    assert_eq!(hop.location.as_deref(), Some("/api/v1/login"));
    let hop = fixture.browser.get(&format!("{STANDARD}/logout")).await;
    assert_eq!(hop.location.as_deref(), Some("/api/v1/login"));

    // Without a service, login says who is signed in, or asks.
    let hop = fixture.browser.get(&format!("{STANDARD}/login")).await;
    assert_eq!(hop.status, StatusCode::FOUND);
    fixture.ticket(SERVICE).await;
    let hop = fixture.browser.get(&format!("{STANDARD}/login")).await;
    assert_eq!(hop.status, StatusCode::OK, "{}", hop.text);
    server.finish().await;
}

on_both_engines!(
    signing_in_brings_back_a_ticket_and_the_session_signs_in_again_silently,
    renew_asks_again_and_gateway_never_asks,
    method_post_and_header_deliver_the_ticket_their_way,
    unregistered_services_and_users_without_an_account_get_no_ticket,
    logout_ends_the_session_and_redirects_only_to_registered_hosts,
);
