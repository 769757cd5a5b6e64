//! The log a server writes (ops/adr/0016): one `info` line per request with its route template,
//! status, latency, request id and tenant; security events at `warn`; plain text or JSON, no
//! colour codes when stderr is not a terminal; never a password, secret, token or mobile.
//!
//! The server runs in a child process, so that its log goes where a real one's does: through
//! the logger `idaas` installs (`idaas_server::logging::init`) to a stderr that is a pipe. The
//! child is this test binary again, running `log_capture_child` with `IDAAS_LOG_CAPTURE_CHILD`
//! set; it is configured only through `IDAAS_*` variables, as the `idaas` command is.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use idaas_tests::{on_both_engines, Client, Engine, TestDatabase};
use reqwest::Method;
use serde_json::{json, Value};

const CHILD_VAR: &str = "IDAAS_LOG_CAPTURE_CHILD";
const READY: &str = "LOG CAPTURE CHILD READY ";

const PASSWORD: &str = "Logged#Never1";
const WRONG_PASSWORD: &str = "Wrong#Never2";
const WRONG_SECRET: &str = "not-the-secret-5f1d2c";
const MOBILE: &str = "13912345678";
const USER_NAME: &str = "quiet.person";
const EMAIL: &str = "quiet.person@example.com";

/// The child half: serves until its stdin closes. Does nothing unless the parent started it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "started by the log tests as a child process"]
async fn log_capture_child() {
    if std::env::var(CHILD_VAR).is_err() {
        return;
    }
    let config = idaas_server::Config::load(None).expect("configuration");
    idaas_server::logging::init(config.log_format).expect("logger");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let server = idaas_server::start(config, listener)
        .await
        .expect("server starts");
    let bootstrap = server.bootstrap.clone().expect("a new store");
    let ready = json!({
        "addr": server.addr.to_string(),
        "client_id": bootstrap.client_id,
        "client_secret": bootstrap.client_secret,
    });
    println!("{READY}{ready}");
    std::io::stdout().flush().expect("stdout");
    let _ = tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new())).await;
    server.stop().await.expect("server stops");
}

/// A server in a child process, its stderr collected.
struct LoggedServer {
    child: Child,
    log: Arc<Mutex<String>>,
    client: Client,
    client_id: String,
    client_secret: String,
}

