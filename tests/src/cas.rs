//! A CAS service's side of the end-to-end tests: an application registered with CAS services, a
//! user with an account in it, a browser that signs in and brings back service tickets, the
//! validation calls a service makes, and a listener that plays a service's or proxy's callback.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use crate::sso::{self, Browser, Hop, SsoApp, PASSWORD};
use crate::TestServer;

pub const SERVICE: &str = "https://app.example.com/cas/callback";
/// The standard base stock CAS clients use, and the documented OneAccess one.
pub const STANDARD: &str = "/cas";
pub const ONEACCESS: &str = "/api/v1/cas";

/// A CAS application, a user with an account in it, and that user's browser.
pub struct CasFixture {
    pub app: SsoApp,
    pub user_id: String,
    pub user_name: String,
    pub account_name: String,
    pub account_id: String,
    pub browser: Browser,
}

/// Registers a CAS application with these protocol settings (CAS services default to
/// `SERVICE`), a user, and the user's account named `{user_name}-acct`.
pub async fn fixture(server: &TestServer, user_name: &str, protocols: Value) -> CasFixture {
    let token = server.token().await;
    let mut protocols = protocols;
    if protocols.get("cas_services").is_none() {
        protocols["cas_services"] = json!([SERVICE]);
    }
    let app = sso::register(server, &token, &format!("cas-{user_name}"), protocols).await;
    let user_id = sso::user(server, &token, user_name, &unique_mobile(user_name)).await;
    let account_name = format!("{user_name}-acct");
    let account_id = sso::account(server, &token, &app, &user_id, &account_name).await;
    CasFixture {
        app,
        user_id,
        user_name: user_name.to_string(),
        account_name,
        account_id,
        browser: Browser::new(server),
    }
}

/// A mobile number of the documented shape, different per user name.
fn unique_mobile(user_name: &str) -> String {
    let sum: u32 = user_name
        .bytes()
        .enumerate()
        .map(|(i, b)| (i as u32 + 7) * u32::from(b))
        .sum();
    format!("138{:08}", sum % 100_000_000)
}

pub fn login_path(base: &str, service: &str) -> String {
    format!("{base}/login?service={}", encode(service))
}

pub fn encode(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)]).unwrap()[2..].to_string()
}

impl CasFixture {
    /// Goes to `{base}/login` for `service` (with extra query text), signs in when asked, and
    /// returns the hop that leaves the server.
    pub async fn login(&self, base: &str, service: &str, extra: &str) -> Hop {
        let url = format!("{}{extra}", login_path(base, service));
        let hop = self.browser.follow(self.browser.get(&url).await).await;
        if hop.status == StatusCode::OK && hop.hidden("csrf").is_some() {
            let after = self.browser.sign_in(&hop, &self.user_name, PASSWORD).await;
            return self.browser.follow(after).await;
        }
        hop
    }

    /// A service ticket for `service` from the standard base.
    pub async fn ticket(&self, service: &str) -> String {
        let hop = self.login(STANDARD, service, "").await;
        ticket_of(&hop)
    }
}

/// The `ticket` of a redirect back to a service.
#[track_caller]
pub fn ticket_of(hop: &Hop) -> String {
    assert_eq!(hop.status, StatusCode::FOUND, "{}", hop.text);
    hop.param("ticket")
        .unwrap_or_else(|| panic!("no ticket in {:?}", hop.location))
}

/// A GET as a CAS service makes it (no cookies): status, content type and body.
pub async fn call(server: &TestServer, path: &str) -> (u16, String, String) {
    call_at(server, path, None).await
}

/// `call`, with another tenant's `Host`.
pub async fn call_at(server: &TestServer, path: &str, host: Option<&str>) -> (u16, String, String) {
    let mut request = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}{path}", server.client.base));
    if let Some(host) = host {
        request = request.header("host", host);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, content_type, response.text().await.unwrap())
}

