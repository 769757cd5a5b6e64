//! Attacks on the SAML IdP's input, each refused with a clear SAML status: XML signature wrapping
//! on signed AuthnRequests (XSW1–XSW8 are also covered one by one, with `xmlsec1` showing each
//! wrapped signature is cryptographically live, in `api/src/saml/dsig/wrapping_tests.rs`), a
//! comment injected into a signed LogoutRequest's NameID, an unregistered ACS URL, a replayed
//! request ID, an expired request, external entities and entity expansion, a deflate bomb, and a
//! signature by an unknown key. Refusals for a known SP are signed Responses to its registered
//! ACS; input no SP can be found in gets an error page naming the status.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use idaas_tests::saml::{self, Identity, ACS, SLO, SP_ENTITY, SP_SLO, SSO};
use idaas_tests::sso::Browser;
use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::json;

/// Posts a SAMLRequest value and returns the status of the Response sent to the ACS.
async fn refusal(browser: &Browser, value: &str) -> String {
    let hop = browser.post(SSO, &[("SAMLRequest", value)]).await;
    let (action, response, _) = saml::posted(&hop, "SAMLResponse");
    assert_eq!(action, ACS, "refusals go only to the registered ACS");
    assert!(!response.contains("<saml:Assertion"), "{response}");
    response
}

struct Setup {
    server: TestServer,
    browser: Browser,
    sp: Identity,
}

async fn setup(engine: Engine, user: &str) -> Setup {
    let server = TestServer::start(engine).await;
    let sp = Identity::generate();
    let (_, browser) = saml::fixture(
        &server,
        user,
        json!({"signing_certificate": sp.certificate_pem}),
    )
    .await;
    Setup {
        server,
        browser,
        sp,
    }
}

fn signed(setup: &Setup, id: &str, extra: &str) -> String {
    let request = saml::authn_request(&setup.server.client.base, id, &saml::now(), extra);
    String::from_utf8(
        STANDARD
            .decode(saml::post_value(&request, id, Some(&setup.sp)))
            .unwrap(),
    )
    .unwrap()
}

/// The signature element of a signed message, and the message without it.
fn split_signature(xml: &str) -> (String, String) {
    let start = xml.find("<ds:Signature").unwrap();
    let end = xml.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    (
        xml[start..end].to_string(),
        format!("{}{}", &xml[..start], &xml[end..]),
    )
}

async fn xml_signature_wrapping_is_refused(engine: Engine) {
    let setup = setup(engine, "wrapped").await;
    let original = signed(&setup, "_orig", "");
    let (signature, unsigned) = split_signature(&original);
    let evil_acs = "https://evil.example.com/acs";
    let evil_root = |inner: &str| {
        format!(
            r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_evil" Version="2.0" IssueInstant="{}" AssertionConsumerServiceURL="{evil_acs}"><saml:Issuer>{SP_ENTITY}</saml:Issuer>{inner}</samlp:AuthnRequest>"#,
            saml::now()
        )
    };
    let variants = [
        // XSW1: the signature moved to an attacker's root, the signed original beside it.
        ("XSW1", evil_root(&format!("{signature}{unsigned}"))),
        // XSW2: the signed original before the moved signature.
        ("XSW2", evil_root(&format!("{unsigned}{signature}"))),
        // XSW3: the whole signed original hidden in Extensions of a root with the same ID.
        (
            "XSW3",
            evil_root(&format!("<samlp:Extensions>{original}</samlp:Extensions>"))
                .replace("ID=\"_evil\"", "ID=\"_orig\""),
        ),
        // XSW8-like: the original inside the signature's Object.
        (
            "XSW8",
            evil_root(&signature.replace(
                "</ds:Signature>",
                &format!("<ds:Object>{unsigned}</ds:Object></ds:Signature>"),
            )),
        ),
    ];
    for (name, xml) in variants {
        let response = refusal(&setup.browser, &STANDARD.encode(xml)).await;
        assert!(
            response.contains("status:RequestDenied"),
            "{name}: {response}"
        );
        assert!(response.contains("signature refused"), "{name}: {response}");
    }
    // The untouched original is accepted (the refusals are not for some other reason).
    let hop = setup
        .browser
        .post(SSO, &[("SAMLRequest", &STANDARD.encode(&original))])
        .await;
    assert!(hop.location.unwrap().starts_with("/api/v1/login"));
    setup.server.finish().await;
}

