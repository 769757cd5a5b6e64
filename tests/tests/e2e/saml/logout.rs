//! SAML single logout end to end, front channel, both directions and both bindings: a service
//! provider's signed LogoutRequest (Redirect) ends the SSO session, the other service provider is
//! sent a signed LogoutRequest (POST, verified by `xmlsec1`) naming its NameID and session index,
//! its LogoutResponse is taken only in answer to that request, and the initiator gets a signed
//! LogoutResponse (Redirect, verified with `openssl`); logging out at the IdP notifies the service
//! providers the same way. Every step is an event of the logout's stream.

use std::process::Command;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use idaas_tests::cas::encode;
use idaas_tests::saml::{self, Identity, SLO, SSO};
use idaas_tests::sso::{self, Browser, Hop, SsoApp};
use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::json;

struct Sp {
    entity: String,
    acs: String,
    slo: String,
    identity: Identity,
    app: SsoApp,
}

async fn register(server: &TestServer, name: &str, binding: &str, user_id: &str) -> Sp {
    let token = server.token().await;
    let (entity, acs, slo) = (
        format!("https://{name}.example.com/sp"),
        format!("https://{name}.example.com/acs"),
        format!("https://{name}.example.com/slo"),
    );
    let identity = Identity::generate();
    let app = sso::register(
        server,
        &token,
        name,
        json!({"saml": {"entity_id": entity, "acs_url": acs, "slo_url": slo, "slo_binding": binding,
                        "signing_certificate": identity.certificate_pem}}),
    )
    .await;
    sso::account(server, &token, &app, user_id, &format!("{name}-acct")).await;
    Sp {
        entity,
        acs,
        slo,
        identity,
        app,
    }
}

fn instant() -> String {
    saml::now()
}

/// Signs in to `sp` over Redirect; the NameID and session index it was given.
async fn sign_in(server: &TestServer, browser: &Browser, sp: &Sp, id: &str) -> (String, String) {
    let request = format!(
        r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" Version="2.0" IssueInstant="{}" AssertionConsumerServiceURL="{}"><saml:Issuer>{}</saml:Issuer></samlp:AuthnRequest>"#,
        instant(),
        sp.acs,
        sp.entity
    );
    let query = saml::redirect_query("SAMLRequest", &request, None, Some(&sp.identity.key));
    let hop = browser.get(&format!("{SSO}?{query}")).await;
    let page = saml::through_login(browser, hop, "slouser").await;
    let (action, response, _) = saml::posted(&page, "SAMLResponse");
    assert_eq!(action, sp.acs);
    let _ = server;
    (
        saml::text_of(&response, "saml:NameID").unwrap(),
        saml::attribute_of(&response, "saml:AuthnStatement", "SessionIndex").unwrap(),
    )
}

/// A redirect's query parameter, decoded (and inflated when it is a SAML message).
fn param(hop: &Hop, name: &str) -> String {
    hop.param(name)
        .unwrap_or_else(|| panic!("no {name} in {:?}", hop.location))
}

fn inflate(value: &str) -> String {
    let bytes = STANDARD.decode(value).unwrap();
    String::from_utf8(xml_dsig::inflate(&bytes, 1 << 20).unwrap()).unwrap()
}

/// Checks a redirect-binding signature with `openssl`: the signed octets are the query up to
/// `&Signature=`, in the encoding sent.
fn openssl_verify_redirect(location: &str, certificate_pem: &str) {
    let query = location.split_once('?').unwrap().1;
    let (signed, signature) = query.split_once("&Signature=").unwrap();
    let signature: String =
        serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("s={signature}")).unwrap()[0]
            .1
            .clone();
    let dir = std::env::temp_dir().join(format!("idaas-slo-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let cert = write("cert.pem", certificate_pem.as_bytes());
    let data = write("data", signed.as_bytes());
    let sig = write("sig", &STANDARD.decode(signature).unwrap());
    let public = Command::new("openssl")
        .args(["x509", "-pubkey", "-noout", "-in"])
        .arg(&cert)
        .output()
        .expect("openssl");
    let public = write("public.pem", &public.stdout);
    let verified = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(&public)
        .arg("-signature")
        .arg(&sig)
        .arg(&data)
        .output()
        .expect("openssl");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        verified.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&verified.stdout)
    );
}

fn logout_request(sp: &Sp, id: &str, name_id: &str, index: &str, base: &str) -> String {
    format!(
        r#"<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" Version="2.0" IssueInstant="{}" Destination="{base}{SLO}"><saml:Issuer>{}</saml:Issuer><saml:NameID>{name_id}</saml:NameID><samlp:SessionIndex>{index}</samlp:SessionIndex></samlp:LogoutRequest>"#,
        instant(),
        sp.entity
    )
}

fn logout_response(sp: &Sp, id: &str, in_response_to: &str) -> String {
    format!(
        r#"<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" Version="2.0" IssueInstant="{}" InResponseTo="{in_response_to}"><saml:Issuer>{}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse>"#,
        instant(),
        sp.entity
    )
}

