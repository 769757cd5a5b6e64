//! Interoperability with an independent CAS client in another language: python-cas
//! (`tests/python/cas_client.py`), configured only with the standard base `{server}/cas/` and a
//! registered service URL, validates service tickets the way a deployed python-cas service does,
//! once with each of its clients: `CASClientV1` (`/cas/validate`, CAS Protocol 3.0 §2.4),
//! `CASClientV2` (`/cas/serviceValidate`, §2.5), `CASClientV3` (`/cas/p3/serviceValidate`, §2.8)
//! and `CASClientWithSAMLV1` (`POST /cas/samlValidate?TARGET=`, §4.2, SAML 1.1 over SOAP).
//!
//! It proves that each client's parser reads our answer as the right user (the account name)
//! with the released attributes and the protocol ones (`authenticationDate`, `isFromNewLogin`,
//! `longTermAuthenticationRequestTokenUsed`) where its protocol carries attributes, and none over
//! CAS 1.0; that the login URL each client builds brings a signed-in browser straight back to the
//! service with a ticket that validates (single sign-on, so not a new login); that a ticket is
//! refused the second time (§3.1.1); and that the logout URL each client builds ends the session.
//!
//! Needs `IDAAS_TEST_PYTHON` (set by `.ci/run`); without it the test says it is skipped.

