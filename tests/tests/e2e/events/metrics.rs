//! Prometheus metrics at `/metrics` (ops/adr/0016, docs/operations.md "Metrics"): a scrape shows
//! each request under its route template and status, the sign-ins by outcome and the tokens
//! issued, and never a path as sent; it is served only to the allowed peers, or on a listener of
//! its own.
//!
//! The recorder is one per process, so the server runs in a child process (this test binary
//! again, running `observed_child`), configured only by `IDAAS_*` and `OTEL_*` variables as the
//! `idaas` command is: the counts it shows are this server's alone. `events::telemetry` uses the
//! same child with an OTLP endpoint.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use idaas_tests::{on_both_engines, Client, Engine, TestDatabase};
use reqwest::Method;
use serde_json::{json, Value};

const CHILD_VAR: &str = "IDAAS_OBSERVED_CHILD";
const READY: &str = "OBSERVED CHILD READY ";

/// The child half: serves (with traces when an OTLP endpoint is set) until its stdin closes,
/// then stops as `idaas serve` does, flushing the traces. Does nothing unless the parent
/// started it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "started by the metrics and telemetry tests as a child process"]
async fn observed_child() {
    if std::env::var(CHILD_VAR).is_err() {
        return;
    }
    let config = idaas_server::Config::load(None).expect("configuration");
    let traces = idaas_server::logging::init_serving(config.log_format).expect("logger");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let server = idaas_server::start(config, listener)
        .await
        .expect("server starts");
    // A store started before has no new credential to show.
    let bootstrap = server.bootstrap.clone();
    let ready = json!({
        "addr": server.addr.to_string(),
        "metrics_addr": server.metrics_addr.map(|a| a.to_string()),
        "client_id": bootstrap.as_ref().map(|b| b.client_id.clone()),
        "client_secret": bootstrap.map(|b| b.client_secret),
    });
    println!("{READY}{ready}");
    std::io::stdout().flush().expect("stdout");
    let _ = tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new())).await;
    server.stop().await.expect("server stops");
    if let Some(traces) = traces {
        traces.shutdown().await;
    }
}

/// A server in a child process.
pub(super) struct ObservedServer {
    child: Child,
    log: Arc<Mutex<String>>,
    pub client: Client,
    pub metrics_addr: Option<String>,
    pub client_id: String,
    pub client_secret: String,
}

impl ObservedServer {
    /// Starts the child on `database` with these extra variables.
    pub fn start(database: &TestDatabase, vars: &[(&str, &str)]) -> Self {
        let mut command = Command::new(std::env::current_exe().expect("test binary"));
        command
            .args([
                "events::metrics::observed_child",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_VAR, "1")
            .env("IDAAS_DATABASE_URL", &database.url)
            .env("IDAAS_DATA_DIR", &database.data_dir)
            .env("IDAAS_MASTER_KEY", &database.master_key);
        for name in [
            "IDAAS_CONFIG",
            "IDAAS_PUBLIC_URL",
            "IDAAS_BOOTSTRAP_CLIENT_ID",
            "IDAAS_BOOTSTRAP_CLIENT_SECRET",
            "IDAAS_METRICS_LISTEN",
            "IDAAS_METRICS_ALLOW",
            "IDAAS_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "OTEL_EXPORTER_OTLP_PROTOCOL",
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        ] {
            command.env_remove(name);
        }
        for (name, value) in vars {
            command.env(name, value);
        }
        let mut child = command
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
            metrics_addr: ready["metrics_addr"].as_str().map(str::to_string),
            client_id: ready["client_id"].as_str().unwrap_or_default().to_string(),
            client_secret: ready["client_secret"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        }
    }

    /// Stops the child (closing its stdin) as a service manager would, and waits for it to
    /// exit 0; returns its log.
    pub fn stop(mut self) -> String {
        drop(self.child.stdin.take());
        for _ in 0..400 {
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = self.log.lock().expect("log").clone();
                assert!(status.success(), "the child exited with {status}:\n{log}");
                return log;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("the child server did not stop");
    }
}

impl Drop for ObservedServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The samples of `metric` in a scrape whose labels include every one of `labels`.
fn samples(scrape: &str, metric: &str, labels: &[(&str, &str)]) -> Vec<f64> {
    scrape
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let (name, rest) = series.split_once('{').unwrap_or((series, "}"));
            (name == metric).then_some(())?;
            let wanted = labels
                .iter()
                .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")));
            wanted.then(|| value.parse().ok()).flatten()
        })
        .collect()
}

/// The one sample of `metric` with these labels.
fn sample(scrape: &str, metric: &str, labels: &[(&str, &str)]) -> f64 {
    match samples(scrape, metric, labels).as_slice() {
        [value] => *value,
        other => panic!("{metric} {labels:?}: {other:?} in\n{scrape}"),
    }
}

