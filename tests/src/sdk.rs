//! OneAccess SDK fixtures: a device (the headers it sends), calls to the SDK endpoints from it,
//! TOTP enrolment through the hosted pages, CAPTCHA answers, and JWT claims read back.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};

use crate::sso::{self, Browser};
use crate::{Reply, TestServer};

/// A calling device and the client it speaks for.
#[derive(Debug, Clone)]
pub struct Device {
    pub fingerprint: String,
    pub client_id: String,
    /// `X-L`, when set.
    pub language: Option<String>,
}

impl Device {
    pub fn new(fingerprint: &str, client_id: &str) -> Self {
        Self {
            fingerprint: fingerprint.to_string(),
            client_id: client_id.to_string(),
            language: None,
        }
    }

    /// The same device speaking Chinese.
    pub fn chinese(&self) -> Self {
        Self {
            language: Some("zh".into()),
            ..self.clone()
        }
    }

    /// The documented headers of a device request, plus `extra` (`X-state-token`…).
    pub fn headers(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut headers = vec![
            (
                "X-operating-sys-version".to_string(),
                "Android 10".to_string(),
            ),
            ("X-device-fingerprint".to_string(), self.fingerprint.clone()),
            ("X-device-ip".to_string(), "10.10.10.1".to_string()),
            (
                "X-agent".to_string(),
                "Mozilla/5.0 (Linux; Android 10) idaas-tests".to_string(),
            ),
            ("X-client-id".to_string(), self.client_id.clone()),
        ];
        if let Some(lang) = &self.language {
            headers.push(("X-L".to_string(), lang.clone()));
        }
        headers.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        headers
    }

    /// The device information of the `sso-ticket` bodies.
    pub fn body(&self, mut fields: Value) -> Value {
        fields["operating_sys_version"] = json!("Android 10");
        fields["device_ip"] = json!("10.10.10.1");
        fields["device_fingerprint"] = json!(self.fingerprint);
        fields["agent"] = json!("Mozilla/5.0 (Linux; Android 10) idaas-tests");
        fields
    }
}

/// A request with exactly these headers.
pub async fn send(
    server: &TestServer,
    method: Method,
    path: &str,
    headers: &[(String, String)],
    body: Option<Value>,
) -> Reply {
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    server
        .client
        .send(method, path, None, body.as_ref(), &headers)
        .await
}

/// `POST /api/v2/sdk/login` from `device`.
pub async fn login(server: &TestServer, device: &Device, user_name: &str, password: &str) -> Reply {
    login_body(
        server,
        device,
        json!({"user_name": user_name, "password": password}),
    )
    .await
}

pub async fn login_body(server: &TestServer, device: &Device, body: Value) -> Reply {
    send(
        server,
        Method::POST,
        "/api/v2/sdk/login",
        &device.headers(&[]),
        Some(body),
    )
    .await
}

/// A step of a login: `method path` with `X-state-token`.
pub async fn step(
    server: &TestServer,
    device: &Device,
    method: Method,
    path: &str,
    state_token: &str,
    body: Option<Value>,
) -> Reply {
    let headers = device.headers(&[("X-state-token", state_token)]);
    send(server, method, path, &headers, body).await
}

/// Asserts a login result with this status; its body.
#[track_caller]
pub fn assert_status(reply: &Reply, status: &str) -> Value {
    assert_eq!(reply.status.as_u16(), 200, "body: {}", reply.text);
    assert_eq!(reply.body["status"], status, "body: {}", reply.text);
    reply.body.clone()
}

/// The state token of a challenge answer.
#[track_caller]
pub fn state_token(reply: &Reply, status: &str) -> String {
    let body = assert_status(reply, status);
    assert!(body.get("session_token").is_none(), "{body}");
    body["state_token"]
        .as_str()
        .expect("state_token")
        .to_string()
}

/// The claims of a JWT, unverified.
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON")
}

