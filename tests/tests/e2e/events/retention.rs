//! The purge of expired short-lived rows (ops/adr/0027; DESIGN.md "Audit and compliance",
//! short-lived protocol records): a day after they expired, sessions, access tokens, CAS tickets
//! and management tokens leave the projection tables; live rows, issued SAML sign-ins and the log
//! stay; and a rebuild (`idaas replay`) and `idaas verify` agree with the purged tables.

use std::time::Duration;

use idaas_server::cli::{self, Verdict};
use idaas_tests::cas::{self, SERVICE, STANDARD};
use idaas_tests::oauth;
use idaas_tests::saml::{self, SSO};
use idaas_tests::sso::Browser;
use idaas_tests::{on_both_engines, Engine, TestServer};
use serde_json::json;

const CB: &str = "https://rp.example.com/cb";

const TABLES: [&str; 5] = [
    "proj_sso_sessions",
    "proj_oauth_tokens",
    "proj_cas_tickets",
    "proj_management_tokens",
    "proj_saml_logins",
];

async fn rows(server: &TestServer, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&server.store().database().pool)
        .await
        .unwrap()
}

async fn events(server: &TestServer) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(&server.store().database().pool)
        .await
        .unwrap()
}

/// Waits (at most twenty seconds) until the worker has emptied `table` down to `left` rows.
async fn until_purged(server: &TestServer, table: &str, left: i64) {
    for _ in 0..200 {
        if rows(server, table).await == left {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{table} still has {} rows", rows(server, table).await);
}

async fn expired_rows_are_purged_and_verify_stays_sound(engine: Engine) {
    let server = TestServer::start_configured(engine, |config| {
        config.retention.purge_every_seconds = 1;
    })
    .await;
    // A CAS ticket never validated, an OIDC sign-in with its tokens, a SAML sign-in.
    let fixture = cas::fixture(&server, "purged", json!({})).await;
    let unused = fixture.ticket(SERVICE).await;
    let (app, _) = oauth::app_with_user(
        &server,
        "Purged",
        json!({"redirect_uris": [CB]}),
        "purgedrp",
        "13600000077",
    )
    .await;
    let browser = Browser::new(&server);
    let code = oauth::code(&browser, &app, CB, &[("scope", "openid")], "purgedrp").await;
    oauth::exchange(&server, &app, &code, CB).await.ok();
    let (_, saml_browser) = saml::fixture(&server, "purgedsaml", json!({})).await;
    let request = saml::authn_request(&server.client.base, "_kept", &saml::now(), "");
    let query = saml::redirect_query("SAMLRequest", &request, None, None);
    let first = saml_browser.get(&format!("{SSO}?{query}")).await;
    let page = saml::through_login(&saml_browser, first, "purgedsaml").await;
    saml::posted(&page, "SAMLResponse");
    for table in TABLES {
        assert!(rows(&server, table).await > 0, "{table} has rows");
    }
    let logged = events(&server).await;

    // Three days on, everything above has expired more than a day ago.
    server.advance(Duration::from_secs(3 * 24 * 3600));
    for table in &TABLES[..4] {
        until_purged(&server, table, 0).await;
    }
    assert_eq!(
        rows(&server, "proj_saml_logins").await,
        1,
        "an issued sign-in stays while single logout may need it"
    );
    assert!(events(&server).await >= logged, "the log is untouched");
    assert!(matches!(
        cli::verify(server.store()).await.unwrap(),
        Verdict::Sound { .. }
    ));
    server.assert_replay_identical().await;

    // What is still in use stays: a new sign-in survives the next rounds.
    let fresh = fixture.ticket(SERVICE).await;
    let answer =
        cas::validate_json(&server, STANDARD, "serviceValidate", SERVICE, &fresh, "").await;
    assert_eq!(cas::failure_code(&answer), None, "{answer}");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(rows(&server, "proj_sso_sessions").await, 1);
    assert_eq!(rows(&server, "proj_cas_tickets").await, 1);
    // The purged ticket answers as an unknown one.
    let answer =
        cas::validate_json(&server, STANDARD, "serviceValidate", SERVICE, &unused, "").await;
    assert_eq!(
        cas::failure_code(&answer).as_deref(),
        Some("INVALID_TICKET")
    );
    assert!(matches!(
        cli::verify(server.store()).await.unwrap(),
        Verdict::Sound { .. }
    ));
    server.assert_replay_identical().await;
    server.finish().await;
}

on_both_engines!(expired_rows_are_purged_and_verify_stays_sound);
