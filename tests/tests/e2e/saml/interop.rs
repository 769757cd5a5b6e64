//! Interoperability with an independent SAML 2.0 service provider in another language: a stock
//! pysaml2 `Saml2Client` (`tests/python/saml_sp.py`), configured only with the IdP metadata URL
//! `{server}/api/v1/saml2/idp/metadata`, its own entity ID, ACS and SLO URLs, and a key pair
//! whose certificate is registered with the application through the admin API.
//!
//! It proves that pysaml2 reads our metadata (entity ID, signing certificate, SSO and SLO
//! endpoints over HTTP-Redirect and HTTP-POST, NameID formats); that our IdP accepts pysaml2's
//! RSA-SHA256-signed AuthnRequests over HTTP-Redirect (query signature) and HTTP-POST (enveloped
//! signature), and IdP-initiated sign-in with `sp=` (SAML Profiles §4.1); that pysaml2 accepts
//! the Response we post to its ACS (Response and Assertion signatures checked by xmlsec1 against
//! the metadata certificate, Destination, Audience, InResponseTo, RelayState) and reads the
//! account name as an `unspecified` NameID with the mapped attributes; that an assertion
//! encrypted for the SP is decrypted by it; and that single logout works both ways over both
//! bindings (SAML Profiles §4.4): pysaml2's signed LogoutRequest gets a signed Success
//! LogoutResponse at its SLO URL, and our logout sends pysaml2 a signed LogoutRequest for the
//! NameID and SessionIndex it holds, takes its LogoutResponse and finishes on the login page.
//! After each logout a new sign-in is asked for credentials again: the IdP session is gone. And
//! that an AuthnRequest signed with pysaml2's default RSA-SHA1, or not signed, from an SP
//! registered with a signing certificate is refused with a signed error Response pysaml2 reads.
//!
//! Needs `IDAAS_TEST_PYTHON` (set by `.ci/run`); without it the test says it is skipped.

use std::path::{Path, PathBuf};

use idaas_tests::sso::{self, PASSWORD};
use idaas_tests::{on_both_engines, python, Engine, TestServer};
use serde_json::{json, Value};

const SCRIPT: &str = "saml_sp.py";
const METADATA: &str = "/api/v1/saml2/idp/metadata";
const SSO: &str = "/api/v1/saml2/idp/sso";
const SLO: &str = "/api/v1/saml2/idp/slo";
const UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const USER: &str = "pysamluser";
const ACCOUNT: &str = "pysamluser-acct";
const MOBILE: &str = "13900000031";

/// A pysaml2 SP registered as an application, its SLO over one binding.
struct ServiceProvider {
    entity_id: String,
    acs_url: String,
    slo_url: String,
}

impl ServiceProvider {
    fn on(host: &str) -> Self {
        Self {
            entity_id: format!("https://{host}/metadata"),
            acs_url: format!("https://{host}/acs"),
            slo_url: format!("https://{host}/slo"),
        }
    }
}

/// The SP's key pair, made by the script in a directory of its own.
struct Keys {
    dir: PathBuf,
    certificate_pem: String,
}

impl Keys {
    async fn make(interpreter: &Path) -> Self {
        let dir = std::env::temp_dir().join(format!("idaas-pysaml2-{}", uuid::Uuid::new_v4()));
        let dir_text = dir.to_string_lossy().to_string();
        let made = python::run_json(&interpreter.to_path_buf(), SCRIPT, &["cert", &dir_text]).await;
        let certificate_pem = made["certificate_pem"].as_str().unwrap().to_string();
        assert!(certificate_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        Self {
            dir,
            certificate_pem,
        }
    }
}

impl Drop for Keys {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A server with a user and, for each SP, an application holding the user's account.
struct Fixture {
    server: TestServer,
    interpreter: PathBuf,
    keys: Keys,
}

/// Starts a server and registers each `(host, slo_binding, encrypted)` SP with the script's
/// certificate, the released attributes and an account for the user.
async fn fixture(engine: Engine, sps: &[(&str, &str, bool)]) -> Option<Fixture> {
    let interpreter = python::interpreter()?;
    let keys = Keys::make(&interpreter).await;
    let server = TestServer::start(engine).await;
    let token = server.token().await;
    let user_id = sso::user(&server, &token, USER, MOBILE).await;
    for (host, slo_binding, encrypted) in sps {
        let sp = ServiceProvider::on(host);
        let mut saml = json!({
            "entity_id": sp.entity_id, "acs_url": sp.acs_url, "name_id_format": "unspecified",
            "attribute_mapping": {"mail": "email", "uid": "account_name", "mobile": "mobile"},
            "slo_url": sp.slo_url, "slo_binding": slo_binding,
            "signing_certificate": keys.certificate_pem,
            "sign_response": true, "sign_assertion": true,
        });
        if *encrypted {
            saml["encryption_certificate"] = json!(keys.certificate_pem);
        }
        let app = sso::register(
            &server,
            &token,
            &format!("pysaml2 {host}"),
            json!({"saml": saml}),
        )
        .await;
        sso::account(&server, &token, &app, &user_id, ACCOUNT).await;
    }
    Some(Fixture {
        server,
        interpreter,
        keys,
    })
}

impl Fixture {
    /// Runs one flow of the script as the SP on `host`; its summary, checked for what every
    /// sign-in must show.
    async fn flow(&self, host: &str, binding: &str, idp_initiated: bool, logout: &str) -> Value {
        let mut extra = Vec::new();
        if idp_initiated {
            extra.push("--idp-initiated");
        }
        if !logout.is_empty() {
            extra.extend(["--logout", logout]);
        }
        let summary = self.run(host, binding, &extra).await;
        let sp = ServiceProvider::on(host);
        assert_signed_in(&summary, &self.server.client.base, &sp, idp_initiated);
        summary
    }