async fn requests_that_break_the_rules_get_a_status(engine: Engine) {
    let setup = setup(engine, "rules").await;
    let base = setup.server.client.base.clone();

    // An ACS URL that is not registered.
    let evil = signed(&setup, "_acs", "").replace(ACS, "https://evil.example.com/acs");
    let response = refusal(&setup.browser, &STANDARD.encode(evil)).await;
    assert!(response.contains("RequestDenied"), "{response}");
    let request = saml::authn_request(&base, "_acs2", &saml::now(), "")
        .replace(ACS, "https://evil.example.com/acs");
    let value = saml::post_value(&request, "_acs2", Some(&setup.sp));
    let response = refusal(&setup.browser, &value).await;
    assert!(
        response.contains("AssertionConsumerServiceURL is not registered"),
        "{response}"
    );

    // A replayed request ID.
    let request = signed(&setup, "_once", "");
    let first = setup
        .browser
        .post(SSO, &[("SAMLRequest", &STANDARD.encode(&request))])
        .await;
    assert!(first.location.unwrap().starts_with("/api/v1/login"));
    let response = refusal(&setup.browser, &STANDARD.encode(&request)).await;
    assert!(response.contains("already used"), "{response}");

    // An expired request (ten minutes old).
    let old = saml::chrono_like(std::time::SystemTime::now(), -600);
    let request = saml::authn_request(&base, "_old", &old, "");
    let value = saml::post_value(&request, "_old", Some(&setup.sp));
    let response = refusal(&setup.browser, &value).await;
    assert!(response.contains("expired"), "{response}");

    // Signed by a key the SP did not register.
    let stranger = Identity::generate();
    let request = saml::authn_request(&base, "_stranger", &saml::now(), "");
    let value = saml::post_value(&request, "_stranger", Some(&stranger));
    let response = refusal(&setup.browser, &value).await;
    assert!(response.contains("signature refused"), "{response}");
    let query = saml::redirect_query("SAMLRequest", &request, None, Some(&stranger.key));
    let hop = setup.browser.get(&format!("{SSO}?{query}")).await;
    let (_, response, _) = saml::posted(&hop, "SAMLResponse");
    assert!(response.contains("signature refused"), "{response}");
    setup.server.finish().await;
}

async fn hostile_xml_and_deflate_bombs_are_refused_unread(engine: Engine) {
    let setup = setup(engine, "hostile").await;
    let base = setup.server.client.base.clone();
    let request = saml::authn_request(&base, "_x", &saml::now(), "");
    let laughs = format!(
        r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>{}"#,
        request.replace(SP_ENTITY, "&c;")
    );
    let external = format!(
        r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>{}"#,
        request.replace(SP_ENTITY, "&x;")
    );
    for (name, xml) in [("billion laughs", laughs), ("external entity", external)] {
        for hop in [
            setup
                .browser
                .post(SSO, &[("SAMLRequest", &STANDARD.encode(&xml))])
                .await,
            setup
                .browser
                .get(&format!(
                    "{SSO}?{}",
                    saml::redirect_query("SAMLRequest", &xml, None, None)
                ))
                .await,
        ] {
            assert_eq!(hop.status, reqwest::StatusCode::BAD_REQUEST, "{name}");
            assert!(
                hop.text.contains("status:Requester"),
                "{name}: {}",
                hop.text
            );
            assert!(hop.text.contains("DTD"), "{name}: {}", hop.text);
            assert!(!hop.text.contains("root:"), "{name}");
        }
    }
    // 4 MiB inflated from about 4 KiB.
    let bomb = xml_dsig::deflate(&vec![b'<'; 4 * 1024 * 1024]);
    let query = format!(
        "SAMLRequest={}",
        idaas_tests::cas::encode(&STANDARD.encode(bomb))
    );
    let hop = setup.browser.get(&format!("{SSO}?{query}")).await;
    assert_eq!(hop.status, reqwest::StatusCode::BAD_REQUEST);
    assert!(hop.text.contains("inflates to more than"), "{}", hop.text);
    // Garbage that is not a SAML message at all.
    let hop = setup
        .browser
        .post(SSO, &[("SAMLRequest", "not base64 !!")])
        .await;
    assert_eq!(hop.status, reqwest::StatusCode::BAD_REQUEST);
    setup.server.finish().await;
}

async fn a_comment_in_a_logout_request_name_id_is_refused(engine: Engine) {
    let setup = setup(engine, "commented").await;
    let base = setup.server.client.base.clone();
    let request = format!(
        r#"<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_lr1" Version="2.0" IssueInstant="{}" Destination="{base}{SLO}"><saml:Issuer>{SP_ENTITY}</saml:Issuer><saml:NameID>admin<!-- -->@example.com</saml:NameID><samlp:SessionIndex>_x</samlp:SessionIndex></samlp:LogoutRequest>"#,
        saml::now()
    );
    let value = saml::post_value(&request, "_lr1", Some(&setup.sp));
    let hop = setup.browser.post(SLO, &[("SAMLRequest", &value)]).await;
    let (action, response, _) = saml::posted(&hop, "SAMLResponse");
    assert_eq!(action, SP_SLO);
    assert!(response.contains("<samlp:LogoutResponse"), "{response}");
    assert!(response.contains("status:Requester"), "{response}");
    assert!(response.contains("text only"), "{response}");
    setup.server.finish().await;
}

on_both_engines!(
    xml_signature_wrapping_is_refused,
    requests_that_break_the_rules_get_a_status,
    hostile_xml_and_deflate_bombs_are_refused_unread,
    a_comment_in_a_logout_request_name_id_is_refused,
);
