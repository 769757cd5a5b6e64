//! A relying party's side of the OAuth 2.0 / OIDC endpoints, for the end-to-end tests: the token,
//! userinfo, introspection and revocation calls as a client makes them (form, HTTP Basic, JSON,
//! another tenant's host), the authorisation URLs it builds, and the parts of the JWTs it gets.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE, HOST};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::sso::{Browser, Hop, SsoApp};
use crate::TestServer;

pub const TOKEN: &str = "/api/v1/oauth2/token";
pub const USERINFO: &str = "/api/v1/oauth2/userinfo";
pub const INTROSPECT: &str = "/api/v1/oauth2/introspect";
pub const REVOKE: &str = "/api/v1/oauth2/revoke";

/// One call to an endpoint: a form body (or a raw body with its content type), optional client
/// credentials in HTTP Basic, an optional bearer token and an optional `Host`.
#[derive(Default)]
pub struct Call<'a> {
    pub form: Vec<(&'a str, &'a str)>,
    pub basic: Option<(&'a str, &'a str)>,
    pub bearer: Option<&'a str>,
    pub host: Option<&'a str>,
    pub raw: Option<(&'a str, String)>,
}

/// An endpoint's answer, with its headers.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    /// Asserts an OAuth error (`{"error", "error_description"}`) with this status and code.
    #[track_caller]
    pub fn assert_error(&self, status: u16, error: &str) {
        assert_eq!(
            (self.status.as_u16(), self.body["error"].as_str()),
            (status, Some(error)),
            "{}",
            self.text
        );
        assert!(
            self.body["error_description"]
                .as_str()
                .is_some_and(|d| !d.is_empty()),
            "{}",
            self.text
        );
    }

    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert_eq!(self.status, StatusCode::OK, "{}", self.text);
        &self.body
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap_or_default().to_string())
    }

    pub fn str(&self, field: &str) -> String {
        self.body[field]
            .as_str()
            .unwrap_or_else(|| panic!("{field} in {}", self.text))
            .to_string()
    }
}

pub async fn call(server: &TestServer, method: Method, path: &str, call: Call<'_>) -> Answer {
    call_at(&server.client.base, method, path, call).await
}

/// `call` to the server at `base` (another node of a cluster).
pub async fn call_at(base: &str, method: Method, path: &str, call: Call<'_>) -> Answer {
    let http = reqwest::Client::new();
    let mut request = http.request(method, format!("{base}{path}"));
    if let Some((id, secret)) = call.basic {
        let encoded = STANDARD.encode(format!("{id}:{secret}"));
        request = request.header(AUTHORIZATION, format!("Basic {encoded}"));
    }
    if let Some(token) = call.bearer {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    if let Some(host) = call.host {
        request = request.header(HOST, host);
    }
    request = match call.raw {
        Some((content_type, body)) => request.header(CONTENT_TYPE, content_type).body(body),
        None if call.form.is_empty() => request,
        None => request.form(&call.form),
    };
    let response = request.send().await.expect("request sent");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body read");
    Answer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    }
}

/// `POST /api/v1/oauth2/token` with `client_secret_post` credentials and these fields.
pub async fn token(server: &TestServer, app: &SsoApp, fields: &[(&str, &str)]) -> Answer {
    let mut form = vec![
        ("client_id", app.client_id.as_str()),
        ("client_secret", app.client_secret.as_str()),
    ];
    form.extend_from_slice(fields);
    call(
        server,
        Method::POST,
        TOKEN,
        Call {
            form,
            ..Default::default()
        },
    )
    .await
}

/// Exchanges a code (`client_secret_post`), with the redirect URI it was issued for.
pub async fn exchange(server: &TestServer, app: &SsoApp, code: &str, redirect_uri: &str) -> Answer {
    token(
        server,
        app,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
        ],
    )
    .await
}

