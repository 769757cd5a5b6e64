//! Rows held to the end of a batch (ops/adr/0030, 0031): a batch's audit trail and request
//! metadata are all written, a guard reading the trail sees the earlier appends of its own batch
//! (a guard that holds while something is absent, as the erasure guard, would otherwise hold
//! wrongly), and of two appends starting the same stream in one batch only the first is written.

use std::sync::Arc;

use futures::future::BoxFuture;
use idaas_tests::{on_both_engines, Engine, TestDatabase};
use projections::audit_trail::AuditTrailProjection;
use serde_json::json;
use sqlx::AnyConnection;
use store::store::{AppendError, AppendRequest, Guard, NewEvent, Projector};
use store::{EventStore, Keys, Metadata, RecordedEvent};

/// Holds while the audit trail files nothing under `subject` (as the erasure guard holds while
/// no other account of the user is filed).
#[derive(Debug)]
struct Unfiled(String);

impl Guard for Unfiled {
    fn name(&self) -> &'static str {
        "unfiled"
    }

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(async move {
            let found: Option<(i64,)> = sqlx::query_as(
                "SELECT position FROM proj_audit_subjects WHERE tenant_id = $1 AND subject_id = $2",
            )
            .bind(tenant)
            .bind(&self.0)
            .fetch_optional(&mut *conn)
            .await?;
            Ok(found.is_none())
        })
    }
}

/// Holds the writer for a moment on `test.slow` events, so that the appends sent meanwhile are
/// queued into the next batch together.
struct Slow;

impl Projector for Slow {
    fn name(&self) -> &'static str {
        "slow"
    }

    fn apply<'a>(
        &'a self,
        _: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if event.event_type == "test.slow" {
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            }
            Ok(())
        })
    }
}

/// A row per stream under the stream's key, as the projections of created things write
/// theirs: a second start of a stream fails its own insert.
struct Keyed;

impl Projector for Keyed {
    fn name(&self) -> &'static str {
        "keyed"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if event.version == 1 {
                sqlx::query("INSERT INTO test_keyed (stream_id) VALUES ($1)")
                    .bind(&event.stream_id)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok(())
        })
    }
}

async fn open(engine: Engine) -> (TestDatabase, EventStore) {
    let database = TestDatabase::create(engine).await;
    let db = store::connect(&database.url).await.expect("connect");
    store::migrate(&db).await.expect("migrate");
    sqlx::query("CREATE TABLE test_keyed (stream_id TEXT PRIMARY KEY)")
        .execute(&db.pool)
        .await
        .unwrap();
    let keys = Keys::parse_master(&database.master_key).unwrap();
    let store = EventStore::open(
        db,
        keys,
        vec![
            Arc::new(Slow),
            Arc::new(Keyed),
            Arc::new(AuditTrailProjection),
        ],
        Vec::new(),
    );
    (database, store)
}

fn request(stream: &str, expected: i64, payload: serde_json::Value) -> AppendRequest {
    AppendRequest {
        tenant_id: "t1".into(),
        stream_type: "thing".into(),
        stream_id: stream.into(),
        expected_version: expected,
        events: vec![NewEvent {
            event_type: "thing.happened".into(),
            schema_version: 1,
            payload,
        }],
        claims: Vec::new(),
        releases: Vec::new(),
        guards: Vec::new(),
        forget: Vec::new(),
        metadata: Metadata {
            client_ip: Some("192.0.2.7".into()),
            ..Metadata::default()
        },
    }
}