async fn scrape(base: &str) -> (u16, String) {
    let response = reqwest::get(format!("{base}/metrics"))
        .await
        .expect("scrape");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

const MOBILE: &str = "13912345678";

async fn a_scrape_shows_routes_statuses_sign_ins_and_tokens_and_no_path(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let server = ObservedServer::start(&database, &[]);
    let c = &server.client;
    for _ in 0..2 {
        c.send(Method::GET, "/healthz", None, None, &[])
            .await
            .assert_status(200);
    }
    let missing = c
        .send(Method::GET, &format!("/no/such/{MOBILE}"), None, None, &[])
        .await;
    assert_eq!(missing.status.as_u16(), 404);
    let token = c
        .token(&server.client_id, &server.client_secret, None)
        .await;
    let app = c
        .post(
            "/admin/v1/applications",
            &token,
            json!({"name": "Measured app"}),
        )
        .await
        .assert_status(201)
        .clone();
    let user = c
        .post(
            "/api/v2/tenant/users",
            &token,
            json!({"user_name": "measured.person", "name": "Measured Person", "mobile": "13800138000",
                   "password": "Measured#Pass1", "pwd_must_modify": false}),
        )
        .await;
    let user_id = user.assert_status(201)["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    c.get(&format!("/api/v2/tenant/users/{user_id}"), &token)
        .await
        .assert_status(200);
    let headers = [
        ("X-operating-sys-version", "Android 10"),
        ("X-device-fingerprint", "fp-measured"),
        ("X-agent", "idaas-tests"),
        ("X-client-id", app["client_id"].as_str().unwrap()),
    ];
    let body = json!({"user_name": "measured.person", "password": "Wrong#Pass2"});
    c.send(
        Method::POST,
        "/api/v2/sdk/login",
        None,
        Some(&body),
        &headers,
    )
    .await
    .assert_error("LOGIN.0002");

    let (status, text) = scrape(&c.base).await;
    assert_eq!(status, 200, "{text}");
    let requests = "idaas_http_requests_total";
    let healthz = [("method", "GET"), ("route", "/healthz"), ("status", "200")];
    assert_eq!(sample(&text, requests, &healthz), 2.0);
    let by_id = [
        ("route", "/api/v2/tenant/users/{user_id}"),
        ("status", "200"),
    ];
    assert_eq!(sample(&text, requests, &by_id), 1.0);
    let unmatched = [("method", "GET"), ("route", "-"), ("status", "404")];
    assert_eq!(sample(&text, requests, &unmatched), 1.0);
    let refused = [("route", "/api/v2/sdk/login"), ("status", "400")];
    assert_eq!(sample(&text, requests, &refused), 1.0);
    let latency = "idaas_http_request_duration_seconds_count";
    let healthz_2xx = [("route", "/healthz"), ("status", "2xx")];
    assert_eq!(sample(&text, latency, &healthz_2xx), 2.0);
    assert!(
        text.contains("idaas_http_request_duration_seconds_bucket{"),
        "a histogram: {text}"
    );
    let failed = [("outcome", "failed"), ("reason", "bad_password")];
    assert_eq!(sample(&text, "idaas_sign_ins_total", &failed), 1.0);
    assert!(samples(&text, "idaas_sign_ins_total", &[("outcome", "ok")]).is_empty());
    let management = [("route", "/api/v2/tenant/token")];
    assert_eq!(sample(&text, "idaas_tokens_issued_total", &management), 1.0);
    assert!(
        sample(
            &text,
            "idaas_event_store_appends_total",
            &[("outcome", "ok")]
        ) >= 3.0
    );
    assert!(text.contains("idaas_projection_seconds_count"), "{text}");
    assert!(text.contains("# HELP idaas_sign_ins_total"), "{text}");
    // Never a path as sent, nor a user.
    for sent in [MOBILE, "13800138000", user_id.as_str(), "measured.person"] {
        assert!(!text.contains(sent), "{sent} in the scrape:\n{text}");
    }
    server.stop();
    database.drop_database().await;
}

async fn metrics_are_served_only_to_allowed_peers_or_on_their_own_listener(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let server = ObservedServer::start(&database, &[("IDAAS_METRICS_ALLOW", "10.0.0.0/8")]);
    let (status, text) = scrape(&server.client.base).await;
    assert_eq!(status, 403, "{text}");
    assert!(!text.contains("idaas_"), "{text}");
    assert!(server.metrics_addr.is_none());
    server.stop();

    let server = ObservedServer::start(&database, &[("IDAAS_METRICS_LISTEN", "127.0.0.1:0")]);
    let (status, _) = scrape(&server.client.base).await;
    assert_eq!(status, 404, "not on the main listener once it has its own");
    let own = format!(
        "http://{}",
        server.metrics_addr.clone().expect("its address")
    );
    let (status, text) = scrape(&own).await;
    assert_eq!(status, 200, "{text}");
    let unmatched = [("route", "-"), ("status", "404")];
    assert_eq!(
        sample(&text, "idaas_http_requests_total", &unmatched),
        1.0,
        "the main listener answered /metrics as any unknown path"
    );
    server.stop();

    // The same settings from the configuration file's `[metrics]` section.
    let file = std::env::temp_dir().join(format!("idaas-metrics-{}.toml", std::process::id()));
    std::fs::write(&file, "[metrics]\nallow = [\"10.0.0.0/8\"]\n").unwrap();
    let config = file.display().to_string();
    let server = ObservedServer::start(&database, &[("IDAAS_CONFIG", config.as_str())]);
    let (status, text) = scrape(&server.client.base).await;
    assert_eq!(
        status, 403,
        "allowed only to 10.0.0.0/8 by the file: {text}"
    );
    server.stop();
    let _ = std::fs::remove_file(&file);
    database.drop_database().await;
}

on_both_engines!(
    a_scrape_shows_routes_statuses_sign_ins_and_tokens_and_no_path,
    metrics_are_served_only_to_allowed_peers_or_on_their_own_listener,
);