impl LoggedServer {
    fn start(database: &TestDatabase, format: &str) -> Self {
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "events::logs::log_capture_child",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_VAR, "1")
            .env("IDAAS_DATABASE_URL", &database.url)
            .env("IDAAS_DATA_DIR", &database.data_dir)
            .env("IDAAS_MASTER_KEY", &database.master_key)
            .env("IDAAS_LOG_FORMAT", format)
            // One password check per address: the walk-through's second sign-in is refused.
            .env("IDAAS_SIGN_IN_PER_ADDRESS", "1/1")
            .env_remove("IDAAS_LOG")
            .env_remove("RUST_LOG")
            .env_remove("IDAAS_CONFIG")
            .env_remove("IDAAS_PUBLIC_URL")
            .env_remove("IDAAS_BOOTSTRAP_CLIENT_ID")
            .env_remove("IDAAS_BOOTSTRAP_CLIENT_SECRET")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("child server");
        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().expect("stderr");
        let collected = log.clone();
        std::thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            while let Ok(n) = stderr.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&chunk[..n]).into_owned();
                collected.lock().expect("log").push_str(&text);
            }
        });
        let stdout = child.stdout.take().expect("stdout");
        let (sender, ready) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                // The harness's "test … ..." may share the line.
                if let Some(at) = line.find(READY) {
                    let _ = sender.send(line[at + READY.len()..].to_string());
                }
            }
        });
        let Ok(ready) = ready.recv_timeout(Duration::from_secs(60)) else {
            let _ = child.kill();
            panic!(
                "the child server did not start: {}",
                log.lock().expect("log")
            );
        };
        let ready: Value = serde_json::from_str(&ready).expect("ready line");
        Self {
            child,
            log,
            client: Client::new(ready["addr"].as_str().unwrap().parse().unwrap()),
            client_id: ready["client_id"].as_str().unwrap().to_string(),
            client_secret: ready["client_secret"].as_str().unwrap().to_string(),
        }
    }

    /// Stops the child (closing its stdin) and returns everything it logged.
    fn stop(mut self) -> String {
        drop(self.child.stdin.take());
        for _ in 0..200 {
            if let Ok(Some(status)) = self.child.try_wait() {
                assert!(status.success(), "the child server exited with {status}");
                std::thread::sleep(Duration::from_millis(100));
                return self.log.lock().expect("log").clone();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("the child server did not stop");
    }
}

impl Drop for LoggedServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the walk-through sent.
struct Sent {
    /// Request id, route template, status, and the tenant logged (`-` when no handler ran).
    requests: Vec<(String, &'static str, u16, &'static str)>,
    user_id: String,
    app_secret: String,
    access_token: String,
}

/// A small walk-through, every request with a request id of ours: a health probe, a refused
/// and a granted management token, an application, a user (with a mobile and a password), a
/// read with personal data in the query string, a failed sign-in and a refused client.
async fn walk_through(server: &LoggedServer, tag: &str) -> Sent {
    let c = &server.client;
    let mut requests = Vec::new();
    let id = |n: u32| format!("log-{tag}-{n}");

    let reply = c
        .send(
            Method::GET,
            "/healthz",
            None,
            None,
            &[("x-request-id", &id(1))],
        )
        .await;
    reply.assert_status(200);
    requests.push((id(1), "/healthz", 200, "-"));

    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={WRONG_SECRET}",
        server.client_id
    );
    let refused = form_post(c, "/api/v2/tenant/token", &form, &id(2)).await;
    assert_eq!(refused.status.as_u16(), 400, "{}", refused.text);
    requests.push((id(2), "/api/v2/tenant/token", 400, "default"));

    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        server.client_id, server.client_secret
    );
    let granted = form_post(c, "/api/v2/tenant/token", &form, &id(3)).await;
    let t = granted.assert_status(200)["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    requests.push((id(3), "/api/v2/tenant/token", 200, "default"));

    let app = c
        .send(
            Method::POST,
            "/admin/v1/applications",
            Some(&t),
            Some(&json!({"name": "Logged app"})),
            &[("x-request-id", &id(4))],
        )
        .await;
    let app = app.assert_status(201).clone();
    requests.push((id(4), "/admin/v1/applications", 201, "default"));

    let user = c
        .send(
            Method::POST,
            "/api/v2/tenant/users",
            Some(&t),
            Some(
                &json!({"user_name": USER_NAME, "name": "Quiet Person", "mobile": MOBILE,
                         "email": EMAIL, "password": PASSWORD, "pwd_must_modify": false}),
            ),
            &[("x-request-id", &id(5))],
        )
        .await;
    let user_id = user.assert_status(201)["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    requests.push((id(5), "/api/v2/tenant/users", 201, "default"));

    let path = format!("/api/v2/tenant/users/{user_id}?mobile={MOBILE}&user_name={USER_NAME}");
    let read = c
        .send(
            Method::GET,
            &path,
            Some(&t),
            None,
            &[("x-request-id", &id(6))],
        )
        .await;
    read.assert_status(200);
    requests.push((id(6), "/api/v2/tenant/users/{user_id}", 200, "default"));

    let client_id = app["client_id"].as_str().unwrap();
    let device = [
        ("x-request-id", id(7)),
        ("X-operating-sys-version", "Android 10".to_string()),
        ("X-device-fingerprint", "fp-logged".to_string()),
        ("X-agent", "idaas-tests".to_string()),
        ("X-client-id", client_id.to_string()),
    ];
    let headers: Vec<(&str, &str)> = device.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let body = json!({"user_name": USER_NAME, "password": WRONG_PASSWORD});
    let failed = c
        .send(
            Method::POST,
            "/api/v2/sdk/login",
            None,
            Some(&body),
            &headers,
        )
        .await;
    failed.assert_error("LOGIN.0002");
    requests.push((id(7), "/api/v2/sdk/login", 400, "default"));

    // Refused by the rate limit before any handler runs: still its route template.
    let mut again = headers.clone();
    let id9 = id(9);
    again[0] = ("x-request-id", id9.as_str());
    let limited = c
        .send(Method::POST, "/api/v2/sdk/login", None, Some(&body), &again)
        .await;
    assert_eq!(limited.status.as_u16(), 429, "{}", limited.text);
    requests.push((id(9), "/api/v2/sdk/login", 429, "-"));

    let form = format!("grant_type=client_credentials&client_id={client_id}&client_secret={WRONG_SECRET}&scope=openid");
    let refused = form_post(c, "/api/v1/oauth2/token", &form, &id(8)).await;
    // 400, not 401: the secret came in the body, not in an Authorization header (RFC 6749 §5.2).
    assert_eq!(refused.status.as_u16(), 400, "{}", refused.text);
    requests.push((id(8), "/api/v1/oauth2/token", 400, "default"));

    Sent {
        requests,
        user_id,
        app_secret: app["client_secret"].as_str().unwrap().to_string(),
        access_token: t,
    }
}

async fn form_post(c: &Client, path: &str, form: &str, request_id: &str) -> idaas_tests::Reply {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", c.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-request-id", request_id)
        .body(form.to_string())
        .send()
        .await
        .expect("request sent");
    let status = response.status();
    let text = response.text().await.expect("body");
    idaas_tests::Reply {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    }
}

