//! The OneAccess management API as the suite uses it (specs/oneaccess.md §2.1–§2.3): a token by
//! client credentials, users and organisations created, renamed and read. Every write comes back
//! as a `Call`: when it was sent, how long it took, and whether it was acknowledged (a 2xx whose
//! body carries the expected id and no `error_code`), refused (any other answer) or unanswered.

use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use reqwest::{RequestBuilder, StatusCode};
use serde_json::{json, Value};

const MANAGEMENT: &str = "/api/v2/tenant";
const JSON_UTF8: &str = "application/json;charset=utf8";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Success, with the id (or token) the body carried.
    Acked(String),
    /// An answer other than success.
    Refused { status: u16, retry_after: bool },
    /// No answer. `sent` is false when the connection was refused, so the request never reached
    /// a server; otherwise it may or may not have been applied.
    NoAnswer { sent: bool },
}

impl Answer {
    pub fn acked(&self) -> bool {
        matches!(self, Answer::Acked(_))
    }

    /// The HTTP status as text, or `refused`/`none` when there was no answer.
    pub fn status_text(&self) -> String {
        match self {
            Answer::Acked(_) => "2xx".into(),
            Answer::Refused { status, .. } => status.to_string(),
            Answer::NoAnswer { sent: false } => "conn-refused".into(),
            Answer::NoAnswer { sent: true } => "no-answer".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Call {
    pub started: Instant,
    pub elapsed: Duration,
    pub answer: Answer,
}

/// An HTTP client for one scenario (no proxy, loopback only, a per-request timeout).
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
}

impl Api {
    pub fn new(timeout: Duration) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(2))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .context("building the HTTP client")?;
        Ok(Self { http })
    }

    /// Sends a write; acknowledged when the answer is 2xx and its JSON has `key` and no
    /// `error_code`.
    async fn write(&self, request: RequestBuilder, key: &str) -> Call {
        let started = Instant::now();
        let answer = match request.send().await {
            Err(error) => Answer::NoAnswer {
                sent: !error.is_connect(),
            },
            Ok(response) => {
                let status = response.status();
                let retry_after = response.headers().contains_key("retry-after");
                match response.json::<Value>().await {
                    Ok(body) if status.is_success() && body.get("error_code").is_none() => {
                        match body.get(key).and_then(Value::as_str) {
                            Some(id) => Answer::Acked(id.to_string()),
                            None => Answer::Refused {
                                status: status.as_u16(),
                                retry_after,
                            },
                        }
                    }
                    // The answer was cut off while its body was read: it may have been applied.
                    Err(_) if status.is_success() => Answer::NoAnswer { sent: true },
                    _ => Answer::Refused {
                        status: status.as_u16(),
                        retry_after,
                    },
                }
            }
        };
        Call {
            started,
            elapsed: started.elapsed(),
            answer,
        }
    }

