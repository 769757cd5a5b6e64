//! A headless Chromium driven through ChromeDriver with the W3C WebDriver protocol
//! (<https://www.w3.org/TR/webdriver2/>), spoken directly as JSON over HTTP. Only what the browser
//! tests need: open a page, find elements by CSS selector, type, click, read text and the URL.
//!
//! Debian's `chromium` and `chromium-driver` packages provide the two binaries. Without them the
//! browser tests are skipped, unless `IDAAS_TEST_BROWSER=1` or `IDAAS_TEST_REQUIRE_ALL=1` asks for
//! them (CI sets both).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The key under which WebDriver returns an element reference (W3C WebDriver §12.1).
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Whether the browser tests can run here. Without ChromeDriver and Chromium they print why they
/// are skipped and pass, unless `IDAAS_TEST_BROWSER=1` or `IDAAS_TEST_REQUIRE_ALL=1` is set, when
/// that is a failure.
pub fn browser_available(test: &str) -> bool {
    let missing: Vec<&str> = [CHROMEDRIVER, CHROMIUM]
        .into_iter()
        .filter(|path| !Path::new(path).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let required = std::env::var("IDAAS_TEST_BROWSER").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "IDAAS_TEST_BROWSER=1 but {} not installed (apt-get install chromium chromium-driver)",
        missing.join(" and ")
    );
    crate::skip(
        &format!("browser test {test}"),
        &format!(
            "{} not installed (apt-get install chromium chromium-driver; IDAAS_TEST_BROWSER=1 makes \
             this a failure)",
            missing.join(" and ")
        ),
    );
    false
}

/// A ChromeDriver child process with one browser session. Dropping it (also while a test panics)
/// ends the session, which closes Chromium, and kills ChromeDriver: Chromium outlives a killed
/// ChromeDriver otherwise.
pub struct Chrome {
    driver: Child,
    port: u16,
    http: reqwest::Client,
    session: Option<String>,
}

impl Chrome {
    /// Starts ChromeDriver on a free port and opens a headless Chromium session.
    pub async fn start() -> Self {
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut chrome = Self {
            driver,
            port,
            http: reqwest::Client::new(),
            session: None,
        };
        chrome.wait_until_ready().await;
        // The machine has no outside network: background fetches would only fail, many at a time.
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
        ];
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": {"implicit": 5000, "pageLoad": 30000, "script": 10000},
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
        }}});
        let created = chrome
            .call(Method::POST, "/session", Some(capabilities))
            .await;
        let id = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("new session: {created}"))
            .to_string();
        chrome.session = Some(id);
        chrome
    }

    async fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.driver.try_wait().expect("chromedriver status") {
                panic!("chromedriver exited at start: {status}");
            }
            let url = format!("http://127.0.0.1:{}/status", self.port);
            if let Ok(response) = self.http.get(&url).send().await {
                let body: Value = response.json().await.unwrap_or(Value::Null);
                if body["value"]["ready"] == true {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "chromedriver not ready in 20 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// One WebDriver command; its `value`, or a panic with the WebDriver error.
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let mut request = self.http.request(method.clone(), url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("webdriver request sent");
        let status = response.status();
        let reply: Value = response.json().await.expect("webdriver answers JSON");
        assert!(
            status.is_success(),
            "webdriver {method} {path}: {status} {}",
            reply["value"]
        );
        reply["value"].clone()
    }

    fn session_path(&self, rest: &str) -> String {
        let id = self.session.as_deref().expect("session open");
        format!("/session/{id}{rest}")
    }

    /// Opens a URL and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        let path = self.session_path("/url");
        self.call(Method::POST, &path, Some(json!({"url": url})))
            .await;
    }

    /// The URL of the current page.
    pub async fn url(&self) -> String {
        let path = self.session_path("/url");
        let value = self.call(Method::GET, &path, None).await;
        value.as_str().expect("url is text").to_string()
    }

    /// The current page's HTML, as the browser now sees it.
    pub async fn source(&self) -> String {
        let path = self.session_path("/source");
        let value = self.call(Method::GET, &path, None).await;
        value.as_str().unwrap_or_default().to_string()
    }

    /// The first element matching a CSS selector (waiting up to the implicit timeout), if any.
    pub async fn try_find(&self, css: &str) -> Option<String> {
        let url = format!(
            "http://127.0.0.1:{}{}",
            self.port,
            self.session_path("/element")
        );
        let response = self
            .http
            .post(url)
            .json(&json!({"using": "css selector", "value": css}))
            .send()
            .await
            .expect("webdriver request sent");
        let found = response.status().is_success();
        let reply: Value = response.json().await.expect("webdriver answers JSON");
        found.then(|| {
            reply["value"][ELEMENT_KEY]
                .as_str()
                .expect("element reference")
                .to_string()
        })
    }

    /// The first element matching a CSS selector; a panic showing the page when there is none.
    pub async fn find(&self, css: &str) -> String {
        match self.try_find(css).await {
            Some(element) => element,
            None => panic!(
                "no element {css} on {}:\n{}",
                self.url().await,
                self.source().await
            ),
        }
    }

    /// Types text into the element matching `css`.
    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        let path = self.session_path(&format!("/element/{element}/value"));
        self.call(Method::POST, &path, Some(json!({"text": text})))
            .await;
    }

    /// Clicks the element matching `css` (a link or a submit button: the navigation it starts is
    /// awaited by ChromeDriver).
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        let path = self.session_path(&format!("/element/{element}/click"));
        self.call(Method::POST, &path, Some(json!({}))).await;
    }

    /// The rendered text of the element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        let path = self.session_path(&format!("/element/{element}/text"));
        let value = self.call(Method::GET, &path, None).await;
        value.as_str().unwrap_or_default().to_string()
    }

    /// Waits until the current URL satisfies `done` (up to 10 s); that URL.
    pub async fn wait_for_url(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = self.url().await;
            if done(&url) {
                return url;
            }
            if Instant::now() > deadline {
                panic!("still on {url}, expected {what}:\n{}", self.source().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Ends the session (Chromium exits) and stops ChromeDriver.
    pub async fn quit(mut self) {
        if self.session.is_some() {
            let path = self.session_path("");
            self.call(Method::DELETE, &path, None).await;
            self.session = None;
        }
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        if let Some(id) = self.session.take() {
            // Blocking and without the runtime: this may run while a test unwinds.
            delete_session(self.port, &id);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// `DELETE /session/{id}` over a plain socket, for `Drop`.
fn delete_session(port: u16, id: &str) {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!(
        "DELETE /session/{id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        let mut reply = Vec::new();
        let _ = stream.read_to_end(&mut reply);
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    listener.local_addr().expect("local address").port()
}
