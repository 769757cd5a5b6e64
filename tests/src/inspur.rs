//! Calling the Inspur dialect (`/idaas/v1`) in tests: a management token as bearer, the status
//! and the envelope back.

use reqwest::Method;
use serde_json::Value;

use crate::TestServer;

/// Calls the Inspur API with the token in `Authorization: Bearer`; status and envelope.
pub async fn call(
    server: &TestServer,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let addr = server.server.as_ref().expect("server running").addr;
    let mut request = reqwest::Client::new()
        .request(method, format!("http://{addr}{path}"))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The `data` of a successful envelope (HTTP 200, `code` "200", a request id).
#[track_caller]
pub fn data(answer: &(u16, Value)) -> Value {
    let (status, envelope) = answer;
    assert_eq!(*status, 200, "{envelope}");
    assert_eq!(envelope["code"], "200", "{envelope}");
    assert_eq!(envelope["status"], 200);
    assert_eq!(envelope["requestId"].as_str().map(str::len), Some(32));
    envelope["data"].clone()
}
