//! Signed checkpoints of each tenant's hash chain (ops/adr/0023): they are written at the
//! configured interval and at a graceful stop, an audit export verifies offline without the
//! database, tampering with the export is found (an edited payload, a deleted row, a reordered
//! row, a rewritten history, a forged checkpoint, a cut), and a rotated key keeps the older
//! checkpoints verifiable.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use idaas_server::checkpoints::{self as cp, CheckpointCommand};
use idaas_server::cli::{self, Verdict};
use idaas_tests::{on_both_engines, sso, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use store::checkpoints::{Checkpoint, PublishedKey, Signer};
use store::store::{chain_hash, ChainedFields};

/// Mobiles of the users these tests create (personal data: never in a report).
const MOBILE: &str = "1385550";

async fn users(server: &TestServer, prefix: &str, count: usize) {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let t = server.token().await;
    for n in 0..count {
        let mobile = format!("{MOBILE}{:04}", NEXT.fetch_add(1, Ordering::Relaxed));
        sso::user(server, &t, &format!("{prefix}{n}"), &mobile).await;
    }
}

/// The default tenant's checkpoints, in position order.
async fn stored(server: &TestServer) -> Vec<(i64, i64, String)> {
    sqlx::query_as(
        "SELECT position, events, key_id FROM checkpoints WHERE tenant_id = 'default' \
         ORDER BY position",
    )
    .fetch_all(&server.store().database().pool)
    .await
    .unwrap()
}

/// The position and count of the default tenant's last event.
async fn head(server: &TestServer) -> (i64, i64) {
    sqlx::query_as("SELECT MAX(position), COUNT(*) FROM events WHERE tenant_id = 'default'")
        .fetch_one(&server.store().database().pool)
        .await
        .unwrap()
}

/// Waits (at most ten seconds) until the default tenant's head is under a checkpoint.
async fn until_head_signed(server: &TestServer) -> Vec<(i64, i64, String)> {
    for _ in 0..100 {
        let signed = stored(server).await;
        if signed.last().map(|c| c.0) == Some(head(server).await.0) {
            return signed;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the head was not signed: {:?}", stored(server).await);
}

async fn published(server: &TestServer) -> Value {
    let reply = server
        .client
        .send(
            Method::GET,
            "/.well-known/idaas-checkpoint-keys",
            None,
            None,
            &[],
        )
        .await;
    reply.assert_status(200).clone()
}

/// Waits (at most ten seconds) until fewer than `every` of the default tenant's events are after
/// its last checkpoint.
async fn until_caught_up(server: &TestServer, every: i64) -> Vec<(i64, i64, String)> {
    for _ in 0..100 {
        let signed = stored(server).await;
        let signed_events = signed.last().map_or(0, |c| c.1);
        if !signed.is_empty() && head(server).await.1 - signed_events < every {
            return signed;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the worker did not catch up: {:?}", stored(server).await);
}

async fn checkpoints_are_signed_every_n_events_and_at_a_graceful_stop(engine: Engine) {
    let mut server = TestServer::start_configured(engine, |c| {
        c.checkpoints.every_events = 5;
        c.checkpoints.every_seconds = 0;
    })
    .await;
    users(&server, "counted", 6).await;
    let signed = until_caught_up(&server, 5).await;
    let mut previous = 0;
    for (position, events, _) in &signed {
        assert!(
            events - previous >= 5,
            "at least 5 events apart: {signed:?}"
        );
        assert!(*position >= *events);
        previous = *events;
    }

    // A graceful stop signs what is left, however little.
    users(&server, "stopped", 1).await;
    let before_stop = head(&server).await;
    server.restart().await;
    let after = stored(&server).await;
    let last = after.last().unwrap();
    assert_eq!((last.0, last.1), before_stop, "the head at the stop");

    // Every checkpoint names the published key.
    let keys = published(&server).await;
    let keys = keys["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!(keys[0]["kty"], "OKP");
    assert_eq!(keys[0]["crv"], "Ed25519");
    assert!(after.iter().all(|c| c.2 == keys[0]["kid"]));
    server.finish().await;
}

async fn a_head_is_signed_once_its_oldest_unsigned_event_is_t_seconds_old(engine: Engine) {
    let server = TestServer::start_configured(engine, |c| {
        c.checkpoints.every_events = 0;
        c.checkpoints.every_seconds = 60;
    })
    .await;
    users(&server, "timed", 2).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(stored(&server).await, vec![], "not due yet");
    server.advance(Duration::from_secs(61));
    let signed = until_head_signed(&server).await;
    assert_eq!(signed.len(), 1);
    assert_eq!(signed[0].1, head(&server).await.1);
    server.finish().await;
}

/// An export's lines, edited as a tamperer would.
struct Export {
    lines: Vec<Value>,
}

impl Export {
    fn read(path: &Path) -> Self {
        let text = std::fs::read_to_string(path).unwrap();
        Self {
            lines: text
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
        }
    }

    fn events(&self) -> Vec<usize> {
        (0..self.lines.len())
            .filter(|i| self.lines[*i]["kind"] == "event")
            .collect()
    }

    /// The index of the line of the event at `position`.
    fn at(&self, position: i64) -> usize {
        self.events()
            .into_iter()
            .find(|i| self.lines[*i]["position"] == position)
            .unwrap()
    }

    /// The lines but the end, and an end line made to match them (a deliberate tamperer's).
    fn text(&self, with_end: bool) -> String {
        let mut text = String::new();
        let body: Vec<&Value> = self.lines.iter().filter(|l| l["kind"] != "end").collect();
        for line in &body {
            text.push_str(&line.to_string());
            text.push('\n');
        }
        if with_end {
            let sha256 = format!("{:x}", Sha256::digest(text.as_bytes()));
            let end = json!({"kind": "end", "lines": body.len(), "sha256": sha256});
            text.push_str(&end.to_string());
            text.push('\n');
        }
        text
    }

    /// Recomputes the hashes of `tenant`'s events from line `from` on, as someone rewriting the
    /// history would.
    fn rechain(&mut self, tenant: &str, from: usize) {
        let mut prev: Option<String> = None;
        for i in self.events() {
            let line = &mut self.lines[i];
            if line["tenant_id"] != tenant {
                continue;
            }
            if i >= from {
                if let Some(prev) = &prev {
                    line["prev_hash"] = json!(prev);
                }
                let s = |name: &str| line[name].as_str().unwrap().to_string();
                let fields = (s("tenant_id"), s("stream_type"), s("stream_id"));
                let (event_type, payload, metadata, recorded) = (
                    s("event_type"),
                    s("payload"),
                    s("metadata"),
                    s("recorded_at"),
                );
                let hash = chain_hash(
                    &s("prev_hash"),
                    &ChainedFields {
                        position: line["position"].as_i64().unwrap(),
                        tenant_id: &fields.0,
                        stream_type: &fields.1,
                        stream_id: &fields.2,
                        version: line["version"].as_i64().unwrap(),
                        event_type: &event_type,
                        schema_version: line["schema_version"].as_i64().unwrap(),
                        payload: &payload,
                        metadata: &metadata,
                        recorded_at: &recorded,
                    },
                );
                line["hash"] = json!(hash);
            }
            prev = Some(line["hash"].as_str().unwrap().to_string());
        }
    }
}

/// Verifies `text` offline (with `keys` as the trusted key list, if given): the problem, if any.
fn verify_text(dir: &Path, name: &str, text: &str, keys: Option<&Path>) -> Option<String> {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    match cp::verify_offline(&path, keys).unwrap() {
        Ok(_) => None,
        Err(problem) => {
            let problem = problem.to_string();
            assert!(!problem.contains(MOBILE), "no personal value: {problem}");
            Some(problem)
        }
    }
}

/// A server with users, every head signed, and two users' events after that; its export.
async fn exported(engine: Engine) -> (TestServer, PathBuf, Export) {
    let server = TestServer::start_configured(engine, |c| {
        c.checkpoints.every_events = 0;
        c.checkpoints.every_seconds = 0;
    })
    .await;
    users(&server, "audited", 4).await;
    let written = cp::checkpoint_now(&server.config).await.unwrap();
    assert_eq!(written.len(), 1, "the default tenant's head");
    users(&server, "later", 2).await;
    let path = server.database.data_dir.join("audit.jsonl");
    let summary = cp::export_to(&server.config, Some(&path), None)
        .await
        .unwrap();
    assert_eq!(summary.checkpoints, 1);
    assert_eq!(summary.events, head(&server).await.1);
    let export = Export::read(&path);
    (server, path, export)
}

async fn an_export_verifies_offline_and_each_kind_of_tampering_is_found(engine: Engine) {
    let (server, path, export) = exported(engine).await;
    let dir = server.database.data_dir.clone();
    // Personal data is sealed in the export: checking it needs no key.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains(MOBILE) && !text.contains("audited0@"),
        "sealed"
    );
    let report = cp::verify_offline(&path, None).unwrap().expect("sound");
    let (position, events) = head(&server).await;
    assert_eq!((report.last_position, report.events), (position, events));
    assert!(report.keys_from_export);
    let tenant = &report.tenants[0];
    assert_eq!(tenant.checkpoints, 1);
    assert!(tenant.after_last_checkpoint >= 2, "{tenant:?}");
    let mut described = Vec::new();
    cp::describe(&report, &mut described).unwrap();
    let described = String::from_utf8(described).unwrap();
    assert!(
        described.contains("covered by the hash chain only"),
        "{described}"
    );

    // Against the keys the server publishes.
    let keys = dir.join("keys.json");
    std::fs::write(&keys, published(&server).await.to_string()).unwrap();
    let report = cp::verify_offline(&path, Some(&keys))
        .unwrap()
        .expect("sound");
    assert!(!report.keys_from_export);

    let signed_at = tenant.last_checkpoint.unwrap();
    let first = export.events()[0];
    let checkpoint_line = (0..export.lines.len())
        .find(|i| export.lines[*i]["kind"] == "checkpoint")
        .unwrap();
    let user_event = export
        .events()
        .into_iter()
        .find(|i| {
            export.lines[*i]["event_type"] == "user.created"
                && export.lines[*i]["position"].as_i64() < Some(signed_at)
        })
        .unwrap();
    let found = |name: &str, edited: &Export, keys: Option<&Path>| {
        verify_text(&dir, name, &edited.text(true), keys)
    };

    // An edited payload.
    let mut edited = Export::read(&path);
    let payload = edited.lines[user_event]["payload"].as_str().unwrap();
    let changed = payload.replacen("user", "usEr", 1);
    assert_ne!(changed, payload);
    edited.lines[user_event]["payload"] = json!(changed);
    let problem = found("payload", &edited, None).expect("found");
    assert!(problem.contains("the hash does not match"), "{problem}");

    // The same edit with every later hash recomputed: the chain no longer meets the checkpoint.
    edited.rechain("default", user_event);
    let problem = found("rewritten", &edited, None).expect("found");
    assert!(
        problem.contains("does not pass through the checkpoint"),
        "{problem}"
    );

    // A deleted row, and the history recomputed around the gap.
    let mut edited = Export::read(&path);
    edited.lines.remove(user_event);
    let problem = found("deleted", &edited, None).expect("found");
    assert!(problem.contains("was expected"), "{problem}");

    // A reordered row.
    let mut edited = Export::read(&path);
    edited.lines.swap(first + 1, first + 2);
    let problem = found("reordered", &edited, None).expect("found");
    assert!(problem.contains("was expected"), "{problem}");

    // A checkpoint whose head hash was changed, and one signed by another key under the real
    // key's id.
    let mut edited = Export::read(&path);
    edited.lines[checkpoint_line]["head_hash"] = json!("0".repeat(64));
    let problem = found("head", &edited, None).expect("found");
    assert!(problem.contains("signature does not verify"), "{problem}");
    let real: Checkpoint = serde_json::from_value(export.lines[checkpoint_line].clone()).unwrap();
    let forger = Signer::generate();
    let mut forged = forger.sign(
        &real.tenant_id,
        real.position,
        real.events,
        &real.head_hash,
        &real.signed_at,
    );
    forged.key_id = real.key_id.clone();
    let mut edited = Export::read(&path);
    edited.lines[checkpoint_line] = with_kind(&forged);
    let problem = found("forged", &edited, None).expect("found");
    assert!(problem.contains("signature does not verify"), "{problem}");

    // A rewritten history re-signed by a key the tamperer added to the export: consistent in
    // itself, so only the key list the server publishes tells it apart.
    let mut edited = Export::read(&path);
    let payload = edited.lines[user_event]["payload"].as_str().unwrap();
    edited.lines[user_event]["payload"] = json!(payload.replacen("user", "usEr", 1));
    edited.rechain("default", user_event);
    let new_head = edited.lines[edited.at(real.position)]["hash"]
        .as_str()
        .unwrap()
        .to_string();
    let resigned = forger.sign(
        &real.tenant_id,
        real.position,
        real.events,
        &new_head,
        &real.signed_at,
    );
    edited.lines[checkpoint_line] = with_kind(&resigned);
    let key: PublishedKey = forger.published(&real.signed_at);
    let mut key = serde_json::to_value(key).unwrap();
    key["kind"] = json!("key");
    edited.lines.insert(1, key);
    assert_eq!(
        found("resigned", &edited, None),
        None,
        "the export's own keys"
    );
    let problem = found("resigned-trusted", &edited, Some(&keys)).expect("found");
    assert!(problem.contains("not among the trusted keys"), "{problem}");

    // Cut short: without its end line it is told; with an end line made to match, a cut after
    // the last checkpoint cannot be told from an export taken earlier (ops/adr/0023), a cut
    // before a checkpoint can.
    let whole = Export::read(&path);
    let mut cut = Export::read(&path);
    cut.lines.truncate(whole.lines.len() - 2);
    let problem = verify_text(&dir, "cut", &cut.text(false), None).expect("found");
    assert!(problem.contains("without its end line"), "{problem}");
    cut.lines[0]["last_position"] = json!(position - 1);
    assert_eq!(found("cut-after", &cut, None), None, "not detectable");
    let at = whole.at(real.position);
    let mut cut = Export::read(&path);
    cut.lines.truncate(at);
    cut.lines[0]["last_position"] = json!(real.position - 1);
    let problem = found("cut-before", &cut, None).expect("found");
    assert!(
        problem.contains("is beyond the export's last position"),
        "{problem}"
    );
    let mut cut = Export::read(&path);
    cut.lines.truncate(at);
    let problem = found("cut-before-bound", &cut, None).expect("found");
    assert!(problem.contains("is not met"), "{problem}");
    server.finish().await;
}

fn with_kind(checkpoint: &Checkpoint) -> Value {
    let mut line = serde_json::to_value(checkpoint).unwrap();
    line["kind"] = json!("checkpoint");
    line
}

async fn a_rotated_key_signs_from_then_on_and_older_checkpoints_still_verify(engine: Engine) {
    let server = TestServer::start_configured(engine, |c| {
        c.checkpoints.every_events = 0;
        c.checkpoints.every_seconds = 0;
    })
    .await;
    users(&server, "before", 2).await;
    let first = cp::checkpoint_now(&server.config).await.unwrap();
    let rotated = cp::rotate_key(&server.config).await.unwrap();
    assert_ne!(rotated.kid, first[0].key_id);
    users(&server, "after", 2).await;
    let second = cp::checkpoint_now(&server.config).await.unwrap();
    assert_eq!(second[0].key_id, rotated.kid);

    let keys = published(&server).await;
    let keys = keys["keys"].as_array().unwrap().clone();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["kid"], json!(first[0].key_id));
    assert!(keys[0]["retired_at"].is_string(), "the old key is retired");
    assert!(keys[1].get("retired_at").is_none());

    let dir = server.database.data_dir.clone();
    let path = dir.join("rotated.jsonl");
    cp::export_to(&server.config, Some(&path), Some("default"))
        .await
        .unwrap();
    let trusted = dir.join("keys.json");
    std::fs::write(&trusted, json!({ "keys": keys }).to_string()).unwrap();
    let report = cp::verify_offline(&path, Some(&trusted))
        .unwrap()
        .expect("sound");
    assert_eq!(report.keys_used.len(), 2);
    assert_eq!(report.tenant.as_deref(), Some("default"));
    assert_eq!(report.tenants[0].after_last_checkpoint, 0);

    // Trusting only the new key, the older checkpoints are refused.
    std::fs::write(&trusted, json!({ "keys": [keys[1]] }).to_string()).unwrap();
    let problem = cp::verify_offline(&path, Some(&trusted))
        .unwrap()
        .unwrap_err();
    assert!(
        problem.to_string().contains("not among the trusted keys"),
        "{problem}"
    );

    // The command line prints the same key set.
    cp::run(&server.config, CheckpointCommand::Keys)
        .await
        .unwrap();
    server.finish().await;
}

/// `idaas verify` checks the stored checkpoints too: a changed head hash, or a checkpoint whose
/// events were rewritten, is named.
async fn idaas_verify_checks_the_stored_checkpoints(engine: Engine) {
    let server = TestServer::start_configured(engine, |c| {
        c.checkpoints.every_events = 0;
        c.checkpoints.every_seconds = 0;
    })
    .await;
    users(&server, "verified", 2).await;
    let signed = cp::checkpoint_now(&server.config).await.unwrap();
    assert!(matches!(
        cli::verify(server.store()).await.unwrap(),
        Verdict::Sound { .. }
    ));
    let pool = &server.store().database().pool;
    sqlx::query("UPDATE checkpoints SET events = events - 1 WHERE position = $1")
        .bind(signed[0].position)
        .execute(pool)
        .await
        .unwrap();
    match cli::verify(server.store()).await.unwrap() {
        Verdict::ChainBroken(what) => {
            assert!(what.starts_with("signed checkpoints: "), "{what}");
            assert!(what.contains("signature does not verify"), "{what}");
        }
        other => panic!("expected the checkpoint to be named, got {other:?}"),
    }
    server.finish().await;
}

on_both_engines!(
    idaas_verify_checks_the_stored_checkpoints,
    checkpoints_are_signed_every_n_events_and_at_a_graceful_stop,
    a_head_is_signed_once_its_oldest_unsigned_event_is_t_seconds_old,
    an_export_verifies_offline_and_each_kind_of_tampering_is_found,
    a_rotated_key_signs_from_then_on_and_older_checkpoints_still_verify,
);
