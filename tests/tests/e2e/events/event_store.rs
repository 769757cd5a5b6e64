//! The event store on both engines: positions, versions, group commit, claims, sealing,
//! erasure, upcasting and the all-or-nothing append.

use std::sync::Arc;

use domain::upcast::Upcaster;
use domain::Claim;
use futures::future::BoxFuture;
use idaas_tests::{on_both_engines, Engine, TestDatabase};
use serde_json::{json, Value};
use sqlx::AnyConnection;
use store::store::{AppendError, AppendRequest, NewEvent, Projector};
use store::{EventStore, Keys, Metadata, RecordedEvent};

/// A projector that fails on `test.poison` events, to prove that a failing projection undoes
/// its append.
struct Poisoned;

impl Projector for Poisoned {
    fn name(&self) -> &'static str {
        "poisoned"
    }

    fn apply<'a>(
        &'a self,
        _: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if event.event_type == "test.poison" {
                anyhow::bail!("poisoned");
            }
            Ok(())
        })
    }
}

struct AddsColour;

impl Upcaster for AddsColour {
    fn event_type(&self) -> &str {
        "test.painted"
    }
    fn reads_version(&self) -> u32 {
        1
    }
    fn upcast(&self, mut payload: Value) -> Value {
        payload["colour"] = json!("red");
        payload
    }
}

async fn open(engine: Engine) -> (TestDatabase, EventStore) {
    let database = TestDatabase::create(engine).await;
    let db = store::connect(&database.url).await.expect("connect");
    store::migrate(&db).await.expect("migrate");
    let keys = Keys::parse_master(&database.master_key).unwrap();
    let store = EventStore::open(
        db,
        keys,
        vec![Arc::new(Poisoned)],
        vec![Box::new(AddsColour)],
    );
    (database, store)
}

async fn close(database: TestDatabase, store: EventStore) {
    store.database().pool.close().await;
    database.drop_database().await;
}

fn request(stream: &str, expected: i64, events: &[(&str, Value)]) -> AppendRequest {
    AppendRequest {
        tenant_id: "t1".into(),
        stream_type: "thing".into(),
        stream_id: stream.into(),
        expected_version: expected,
        events: events
            .iter()
            .map(|(event_type, payload)| NewEvent {
                event_type: event_type.to_string(),
                schema_version: 1,
                payload: payload.clone(),
            })
            .collect(),
        claims: Vec::new(),
        releases: Vec::new(),
        guards: Vec::new(),
        forget: Vec::new(),
        metadata: Metadata::default(),
    }
}

async fn all_positions(store: &EventStore) -> Vec<(i64, String, i64)> {
    store
        .read_raw(0, 100_000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.position, r.stream_id, r.version))
        .collect()
}