async fn an_sp_logout_reaches_the_other_sp_and_answers_the_first(engine: Engine) {
    let server = TestServer::start(engine).await;
    let token = server.token().await;
    let user_id = sso::user(&server, &token, "slouser", "13766660001").await;
    let a = register(&server, "alpha", "redirect", &user_id).await;
    let b = register(&server, "beta", "post", &user_id).await;
    let browser = Browser::new(&server);
    let base = server.client.base.clone();
    let (a_name, a_index) = sign_in(&server, &browser, &a, "_a1").await;
    let (b_name, b_index) = sign_in(&server, &browser, &b, "_b1").await;
    assert_eq!(a_name, "alpha-acct");

    // Alpha's signed LogoutRequest over Redirect.
    let request = logout_request(&a, "_lo1", &a_name, &a_index, &base);
    let query = saml::redirect_query(
        "SAMLRequest",
        &request,
        Some("alpha-state"),
        Some(&a.identity.key),
    );
    let hop = browser.get(&format!("{SLO}?{query}")).await;
    assert_eq!(
        browser.cookie("idaas_session"),
        None,
        "the session cookie is cleared"
    );

    // Beta is told over POST, with its own NameID and session index, signed.
    let (action, to_beta, chain) = saml::posted(&hop, "SAMLRequest");
    assert_eq!(action, b.slo);
    assert!(to_beta.starts_with("<samlp:LogoutRequest"), "{to_beta}");
    assert_eq!(saml::text_of(&to_beta, "saml:NameID").unwrap(), b_name);
    assert_eq!(
        saml::text_of(&to_beta, "samlp:SessionIndex").unwrap(),
        b_index
    );
    let certificate = saml::idp_certificate(&server).await;
    let request_id = saml::attribute_of(&to_beta, "samlp:LogoutRequest", "ID").unwrap();
    saml::xmlsec_verify(&to_beta, &certificate, &request_id).expect("xmlsec1: LogoutRequest");
    let chain = chain.expect("a RelayState");

    // A LogoutResponse to some other request is not taken.
    let forged = logout_response(&b, "_fake", "_not-the-request");
    let value = saml::post_value(&forged, "_fake", Some(&b.identity));
    let refused = browser
        .post(SLO, &[("SAMLResponse", &value), ("RelayState", &chain)])
        .await;
    assert_eq!(
        refused.status,
        reqwest::StatusCode::BAD_REQUEST,
        "{}",
        refused.text
    );

    // Beta answers; Alpha gets its LogoutResponse over Redirect, signed.
    let answer = logout_response(&b, "_br1", &request_id);
    let value = saml::post_value(&answer, "_br1", Some(&b.identity));
    let hop = browser
        .post(SLO, &[("SAMLResponse", &value), ("RelayState", &chain)])
        .await;
    assert_eq!(hop.status, reqwest::StatusCode::FOUND, "{}", hop.text);
    let location = hop.location.clone().unwrap();
    assert!(
        location.starts_with(&format!("{}?SAMLResponse=", a.slo)),
        "{location}"
    );
    assert_eq!(param(&hop, "RelayState"), "alpha-state");
    let to_alpha = inflate(&param(&hop, "SAMLResponse"));
    assert!(to_alpha.contains(r#"InResponseTo="_lo1""#), "{to_alpha}");
    assert!(to_alpha.contains("status:Success"), "{to_alpha}");
    openssl_verify_redirect(&location, &certificate);

    // Signed out: a new request asks for the password again.
    let hop = browser
        .get(&format!("{SSO}?sp={}", encode(&a.entity)))
        .await;
    assert!(hop.location.unwrap().starts_with("/api/v1/login"));
    let pool = &server.store().database().pool;
    let types: Vec<(String,)> = sqlx::query_as(
        "SELECT event_type FROM events WHERE stream_type = 'saml_logout' ORDER BY position",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let types: Vec<&str> = types.iter().map(|(t,)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "saml_logout.started",
            "saml_logout.request_sent",
            "saml_logout.response_received",
            "saml_logout.completed"
        ]
    );
    server.finish().await;
}

async fn logging_out_at_the_idp_tells_the_sp_through_the_browser(engine: Engine) {
    let server = TestServer::start(engine).await;
    let token = server.token().await;
    let user_id = sso::user(&server, &token, "slouser", "13766660002").await;
    let a = register(&server, "gamma", "redirect", &user_id).await;
    let browser = Browser::new(&server);
    let (name, index) = sign_in(&server, &browser, &a, "_g1").await;

    let hop = browser.logout("/api/v1/logout").await;
    let next = hop.location.clone().unwrap();
    assert!(
        next.starts_with("/api/v1/saml2/idp/slo?continue="),
        "{next}"
    );
    let hop = browser.get(&next).await;
    let location = hop.location.clone().unwrap();
    assert!(
        location.starts_with(&format!("{}?SAMLRequest=", a.slo)),
        "{location}"
    );
    let certificate = saml::idp_certificate(&server).await;
    openssl_verify_redirect(&location, &certificate);
    let request = inflate(&param(&hop, "SAMLRequest"));
    assert_eq!(saml::text_of(&request, "saml:NameID").unwrap(), name);
    assert_eq!(
        saml::text_of(&request, "samlp:SessionIndex").unwrap(),
        index
    );
    let request_id = saml::attribute_of(&request, "samlp:LogoutRequest", "ID").unwrap();
    let chain = param(&hop, "RelayState");

    let answer = logout_response(&a, "_gr1", &request_id);
    let query = saml::redirect_query("SAMLResponse", &answer, Some(&chain), Some(&a.identity.key));
    let hop = browser.get(&format!("{SLO}?{query}")).await;
    assert_eq!(
        hop.location.as_deref(),
        Some("/api/v1/login"),
        "{}",
        hop.text
    );
    // The chain is over: the same response again is refused.
    let again = browser.get(&format!("{SLO}?{query}")).await;
    assert_eq!(again.status, reqwest::StatusCode::BAD_REQUEST);
    let _ = a.app;
    server.finish().await;
}

on_both_engines!(
    an_sp_logout_reaches_the_other_sp_and_answers_the_first,
    logging_out_at_the_idp_tells_the_sp_through_the_browser,
);