use idaas_tests::cas::{self, ticket_of, SERVICE, STANDARD};
use idaas_tests::{on_both_engines, python, Engine, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

const RELEASED: [&str; 4] = ["account_name", "name", "email", "mobile"];

/// One python-cas client: its `version=` argument, its class, the query parameter its logout URL
/// names the redirect with, and whether its protocol carries attributes.
struct Client {
    version: &'static str,
    class: &'static str,
    logout_parameter: &'static str,
    attributes: bool,
}

const CLIENTS: [Client; 4] = [
    Client {
        version: "1",
        class: "CASClientV1",
        logout_parameter: "url",
        attributes: false,
    },
    Client {
        version: "2",
        class: "CASClientV2",
        logout_parameter: "url",
        attributes: true,
    },
    Client {
        version: "3",
        class: "CASClientV3",
        logout_parameter: "service",
        attributes: true,
    },
    Client {
        version: "CAS_2_SAML_1_0",
        class: "CASClientWithSAMLV1",
        logout_parameter: "url",
        attributes: true,
    },
];

/// Runs the script for `client` on these tickets; its summary.
async fn python_cas(
    interpreter: &std::path::PathBuf,
    server: &TestServer,
    client: &Client,
    tickets: &[&str],
) -> Value {
    let server_url = format!("{}{STANDARD}/", server.client.base);
    let mut args = vec![
        "--server-url",
        &server_url,
        "--service-url",
        SERVICE,
        "--version",
        client.version,
        "--logout-redirect",
        SERVICE,
    ];
    for ticket in tickets {
        args.extend(["--ticket", ticket]);
    }
    let summary = python::run_json(interpreter, "cas_client.py", &args).await;
    // Shown when an assertion below fails.
    eprintln!("{}: {summary}", client.class);
    assert_eq!(summary["client"], client.class, "{summary}");
    summary
}

/// What python-cas read from one successful validation, checked against the fixture.
#[track_caller]
fn assert_validated(client: &Client, validation: &Value, account: &str, new_login: bool) {
    assert_eq!(
        validation["user"], account,
        "{}: {validation}",
        client.class
    );
    assert_eq!(validation["pgtiou"], Value::Null, "{validation}");
    let attributes = &validation["attributes"];
    if !client.attributes {
        assert_eq!(attributes, &Value::Null, "CAS 1.0 has no attributes");
        return;
    }
    // python-cas hands every attribute over as text.
    for name in RELEASED {
        assert!(
            attributes[name].is_string(),
            "{}: no {name} in {attributes}",
            client.class
        );
    }
    assert_eq!(attributes["account_name"], account);
    assert_eq!(attributes["name"], account);
    assert_eq!(attributes["email"], "casinterop@example.com");
    let mobile = attributes["mobile"].as_str().unwrap();
    assert!(
        mobile.len() == 11 && mobile.bytes().all(|b| b.is_ascii_digit()),
        "{mobile}"
    );
    assert_eq!(
        attributes["isFromNewLogin"],
        json!(new_login.to_string()),
        "{}: {attributes}",
        client.class
    );
    assert_eq!(
        attributes["longTermAuthenticationRequestTokenUsed"],
        "false"
    );
    let date = attributes["authenticationDate"].as_str().unwrap();
    assert!(iso_utc_millis(date), "authenticationDate {date}");
}

/// `2024-05-01T08:30:00.123Z`: ISO-8601 UTC with milliseconds.
fn iso_utc_millis(text: &str) -> bool {
    let shape = "dddd-dd-ddTdd:dd:dd.dddZ";
    text.len() == shape.len()
        && text.bytes().zip(shape.bytes()).all(|(c, s)| match s {
            b'd' => c.is_ascii_digit(),
            other => c == other,
        })
}

async fn python_cas_validates_tickets_with_each_of_its_clients(engine: Engine) {
    let Some(interpreter) = python::interpreter() else {
        return;
    };
    let server = TestServer::start(engine).await;
    let fixture = cas::fixture(
        &server,
        "casinterop",
        json!({"cas_released_attributes": RELEASED}),
    )
    .await;
    let account = fixture.account_name.as_str();
    let base = &server.client.base;

    for client in &CLIENTS {
        // Signed out (from the start, or by the previous client's logout URL): a new login.
        let first = fixture.ticket(SERVICE).await;
        let summary = python_cas(&interpreter, &server, client, &[&first]).await;
        assert_validated(client, &summary["validations"][0], account, true);

        // The login URL the client sends browsers to: back at once with a ticket, by single
        // sign-on.
        let login_url = summary["login_url"].as_str().unwrap();
        assert_eq!(
            login_url,
            format!("{base}{}", cas::login_path(STANDARD, SERVICE))
        );
        let hop = fixture.browser.get(login_url).await;
        assert_eq!(hop.status, StatusCode::FOUND, "{}", hop.text);
        let location = hop.location.clone().unwrap_or_default();
        assert!(
            location.starts_with(&format!("{SERVICE}?ticket=ST-")),
            "{location}"
        );
        let second = ticket_of(&hop);

        // The new ticket validates; the first, presented again, is refused (§3.1.1).
        let summary = python_cas(&interpreter, &server, client, &[&second, &first]).await;
        assert_validated(client, &summary["validations"][0], account, false);
        let replayed = &summary["validations"][1];
        assert_eq!(
            replayed["user"],
            Value::Null,
            "{}: {replayed}",
            client.class
        );
        assert_eq!(replayed["pgtiou"], Value::Null);

        // The logout URL ends the session and comes back to the service, whether the client
        // names it `service` (CAS 3.0) or `url` (python-cas's CAS 1.0 and 2.0 clients).
        let logout_url = summary["logout_url"].as_str().unwrap();
        assert_eq!(
            logout_url,
            format!(
                "{base}{STANDARD}/logout?{}={}",
                client.logout_parameter,
                cas::encode(SERVICE)
            )
        );
        let hop = fixture.browser.get(logout_url).await;
        assert_eq!(hop.status, StatusCode::FOUND, "{}", hop.text);
        assert_eq!(fixture.browser.cookie("idaas_session"), None);
        assert_eq!(hop.location.as_deref(), Some(SERVICE));
        let hop = fixture.browser.get(login_url).await;
        assert!(
            hop.location
                .as_deref()
                .unwrap_or_default()
                .starts_with("/api/v1/login"),
            "signed out, the login URL asks again: {:?}",
            hop.location
        );
    }
    server.finish().await;
}

on_both_engines!(python_cas_validates_tickets_with_each_of_its_clients);
