//! A store written by the previous release (`tests/fixtures/previous-release/`, see its NOTES.md)
//! opens, verifies, serves the same answers, exports the same events, and replays identically under
//! the current code.
//!
//! SQLite only: the fixture *is* a SQLite database file, the previous release's own output, and
//! there is no PostgreSQL counterpart to restore.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use idaas_server::cli::{self, Verdict};
use idaas_server::Config;
use idaas_tests::{Engine, TestDatabase, TestServer};
use reqwest::Method;
use serde_json::Value;
use sha2::{Digest, Sha256};
use usecases::clock::{Clock, MovableClock};
use usecases::tenants::Credentials;

/// The fixed configuration the fixture was made with (NOTES.md, "Configuration").
const MASTER_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const BOOTSTRAP_CLIENT_ID: &str = "FixtureBootstrapClientId00000001";
const BOOTSTRAP_CLIENT_SECRET: &str = "FixtureBootstrapSecret0000000001";
/// The default tenant's management application (expected/admin-applications.json).
const MANAGEMENT_APP_ID: &str = "20261204204118364-95FD-86DC26160";
const UTC_OFFSET_MINUTES: i32 = 480;
/// Issuer and metadata URLs are built from the request's `Host`; the answers were recorded here.
const HOST: &str = "127.0.0.1:18431";
/// The events the previous release wrote.
const EVENTS: i64 = 131;

/// What the server's clock reads when the test starts: 2026-12-04T21:00:00Z, twenty minutes
/// after the fixture's last event, so that the reads run on the day they were recorded.
const FIXTURE_DAY_MS: i64 = 1_796_418_000_000;

/// SHA-256 of the fixture's store and event export as the previous release wrote them: a changed
/// hash means the fixture was rewritten, which it never may be (NOTES.md).
const STORE_SHA256: &str = "634cb4f44ab1694d4b01288d730e00cd86313a5c65de3093022adca4a2d8adc0";
const EVENTS_SHA256: &str = "a3ca524621c2d853868f8dd28d573d8d2e895c90a58c7d26cf91baf093a05e8f";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/previous-release")
}

fn sha256_hex(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What changed on purpose since the previous release, applied to its recorded answer to give
/// the answer expected now. The recorded files stay exactly as that release wrote them; every
/// change here names the decision behind it, and anything not listed must answer as before.
fn intended_changes(file: &str, mut recorded: Value) -> Value {
    if file == "tenant-settings.json" {
        // ADR 0009: attribute rules are keyed by canonical names, and the settings carry the
        // organisation policy (unique sibling names, on by default: OneAccess behaviour; issue 16:
        // grants to an organisation reach its sub-organisations only when the tenant says so).
        let rules = recorded["user_attributes"]
            .as_object_mut()
            .expect("user_attributes");
        for (v1, canonical) in [
            ("user_name", "username"),
            ("attr_identity_number", "identity_number"),
        ] {
            let rule = rules.remove(v1).expect("a rule under its v1 name");
            rules.insert(canonical.into(), rule);
        }
        recorded["organizations"] = serde_json::json!({
            "unique_sibling_names": true,
            "grants_reach_sub_organizations": false
        });
        // ADR 0026: a retention policy, off unless the tenant sets one.
        recorded["retention"] = serde_json::json!({"de_identify_after_days": null});
    }
    if file.starts_with("oidc-discovery") {
        // Issue 17: an application may release the user's roles and permissions as claims.
        let claims = recorded["claims_supported"]
            .as_array_mut()
            .expect("claims_supported");
        claims.push("roles".into());
        claims.push("permissions".into());
    }
    if file == "orgs-all-but-roots.json" {
        // Issue 14: every organisation, the roots included (the reference's example), in
        // creation order (the ids begin with their creation time).
        let text = std::fs::read_to_string(fixture().join("expected/orgs-roots.json"))
            .expect("orgs-roots.json");
        let roots: Value = serde_json::from_str(&text).expect("roots");
        let mut all: Vec<Value> = roots["organizations"].as_array().expect("roots").clone();
        all.extend(
            recorded["organizations"]
                .as_array()
                .expect("orgs")
                .iter()
                .cloned(),
        );
        all.sort_by_key(|o| o["org_id"].as_str().unwrap_or_default().to_string());
        recorded["total"] = all.len().into();
        recorded["organizations"] = Value::Array(all);
    }
    if file.starts_with("admin-application") {
        // Issue 14: a SAML service provider says whether its NameID format is pinned (no).
        let apps = match recorded.as_array_mut() {
            Some(apps) => apps.iter_mut().collect::<Vec<_>>(),
            None => vec![&mut recorded],
        };
        for app in apps {
            if let Some(saml) = app["protocols"]["saml"].as_object_mut() {
                saml.insert("name_id_format_pinned".into(), false.into());
            }
            // ADR 0014: the bootstrap credential is the operator; another holder of the API
            // product is a directory client.
            let authority = match (app["name"].as_str(), app["api_product"].as_bool()) {
                (Some("Management API"), _) => Value::from("operator"),
                (_, Some(true)) => Value::from("directory"),
                _ => Value::Null,
            };
            let app = app.as_object_mut().expect("an application");
            app.insert("authority".into(), authority);
            app.insert("granted_applications".into(), Value::Array(Vec::new()));
        }
    }
    recorded
}

/// The recorded JWKS as it stands at `at_ms`: a rotated-out key is listed until its
/// `publish_until` (366 days after the rotation: about 2027-12-05 for the fixture's keys), so
/// after that day the recorded answer without those keys is the one expected, and the test does
/// not rot.
fn still_published(jwks: &Value, at_ms: i64) -> Value {
    let text = std::fs::read_to_string(fixture().join("expected/admin-signing-keys.json"))
        .expect("admin-signing-keys.json");
    let keys: Vec<Value> = serde_json::from_str(&text).expect("signing keys");
    let published = |kid: &Value| {
        keys.iter().any(|k| {
            k["key_id"] == *kid
                && k["publish_until"]
                    .as_i64()
                    .is_none_or(|until| until > at_ms)
        })
    };
    let mut jwks = jwks.clone();
    jwks["keys"]
        .as_array_mut()
        .expect("keys")
        .retain(|key| published(&key["kid"]));
    jwks
}

fn wall_clock_ms() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970");
    i64::try_from(since_epoch.as_millis()).expect("milliseconds")
}