    /// Runs `flow` as the SP on `host` with these extra arguments; its summary.
    async fn run(&self, host: &str, binding: &str, extra: &[&str]) -> Value {
        let sp = ServiceProvider::on(host);
        let base = &self.server.client.base;
        let keys = self.keys.dir.to_string_lossy().to_string();
        let mut args = vec![
            "flow",
            "--base",
            base,
            "--sp-entity",
            &sp.entity_id,
            "--keys",
            &keys,
            "--user",
            USER,
            "--password",
            PASSWORD,
            "--binding",
            binding,
        ];
        args.extend(extra);
        let summary = python::run_json(&self.interpreter, SCRIPT, &args).await;
        // Shown when an assertion fails.
        eprintln!("{host} {binding} {extra:?}: {summary}");
        summary
    }
}

/// What pysaml2 read from the metadata and from the Response.
#[track_caller]
fn assert_signed_in(summary: &Value, base: &str, sp: &ServiceProvider, idp_initiated: bool) {
    let field = |pointer: &str| summary.pointer(pointer).cloned().unwrap_or(Value::Null);
    let entity_id = format!("{base}{METADATA}");

    assert_eq!(field("/idp/entity_id"), json!(entity_id));
    for binding in ["redirect", "post"] {
        assert_eq!(
            field(&format!("/idp/sso/{binding}")),
            json!([format!("{base}{SSO}")])
        );
        assert_eq!(
            field(&format!("/idp/slo/{binding}")),
            json!([format!("{base}{SLO}")])
        );
    }
    assert!(field("/idp/signing_certificates").as_u64() >= Some(1));
    let formats = field("/idp/name_id_formats");
    assert!(
        formats.as_array().unwrap().contains(&json!(UNSPECIFIED)),
        "{formats}"
    );

    assert_eq!(field("/sign_in/issuer"), json!(entity_id));
    assert_eq!(field("/sign_in/acs_url"), json!(sp.acs_url));
    assert_eq!(field("/sign_in/response_signed"), json!(true));
    assert_eq!(field("/sign_in/assertion_signed"), json!(true));
    assert_eq!(field("/sign_in/relay_state_echoed"), json!(true));
    let audiences = field("/sign_in/audiences");
    assert!(
        audiences.as_array().unwrap().contains(&json!(sp.entity_id)),
        "{audiences}"
    );
    if idp_initiated {
        assert_eq!(field("/sign_in/in_response_to"), Value::Null, "unsolicited");
    } else {
        assert_eq!(field("/sign_in/in_response_to_matches"), json!(true));
    }

    assert_eq!(field("/name_id"), json!(ACCOUNT));
    assert_eq!(field("/name_id_format"), json!(UNSPECIFIED));
    let session_index = field("/session_index");
    assert!(
        session_index.as_str().is_some_and(|s| !s.is_empty()),
        "{session_index}"
    );
    assert_eq!(
        field("/attributes/mail"),
        json!([format!("{USER}@example.com")])
    );
    assert_eq!(field("/attributes/uid"), json!([ACCOUNT]));
    assert_eq!(field("/attributes/mobile"), json!([MOBILE]));
}

/// A logout pysaml2 started: its signed LogoutRequest over `binding`, our signed Success
/// LogoutResponse at its SLO URL over the same binding, and no IdP session left.
#[track_caller]
fn assert_sp_logout(summary: &Value, base: &str, binding: &str) {
    let logout = &summary["logout"];
    assert_eq!(logout["initiated_by"], "sp", "{logout}");
    assert_eq!(logout["request_binding"], binding);
    assert_eq!(logout["response_binding"], binding);
    assert_eq!(logout["status"], SUCCESS);
    assert_eq!(logout["issuer"], format!("{base}{METADATA}"));
    assert_eq!(logout["in_response_to_matches"], true);
    assert_eq!(logout["relay_state_echoed"], true);
    assert_eq!(logout["signature"]["verified"], true);
    assert_eq!(logout["sp_signed_out"], true);
    assert_eq!(logout["idp_session_after_logout"], "login_page");
}

/// A logout our IdP started: a signed LogoutRequest over the SP's SLO binding for the NameID and
/// SessionIndex pysaml2 holds, pysaml2's Success answer taken, the login page at the end, and no
/// IdP session left.
#[track_caller]
fn assert_idp_logout(summary: &Value, base: &str, slo_binding: &str) {
    let logout = &summary["logout"];
    assert_eq!(logout["initiated_by"], "idp", "{logout}");
    assert_eq!(logout["request_binding"], slo_binding);
    assert_eq!(logout["issuer"], format!("{base}{METADATA}"));
    assert_eq!(logout["name_id"], ACCOUNT);
    assert_eq!(logout["name_id_matches_assertion"], true);
    assert_eq!(logout["session_indexes"], json!([summary["session_index"]]));
    assert!(
        logout["relay_state"].is_string(),
        "RelayState to come back with"
    );
    assert_eq!(logout["signature"]["verified"], true);
    assert_eq!(logout["sp_answer_status"], SUCCESS);
    assert_eq!(logout["sp_signed_out"], true);
    assert_eq!(logout["final_path"], "/api/v1/login");
    assert_eq!(logout["final_is_login_page"], true);
    assert_eq!(logout["idp_session_after_logout"], "login_page");
}

async fn pysaml2_signs_in_with_a_signed_authn_request_and_logs_out_over_either_binding(
    engine: Engine,
) {
    let sps = [
        ("sp-redirect.example.com", "redirect", false),
        ("sp-post.example.com", "post", false),
    ];
    let Some(fixture) = fixture(engine, &sps).await else {
        return;
    };
    let base = fixture.server.client.base.clone();
    for (host, binding, _) in sps {
        let summary = fixture.flow(host, binding, false, "sp").await;
        assert_eq!(summary["sign_in"]["initiated_by"], "sp");
        assert_eq!(summary["sign_in"]["request_binding"], binding);
        assert_eq!(summary["sign_in"]["assertion_encrypted"], false);
        assert_sp_logout(&summary, &base, binding);
    }
    fixture.server.assert_replay_identical().await;
    fixture.server.finish().await;
}

async fn pysaml2_takes_an_idp_initiated_sign_in_and_answers_the_idp_s_logout_request(
    engine: Engine,
) {
    let sps = [
        ("sp-redirect.example.com", "redirect", false),
        ("sp-post.example.com", "post", false),
    ];
    let Some(fixture) = fixture(engine, &sps).await else {
        return;
    };
    let base = fixture.server.client.base.clone();
    for (host, slo_binding, _) in sps {
        let summary = fixture.flow(host, slo_binding, true, "idp").await;
        assert_eq!(summary["sign_in"]["initiated_by"], "idp");
        assert_idp_logout(&summary, &base, slo_binding);
    }
    fixture.server.assert_replay_identical().await;
    fixture.server.finish().await;
}

async fn pysaml2_decrypts_an_assertion_encrypted_for_it(engine: Engine) {
    let sps = [("sp-encrypted.example.com", "post", true)];
    let Some(fixture) = fixture(engine, &sps).await else {
        return;
    };
    for idp_initiated in [false, true] {
        let summary = fixture.flow(sps[0].0, "post", idp_initiated, "").await;
        assert_eq!(summary["sign_in"]["assertion_encrypted"], true, "{summary}");
        assert_eq!(summary["logout"], Value::Null);
    }
    fixture.server.finish().await;
}

/// pysaml2 signs with RSA-SHA1 unless told otherwise, and may be configured not to sign at all:
/// for an SP registered with a signing certificate, either AuthnRequest is refused with a signed
/// error Response at its ACS (`Requester`/`RequestDenied`), which pysaml2 verifies and reads as
/// such, and nobody is asked to sign in.
async fn authn_requests_pysaml2_signs_with_sha1_or_not_at_all_are_refused(engine: Engine) {
    let sps = [
        ("sp-redirect.example.com", "redirect", false),
        ("sp-post.example.com", "post", false),
    ];
    let Some(fixture) = fixture(engine, &sps).await else {
        return;
    };
    for (host, binding, _) in sps {
        for signature in ["rsa-sha1", "none"] {
            let summary = fixture
                .run(host, binding, &["--request-signature", signature])
                .await;
            let refused = &summary["sign_in"]["refused"];
            assert_eq!(refused["error"], "StatusRequestDenied", "{summary}");
            assert_eq!(
                refused["status_codes"],
                json!([
                    "urn:oasis:names:tc:SAML:2.0:status:Requester",
                    "urn:oasis:names:tc:SAML:2.0:status:RequestDenied"
                ])
            );
            assert_eq!(refused["acs_url"], ServiceProvider::on(host).acs_url);
        }
    }
    fixture.server.finish().await;
}

on_both_engines!(
    pysaml2_signs_in_with_a_signed_authn_request_and_logs_out_over_either_binding,
    pysaml2_takes_an_idp_initiated_sign_in_and_answers_the_idp_s_logout_request,
    pysaml2_decrypts_an_assertion_encrypted_for_it,
    authn_requests_pysaml2_signs_with_sha1_or_not_at_all_are_refused,
);