/// `{base}/{endpoint}?service=…&ticket=…{extra}` as JSON.
pub async fn validate_json(
    server: &TestServer,
    base: &str,
    endpoint: &str,
    service: &str,
    ticket: &str,
    extra: &str,
) -> Value {
    let path = format!(
        "{base}/{endpoint}?service={}&ticket={}&format=JSON{extra}",
        encode(service),
        encode(ticket)
    );
    let (status, content_type, body) = call(server, &path).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}"))
}

/// The failure code of a JSON validation answer (`None` on success).
pub fn failure_code(answer: &Value) -> Option<String> {
    answer["serviceResponse"]["authenticationFailure"]["code"]
        .as_str()
        .map(str::to_string)
}

/// A listener that plays a CAS service (single-logout requests) and a proxy callback
/// (`pgtId`/`pgtIou`). It answers 500 to the first `fail_first` logout requests.
#[derive(Clone, Default)]
pub struct Listener {
    pub addr: Option<SocketAddr>,
    inner: Arc<Mutex<Heard>>,
}

#[derive(Default)]
struct Heard {
    logouts: Vec<String>,
    refused: usize,
    fail_first: usize,
    pgts: Vec<(String, String)>,
    pgt_status: u16,
}

impl Listener {
    pub async fn start(fail_first: usize) -> Self {
        let mut listener = Listener::default();
        {
            let mut heard = listener.inner.lock().unwrap();
            heard.fail_first = fail_first;
            heard.pgt_status = 200;
        }
        let app = Router::new()
            .route("/cas/callback", post(logout_request))
            .route("/pgt", get(pgt_callback))
            .with_state(listener.inner.clone());
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.addr = Some(socket.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(socket, app).await });
        listener
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr.unwrap())
    }

    /// The `SessionIndex` of every logout request accepted.
    pub fn logouts(&self) -> Vec<String> {
        self.inner.lock().unwrap().logouts.clone()
    }

    /// Logout requests answered with 500.
    pub fn refused(&self) -> usize {
        self.inner.lock().unwrap().refused
    }

    /// `(pgtId, pgtIou)` of every proxy callback.
    pub fn pgts(&self) -> Vec<(String, String)> {
        self.inner.lock().unwrap().pgts.clone()
    }

    /// The status the proxy callback answers with.
    pub fn answer_pgt_with(&self, status: u16) {
        self.inner.lock().unwrap().pgt_status = status;
    }

    /// Waits up to `seconds` for `count` accepted logout requests.
    pub async fn wait_for_logouts(&self, count: usize, seconds: u64) -> Vec<String> {
        for _ in 0..seconds * 20 {
            if self.logouts().len() >= count {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.logouts()
    }
}

async fn logout_request(
    State(heard): State<Arc<Mutex<Heard>>>,
    Form(form): Form<Vec<(String, String)>>,
) -> StatusCode {
    let mut heard = heard.lock().unwrap();
    if heard.refused < heard.fail_first {
        heard.refused += 1;
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let request = form
        .into_iter()
        .find(|(k, _)| k == "logoutRequest")
        .map(|(_, v)| v)
        .unwrap_or_default();
    let index = request
        .split("<samlp:SessionIndex>")
        .nth(1)
        .and_then(|rest| rest.split("</samlp:SessionIndex>").next())
        .unwrap_or_default()
        .to_string();
    heard.logouts.push(index);
    StatusCode::OK
}

async fn pgt_callback(
    State(heard): State<Arc<Mutex<Heard>>>,
    Query(query): Query<Vec<(String, String)>>,
) -> StatusCode {
    let mut heard = heard.lock().unwrap();
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    if let (Some(id), Some(iou)) = (get("pgtId"), get("pgtIou")) {
        heard.pgts.push((id, iou));
    }
    StatusCode::from_u16(heard.pgt_status).unwrap_or(StatusCode::OK)
}
