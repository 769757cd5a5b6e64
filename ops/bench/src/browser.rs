//! A minimal browser: keeps its own cookies, follows no redirects, and shares the connection pool
//! of one `reqwest::Client` with the other browsers.

use std::collections::BTreeMap;

use anyhow::Context as _;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Response, StatusCode};

/// One answer, read to the end.
pub struct Hop {
    pub status: StatusCode,
    pub location: Option<String>,
    pub text: String,
}

impl Hop {
    /// The value of a hidden form field (`name="…" value="…"`) in an HTML page.
    pub fn hidden(&self, name: &str) -> Option<String> {
        let marker = format!(r#"name="{name}" value=""#);
        let start = self.text.find(&marker)? + marker.len();
        let end = self.text[start..].find('"')? + start;
        Some(self.text[start..end].replace("&amp;", "&"))
    }

    /// A query parameter of the redirect target.
    pub fn param(&self, name: &str) -> Option<String> {
        let url = reqwest::Url::parse(self.location.as_deref()?).ok()?;
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

#[derive(Clone)]
pub struct Browser {
    base: String,
    http: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    pub fn new(base: &str, http: &reqwest::Client) -> Self {
        Self {
            base: base.to_string(),
            http: http.clone(),
            cookies: BTreeMap::new(),
        }
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    pub fn forget(&mut self, name: &str) {
        self.cookies.remove(name);
    }

    fn jar(&self) -> String {
        let pairs: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        pairs.join("; ")
    }

    async fn read(&mut self, response: Response) -> anyhow::Result<Hop> {
        for value in response.headers().get_all(SET_COOKIE) {
            let text = value.to_str().unwrap_or_default();
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || text.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = response.text().await.context("reading a response")?;
        Ok(Hop {
            status,
            location,
            text,
        })
    }

    /// `GET` a path on the server, with this browser's cookies.
    pub async fn get(&mut self, path: &str) -> anyhow::Result<Hop> {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, self.jar())
            .send()
            .await
            .with_context(|| format!("GET {path}"))?;
        self.read(response).await
    }

    /// `POST` a form to a path on the server, with this browser's cookies.
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> anyhow::Result<Hop> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.jar())
            .form(form)
            .send()
            .await
            .with_context(|| format!("POST {path}"))?;
        self.read(response).await
    }
}