/// An application (through the admin API), a user with `sso::PASSWORD` and an account in it.
pub async fn app_and_user(
    server: &TestServer,
    token: &str,
    user_name: &str,
    mobile: &str,
) -> (sso::SsoApp, String) {
    let app = sso::register(server, token, &format!("{user_name} app"), json!({})).await;
    let user_id = sso::user(server, token, user_name, mobile).await;
    sso::account(server, token, &app, &user_id, user_name).await;
    (app, user_id)
}

/// Enrols a TOTP factor for the user through the hosted pages; the secret.
pub async fn enrol_totp(server: &TestServer, user_name: &str) -> Vec<u8> {
    let browser = Browser::new(server);
    let page = browser.get("/api/v1/login").await;
    browser.sign_in(&page, user_name, sso::PASSWORD).await;
    let enroll = browser.get("/api/v1/login/otp/enroll").await;
    let start = enroll.text.find("<code>").expect("secret shown") + "<code>".len();
    let end = enroll.text[start..].find("</code>").unwrap() + start;
    let secret = domain::totp::from_base32(&enroll.text[start..end]).expect("base32");
    let csrf = enroll.hidden("csrf").unwrap();
    let code = domain::totp::code_at(&secret, domain::totp::step_of(now_ms()));
    let enrolled = browser
        .post(
            "/api/v1/login/otp/enroll",
            &[("code", &code), ("csrf", &csrf)],
        )
        .await;
    assert!(
        enrolled.text.contains("Two-step verification is on"),
        "{}",
        enrolled.text
    );
    secret
}

/// The TOTP code `steps_ahead` time steps from now (a step already used cannot sign in again).
pub fn totp_code(secret: &[u8], steps_ahead: i64) -> String {
    domain::totp::code_at(secret, domain::totp::step_of(now_ms()) + steps_ahead)
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// The answer of a CAPTCHA challenge, found from the keyed hash its stored challenge
/// records (the test knows the store's master key; the answer is five digits).
pub async fn captcha_answer(server: &TestServer, captcha_id: &str) -> String {
    let expected: String =
        sqlx::query_scalar("SELECT answer_hash FROM captcha_challenges WHERE captcha_id = $1")
            .bind(captcha_id)
            .fetch_one(&server.store().database().pool)
            .await
            .expect("captcha issued");
    let keys = store::Keys::parse_master(&server.database.master_key).unwrap();
    (0..100_000)
        .map(|n| format!("{n:05}"))
        .find(|answer| keys.secret_hash(&format!("captcha:{captcha_id}:{answer}")) == expected)
        .expect("a five-digit answer")
}

/// Every stored event as text (payload and metadata), to look for secrets in clear.
pub async fn stored_text(server: &TestServer) -> String {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT payload, metadata FROM events ORDER BY position")
            .fetch_all(&server.store().database().pool)
            .await
            .unwrap();
    rows.into_iter()
        .map(|(p, m)| format!("{p}\n{m}\n"))
        .collect()
}

pub async fn event_types(server: &TestServer) -> Vec<String> {
    sqlx::query_scalar::<_, String>("SELECT event_type FROM events ORDER BY position")
        .fetch_all(&server.store().database().pool)
        .await
        .unwrap()
}

/// A JWT of the tenant with these claims, signed by the tenant's key as the server signs (to
/// forge tokens that differ from issued ones in one claim only).
pub async fn resign(server: &TestServer, claims: &Value) -> String {
    let bus = store::CommandBus::new(server.store().clone());
    usecases::signing::KeyRing::default()
        .sign(&bus, "default", "RS256", claims)
        .await
        .expect("signed")
}

/// Whether the tenant's published keys verify a JWT.
pub async fn verifies(server: &TestServer, jwt: &str) -> bool {
    let bus = store::CommandBus::new(server.store().clone());
    usecases::signing::KeyRing::default()
        .verify(&bus, "default", jwt)
        .await
        .expect("verify")
        .is_some()
}
