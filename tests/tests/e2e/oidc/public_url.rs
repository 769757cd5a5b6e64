//! Pinned public URLs (DESIGN.md "Running in production"): the issuer, discovery, the SAML entity
//! id and the login URLs come from `IDAAS_PUBLIC_URL` (or the listening address), never from the
//! request's `Host`; `X-Forwarded-Proto` counts only from a trusted proxy.

use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::Value;

async fn fetch(server: &TestServer, path: &str, headers: &[(&str, &str)]) -> (String, String) {
    let addr = server.server.as_ref().unwrap().addr;
    let mut request = reqwest::Client::new().get(format!("http://{addr}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().to_string();
    (status, response.text().await.unwrap())
}

async fn issuer(server: &TestServer, headers: &[(&str, &str)]) -> String {
    let (_, text) = fetch(server, "/.well-known/openid-configuration", headers).await;
    let discovery: Value = serde_json::from_str(&text).unwrap();
    discovery["issuer"].as_str().unwrap().to_string()
}

async fn issued_urls_ignore_a_forged_host(engine: Engine) {
    let server = TestServer::start_configured(engine, |c| {
        c.public_url = Some("https://id.example.com".into());
    })
    .await;
    let forged = [("host", "evil.example")];
    assert_eq!(
        issuer(&server, &forged).await,
        "https://id.example.com/api/v1/oauth2"
    );
    let (_, metadata) = fetch(&server, "/api/v1/saml2/idp/metadata", &forged).await;
    assert!(
        metadata.contains(r#"entityID="https://id.example.com/api/v1/saml2/idp/metadata""#),
        "{metadata}"
    );
    assert!(!metadata.contains("evil.example"), "{metadata}");
    server.finish().await;
}

async fn without_a_public_url_the_listening_address_is_used(engine: Engine) {
    let server = TestServer::start(engine).await;
    let addr = server.server.as_ref().unwrap().addr;
    let forged = [("host", "evil.example"), ("x-forwarded-proto", "https")];
    // Neither the host nor the scheme of an untrusted client counts.
    assert_eq!(
        issuer(&server, &forged).await,
        format!("http://{addr}/api/v1/oauth2")
    );
    server.finish().await;
}

async fn forwarded_proto_counts_from_a_trusted_proxy(engine: Engine) {
    let server = TestServer::start_configured(engine, |c| {
        c.limits.trusted_proxies = vec!["127.0.0.1".into()];
    })
    .await;
    let addr = server.server.as_ref().unwrap().addr;
    let https = [("x-forwarded-proto", "https")];
    assert_eq!(
        issuer(&server, &https).await,
        format!("https://{addr}/api/v1/oauth2")
    );
    server.finish().await;
}

on_both_engines!(
    issued_urls_ignore_a_forged_host,
    without_a_public_url_the_listening_address_is_used,
    forwarded_proto_counts_from_a_trusted_proxy,
);
