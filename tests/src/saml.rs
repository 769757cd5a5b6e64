//! A SAML service provider's side of the end-to-end tests: its key and certificate, the
//! AuthnRequests and LogoutRequests it sends over each binding, reading the Response the IdP
//! posts to its ACS, and the `xmlsec1` tool as the independent judge of the IdP's signatures.

use std::path::PathBuf;
use std::process::Command;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::RsaKeyPair;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use xml_dsig as dsig;

use crate::sso::{self, Browser, Hop, SsoApp, PASSWORD};
use crate::TestServer;

pub const SSO: &str = "/api/v1/saml2/idp/sso";
pub const SLO: &str = "/api/v1/saml2/idp/slo";
pub const METADATA: &str = "/api/v1/saml2/idp/metadata";
pub const SP_ENTITY: &str = "https://sp.example.com/metadata";
pub const ACS: &str = "https://sp.example.com/acs";
pub const SP_SLO: &str = "https://sp.example.com/slo";

/// An RSA key with its self-signed certificate.
pub struct Identity {
    pub key: RsaKeyPair,
    pub key_pem: String,
    pub certificate_pem: String,
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

impl Identity {
    pub fn generate() -> Self {
        let key = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        let pkcs8 = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&key).unwrap();
        let key_pem = pem("PRIVATE KEY", pkcs8.as_ref());
        let signer =
            rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(&key_pem, &rcgen::PKCS_RSA_SHA256)
                .unwrap();
        let certificate = rcgen::CertificateParams::new(vec!["sp.example.com".to_string()])
            .unwrap()
            .self_signed(&signer)
            .unwrap();
        Self {
            key,
            key_pem,
            certificate_pem: certificate.pem(),
        }
    }
}

/// A SAML application with these SP settings (merged over the defaults), a user with an account
/// `{user}-acct`, and the user's browser.
pub async fn fixture(server: &TestServer, user: &str, saml: Value) -> (SsoApp, Browser) {
    let token = server.token().await;
    let mut settings = json!({"entity_id": SP_ENTITY, "acs_url": ACS, "slo_url": SP_SLO,
        "attribute_mapping": {"mail": "email", "uid": "account_name"}});
    for (k, v) in saml.as_object().unwrap() {
        settings[k] = v.clone();
    }
    let app = sso::register(
        server,
        &token,
        &format!("saml-{user}"),
        json!({"saml": settings}),
    )
    .await;
    let user_id = sso::user(
        server,
        &token,
        user,
        &format!("137{:08}", user.len() * 7919),
    )
    .await;
    sso::account(server, &token, &app, &user_id, &format!("{user}-acct")).await;
    (app, Browser::new(server))
}

pub fn now() -> String {
    chrono_like(std::time::SystemTime::now(), 0)
}