/// One line of reads.txt: `METHOD PATH expected-file auth`.
struct Read {
    method: Method,
    path: String,
    expected: String,
    bearer: bool,
}

fn reads() -> Vec<Read> {
    let text = std::fs::read_to_string(fixture().join("reads.txt")).expect("reads.txt");
    let reads: Vec<Read> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [method, path, expected, auth] = fields[..] else {
                panic!("reads.txt: not `METHOD PATH FILE AUTH`: {line}");
            };
            assert!(matches!(auth, "bearer" | "none"), "reads.txt: {line}");
            Read {
                method: method.parse().expect("an HTTP method"),
                path: path.into(),
                expected: expected.into(),
                bearer: auth == "bearer",
            }
        })
        .collect();
    assert_eq!(reads.len(), 60, "the fixture records 60 reads");
    reads
}

/// Sends every read with `Host: 127.0.0.1:18431` (and a fresh management token where the line
/// says `bearer`) and compares each answer with its recorded file: JSON as values, XML as text.
async fn assert_reads_match(server: &TestServer, pass: &str) {
    let token = server
        .client
        .token(BOOTSTRAP_CLIENT_ID, BOOTSTRAP_CLIENT_SECRET, Some(HOST))
        .await;
    let mut differences = Vec::new();
    for read in reads() {
        let reply = server
            .client
            .send(
                read.method.clone(),
                &read.path,
                read.bearer.then_some(token.as_str()),
                None,
                &[("host", HOST)],
            )
            .await;
        let file = fixture().join("expected").join(&read.expected);
        let expected = std::fs::read_to_string(&file).expect("expected answer");
        let same = if read.expected.ends_with(".json") {
            let expected = intended_changes(
                &read.expected,
                serde_json::from_str(&expected).expect("expected JSON"),
            );
            let answer = serde_json::from_str::<Value>(&reply.text).ok();
            let acceptable = if read.expected == "jwks.json" {
                // The key ring judges by the wall clock, not the server's (movable) clock.
                [wall_clock_ms(), server.now_ms()]
                    .map(|at| still_published(&expected, at))
                    .to_vec()
            } else {
                vec![expected]
            };
            reply.status == 200 && answer.is_some_and(|a| acceptable.contains(&a))
        } else {
            reply.status == 200 && reply.text == expected
        };
        if !same {
            differences.push(format!(
                "{} {} ({}): HTTP {} {}",
                read.method, read.path, read.expected, reply.status, reply.text
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{pass}: {} of the recorded reads differ:\n{}",
        differences.len(),
        differences.join("\n")
    );
}

/// `idaas verify` on the store: the hash chain is intact and the projections match a rebuild.
async fn assert_sound(store: &store::EventStore, events: i64, when: &str) {
    assert_eq!(
        cli::verify(store).await.expect("verify runs"),
        Verdict::Sound { events },
        "{when}"
    );
}

/// `idaas events export`: the previous release's events come out byte for byte as it exported
/// them, followed only by what this test appended.
async fn assert_export_starts_with_the_recorded_events(store: &store::EventStore) {
    let mut exported = Vec::new();
    let count = cli::export(store, &mut exported).await.expect("export");
    assert!(count >= EVENTS, "{count} event(s) exported");
    let exported = String::from_utf8(exported).expect("UTF-8 export");
    let recorded =
        std::fs::read_to_string(fixture().join("expected/events.jsonl")).expect("events.jsonl");
    let recorded: Vec<&str> = recorded.lines().collect();
    assert_eq!(recorded.len() as i64, EVENTS);
    let exported: Vec<&str> = exported.lines().collect();
    for (i, line) in recorded.iter().enumerate() {
        assert_eq!(
            exported.get(i),
            Some(line),
            "exported event {} differs from the previous release's export",
            i + 1
        );
    }
}

/// `idaas replay` then `idaas verify`, over the stopped server's store as the commands run:
/// replay rebuilds exactly the rows the previous release's projections (and this test's reads)
/// left, and the store still verifies.
async fn replay_and_verify(config: &Config, events: i64) {
    let store = idaas_server::open_store(config).await.expect("store opens");
    let snapshot = |store: store::EventStore| async move {
        let mut conn = store.database().pool.acquire().await.expect("connection");
        projections::rebuild::snapshot(&mut conn)
            .await
            .expect("snapshot")
    };
    let live = snapshot(store.clone()).await;
    let replayed = projections::rebuild::replay(&store).await.expect("replay");
    assert_eq!(replayed, events, "every event replayed");
    assert_eq!(
        snapshot(store.clone()).await,
        live,
        "replay changed projection rows"
    );
    assert_sound(&store, events, "after replay").await;
    store.database().pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_of_the_previous_release_verifies_serves_exports_and_replays_the_same() {
    let store_file = fixture().join("store/idaas.db");
    assert_eq!(
        sha256_hex(&store_file),
        STORE_SHA256,
        "the fixture store changed: it is the previous release's output and is never regenerated"
    );
    assert_eq!(
        sha256_hex(&fixture().join("expected/events.jsonl")),
        EVENTS_SHA256,
        "the fixture's event export changed: it is the previous release's output"
    );

    // A copy in a throwaway directory (removed when `database` is dropped): the run appends to it.
    let database = TestDatabase::create(Engine::Sqlite).await;
    std::fs::copy(&store_file, database.data_dir.join("idaas.db")).expect("copy the store");
    let config = Config {
        master_key: Some(MASTER_KEY.into()),
        bootstrap_client_id: Some(BOOTSTRAP_CLIENT_ID.into()),
        bootstrap_client_secret: Some(BOOTSTRAP_CLIENT_SECRET.into()),
        utc_offset_minutes: UTC_OFFSET_MINUTES,
        // The reads were recorded on this host; issued URLs follow the public URL (issue 14).
        public_url: Some(format!("http://{HOST}")),
        ..database.config()
    };

    // `idaas verify`, as the first command run on the copy (opening it migrates it and rebuilds
    // projection rows an older reducer wrote, as any start of the current code would).
    let store = idaas_server::open_store(&config)
        .await
        .expect("store opens");
    assert_sound(&store, EVENTS, "as the previous release left it").await;
    store.database().pool.close().await;

    let clock = Arc::new(MovableClock::default());
    clock.advance(FIXTURE_DAY_MS - clock.now_millis());
    let credentials = Credentials {
        tenant_id: "default".into(),
        application_id: MANAGEMENT_APP_ID.into(),
        client_id: BOOTSTRAP_CLIENT_ID.into(),
        client_secret: BOOTSTRAP_CLIENT_SECRET.into(),
    };
    let mut server = TestServer::start_over(database, config.clone(), credentials, clock).await;

    // Each pass appends one event: its management token. The GETs write nothing.
    assert_reads_match(&server, "served as recorded").await;
    assert_export_starts_with_the_recorded_events(server.store()).await;
    assert_sound(server.store(), EVENTS + 1, "after the reads").await;

    let running = server.server.take().expect("running");
    running.stop().await.expect("server stops");
    replay_and_verify(&config, EVENTS + 1).await;

    server.restart().await;
    assert_reads_match(&server, "served as recorded after replay").await;
    assert_export_starts_with_the_recorded_events(server.store()).await;
    assert_sound(server.store(), EVENTS + 2, "at the end").await;
    server.finish().await;
}
