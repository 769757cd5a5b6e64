//! A stock samlify service provider with its default settings (it asks for an emailAddress
//! NameID and sends unsigned requests) signs in: samlify parses and verifies the Response
//! against the IdP metadata (SAML Core §3.4.1.1, issue 14).

use idaas_tests::{node, sso};
use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::json;

const ENTITY: &str = "https://samlify.example.com/metadata";
const ACS: &str = "https://samlify.example.com/acs";

async fn a_stock_samlify_sp_with_default_settings_signs_in(engine: Engine) {
    if !node::available() {
        return;
    }
    let server = TestServer::start(engine).await;
    let t = server.token().await;
    // Registered as an administrator would, without naming a NameID format.
    let saml = json!({"entity_id": ENTITY, "acs_url": ACS,
        "attribute_mapping": {"mail": "email", "uid": "account_name"}});
    let app = sso::register(&server, &t, "samlify", json!({"saml": saml})).await;
    let user_id = sso::user(&server, &t, "samlifyuser", "13700000042").await;
    sso::account(&server, &t, &app, &user_id, "samlify-acct").await;
    let base = server.client.base.clone();
    let answer = node::run_json(
        "samlify_sp.js",
        &[&base, ENTITY, ACS, "samlifyuser", sso::PASSWORD],
    )
    .await;
    assert_eq!(answer["name_id"], "samlifyuser@example.com", "{answer}");
    assert_eq!(answer["attributes"]["uid"], "samlify-acct", "{answer}");
    assert_eq!(answer["audience"], ENTITY, "{answer}");
    server.finish().await;
}

on_both_engines!(a_stock_samlify_sp_with_default_settings_signs_in);
