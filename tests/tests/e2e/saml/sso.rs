//! SAML single sign-on end to end (specs/oneaccess.md #44, #45, §3.2): the metadata as a download
//! with the signing certificate; SP-initiated sign-in over HTTP-Redirect and HTTP-POST (signed
//! requests verified), IdP-initiated sign-in; every Response and Assertion checked by the
//! `xmlsec1` tool against the published certificate (never only by our own code); the assertion's
//! conditions, subject confirmation, session index, NameID formats and attributes; encryption
//! for an SP with an encryption certificate, decrypted by `xmlsec1`; and the audit record.

use idaas_tests::saml::{self, Identity, ACS, METADATA, SP_ENTITY, SSO};
use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::json;

async fn the_metadata_is_a_download_with_the_certificate_and_endpoints(engine: Engine) {
    let server = TestServer::start(engine).await;
    let response = reqwest::get(format!("{}{METADATA}", server.client.base))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/samlmetadata+xml"
    );
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let body = response.text().await.unwrap();
    let base = &server.client.base;
    for expected in [
        format!(r#"entityID="{base}{METADATA}""#),
        r#"<md:KeyDescriptor use="signing">"#.to_string(),
        format!(
            r#"<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{base}{SSO}"/>"#
        ),
        format!(
            r#"<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{base}{SSO}"/>"#
        ),
        r#"<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect""#
            .to_string(),
        "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent".to_string(),
    ] {
        assert!(body.contains(&expected), "{expected} in {body}");
    }
    // The same certificate every time (created once, kept in the store).
    assert_eq!(
        saml::idp_certificate(&server).await,
        saml::idp_certificate(&server).await
    );
    server.finish().await;
}

