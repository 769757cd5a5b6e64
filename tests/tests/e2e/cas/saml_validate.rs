//! `samlValidate` (SAML 1.1 over SOAP, as Apereo CAS offers it) end to end: the ticket in the
//! request's `AssertionArtifact`, the user as `NameIdentifier`, attributes, `InResponseTo`; a
//! replay, a wrong `TARGET`, broken XML, a DOCTYPE (entity expansion) and an oversized body each
//! get a SAML status that says why, never a server error.

use idaas_tests::cas::{self, SERVICE, STANDARD};
use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::json;

fn envelope(ticket: &str) -> String {
    format!(
        r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Header/><SOAP-ENV:Body><samlp:Request xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol" MajorVersion="1" MinorVersion="1" RequestID="_req-42" IssueInstant="2024-01-01T00:00:00Z"><samlp:AssertionArtifact>{ticket}</samlp:AssertionArtifact></samlp:Request></SOAP-ENV:Body></SOAP-ENV:Envelope>"#
    )
}

async fn post(server: &TestServer, target: &str, body: String) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!(
            "{}{STANDARD}/samlValidate?TARGET={}",
            server.client.base,
            cas::encode(target)
        ))
        .header("content-type", "text/xml; charset=utf-8")
        .header(
            "soapaction",
            "http://www.oasis-open.org/committees/security",
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

fn status_code(body: &str) -> &str {
    body.split(r#"<saml1p:StatusCode Value=""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
}

async fn a_ticket_validates_over_saml_1_1_once(engine: Engine) {
    let server = TestServer::start(engine).await;
    let fixture = cas::fixture(
        &server,
        "samluser",
        json!({"cas_released_attributes": ["email", "org_id"]}),
    )
    .await;
    let ticket = fixture.ticket(SERVICE).await;
    let (status, body) = post(&server, SERVICE, envelope(&ticket)).await;
    assert_eq!(status, 200);
    assert_eq!(status_code(&body), "saml1p:Success", "{body}");
    for expected in [
        r#"InResponseTo="_req-42""#,
        &format!(r#"Recipient="{SERVICE}""#),
        "<saml1:NameIdentifier>samluser-acct</saml1:NameIdentifier>",
        &format!("<saml1:Audience>{SERVICE}</saml1:Audience>"),
        r#"<saml1:Attribute AttributeName="email" AttributeNamespace="http://www.ja-sig.org/products/cas/"><saml1:AttributeValue>samluser@example.com</saml1:AttributeValue></saml1:Attribute>"#,
        r#"AttributeName="isFromNewLogin""#,
    ] {
        assert!(body.contains(expected), "{expected} in {body}");
    }
    // A replay is denied.
    let (_, body) = post(&server, SERVICE, envelope(&ticket)).await;
    assert_eq!(status_code(&body), "saml1p:RequestDenied", "{body}");
    assert!(body.contains("not recognized"), "{body}");
    // Another TARGET than the ticket's service.
    let ticket = fixture.ticket(SERVICE).await;
    let (_, body) = post(&server, "https://x.example.com/", envelope(&ticket)).await;
    assert_eq!(status_code(&body), "saml1p:RequestDenied", "{body}");
    server.finish().await;
}

async fn hostile_or_broken_requests_get_a_requester_status(engine: Engine) {
    let server = TestServer::start(engine).await;
    let fixture = cas::fixture(&server, "samlbad", json!({})).await;
    let ticket = fixture.ticket(SERVICE).await;
    let laughs = format!(
        r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>{}"#,
        envelope("&lol2;")
    );
    let external = format!(
        r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>{}"#,
        envelope("&xxe;")
    );
    for (name, body) in [
        ("billion laughs", laughs),
        ("external entity", external),
        (
            "broken",
            "<samlp:Request><samlp:AssertionArtifact>".to_string(),
        ),
        ("no artifact", "<samlp:Request/>".to_string()),
        ("oversized", envelope(&"A".repeat(20_000))),
        ("empty", String::new()),
    ] {
        let (status, answer) = post(&server, SERVICE, body).await;
        assert_eq!(status, 200, "{name}");
        assert_eq!(status_code(&answer), "saml1p:Requester", "{name}: {answer}");
        assert!(!answer.contains("root:"), "{name}");
    }
    // The good ticket was not touched by any of them.
    let (_, body) = post(&server, SERVICE, envelope(&ticket)).await;
    assert_eq!(status_code(&body), "saml1p:Success", "{body}");
    server.finish().await;
}

on_both_engines!(
    a_ticket_validates_over_saml_1_1_once,
    hostile_or_broken_requests_get_a_requester_status,
);
