//! Calling the Hainan UAA gateway (`/apione`) in tests: the API name in the path, the
//! `Uaa-App-Key` and an optional bearer token; status and envelope back.

use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::TestServer;

/// A call's answer: HTTP status, the envelope, the response headers.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub headers: HeaderMap,
}

impl Answer {
    /// The `data` of a success (HTTP 200, `success` true, `code` "0", all eight keys).
    #[track_caller]
    pub fn data(&self) -> Value {
        assert_eq!(self.status, 200, "{}", self.body);
        assert_eq!(self.body["success"], true, "{}", self.body);
        assert_eq!(self.body["code"], "0", "{}", self.body);
        self.assert_eight_keys();
        self.body["data"].clone()
    }

    /// A refusal: the status and `ERR_*` code, `success` false, `data` null.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status, self.body["code"].as_str()),
            (status, Some(code)),
            "{}",
            self.body
        );
        assert_eq!(self.body["success"], false);
        assert_eq!(self.body["data"], Value::Null);
        assert!(self.body["message"].as_str().is_some_and(|m| !m.is_empty()));
        self.assert_eight_keys();
    }

    #[track_caller]
    fn assert_eight_keys(&self) {
        let keys: Vec<&str> = self
            .body
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            [
                "code",
                "data",
                "debugMessage",
                "debugTrace",
                "extend",
                "message",
                "requestId",
                "success"
            ],
            "{}",
            self.body
        );
    }
}

/// Posts `body` to `/apione/{api}` with these headers (`(name, value)`).
pub async fn call_with(
    server: &TestServer,
    api: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let addr = server.server.as_ref().expect("server running").addr;
    let mut request = reqwest::Client::new()
        .post(format!("http://{addr}/apione/{api}"))
        .header("content-type", "application/json")
        .body(body.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    Answer {
        status,
        body,
        headers,
    }
}

/// Posts `body` to `/apione/{api}` as the application `app_key` with its bearer `token`.
pub async fn call(
    server: &TestServer,
    app_key: &str,
    token: &str,
    api: &str,
    body: Value,
) -> Answer {
    let bearer = format!("Bearer {token}");
    let headers = [
        ("Uaa-App-Key", app_key),
        ("Uaa-Tenant-Id", "1"),
        ("Authorization", bearer.as_str()),
    ];
    call_with(server, api, &headers, &body.to_string()).await
}
