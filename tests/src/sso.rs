//! Single sign-on fixtures: an application registered through the admin API, a user with an
//! account in it, and a browser that keeps cookies and does not follow redirects, so each hop of
//! a flow can be looked at.

use std::collections::BTreeMap;
use std::sync::Mutex;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::TestServer;

pub const PASSWORD: &str = "Sso#Pass2024";

/// An OAuth client registered through the admin API.
#[derive(Debug, Clone)]
pub struct SsoApp {
    pub application_id: String,
    pub client_id: String,
    pub client_secret: String,
}

/// Registers an application with these protocol settings through `POST /admin/v1/applications`.
pub async fn register(server: &TestServer, token: &str, name: &str, protocols: Value) -> SsoApp {
    let created = server
        .client
        .post(
            "/admin/v1/applications",
            token,
            json!({"name": name, "protocols": protocols}),
        )
        .await;
    let body = created.assert_status(201);
    SsoApp {
        application_id: body["application_id"].as_str().unwrap().to_string(),
        client_id: body["client_id"].as_str().unwrap().to_string(),
        client_secret: body["client_secret"].as_str().unwrap().to_string(),
    }
}

/// Creates a user with `PASSWORD` through the OneAccess API; its id.
pub async fn user(server: &TestServer, token: &str, user_name: &str, mobile: &str) -> String {
    let created = server
        .client
        .post(
            "/api/v2/tenant/users",
            token,
            json!({"user_name": user_name, "name": format!("{user_name} name"), "mobile": mobile,
                   "email": format!("{user_name}@example.com"), "password": PASSWORD, "pwd_must_modify": false}),
        )
        .await;
    created.assert_status(201)["user_id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Gives the user a basic account in the application; the account id.
pub async fn account(
    server: &TestServer,
    token: &str,
    app: &SsoApp,
    user_id: &str,
    name: &str,
) -> String {
    let created = server
        .client
        .post(
            &format!(
                "/api/v2/tenant/applications/{}/accounts/basic-account",
                app.application_id
            ),
            token,
            json!({"account_name": name, "user_id": user_id, "name": name}),
        )
        .await;
    created.assert_status(201)["account_id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// One hop's answer.
#[derive(Debug, Clone)]
pub struct Hop {
    pub status: StatusCode,
    pub location: Option<String>,
    pub text: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Hop {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }

    /// The value of a hidden form field in an HTML page.
    pub fn hidden(&self, name: &str) -> Option<String> {
        let marker = format!(r#"name="{name}" value=""#);
        let start = self.text.find(&marker)? + marker.len();
        let end = self.text[start..].find('"')? + start;
        Some(
            self.text[start..end]
                .replace("&amp;", "&")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">"),
        )
    }

    /// A query or fragment parameter of the redirect target.
    pub fn param(&self, name: &str) -> Option<String> {
        let location = self.location.as_ref()?;
        let query = location.split_once(['?', '#'])?.1;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
        pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// A browser: keeps cookies per name, follows nothing by itself.
pub struct Browser {
    pub base: String,
    http: reqwest::Client,
    cookies: Mutex<BTreeMap<String, String>>,
}

impl Browser {
    pub fn new(server: &TestServer) -> Self {
        Self {
            base: server.client.base.clone(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies
            .lock()
            .unwrap()
            .insert(name.to_string(), value.to_string());
    }

    pub fn forget_cookies(&self) {
        self.cookies.lock().unwrap().clear();
    }

    fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http") {
            path_or_url.to_string()
        } else {
            format!("{}{path_or_url}", self.base)
        }
    }

    pub async fn request(&self, method: Method, path: &str, form: Option<&[(&str, &str)]>) -> Hop {
        let jar: String = self
            .cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut request = self.http.request(method, self.url(path));
        if !jar.is_empty() {
            request = request.header(COOKIE, jar);
        }
        if let Some(form) = form {
            request = request.form(form);
        }
        let response = request.send().await.expect("request sent");
        for value in response.headers().get_all(SET_COOKIE) {
            let text = value.to_str().unwrap_or_default();
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                let mut jar = self.cookies.lock().unwrap();
                if value.is_empty() || text.contains("Max-Age=0") {
                    jar.remove(name);
                } else {
                    jar.insert(name.to_string(), value.to_string());
                }
            }
        }
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        Hop {
            status,
            location,
            text,
            headers,
        }
    }

    /// Global logout as a user does it: `GET path` (`/api/v1/logout?…`), then, when a session
    /// asks to be confirmed, the confirmation form posted back. The last answer.
    pub async fn logout(&self, path: &str) -> Hop {
        let page = self.get(path).await;
        if !page.text.contains(r#"action="/api/v1/logout""#) {
            return page;
        }
        let fields: Vec<(String, String)> = ["csrf", "redirect_url", "lang"]
            .iter()
            .filter_map(|name| page.hidden(name).map(|v| (name.to_string(), v)))
            .collect();
        let form: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.post("/api/v1/logout", &form).await
    }

    pub async fn get(&self, path: &str) -> Hop {
        self.request(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Hop {
        self.request(Method::POST, path, Some(form)).await
    }

    /// Follows redirects on this server until one leaves it (or a page answers).
    pub async fn follow(&self, mut hop: Hop) -> Hop {
        for _ in 0..10 {
            match &hop.location {
                Some(location)
                    if hop.status.is_redirection()
                        && (location.starts_with('/') || location.starts_with(&self.base)) =>
                {
                    hop = self.get(&location.clone()).await;
                }
                _ => return hop,
            }
        }
        hop
    }

    /// Signs in on the hosted login page the browser was sent to; the hop after the form.
    pub async fn sign_in(&self, login_page: &Hop, user_name: &str, password: &str) -> Hop {
        assert_eq!(
            login_page.status,
            StatusCode::OK,
            "login page: {}",
            login_page.text
        );
        let csrf = login_page.hidden("csrf").expect("csrf field");
        let mut form = vec![
            ("username", user_name),
            ("password", password),
            ("csrf", csrf.as_str()),
        ];
        let return_to = login_page.hidden("return_to");
        let client_id = login_page.hidden("client_id");
        if let Some(r) = &return_to {
            form.push(("return_to", r));
        }
        if let Some(c) = &client_id {
            form.push(("client_id", c));
        }
        self.post("/api/v1/login/form", &form).await
    }

    /// Starts at an authorisation URL, signs in when asked, and returns the redirect that leaves
    /// the server (to the client's redirect URI).
    pub async fn authorize(&self, url: &str, user_name: &str, password: &str) -> Hop {
        let hop = self.follow(self.get(url).await).await;
        if hop.status == StatusCode::OK && hop.hidden("csrf").is_some() {
            let after = self.sign_in(&hop, user_name, password).await;
            return self.follow(after).await;
        }
        hop
    }
}
