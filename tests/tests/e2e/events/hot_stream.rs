//! A hot stream under concurrency (issue 20): the command bus keeps a stream's last state and
//! lets its commands take turns in one process, and retries with a back-off what another node
//! wrote meanwhile, so many concurrent updates of one aggregate from two nodes all succeed, in
//! order, and a node's kept state never hides another node's write (nor a writer's known chain
//! head the other's appends).

use std::sync::Arc;

use domain::organization::{OrgDetails, Organization, OrganizationCommand};
use domain::tenant::OrganizationPolicy;
use domain::Aggregate;
use idaas_tests::{on_both_engines, Engine, TestDatabase};
use store::{CommandBus, Context, EventStore, Keys};

/// A node: its own store (its own group-commit writer) and bus over the shared database.
async fn node(database: &TestDatabase) -> CommandBus {
    let db = store::connect(&database.url).await.expect("connect");
    store::migrate(&db).await.expect("migrate");
    let keys = Keys::parse_master(&database.master_key).unwrap();
    CommandBus::new(EventStore::open(db, keys, Vec::new(), Vec::new()))
}

fn ctx() -> Context {
    Context {
        tenant_id: "t1".into(),
        metadata: Default::default(),
    }
}

fn rename(name: String) -> OrganizationCommand {
    OrganizationCommand::Update {
        code: None,
        name: Some(name),
        parent: None,
        to_root: false,
        category: None,
        details: OrgDetails::default(),
        policy: OrganizationPolicy::default(),
        now: 2,
    }
}

async fn create(bus: &CommandBus) {
    let create = OrganizationCommand::Create {
        org_id: "o1".into(),
        code: "o1".into(),
        name: "start".into(),
        parent: None,
        category: None,
        details: OrgDetails::default(),
        policy: OrganizationPolicy::default(),
        now: 1,
    };
    bus.execute::<Organization, _>(&ctx(), "o1", |o| o.decide(create.clone(), &()))
        .await
        .expect("create");
}

async fn a_hundred_concurrent_updates_of_one_aggregate_on_two_nodes_all_succeed(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let (a, b) = (node(&database).await, node(&database).await);
    create(&a).await;
    let mut tasks = Vec::new();
    for n in 0..100 {
        let bus = if n % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let command = rename(format!("name {n}"));
            bus.execute::<Organization, _>(&ctx(), "o1", |o| o.decide(command.clone(), &()))
                .await
                .map(|executed| executed.events.len())
        }));
    }
    let mut refused = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(events) => assert_eq!(events, 1, "each rename is one event"),
            Err(error) => refused.push(error.to_string()),
        }
    }
    assert!(refused.is_empty(), "refused: {refused:?}");
    for bus in [&a, &b] {
        let (state, version) = bus.load::<Organization>("t1", "o1").await.unwrap();
        assert_eq!(version, 101, "the creation and a hundred renames");
        assert!(state.name.starts_with("name "), "{}", state.name);
    }
    // Each node's writer chains on the heads it last wrote while no other node appended since;
    // after the other node's appends it reads them: the tenant's chain is whole.
    for bus in [&a, &b] {
        let walked = bus.store().verify_chain().await.unwrap();
        assert!(walked.is_ok(), "the hash chain breaks: {walked:?}");
    }
    database.drop_database().await;
}

async fn a_kept_state_never_hides_another_nodes_write(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let (a, b) = (node(&database).await, node(&database).await);
    create(&a).await;
    // A keeps the state it wrote; B renames behind its back.
    let renamed = rename("by b".into());
    b.execute::<Organization, _>(&ctx(), "o1", |o| o.decide(renamed.clone(), &()))
        .await
        .unwrap();
    let (state, version) = a.load::<Organization>("t1", "o1").await.unwrap();
    assert_eq!((state.name.as_str(), version), ("by b", 2));
    // A decides on its kept state first; the version check sends it back to read B's write.
    let renamed = rename("by b twice".into());
    b.execute::<Organization, _>(&ctx(), "o1", |o| o.decide(renamed.clone(), &()))
        .await
        .unwrap();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let renamed = rename("by a".into());
    a.execute::<Organization, _>(&ctx(), "o1", move |o| {
        log.lock().unwrap().push(o.name.clone());
        o.decide(renamed.clone(), &())
    })
    .await
    .unwrap();
    assert_eq!(
        seen.lock().unwrap().last().map(String::as_str),
        Some("by b twice"),
        "the decision that was appended saw B's latest write"
    );
    let (state, version) = b.load::<Organization>("t1", "o1").await.unwrap();
    assert_eq!((state.name.as_str(), version), ("by a", 4));
    database.drop_database().await;
}

on_both_engines!(
    a_hundred_concurrent_updates_of_one_aggregate_on_two_nodes_all_succeed,
    a_kept_state_never_hides_another_nodes_write,
);