async fn concurrent_appends_get_gap_free_positions_and_per_stream_versions(engine: Engine) {
    let (database, store) = open(engine).await;
    let mut tasks = Vec::new();
    for stream in 0..20 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for version in 0..10 {
                let r = request(
                    &format!("s{stream}"),
                    version,
                    &[("test.happened", json!({"n": version}))],
                );
                store.append(r).await.expect("append");
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let rows = all_positions(&store).await;
    assert_eq!(rows.len(), 200);
    for (i, (position, _, _)) in rows.iter().enumerate() {
        assert_eq!(*position, i as i64 + 1, "positions are gap-free");
    }
    for stream in 0..20 {
        let versions: Vec<i64> = rows
            .iter()
            .filter(|r| r.1 == format!("s{stream}"))
            .map(|r| r.2)
            .collect();
        assert_eq!(versions, (1..=10).collect::<Vec<i64>>());
    }
    assert_eq!(store.verify_chain().await.unwrap(), Ok(200));
    close(database, store).await;
}

async fn an_append_at_a_stale_version_is_a_conflict_and_writes_nothing(engine: Engine) {
    let (database, store) = open(engine).await;
    store
        .append(request("s", 0, &[("test.a", json!({}))]))
        .await
        .unwrap();
    let stale = store
        .append(request("s", 0, &[("test.b", json!({}))]))
        .await;
    assert!(
        matches!(
            stale,
            Err(AppendError::Conflict {
                expected: 0,
                actual: 1
            })
        ),
        "{stale:?}"
    );
    let ahead = store
        .append(request("s", 5, &[("test.b", json!({}))]))
        .await;
    assert!(matches!(ahead, Err(AppendError::Conflict { .. })));
    assert_eq!(all_positions(&store).await.len(), 1);
    assert_eq!(
        store
            .append(request("s", 1, &[("test.b", json!({}))]))
            .await
            .unwrap(),
        Some(2)
    );
    close(database, store).await;
}

async fn a_claim_held_by_another_owner_fails_only_that_append(engine: Engine) {
    let (database, store) = open(engine).await;
    let claiming = |stream: &str| {
        let mut r = request(stream, 0, &[("test.claimed", json!({}))]);
        r.claims.push(Claim::new("thing.name", "same"));
        r
    };
    let mut tasks = Vec::new();
    for i in 0..30 {
        let store = store.clone();
        let r = if i % 3 == 0 {
            claiming(&format!("c{i}"))
        } else {
            request(&format!("p{i}"), 0, &[("test.plain", json!({}))])
        };
        tasks.push(tokio::spawn(async move { store.append(r).await }));
    }
    let mut appended = 0;
    let mut refused = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(Some(_)) => appended += 1,
            Err(AppendError::Claimed { kind }) => {
                assert_eq!(kind, "thing.name");
                refused += 1
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    // 20 plain appends and exactly one of the ten claimants.
    assert_eq!((appended, refused), (21, 9));
    assert_eq!(all_positions(&store).await.len(), 21);
    // Released, the value can be claimed by someone else.
    let holder = all_positions(&store)
        .await
        .into_iter()
        .find(|r| r.1.starts_with('c'))
        .unwrap()
        .1;
    let mut release = request(&holder, 1, &[("test.released", json!({}))]);
    release.releases.push(Claim::new("thing.name", "same"));
    store.append(release).await.unwrap();
    store.append(claiming("late")).await.unwrap();
    close(database, store).await;
}

async fn a_failing_projection_undoes_its_whole_append(engine: Engine) {
    let (database, store) = open(engine).await;
    let mut poisoned = request(
        "x",
        0,
        &[("test.fine", json!({})), ("test.poison", json!({}))],
    );
    poisoned.claims.push(Claim::new("thing.name", "kept-free"));
    let (bad, good) = tokio::join!(
        store.append(poisoned),
        store.append(request("y", 0, &[("test.fine", json!({}))]))
    );
    assert!(matches!(bad, Err(AppendError::Internal(_))));
    assert!(good.is_ok());
    let rows = all_positions(&store).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1, "y");
    assert_eq!(rows[0].0, 1, "no position was burnt");
    let mut again = request("z", 0, &[("test.fine", json!({}))]);
    again.claims.push(Claim::new("thing.name", "kept-free"));
    store
        .append(again)
        .await
        .expect("the claim was rolled back too");
    close(database, store).await;
}

async fn personal_data_is_sealed_at_rest_and_erasable(engine: Engine) {
    let (database, store) = open(engine).await;
    let payload =
        json!({"user_id": "u1", "personal": {"user_name": "zhangsan", "mobile": "12345678901"}});
    store
        .append(request("u1", 0, &[("test.person", payload.clone())]))
        .await
        .unwrap();
    let raw = store.read_raw(0, 10).await.unwrap();
    assert!(!raw[0].payload.contains("zhangsan") && !raw[0].payload.contains("12345678901"));
    assert!(raw[0].payload.contains("sealed"));
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM unique_claims")
        .fetch_one(&store.database().pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
    let loaded = store.load("t1", "thing", "u1").await.unwrap();
    assert_eq!(loaded[0].payload, payload);
    store.erase_subject("t1", "u1").await.unwrap();
    let erased = store.load("t1", "thing", "u1").await.unwrap();
    assert_eq!(
        erased[0].payload,
        json!({"user_id": "u1", "personal": {"erased": true}})
    );
    assert_eq!(
        store.verify_chain().await.unwrap(),
        Ok(1),
        "the log stays verifiable"
    );
    close(database, store).await;
}

async fn old_event_shapes_are_upcast_when_loaded(engine: Engine) {
    let (database, store) = open(engine).await;
    store
        .append(request("p", 0, &[("test.painted", json!({"n": 1}))]))
        .await
        .unwrap();
    let loaded = store.load("t1", "thing", "p").await.unwrap();
    assert_eq!(loaded[0].schema_version, 2);
    assert_eq!(loaded[0].payload, json!({"n": 1, "colour": "red"}));
    let raw = store.read_raw(0, 1).await.unwrap();
    assert_eq!(
        (raw[0].schema_version, raw[0].payload.as_str()),
        (1, "{\"n\":1}"),
        "stored events are never rewritten"
    );
    close(database, store).await;
}

on_both_engines!(
    concurrent_appends_get_gap_free_positions_and_per_stream_versions,
    an_append_at_a_stale_version_is_a_conflict_and_writes_nothing,
    a_claim_held_by_another_owner_fails_only_that_append,
    a_failing_projection_undoes_its_whole_append,
    personal_data_is_sealed_at_rest_and_erasable,
    old_event_shapes_are_upcast_when_loaded,
);