pub async fn refresh(server: &TestServer, app: &SsoApp, refresh_token: &str) -> Answer {
    token(
        server,
        app,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

/// `GET /api/v1/oauth2/userinfo` with a bearer token.
pub async fn userinfo(server: &TestServer, access_token: &str) -> Answer {
    call(
        server,
        Method::GET,
        USERINFO,
        Call {
            bearer: Some(access_token),
            ..Default::default()
        },
    )
    .await
}

/// `POST /api/v1/oauth2/introspect` as `app`; the answer's body.
pub async fn introspect(server: &TestServer, app: &SsoApp, token: &str) -> Value {
    let form = vec![
        ("client_id", app.client_id.as_str()),
        ("client_secret", app.client_secret.as_str()),
        ("token", token),
    ];
    let answer = call(
        server,
        Method::POST,
        INTROSPECT,
        Call {
            form,
            ..Default::default()
        },
    )
    .await;
    answer.ok().clone()
}

/// Whether introspection by `app` calls the token active.
pub async fn active(server: &TestServer, app: &SsoApp, token: &str) -> bool {
    introspect(server, app, token).await["active"] == Value::Bool(true)
}

/// `POST /api/v1/oauth2/revoke` as `app`.
pub async fn revoke(server: &TestServer, app: &SsoApp, token: &str) -> Answer {
    let form = vec![
        ("client_id", app.client_id.as_str()),
        ("client_secret", app.client_secret.as_str()),
        ("token", token),
    ];
    call(
        server,
        Method::POST,
        REVOKE,
        Call {
            form,
            ..Default::default()
        },
    )
    .await
}

/// An authorisation URL of `app` with these parameters (values URL-encoded here).
pub fn authorize_url(app: &SsoApp, params: &[(&str, &str)]) -> String {
    let mut pairs = vec![("client_id", app.client_id.as_str())];
    pairs.extend_from_slice(params);
    format!(
        "/api/v1/oauth2/authorize?{}",
        serde_urlencoded::to_string(&pairs).expect("query")
    )
}

/// The code flow up to the code: authorises (signing in when asked) and returns the code of the
/// redirect to `redirect_uri`.
pub async fn code(
    browser: &Browser,
    app: &SsoApp,
    redirect_uri: &str,
    extra: &[(&str, &str)],
    user_name: &str,
) -> String {
    let mut params = vec![("response_type", "code"), ("redirect_uri", redirect_uri)];
    params.extend_from_slice(extra);
    let landed = browser
        .authorize(
            &authorize_url(app, &params),
            user_name,
            crate::sso::PASSWORD,
        )
        .await;
    landed_code(&landed, redirect_uri)
}

/// The code of a redirect to `redirect_uri`.
#[track_caller]
pub fn landed_code(landed: &Hop, redirect_uri: &str) -> String {
    let location = landed.location.clone().unwrap_or_default();
    assert!(
        location.starts_with(redirect_uri),
        "expected a redirect to {redirect_uri}: {landed:?}"
    );
    landed
        .param("code")
        .unwrap_or_else(|| panic!("no code: {location}"))
}

fn segment(jwt: &str, index: usize) -> Value {
    let part = jwt.split('.').nth(index).expect("a JWT segment");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
}

/// The claims of a JWT, unverified.
pub fn claims(jwt: &str) -> Value {
    segment(jwt, 1)
}

/// The JOSE header of a JWT.
pub fn jose_header(jwt: &str) -> Value {
    segment(jwt, 0)
}

/// OIDC `at_hash`: the left half of the SHA-256 of the access token, base64url (OIDC Core §3.2.2.9).
pub fn at_hash(access_token: &str) -> String {
    use sha2::{Digest, Sha256};
    URL_SAFE_NO_PAD.encode(&Sha256::digest(access_token.as_bytes())[..16])
}

/// A PKCE S256 challenge of a verifier (RFC 7636 §4.2).
pub fn s256(verifier: &str) -> String {
    use sha2::{Digest, Sha256};
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Registers an application with these protocol settings and a user (password `PASSWORD`) with
/// an account in it; the application and the user's id.
pub async fn app_with_user(
    server: &TestServer,
    name: &str,
    protocols: Value,
    user_name: &str,
    mobile: &str,
) -> (SsoApp, String) {
    let t = server.token().await;
    let app = crate::sso::register(server, &t, name, protocols).await;
    let user_id = crate::sso::user(server, &t, user_name, mobile).await;
    crate::sso::account(server, &t, &app, &user_id, user_name).await;
    (app, user_id)
}

/// The event types recorded so far, in order.
pub async fn event_types(server: &TestServer) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT event_type FROM events ORDER BY position")
        .fetch_all(&server.store().database().pool)
        .await
        .expect("events");
    rows.into_iter().map(|(t,)| t).collect()
}
