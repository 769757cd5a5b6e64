//! Calling the Hainan UAA gateway (`/apione`) in tests: the API name in the path, the
//! `Uaa-App-Key` and an optional bearer token; status and envelope back.

use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::{json, Value};

use crate::inspur::{call as inspur, data as inspur_data};

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

/// An application holding the API product (a directory client), registered by the tenant's
/// administrator `t`, with a management token of its own.
pub struct ApiClient {
    pub application_id: String,
    pub client_id: String,
    pub token: String,
}

pub async fn api_client(server: &TestServer, t: &str, name: &str) -> ApiClient {
    let created = server
        .client
        .post(
            "/admin/v1/applications",
            t,
            json!({"name": name, "api_product": true}),
        )
        .await;
    let body = created.assert_status(201).clone();
    let client_id = body["client_id"].as_str().unwrap().to_string();
    let token = server
        .client
        .token(&client_id, body["client_secret"].as_str().unwrap(), None)
        .await;
    ApiClient {
        application_id: body["application_id"].as_str().unwrap().to_string(),
        client_id,
        token,
    }
}

/// Such an application's client id (the app key) and token.
pub async fn app(server: &TestServer, t: &str, name: &str) -> (String, String) {
    let app = api_client(server, t, name).await;
    (app.client_id, app.token)
}

async fn organ(server: &TestServer, t: &str, body: Value) -> String {
    let created = inspur(server, t, Method::POST, "/idaas/v1/organs", Some(body)).await;
    inspur_data(&created)["id"].as_str().unwrap().to_string()
}

/// The directory of the tests: 业务中台 / 惠企政策组织 / 海口市商务局, and two users of the last.
pub struct Directory {
    pub root: String,
    pub middle: String,
    pub bureau: String,
    pub zhang: String,
    pub li: String,
}

pub async fn directory(server: &TestServer, t: &str) -> Directory {
    let root = organ(
        server,
        t,
        json!({"name": "业务中台", "parentId": "-1", "code": "ROOT"}),
    )
    .await;
    let middle = organ(
        server,
        t,
        json!({"name": "惠企政策组织", "parentId": root, "code": "MID", "order": 2}),
    )
    .await;
    let bureau = organ(
        server,
        t,
        json!({"name": "海口市商务局", "parentId": middle, "code": "HK", "externalId": "123456",
               "description": "局"}),
    )
    .await;
    let user_type = json!({"name": "正式员工", "code": "staff", "description": "", "order": 1});
    let user_type = inspur(
        server,
        t,
        Method::POST,
        "/idaas/v1/userType",
        Some(user_type),
    )
    .await;
    let user_type = inspur_data(&user_type).as_str().unwrap().to_string();
    let mut ids = Vec::new();
    for (account, phone, nick, external) in [
        ("zhangsan", "13533612316", "张三", "ext-zs"),
        ("lisi", "13533612317", "李四", "ext-ls"),
    ] {
        let body = json!({"accountName": account, "phone": phone, "nickName": nick,
                          "expirationTime": "2099-12-31", "organizationId": bureau,
                          "userType": user_type, "externalId": external, "p6d": "Aa1!bcdefgh"});
        let made = inspur(
            server,
            t,
            Method::POST,
            "/idaas/v1/user/createUser",
            Some(body),
        )
        .await;
        inspur_data(&made);
        let path = format!("/idaas/v1/user/page/1/10?accountName={account}");
        let page = inspur_data(&inspur(server, t, Method::POST, &path, None).await);
        ids.push(page["data"][0]["id"].as_str().unwrap().to_string());
    }
    let li = ids.pop().unwrap();
    let zhang = ids.pop().unwrap();
    Directory {
        root,
        middle,
        bureau,
        zhang,
        li,
    }
}
