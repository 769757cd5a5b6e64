//! A server killed with SIGKILL in the middle of webhook deliveries (ops/adr/0024): the next
//! server over the same store resumes at the checkpoint, so every event is delivered (no gap),
//! and the only repeat is a delivery in flight at the kill, with the same idempotency key.
//!
//! The server runs in a child process (this test binary again, running `export_child`),
//! configured by `IDAAS_*` variables only, as `idaas serve` is.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use idaas_tests::{on_both_engines, Client, Engine, TestDatabase};
use serde_json::{json, Value};

use super::support::{assert_no_gap, create_users, Receiver, SECRET};

const CHILD_VAR: &str = "IDAAS_EXPORT_CHILD";
const READY: &str = "EXPORT CHILD READY ";
const CLIENT_ID: &str = "export-crash-client";
const CLIENT_SECRET: &str = "export-crash-client-secret-0123456789";

/// The child half: serves until its stdin closes (or it is killed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "started by the export crash test as a child process"]
async fn export_child() {
    if std::env::var(CHILD_VAR).is_err() {
        return;
    }
    let config = idaas_server::Config::load(None).expect("configuration");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let server = idaas_server::start(config, listener)
        .await
        .expect("server starts");
    println!("{READY}{}", json!({"addr": server.addr.to_string()}));
    std::io::stdout().flush().expect("stdout");
    let _ = tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new())).await;
    server.stop().await.expect("server stops");
}

/// A server in a child process.
struct ChildServer {
    child: Child,
    log: Arc<Mutex<String>>,
    client: Client,
}

impl ChildServer {
    fn start(database: &TestDatabase, hook: &str) -> Self {
        let mut command = Command::new(std::env::current_exe().expect("test binary"));
        command
            .args([
                "export::crash::export_child",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_VAR, "1")
            .env_remove("IDAAS_CONFIG")
            .env("IDAAS_DATABASE_URL", &database.url)
            .env("IDAAS_DATA_DIR", &database.data_dir)
            .env("IDAAS_MASTER_KEY", &database.master_key)
            .env("IDAAS_BOOTSTRAP_CLIENT_ID", CLIENT_ID)
            .env("IDAAS_BOOTSTRAP_CLIENT_SECRET", CLIENT_SECRET)
            .env("IDAAS_EXPORT_LEASE_MS", "1000")
            .env("IDAAS_EXPORT_CONSUMERS", "hook")
            .env("IDAAS_EXPORT_HOOK_KIND", "webhook")
            .env("IDAAS_EXPORT_HOOK_URL", hook)
            .env("IDAAS_EXPORT_HOOK_SECRET", SECRET)
            .env("IDAAS_EXPORT_HOOK_RETRY_FIRST_MS", "10")
            .env("IDAAS_EXPORT_HOOK_RETRY_MAX_MS", "100");
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
        let addr = ready["addr"].as_str().unwrap().parse().unwrap();
        Self {
            child,
            log,
            client: Client::new(addr),
        }
    }

    /// SIGKILL: no drain, no checkpoint, no lease given up.
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        let _ = self.child.wait();
    }

    /// A graceful stop (stdin closed), checked to exit 0.
    fn stop(mut self) {
        drop(self.child.stdin.take());
        for _ in 0..400 {
            if let Ok(Some(status)) = self.child.try_wait() {
                assert!(
                    status.success(),
                    "exit {status}: {}",
                    self.log.lock().unwrap()
                );
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the child server did not stop");
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn checkpoint_of(db: &store::Database) -> Option<i64> {
    let checkpoints = store::export::checkpoints(db).await.expect("checkpoints");
    checkpoints
        .iter()
        .find(|c| c.name == "hook")
        .map(|c| c.position)
}

async fn a_server_killed_mid_delivery_resumes_with_no_gap_and_only_keyed_duplicates(
    engine: Engine,
) {
    let database = TestDatabase::create(engine).await;
    let receiver = Receiver::start().await;
    receiver.delay(40);
    let first = ChildServer::start(&database, &receiver.url);
    let token = first.client.token(CLIENT_ID, CLIENT_SECRET, None).await;
    create_users(&first.client, &token, 0, 15).await;
    super::support::wait_until("some deliveries were made", || {
        receiver.acknowledged().len() >= 8
    })
    .await;
    first.kill();
    let db = store::connect(&database.url).await.expect("connect");
    let at_kill = store::export::last_position(&db).await.unwrap();
    let delivered_at_kill = receiver.acknowledged().len() as i64;
    assert!(
        delivered_at_kill < at_kill,
        "the kill came in the middle of the deliveries ({delivered_at_kill} of {at_kill})"
    );

    receiver.delay(0);
    let second = ChildServer::start(&database, &receiver.url);
    let token = second.client.token(CLIENT_ID, CLIENT_SECRET, None).await;
    create_users(&second.client, &token, 15, 2).await;
    let last = store::export::last_position(&db).await.unwrap();
    for _ in 0..600 {
        if checkpoint_of(&db).await == Some(last) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        checkpoint_of(&db).await,
        Some(last),
        "the consumer caught up"
    );
    second.stop();
    db.pool.close().await;

    let acknowledged = receiver.acknowledged();
    assert_no_gap(&acknowledged, last);
    let repeats = acknowledged.len() as i64 - last;
    assert!(
        repeats <= 1,
        "at most the delivery in flight at the kill is repeated, {repeats} were"
    );
    database.drop_database().await;
}

on_both_engines!(a_server_killed_mid_delivery_resumes_with_no_gap_and_only_keyed_duplicates);