/// An xs:dateTime `offset_secs` from `at`.
pub fn chrono_like(at: std::time::SystemTime, offset_secs: i64) -> String {
    let secs = at.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64 + offset_secs;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// An AuthnRequest from the test SP; `extra` goes into the root's attributes.
pub fn authn_request(base: &str, id: &str, instant: &str, extra: &str) -> String {
    format!(
        r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" Version="2.0" IssueInstant="{instant}" Destination="{base}{SSO}" AssertionConsumerServiceURL="{ACS}" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"{extra}><saml:Issuer>{SP_ENTITY}</saml:Issuer></samlp:AuthnRequest>"#
    )
}

/// The HTTP-Redirect query for a message, signed when a key is given.
pub fn redirect_query(
    param: &str,
    xml: &str,
    relay: Option<&str>,
    key: Option<&RsaKeyPair>,
) -> String {
    let encoded = STANDARD.encode(dsig::deflate(xml.as_bytes()));
    let mut query = format!("{param}={}", crate::cas::encode(&encoded));
    if let Some(relay) = relay {
        query.push_str(&format!("&RelayState={}", crate::cas::encode(relay)));
    }
    match key {
        Some(key) => dsig::sign_redirect(&query, key).unwrap(),
        None => query,
    }
}

/// The HTTP-POST value of a message, with an enveloped signature when an identity is given.
pub fn post_value(xml: &str, id: &str, signer: Option<&Identity>) -> String {
    let xml = match signer {
        Some(identity) => {
            let der = STANDARD
                .decode(
                    identity
                        .certificate_pem
                        .lines()
                        .filter(|l| !l.starts_with("-----"))
                        .collect::<String>(),
                )
                .unwrap();
            dsig::sign_enveloped(xml, id, &identity.key, &der).unwrap()
        }
        None => xml.to_string(),
    };
    STANDARD.encode(xml)
}

/// Walks a hop through the hosted login if asked, to the page the IdP finally answers.
pub async fn through_login(browser: &Browser, hop: Hop, user: &str) -> Hop {
    let hop = browser.follow(hop).await;
    if hop.hidden("csrf").is_some() {
        let after = browser.sign_in(&hop, user, PASSWORD).await;
        return browser.follow(after).await;
    }
    hop
}

/// The form an IdP page posts: its action, the decoded SAML message and the RelayState.
pub fn posted(hop: &Hop, param: &str) -> (String, String, Option<String>) {
    assert_eq!(hop.status, reqwest::StatusCode::OK, "{}", hop.text);
    let action = hop
        .text
        .split(r#"<form method="post" action=""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no form in {}", hop.text))
        .replace("&amp;", "&");
    let value = hop
        .hidden(param)
        .unwrap_or_else(|| panic!("no {param} in {}", hop.text));
    let xml = String::from_utf8(STANDARD.decode(value).unwrap()).unwrap();
    (action, xml, hop.hidden("RelayState"))
}

/// The value of the first `attribute="…"` in `xml` after `element`.
pub fn attribute_of(xml: &str, element: &str, attribute: &str) -> Option<String> {
    let start = xml.find(&format!("<{element} "))?;
    let rest = &xml[start..];
    let end = rest.find('>')?;
    let tag = &rest[..end];
    let marker = format!(" {attribute}=\"");
    let at = tag.find(&marker)? + marker.len();
    Some(tag[at..].split('"').next()?.to_string())
}

/// The text of the first `<element>…</element>`.
pub fn text_of(xml: &str, element: &str) -> Option<String> {
    let start = [format!("<{element}>"), format!("<{element} ")]
        .iter()
        .filter_map(|open| xml.find(open.as_str()))
        .min()?;
    let rest = &xml[start..];
    let open_end = rest.find('>')? + 1;
    let close = rest.find(&format!("</{element}>"))?;
    Some(rest[open_end..close].to_string())
}

/// The IdP's signing certificate, PEM, from its metadata.
pub async fn idp_certificate(server: &TestServer) -> String {
    let response = reqwest::get(format!("{}{METADATA}", server.client.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let base64 = text_of(&response, "ds:X509Certificate").expect("a certificate in the metadata");
    pem("CERTIFICATE", &STANDARD.decode(base64).unwrap())
}

struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("idaas-saml-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn xmlsec1(args: &[String]) -> (bool, String) {
    let output = Command::new("xmlsec1")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("the xmlsec1 tool is needed (Debian package xmlsec1): {e}"));
    (
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

fn id_attrs() -> Vec<String> {
    [
        "urn:oasis:names:tc:SAML:2.0:protocol:Response",
        "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
        "urn:oasis:names:tc:SAML:2.0:protocol:LogoutRequest",
        "urn:oasis:names:tc:SAML:2.0:protocol:LogoutResponse",
    ]
    .iter()
    .flat_map(|e| ["--id-attr:ID".to_string(), e.to_string()])
    .collect()
}

/// `xmlsec1 --verify` of the signature of the element with this `ID`, with this certificate's key
/// only (the certificate in KeyInfo is not trusted).
pub fn xmlsec_verify(xml: &str, certificate_pem: &str, id: &str) -> Result<(), String> {
    let scratch = Scratch::new();
    let document = scratch.write("signed.xml", xml);
    let certificate = scratch.write("cert.pem", certificate_pem);
    let mut args: Vec<String> = ["--verify", "--enabled-key-data", "rsa", "--pubkey-cert-pem"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.push(certificate);
    args.extend(id_attrs());
    args.push("--node-xpath".into());
    args.push(format!("//*[@ID='{id}']/*[local-name()='Signature']"));
    args.push(document);
    match xmlsec1(&args) {
        (true, _) => Ok(()),
        (false, out) => Err(out),
    }
}

/// `xmlsec1 --decrypt` of an EncryptedAssertion with the SP's key.
pub fn xmlsec_decrypt(xml: &str, key_pem: &str) -> Result<String, String> {
    let scratch = Scratch::new();
    let document = scratch.write("encrypted.xml", xml);
    let key = scratch.write("key.pem", key_pem);
    let output = scratch.0.join("plain.xml").to_string_lossy().into_owned();
    let args: Vec<String> = vec![
        "--decrypt".into(),
        "--privkey-pem".into(),
        key,
        "--output".into(),
        output.clone(),
        document,
    ];
    match xmlsec1(&args) {
        (true, _) => Ok(std::fs::read_to_string(output).unwrap()),
        (false, out) => Err(out),
    }
}
