//! Applications registered from the command line (issue 3): credentials, the API product grant,
//! enable/disable, protocol settings, listing without secrets.

use domain::application::{Application, ApplicationCommand, ProtocolSettings, SamlServiceProvider};
use domain::Aggregate;
use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::json;
use store::{CommandBus, Context};
use usecases::applications::NewApplication;

fn form(client_id: &str, client_secret: &str) -> String {
    format!("grant_type=client_credentials&client_id={client_id}&client_secret={client_secret}")
}

async fn an_application_created_from_the_cli_gets_a_token_only_with_the_api_product(
    engine: Engine,
) {
    let server = TestServer::start(engine).await;
    let store = server.store();
    let with = NewApplication {
        name: "HR Portal".into(),
        api_product: true,
        app_roles: true,
        protocols: ProtocolSettings {
            redirect_uris: vec!["https://hr.example.com/callback".into()],
            cas_services: vec!["https://hr.example.com/cas".into()],
            saml: Some(SamlServiceProvider {
                name_id_format: "persistent".into(),
                attribute_mapping: [("mail".to_string(), "email".to_string())].into(),
                ..SamlServiceProvider::new(
                    "https://hr.example.com/sp",
                    "https://hr.example.com/acs",
                )
            }),
            refresh_token_lifetime_secs: Some(86_400),
            ..Default::default()
        },
        ..Default::default()
    };
    let granted = idaas_server::cli::create_app(store, "default", with)
        .await
        .unwrap();
    server
        .client
        .token(&granted.client_id, &granted.client_secret, None)
        .await;
    let without = NewApplication {
        name: "Intranet".into(),
        ..Default::default()
    };
    let plain = idaas_server::cli::create_app(store, "default", without)
        .await
        .unwrap();
    let refused = server
        .client
        .token_reply(&form(&plain.client_id, &plain.client_secret), None)
        .await;
    assert_eq!(refused.body["error"], "unauthorized_client");

    // Disabling the application refuses new tokens and the ones already issued.
    let token = server
        .client
        .token(&granted.client_id, &granted.client_secret, None)
        .await;
    let bus = CommandBus::new(store.clone());
    let ctx = Context {
        tenant_id: "default".into(),
        metadata: Default::default(),
    };
    let disable = ApplicationCommand::Disable { now: 1 };
    bus.execute::<Application, _>(&ctx, &granted.application_id, |a| {
        a.decide(disable.clone(), &())
    })
    .await
    .unwrap();
    let refused = server
        .client
        .token_reply(&form(&granted.client_id, &granted.client_secret), None)
        .await;
    assert_eq!(refused.body["error"], "unauthorized_client");
    server
        .client
        .get("/api/v2/tenant/users?offset=0&limit=10", &token)
        .await
        .assert_status(401);

    let listed = idaas_server::cli::list_apps(store, "default")
        .await
        .unwrap();
    assert_eq!(listed.len(), 3, "bootstrap, HR Portal, Intranet");
    let hr = listed.iter().find(|a| a["name"] == "HR Portal").unwrap();
    assert_eq!(hr["enabled"], false);
    assert_eq!(hr["app_roles"], true);
    assert_eq!(
        hr["protocols"]["redirect_uris"][0],
        "https://hr.example.com/callback"
    );
    assert_eq!(
        hr["protocols"]["saml"]["acs_url"],
        "https://hr.example.com/acs"
    );
    assert_eq!(hr["protocols"]["saml"]["name_id_format"], "persistent");
    assert_eq!(hr["protocols"]["refresh_token_lifetime_secs"], 86_400);
    assert_eq!(
        hr["protocols"]["grant_types"],
        json!(["authorization_code"])
    );
    assert_eq!(hr["protocols"]["redirect_uri_match"], "exact");
    let text = serde_json::to_string(&listed).unwrap();
    assert!(!text.contains(&granted.client_secret) && !text.contains("secret"));

    let bad = NewApplication {
        name: "Bad".into(),
        protocols: ProtocolSettings {
            redirect_uris: vec!["javascript:alert(1)".into()],
            ..Default::default()
        },
        ..Default::default()
    };
    assert!(idaas_server::cli::create_app(store, "default", bad)
        .await
        .is_err());
    assert!(
        idaas_server::cli::create_app(store, "no-such-tenant", NewApplication::default())
            .await
            .is_err()
    );
    server.finish().await;
}

on_both_engines!(an_application_created_from_the_cli_gets_a_token_only_with_the_api_product);