    /// `POST /token` with client credentials (#1); acknowledged with the access token.
    pub async fn token(&self, base: &str, client_id: &str, client_secret: &str) -> Call {
        let request = self.http.post(format!("{base}{MANAGEMENT}/token")).form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", client_secret),
        ]);
        self.write(request, "access_token").await
    }

    fn json(&self, request: RequestBuilder, token: &str, body: Value) -> RequestBuilder {
        request
            .bearer_auth(token)
            .header("Content-Type", JSON_UTF8)
            .body(body.to_string())
    }

    /// `POST /users` (#2) with a user name, a mobile number and a display name.
    pub async fn create_user(
        &self,
        base: &str,
        token: &str,
        user_name: &str,
        mobile: &str,
        name: &str,
    ) -> Call {
        let body = json!({"user_name": user_name, "mobile": mobile, "name": name});
        let request = self.http.post(format!("{base}{MANAGEMENT}/users"));
        self.write(self.json(request, token, body), "user_id").await
    }

    /// `PUT /users/{id}` (#3): a new display name.
    pub async fn rename_user(&self, base: &str, token: &str, user_id: &str, name: &str) -> Call {
        let request = self.http.put(format!("{base}{MANAGEMENT}/users/{user_id}"));
        let body = json!({ "name": name });
        self.write(self.json(request, token, body), "user_id").await
    }

    /// `POST /organizations` (#14), a root organisation.
    pub async fn create_org(&self, base: &str, token: &str, code: &str, name: &str) -> Call {
        let request = self.http.post(format!("{base}{MANAGEMENT}/organizations"));
        let body = json!({ "code": code, "name": name });
        self.write(self.json(request, token, body), "org_id").await
    }

    /// `PUT /organizations/{id}` (#15): a new name.
    pub async fn rename_org(&self, base: &str, token: &str, org_id: &str, name: &str) -> Call {
        let request = self
            .http
            .put(format!("{base}{MANAGEMENT}/organizations/{org_id}"));
        let body = json!({ "name": name });
        self.write(self.json(request, token, body), "org_id").await
    }

    /// A read: the status and the JSON body (`Null` when there is none).
    pub async fn read(&self, request: RequestBuilder) -> anyhow::Result<(StatusCode, Value)> {
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    /// `GET {path}` under the management API, with a bearer token.
    pub async fn get(
        &self,
        base: &str,
        token: &str,
        path: &str,
    ) -> anyhow::Result<(StatusCode, Value)> {
        let request = self.http.get(format!("{base}{path}")).bearer_auth(token);
        self.read(request).await
    }

    /// `POST /users/user-by-username` (#10): `(user_id, name)`, or `None` for USER.0001.
    pub async fn user_by_name(
        &self,
        base: &str,
        token: &str,
        user_name: &str,
    ) -> anyhow::Result<Option<(String, String)>> {
        let request = self
            .http
            .post(format!("{base}{MANAGEMENT}/users/user-by-username"));
        let body = json!({ "user_name": user_name });
        let (status, body) = self.read(self.json(request, token, body)).await?;
        match (status, body["error_code"].as_str()) {
            (StatusCode::OK, None) => Ok(Some((text(&body, "user_id")?, text(&body, "name")?))),
            (_, Some("USER.0001")) => Ok(None),
            _ => bail!("reading user {user_name}: {status} {body}"),
        }
    }

    /// `GET /organizations/{id}` (#17): `(org_code, name)`, or `None` for ORG.0001.
    pub async fn org(
        &self,
        base: &str,
        token: &str,
        org_id: &str,
    ) -> anyhow::Result<Option<(String, String)>> {
        let path = format!("{MANAGEMENT}/organizations/{org_id}");
        let (status, body) = self.get(base, token, &path).await?;
        match (status, body["error_code"].as_str()) {
            (StatusCode::OK, None) => Ok(Some((text(&body, "org_code")?, text(&body, "name")?))),
            (_, Some("ORG.0001")) => Ok(None),
            _ => bail!("reading organisation {org_id}: {status} {body}"),
        }
    }

    /// Every root organisation (#18 without `org_id`), as `(org_id, org_code, name)`.
    pub async fn root_orgs(
        &self,
        base: &str,
        token: &str,
    ) -> anyhow::Result<Vec<(String, String, String)>> {
        let mut orgs = Vec::new();
        for page in 0.. {
            let path = format!("{MANAGEMENT}/organizations?org_id=&offset={page}&limit=100");
            let (status, body) = self.get(base, token, &path).await?;
            let Some(items) = body["organizations"]
                .as_array()
                .filter(|_| status.is_success())
            else {
                bail!("listing organisations: {status} {body}");
            };
            for org in items {
                orgs.push((
                    text(org, "org_id")?,
                    text(org, "org_code")?,
                    text(org, "name")?,
                ));
            }
            let total = body["total"].as_u64().unwrap_or(0);
            if items.is_empty() || orgs.len() as u64 >= total {
                break;
            }
        }
        Ok(orgs)
    }

    /// `GET /readyz`: the status (None without an answer) and how long it took.
    pub async fn readyz(&self, base: &str) -> (Option<u16>, Duration) {
        let started = Instant::now();
        let status = match self.http.get(format!("{base}/readyz")).send().await {
            Ok(response) => Some(response.status().as_u16()),
            Err(_) => None,
        };
        (status, started.elapsed())
    }
}

fn text(body: &Value, key: &str) -> anyhow::Result<String> {
    body[key]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("no {key} in {body}"))
}