async fn sp_initiated_sign_in_over_redirect_gives_a_response_xmlsec1_verifies(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (_, browser) = saml::fixture(&server, "samlred", json!({})).await;
    let base = server.client.base.clone();
    let request = saml::authn_request(&base, "_req1", &saml::now(), "");
    let query = saml::redirect_query("SAMLRequest", &request, Some("state-1"), None);
    let first = browser.get(&format!("{SSO}?{query}")).await;
    assert_eq!(first.status, reqwest::StatusCode::FOUND, "{}", first.text);
    assert!(first.location.clone().unwrap().starts_with("/api/v1/login"));
    let page = saml::through_login(&browser, first, "samlred").await;
    let (action, response, relay) = saml::posted(&page, "SAMLResponse");
    assert_eq!(action, ACS);
    assert_eq!(relay.as_deref(), Some("state-1"));

    let certificate = saml::idp_certificate(&server).await;
    let response_id = saml::attribute_of(&response, "samlp:Response", "ID").unwrap();
    let assertion_id = saml::attribute_of(&response, "saml:Assertion", "ID").unwrap();
    saml::xmlsec_verify(&response, &certificate, &response_id).expect("xmlsec1: Response");
    saml::xmlsec_verify(&response, &certificate, &assertion_id).expect("xmlsec1: Assertion");
    // A different key does not verify them: xmlsec1 really checks.
    let stranger = Identity::generate();
    assert!(saml::xmlsec_verify(&response, &stranger.certificate_pem, &response_id).is_err());

    assert_eq!(
        saml::attribute_of(&response, "samlp:Response", "InResponseTo").as_deref(),
        Some("_req1")
    );
    assert!(response.contains("urn:oasis:names:tc:SAML:2.0:status:Success"));
    assert!(response.contains(
        r#"SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256""#
    ));
    assert!(
        response.contains(r#"DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256""#)
    );
    assert!(response.contains(r#"Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#""#));
    assert_eq!(
        saml::text_of(&response, "saml:NameID").as_deref(),
        Some("samlred-acct")
    );
    assert_eq!(
        saml::attribute_of(&response, "saml:NameID", "Format").as_deref(),
        Some("urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified")
    );
    assert_eq!(
        saml::text_of(&response, "saml:Audience").as_deref(),
        Some(SP_ENTITY)
    );
    let confirmation = "saml:SubjectConfirmationData";
    assert_eq!(
        saml::attribute_of(&response, confirmation, "Recipient").as_deref(),
        Some(ACS)
    );
    assert_eq!(
        saml::attribute_of(&response, confirmation, "InResponseTo").as_deref(),
        Some("_req1")
    );
    assert!(saml::attribute_of(&response, "saml:Conditions", "NotOnOrAfter").is_some());
    assert!(saml::attribute_of(&response, "saml:AuthnStatement", "SessionIndex").is_some());
    assert!(response.contains(r#"<saml:Attribute Name="mail""#));
    assert!(response.contains("<saml:AttributeValue>samlred@example.com</saml:AttributeValue>"));
    assert!(response.contains("<saml:AttributeValue>samlred-acct</saml:AttributeValue>"));

    // The session serves the next request at once; the record has both, never the assertion.
    let again = saml::authn_request(&base, "_req2", &saml::now(), "");
    let hop = browser
        .get(&format!(
            "{SSO}?{}",
            saml::redirect_query("SAMLRequest", &again, None, None)
        ))
        .await;
    let (_, second, _) = saml::posted(&hop, "SAMLResponse");
    assert!(second.contains(r#"InResponseTo="_req2""#));
    let pool = &server.store().database().pool;
    let events: Vec<(String, String)> = sqlx::query_as(
        "SELECT event_type, payload FROM events WHERE stream_type = 'saml_login' ORDER BY position",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let types: Vec<&str> = events.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "saml_login.requested",
            "saml_login.assertion_issued",
            "saml_login.requested",
            "saml_login.assertion_issued"
        ]
    );
    assert!(
        events.iter().all(|(_, p)| !p.contains("samlred-acct")),
        "the NameID is sealed"
    );
    assert!(events[1].1.contains(&assertion_id));
    let audited: Vec<(String,)> =
        sqlx::query_as("SELECT event_type FROM proj_audit_trail WHERE stream_type = 'saml_login'")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(audited.len(), 4);
    server.assert_replay_identical().await;
    server.finish().await;
}

async fn signed_post_requests_are_verified_and_unsigned_ones_refused(engine: Engine) {
    let server = TestServer::start(engine).await;
    let sp = Identity::generate();
    let (_, browser) = saml::fixture(
        &server,
        "samlpost",
        json!({"signing_certificate": sp.certificate_pem, "name_id_format": "persistent"}),
    )
    .await;
    let base = server.client.base.clone();
    let request = saml::authn_request(&base, "_post1", &saml::now(), "");
    let value = saml::post_value(&request, "_post1", Some(&sp));
    let hop = browser
        .post(SSO, &[("SAMLRequest", &value), ("RelayState", "r")])
        .await;
    let page = saml::through_login(&browser, hop, "samlpost").await;
    let (_, response, _) = saml::posted(&page, "SAMLResponse");
    assert!(response.contains("status:Success"), "{response}");
    let persistent = saml::text_of(&response, "saml:NameID").unwrap();
    assert_eq!(persistent.len(), 40);
    assert!(!persistent.contains("samlpost"));

    // The same user again: the same pairwise id.
    let request = saml::authn_request(&base, "_post2", &saml::now(), "");
    let value = saml::post_value(&request, "_post2", Some(&sp));
    let hop = browser.post(SSO, &[("SAMLRequest", &value)]).await;
    let (_, response, _) = saml::posted(&hop, "SAMLResponse");
    assert_eq!(saml::text_of(&response, "saml:NameID").unwrap(), persistent);

    // Unsigned, while the SP is registered as signing: refused with a clear status.
    let request = saml::authn_request(&base, "_post3", &saml::now(), "");
    let hop = browser
        .post(
            SSO,
            &[("SAMLRequest", &saml::post_value(&request, "_post3", None))],
        )
        .await;
    let (action, refused, _) = saml::posted(&hop, "SAMLResponse");
    assert_eq!(action, ACS);
    assert!(refused.contains("status:RequestDenied"), "{refused}");
    assert!(refused.contains("not signed"), "{refused}");
    assert!(!refused.contains("<saml:Assertion"));
    let certificate = saml::idp_certificate(&server).await;
    let id = saml::attribute_of(&refused, "samlp:Response", "ID").unwrap();
    saml::xmlsec_verify(&refused, &certificate, &id).expect("the refusal is signed too");

    // Redirect binding, signed over the query.
    let request = saml::authn_request(&base, "_red9", &saml::now(), "");
    let query = saml::redirect_query("SAMLRequest", &request, Some("x"), Some(&sp.key));
    let hop = browser.get(&format!("{SSO}?{query}")).await;
    let (_, response, _) = saml::posted(&hop, "SAMLResponse");
    assert!(response.contains("status:Success"), "{response}");
    server.finish().await;
}

async fn idp_initiated_sign_in_and_encrypted_assertions(engine: Engine) {
    let server = TestServer::start(engine).await;
    let sp = Identity::generate();
    let (_, browser) = saml::fixture(
        &server,
        "samlidp",
        json!({"encryption_certificate": sp.certificate_pem, "name_id_format": "emailAddress"}),
    )
    .await;
    let url = format!(
        "{SSO}?sp={}&RelayState=home",
        idaas_tests::cas::encode(SP_ENTITY)
    );
    let first = browser.get(&url).await;
    assert!(first.location.clone().unwrap().starts_with("/api/v1/login"));
    let page = saml::through_login(&browser, first, "samlidp").await;
    let (action, response, relay) = saml::posted(&page, "SAMLResponse");
    assert_eq!(action, ACS);
    assert_eq!(relay.as_deref(), Some("home"));
    assert!(saml::attribute_of(&response, "samlp:Response", "InResponseTo").is_none());
    assert!(
        !response.contains("<saml:Assertion "),
        "the assertion is encrypted"
    );
    assert!(response.contains("EncryptedAssertion"));
    let certificate = saml::idp_certificate(&server).await;
    let response_id = saml::attribute_of(&response, "samlp:Response", "ID").unwrap();
    saml::xmlsec_verify(&response, &certificate, &response_id).expect("xmlsec1: Response");
    let plain = saml::xmlsec_decrypt(&response, &sp.key_pem).expect("xmlsec1 decrypts");
    let assertion_id = saml::attribute_of(&plain, "saml:Assertion", "ID").unwrap();
    saml::xmlsec_verify(&plain, &certificate, &assertion_id).expect("xmlsec1: decrypted Assertion");
    assert_eq!(
        saml::text_of(&plain, "saml:NameID").as_deref(),
        Some("samlidp@example.com")
    );
    // Unknown SP: an error page, not a Response to anyone.
    let hop = browser
        .get(&format!(
            "{SSO}?sp={}",
            idaas_tests::cas::encode("https://nobody.example.com")
        ))
        .await;
    assert_eq!(hop.status, reqwest::StatusCode::BAD_REQUEST);
    assert!(hop.text.contains("status:Requester"), "{}", hop.text);
    server.finish().await;
}

async fn keys_rotate_with_both_certificates_published_during_the_overlap(engine: Engine) {
    let server = TestServer::start(engine).await;
    let (_, browser) = saml::fixture(&server, "samlrot", json!({})).await;
    let t = server.token().await;
    let first = saml::idp_certificate(&server).await;
    let certificates = |body: &str| body.matches("<ds:X509Certificate>").count();
    let metadata = || async {
        reqwest::get(format!("{}{METADATA}", server.client.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    assert_eq!(certificates(&metadata().await), 1);

    // The next key: published at once, signing in an hour.
    let next = server
        .client
        .post("/admin/v1/saml-keys", &t, json!({"activate_in_secs": 3600}))
        .await;
    let next = next.assert_status(201).clone();
    assert_eq!(certificates(&metadata().await), 2);
    let sign_in = |id: &'static str| {
        let browser = &browser;
        let server = &server;
        async move {
            let request = saml::authn_request(&server.client.base, id, &saml::now(), "");
            let query = saml::redirect_query("SAMLRequest", &request, None, None);
            let hop = browser.get(&format!("{SSO}?{query}")).await;
            let page = saml::through_login(browser, hop, "samlrot").await;
            saml::posted(&page, "SAMLResponse").1
        }
    };
    let response = sign_in("_rot1").await;
    let id = saml::attribute_of(&response, "samlp:Response", "ID").unwrap();
    saml::xmlsec_verify(&response, &first, &id).expect("still signed by the first key");

    // A key that signs at once: the old one stays published.
    server
        .client
        .post("/admin/v1/saml-keys", &t, json!({}))
        .await
        .assert_status(201);
    let keys = server.client.get("/admin/v1/saml-keys", &t).await;
    let keys = keys.assert_status(200).clone();
    let keys = keys.as_array().unwrap();
    assert_eq!(keys.len(), 3);
    let signing: Vec<&serde_json::Value> = keys.iter().filter(|k| k["signing"] == true).collect();
    assert_eq!(signing.len(), 1);
    assert_ne!(signing[0]["key_id"], next["key_id"]);
    assert!(keys.iter().all(|k| k["published"] == true));
    assert_eq!(certificates(&metadata().await), 3);
    let response = sign_in("_rot2").await;
    let id = saml::attribute_of(&response, "samlp:Response", "ID").unwrap();
    assert!(saml::xmlsec_verify(&response, &first, &id).is_err());
    let der = signing[0]["certificate"].as_str().unwrap();
    let pem = format!("-----BEGIN CERTIFICATE-----\n{der}\n-----END CERTIFICATE-----\n");
    saml::xmlsec_verify(&response, &pem, &id).expect("signed by the new key");
    let bad = server
        .client
        .post("/admin/v1/saml-keys", &t, json!({"activate_in": 5}))
        .await;
    bad.assert_status(400);
    // At most four keys in the metadata, none dated more than 90 days ahead (ops/adr/0012).
    let far = json!({"activate_in_secs": 7_776_001});
    let far = server.client.post("/admin/v1/saml-keys", &t, far).await;
    assert_eq!(far.assert_status(400)["error"], "invalid_request");
    server
        .client
        .post("/admin/v1/saml-keys", &t, json!({}))
        .await
        .assert_status(201);
    assert_eq!(certificates(&metadata().await), 4);
    let refused = server
        .client
        .post("/admin/v1/saml-keys", &t, json!({}))
        .await;
    let refused = refused.assert_status(409).clone();
    assert!(
        refused["message"].as_str().unwrap().contains("4 SAML keys"),
        "{refused}"
    );
    // Once the replaced keys have left the metadata, a key can be added again.
    server.advance(std::time::Duration::from_secs(31 * 24 * 3600));
    assert_eq!(certificates(&metadata().await), 1);
    let t = server.token().await;
    server
        .client
        .post("/admin/v1/saml-keys", &t, json!({}))
        .await
        .assert_status(201);
    server.finish().await;
}

/// An AuthnRequest asking for a NameID format (SAML Core §3.4.1.1 `NameIDPolicy`).
fn asking_for(base: &str, id: &str, format: &str) -> String {
    saml::authn_request(base, id, &saml::now(), "").replace(
        "</saml:Issuer>",
        &format!(
            r#"</saml:Issuer><samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:1.1:nameid-format:{format}" AllowCreate="true"/>"#
        ),
    )
}

async fn a_requested_name_id_format_is_honoured_unless_the_application_pins_its_own(
    engine: Engine,
) {
    let server = TestServer::start(engine).await;
    // The application's format is `unspecified`, as a stock samlify SP asks for emailAddress.
    let (app, browser) = saml::fixture(&server, "samlmail", json!({})).await;
    let base = server.client.base.clone();
    let query = saml::redirect_query(
        "SAMLRequest",
        &asking_for(&base, "_nf1", "emailAddress"),
        None,
        None,
    );
    let hop = browser.get(&format!("{SSO}?{query}")).await;
    let page = saml::through_login(&browser, hop, "samlmail").await;
    let (_, response, _) = saml::posted(&page, "SAMLResponse");
    assert!(response.contains("status:Success"), "{response}");
    assert_eq!(
        saml::text_of(&response, "saml:NameID").as_deref(),
        Some("samlmail@example.com")
    );
    assert!(
        response.contains("nameid-format:emailAddress"),
        "{response}"
    );
    // Pinned to its format, the application answers only that one (or transient).
    let t = server.token().await;
    let pinned = json!({"protocols": {"saml": {"entity_id": saml::SP_ENTITY, "acs_url": saml::ACS,
        "name_id_format": "unspecified", "name_id_format_pinned": true}}});
    server
        .client
        .send(
            reqwest::Method::PATCH,
            &format!("/admin/v1/applications/{}", app.application_id),
            Some(&t),
            Some(&pinned),
            &[],
        )
        .await
        .assert_status(200);
    let query = saml::redirect_query(
        "SAMLRequest",
        &asking_for(&base, "_nf2", "emailAddress"),
        None,
        None,
    );
    let hop = browser.get(&format!("{SSO}?{query}")).await;
    let (_, response, _) = saml::posted(&hop, "SAMLResponse");
    assert!(response.contains("InvalidNameIDPolicy"), "{response}");
    server.finish().await;
}

on_both_engines!(
    the_metadata_is_a_download_with_the_certificate_and_endpoints,
    sp_initiated_sign_in_over_redirect_gives_a_response_xmlsec1_verifies,
    signed_post_requests_are_verified_and_unsigned_ones_refused,
    idp_initiated_sign_in_and_encrypted_assertions,
    keys_rotate_with_both_certificates_published_during_the_overlap,
    a_requested_name_id_format_is_honoured_unless_the_application_pins_its_own,
);
