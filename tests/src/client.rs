//! A small HTTP client for the management API.

use std::net::SocketAddr;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE, HOST};
use reqwest::{Method, StatusCode};
use serde_json::Value;

#[derive(Clone)]
pub struct Client {
    pub base: String,
    http: reqwest::Client,
}

/// A response: status, JSON body (Null when empty or not JSON), raw text.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// Asserts a OneAccess error: HTTP 400 with this `error_code`.
    #[track_caller]
    pub fn assert_error(&self, code: &str) {
        assert_eq!(
            self.status,
            StatusCode::BAD_REQUEST,
            "expected {code}, got {}: {}",
            self.status,
            self.text
        );
        assert_eq!(self.body["error_code"], code, "body: {}", self.text);
        assert!(self.body["error_msg"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        &self.body
    }
}

impl Client {
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
        }
    }

    /// Sends a request with optional bearer token, JSON body and extra headers.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut map = HeaderMap::new();
        if let Some(token) = token {
            map.insert(
                AUTHORIZATION,
                HeaderValue::from_str(&format!("Bearer {token}")).expect("header"),
            );
        }
        for (name, value) in headers {
            map.insert(
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).expect("header name"),
                HeaderValue::from_str(value).expect("header value"),
            );
        }
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .headers(map);
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, "application/json;charset=utf8")
                .body(body.to_string());
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let text = response.text().await.expect("body read");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, body, text }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(Method::GET, path, Some(token), None, &[]).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(token), Some(&body), &[])
            .await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(Method::PUT, path, Some(token), Some(&body), &[])
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.send(Method::DELETE, path, Some(token), None, &[])
            .await
    }

    /// `POST /api/v2/tenant/token` with a form body, optionally for another host.
    pub async fn token_reply(&self, form: &str, host: Option<&str>) -> Reply {
        let mut request = self
            .http
            .post(format!("{}/api/v2/tenant/token", self.base))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form.to_string());
        if let Some(host) = host {
            request = request.header(HOST, host);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let text = response.text().await.expect("body read");
        Reply {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        }
    }

    pub async fn token(&self, client_id: &str, client_secret: &str, host: Option<&str>) -> String {
        let form = format!(
            "grant_type=client_credentials&client_id={client_id}&client_secret={client_secret}"
        );
        let reply = self.token_reply(&form, host).await;
        assert_eq!(reply.status, StatusCode::OK, "token: {}", reply.text);
        reply.body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    /// A GET in Chinese.
    pub async fn get_zh(&self, path: &str, token: &str) -> Reply {
        self.send(
            Method::GET,
            path,
            Some(token),
            None,
            &[(ACCEPT_LANGUAGE.as_str(), "zh-CN,zh;q=0.9")],
        )
        .await
    }
}