/// (position, stream, subjects) of the trail, and the request metadata rows.
async fn trail(store: &EventStore) -> (Vec<(i64, String, String)>, i64) {
    let pool = &store.database().pool;
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT t.position, t.stream_id, s.subject_id FROM proj_audit_trail t \
         JOIN proj_audit_subjects s ON s.position = t.position ORDER BY t.position, s.subject_id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let (metadata,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM request_metadata")
        .fetch_one(pool)
        .await
        .unwrap();
    (rows, metadata)
}

async fn a_batch_writes_every_trail_row_and_a_guard_sees_its_own_batch(engine: Engine) {
    let (database, store) = open(engine).await;
    // A slow append holds the writer while the others are sent: they make one batch.
    let slow = {
        let store = store.clone();
        let mut slow = request("slow", 0, json!({}));
        slow.events[0].event_type = "test.slow".into();
        tokio::spawn(async move { store.append(slow).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let crowd: Vec<_> = (0..150)
        .map(|i| {
            let store = store.clone();
            let payload = json!({"owner_id": format!("o{i}")});
            tokio::spawn(async move { store.append(request(&format!("c{i}"), 0, payload)).await })
        })
        .collect();
    let filing = request("first", 0, json!({"user_id": "u9"}));
    let mut guarded = request("second", 0, json!({}));
    guarded.guards.push(Arc::new(Unfiled("u9".into())));
    let (filed, seen) = tokio::join!(store.append(filing), store.append(guarded));
    slow.await.unwrap().expect("the slow append");
    for task in crowd {
        task.await.unwrap().expect("a crowd append");
    }
    filed.expect("the filing append");
    assert!(
        matches!(seen, Err(AppendError::GuardFailed("unfiled"))),
        "the guard saw the trail row of an earlier append of its batch: {seen:?}"
    );
    let (rows, metadata) = trail(&store).await;
    // 152 events: each filed under its stream, the crowd's also under their owner, the first
    // also under its user; the refused append left nothing.
    assert_eq!(rows.len(), 152 + 150 + 1);
    assert_eq!(metadata, 152);
    let positions: std::collections::BTreeSet<i64> = rows.iter().map(|r| r.0).collect();
    assert_eq!(positions, (1..=152).collect());
    let first = rows.iter().filter(|r| r.1 == "first").map(|r| r.2.as_str());
    assert_eq!(first.collect::<Vec<_>>(), ["first", "u9"]);
    store.database().pool.close().await;
    database.drop_database().await;
}

on_both_engines!(a_batch_writes_every_trail_row_and_a_guard_sees_its_own_batch);

/// Sends a slow append, then `appends` while the writer is held by it: they make one batch.
async fn in_one_batch(
    store: &EventStore,
    appends: Vec<AppendRequest>,
) -> Vec<Result<Option<i64>, AppendError>> {
    let slow = {
        let store = store.clone();
        let mut slow = request("slow", 0, json!({}));
        slow.events[0].event_type = "test.slow".into();
        tokio::spawn(async move { store.append(slow).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let tasks: Vec<_> = appends
        .into_iter()
        .map(|append| {
            let store = store.clone();
            tokio::spawn(async move { store.append(append).await })
        })
        .collect();
    slow.await.unwrap().expect("the slow append");
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    outcomes
}

async fn of_two_appends_starting_one_stream_in_a_batch_the_second_is_a_conflict(engine: Engine) {
    let (database, store) = open(engine).await;
    let mut appends: Vec<AppendRequest> = (0..40)
        .map(|i| request(&format!("c{i}"), 0, json!({})))
        .collect();
    appends.insert(10, request("twin", 0, json!({"n": 1})));
    appends.push(request("twin", 0, json!({"n": 2})));
    let outcomes = in_one_batch(&store, appends).await;
    let conflicts: Vec<_> = outcomes
        .iter()
        .filter(|o| {
            matches!(
                o,
                Err(AppendError::Conflict {
                    expected: 0,
                    actual: 1
                })
            )
        })
        .collect();
    assert_eq!(conflicts.len(), 1, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 41);
    let pool = &store.database().pool;
    let twin: Vec<(i64, String)> =
        sqlx::query_as("SELECT version, payload FROM events WHERE stream_id = 'twin'")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(twin.len(), 1, "{twin:?}");
    let (events, last): (i64, i64) = sqlx::query_as("SELECT COUNT(*), MAX(position) FROM events")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!((events, last), (42, 42), "positions stay gap-free");
    let (rows, metadata) = trail(&store).await;
    assert_eq!((rows.len(), metadata), (42, 42));
    assert_eq!(store.verify_chain().await.unwrap(), Ok(42));
    store.database().pool.close().await;
    database.drop_database().await;
}

on_both_engines!(of_two_appends_starting_one_stream_in_a_batch_the_second_is_a_conflict);

async fn starting_a_stream_that_exists_alone_in_a_batch_is_a_conflict(engine: Engine) {
    let (database, store) = open(engine).await;
    store.append(request("s", 0, json!({}))).await.unwrap();
    // The projection's own key would refuse the second start before the events are written:
    // the answer is still the stream's conflict, not an internal error.
    let again = store.append(request("s", 0, json!({}))).await;
    assert!(
        matches!(
            again,
            Err(AppendError::Conflict {
                expected: 0,
                actual: 1
            })
        ),
        "{again:?}"
    );
    let (rows, metadata) = trail(&store).await;
    assert_eq!((rows.len(), metadata), (1, 1));
    store.database().pool.close().await;
    database.drop_database().await;
}

on_both_engines!(starting_a_stream_that_exists_alone_in_a_batch_is_a_conflict);