/// Nothing secret or personal anywhere in the log.
fn assert_nothing_secret(log: &str, server_secret: &str, sent: &Sent) {
    for (what, secret) in [
        ("the password", PASSWORD),
        ("the wrong password", WRONG_PASSWORD),
        ("a wrong client secret", WRONG_SECRET),
        ("the management client secret", server_secret),
        ("the application's client secret", &sent.app_secret),
        ("the access token", &sent.access_token),
        ("the mobile", MOBILE),
        ("the user name", USER_NAME),
        ("the e-mail address", EMAIL),
        ("a query string", "?mobile"),
    ] {
        assert!(!log.contains(secret), "{what} is in the log:\n{log}");
    }
    assert!(!log.contains('\u{1b}'), "colour codes in the log:\n{log}");
}

async fn the_text_log_has_one_line_per_request_and_no_secrets(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let server = LoggedServer::start(&database, "text");
    let secret = server.client_secret.clone();
    let sent = walk_through(&server, "text").await;
    let log = server.stop();

    for (request_id, route, status, tenant) in &sent.requests {
        let lines: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("idaas::access") && l.contains(request_id.as_str()))
            .collect();
        assert_eq!(lines.len(), 1, "one access line for {request_id}:\n{log}");
        let line = lines[0];
        assert!(line.contains(" INFO "), "{line}");
        assert!(line.contains(&format!("route={route} ")), "{line}");
        assert!(line.contains(&format!("status={status} ")), "{line}");
        assert!(line.contains("latency_ms="), "{line}");
        assert!(line.ends_with(&format!("tenant={tenant}")), "{line}");
    }
    let access = log.lines().filter(|l| l.contains("idaas::access")).count();
    assert_eq!(access, sent.requests.len(), "no other access lines:\n{log}");

    let warned = |message: &str, request_id: &str| {
        log.lines().any(|l| {
            l.contains(" WARN ")
                && l.contains(message)
                && l.contains(&format!("log-text-{request_id}"))
        })
    };
    assert!(warned("management request refused", "2"), "{log}");
    assert!(warned("sign-in refused", "7"), "{log}");
    assert!(
        log.lines()
            .any(|l| l.contains("sign-in refused") && l.contains(&sent.user_id)),
        "the sign-in warning names the user by id:\n{log}"
    );
    assert!(warned("client authentication refused", "8"), "{log}");
    assert!(
        log.lines().any(|l| l.contains(" WARN ")
            && l.contains("request refused by a rate limit")
            && l.contains("limit=sign_in_address")
            && l.contains("log-text-9")),
        "{log}"
    );
    assert_nothing_secret(&log, &secret, &sent);
    database.drop_database().await;
}

async fn the_json_log_parses_line_by_line_and_names_each_request(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let server = LoggedServer::start(&database, "json");
    let secret = server.client_secret.clone();
    let sent = walk_through(&server, "json").await;
    let log = server.stop();

    let entries: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    for (request_id, route, status, tenant) in &sent.requests {
        let lines: Vec<&Value> = entries
            .iter()
            .filter(|e| e["target"] == "idaas::access" && e["request_id"] == request_id.as_str())
            .collect();
        assert_eq!(lines.len(), 1, "one access line for {request_id}:\n{log}");
        let line = lines[0];
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["message"], "request");
        assert_eq!(line["route"], *route, "{line}");
        assert_eq!(line["status"], *status, "{line}");
        assert!(line["latency_ms"].as_f64().is_some(), "{line}");
        assert!(line["method"].is_string(), "{line}");
        assert_eq!(line["tenant"], *tenant, "{line}");
    }
    let warning = entries
        .iter()
        .find(|e| e["message"] == "sign-in refused")
        .unwrap_or_else(|| panic!("a sign-in warning:\n{log}"));
    assert_eq!(warning["level"], "WARN");
    assert_eq!(warning["user_id"], sent.user_id.as_str());
    assert_eq!(
        warning["span"]["request_id"], "log-json-7",
        "inside the request's span: {warning}"
    );
    assert_nothing_secret(&log, &secret, &sent);
    database.drop_database().await;
}

on_both_engines!(
    the_text_log_has_one_line_per_request_and_no_secrets,
    the_json_log_parses_line_by_line_and_names_each_request,
);
