//! What a stranger's SAML messages leave behind (ops/adr/0027; DESIGN.md "Audit and compliance",
//! short-lived protocol records): AuthnRequests and `?sp=` links that nobody answers are held
//! outside the event log until they expire, a refusal that names nobody (`NoPassive`) writes no
//! event, a replayed request ID is still refused while it is held, and a LogoutRequest that names
//! no session of ours is answered `Success` without a logout chain. The sign-in that is answered
//! is recorded as before.

use idaas_tests::saml::{self, ACS, SLO, SP_ENTITY, SSO};
use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::json;

async fn event_count(server: &TestServer) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(&server.store().database().pool)
        .await
        .unwrap()
}

async fn saml_login_events(server: &TestServer) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT event_type FROM events WHERE stream_type = 'saml_login' ORDER BY position",
    )
    .fetch_all(&server.store().database().pool)
    .await
    .unwrap()
}

async fn unanswered_authn_requests_and_sp_links_append_no_event(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (_, browser) = saml::fixture(&server, "stranger", json!({})).await;
    let base = server.client.base.clone();
    // The IdP's signing key is made (and recorded) on first use: before counting.
    saml::idp_certificate(&server).await;
    let before = event_count(&server).await;
    for n in 0..5 {
        let request = saml::authn_request(&base, &format!("_anon{n}"), &saml::now(), "");
        let query = saml::redirect_query("SAMLRequest", &request, None, None);
        let hop = browser.get(&format!("{SSO}?{query}")).await;
        assert_eq!(hop.status, reqwest::StatusCode::FOUND, "{}", hop.text);
    }
    let link = format!("{SSO}?sp={}", idaas_tests::cas::encode(SP_ENTITY));
    for _ in 0..3 {
        let hop = browser.get(&link).await;
        assert!(hop.location.unwrap().starts_with("/api/v1/login"));
    }
    // IsPassive without a session: refused NoPassive, and nothing recorded.
    let passive = saml::authn_request(&base, "_passive", &saml::now(), r#" IsPassive="true""#);
    let query = saml::redirect_query("SAMLRequest", &passive, None, None);
    let hop = browser.get(&format!("{SSO}?{query}")).await;
    let (action, response, _) = saml::posted(&hop, "SAMLResponse");
    assert_eq!(action, ACS);
    assert!(response.contains("status:NoPassive"), "{response}");
    assert_eq!(event_count(&server).await, before, "no event for strangers");
    let pool = &server.store().database().pool;
    assert_eq!(store::ephemeral::saml_request_count(pool).await.unwrap(), 9);

    // A held request ID is refused again, as a replay.
    let again = saml::authn_request(&base, "_anon0", &saml::now(), "");
    let query = saml::redirect_query("SAMLRequest", &again, None, None);
    let hop = browser.get(&format!("{SSO}?{query}")).await;
    let (_, refused, _) = saml::posted(&hop, "SAMLResponse");
    assert!(refused.contains("already used"), "{refused}");
    assert_eq!(event_count(&server).await, before);

    // The one that is answered is recorded: the request, then the assertion.
    let request = saml::authn_request(&base, "_answered", &saml::now(), "");
    let query = saml::redirect_query("SAMLRequest", &request, None, None);
    let first = browser.get(&format!("{SSO}?{query}")).await;
    let page = saml::through_login(&browser, first, "stranger").await;
    let (_, response, _) = saml::posted(&page, "SAMLResponse");
    assert!(
        response.contains(r#"InResponseTo="_answered""#),
        "{response}"
    );
    assert_eq!(
        saml_login_events(&server).await,
        ["saml_login.requested", "saml_login.assertion_issued"]
    );
    // Answered once: its resume link and its ID are refused from now on.
    let replay = browser.get(&format!("{SSO}?{query}")).await;
    let (_, refused, _) = saml::posted(&replay, "SAMLResponse");
    assert!(refused.contains("already used"), "{refused}");
    assert_eq!(saml_login_events(&server).await.len(), 2);
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn a_logout_request_naming_no_session_is_answered_without_an_event(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (_, browser) = saml::fixture(&server, "nobody", json!({})).await;
    let base = server.client.base.clone();
    // The IdP's signing key is made (and recorded) on first use: before counting.
    saml::idp_certificate(&server).await;
    let before = event_count(&server).await;
    for n in 0..3 {
        let id = format!("_lr{n}");
        let request = format!(
            r#"<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" Version="2.0" IssueInstant="{}" Destination="{base}{SLO}"><saml:Issuer>{SP_ENTITY}</saml:Issuer><saml:NameID>someone</saml:NameID><samlp:SessionIndex>_no-such-index</samlp:SessionIndex></samlp:LogoutRequest>"#,
            saml::now()
        );
        let value = saml::post_value(&request, &id, None);
        let hop = browser
            .post(SLO, &[("SAMLRequest", &value), ("RelayState", "r")])
            .await;
        let (action, response, relay) = saml::posted(&hop, "SAMLResponse");
        assert_eq!(action, saml::SP_SLO);
        assert_eq!(relay.as_deref(), Some("r"));
        assert!(response.contains("status:Success"), "{response}");
        assert!(response.contains(&format!(r#"InResponseTo="{id}""#)));
    }
    assert_eq!(event_count(&server).await, before, "no logout chain");
    server.finish().await;
}

on_both_engines!(
    unanswered_authn_requests_and_sp_links_append_no_event,
    a_logout_request_naming_no_session_is_answered_without_an_event,
);
