//! Event-store benchmark: append throughput (one writer, many writers with group commit) and
//! replay speed, without HTTP.

use std::sync::Arc;
use std::time::Instant;

use domain::organization::{Organization, OrganizationCommand};
use domain::Aggregate;
use serde_json::json;
use store::store::{AppendRequest, NewEvent};
use store::{CommandBus, Context, EventStore, Keys, Metadata};

pub const RAW_EVENTS: usize = 4000;
pub const COMMANDS: usize = 4000;
pub const WRITERS: usize = 64;

pub struct Figures {
    pub engine: &'static str,
    pub raw_single: f64,
    pub raw_concurrent: f64,
    pub command_single: f64,
    pub command_concurrent: f64,
    pub replay: f64,
    pub replayed: i64,
}

async fn open(
    url: &str,
    with_projections: bool,
    settings: store::db::Settings,
) -> anyhow::Result<EventStore> {
    let db = store::connect_with(url, settings).await?;
    store::migrate(&db).await?;
    let projectors = if with_projections {
        projections::inline()
    } else {
        Vec::new()
    };
    let keys = Keys::parse_master(&Keys::generate_master())?;
    Ok(EventStore::open(db, keys, projectors, Vec::new()))
}

fn raw(i: usize) -> AppendRequest {
    AppendRequest {
        tenant_id: "bench".into(),
        stream_type: "bench".into(),
        stream_id: format!("s{i}"),
        expected_version: 0,
        events: vec![NewEvent {
            event_type: "bench.happened".into(),
            schema_version: 1,
            payload: json!({"n": i, "text": "a payload of a typical size for a small event"}),
        }],
        claims: Vec::new(),
        releases: Vec::new(),
        guards: Vec::new(),
        forget: Vec::new(),
        metadata: Metadata {
            actor_id: Some("bench".into()),
            actor_kind: Some("system".into()),
            surface: Some("bench".into()),
            ..Default::default()
        },
    }
}

/// Events per second for `count` operations run by `writers` concurrent tasks.
async fn rate<F, Fut>(count: usize, writers: usize, op: F) -> anyhow::Result<f64>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    let op = Arc::new(op);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            let mut i = w;
            while i < count {
                op(i).await?;
                i += writers;
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(count as f64 / started.elapsed().as_secs_f64())
}

async fn create_orgs(
    bus: CommandBus,
    count: usize,
    writers: usize,
    prefix: &'static str,
) -> anyhow::Result<f64> {
    rate(count, writers, move |i| {
        let bus = bus.clone();
        async move {
            let ctx = Context {
                tenant_id: "bench".into(),
                metadata: Metadata::default(),
            };
            let org_id = format!("{prefix}{i}");
            let command = OrganizationCommand::Create {
                org_id: org_id.clone(),
                code: org_id.clone(),
                name: org_id.clone(),
                parent: None,
                category: None,
                details: Default::default(),
                policy: Default::default(),
                now: i as i64,
            };
            bus.execute::<Organization, _>(&ctx, &org_id, |o| o.decide(command.clone(), &()))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(())
        }
    })
    .await
}

/// Measures one engine; `settings` chooses SQLite's durability (ops/adr/0011).
pub async fn measure(
    engine: &'static str,
    raw_url: &str,
    command_url: &str,
    settings: store::db::Settings,
) -> anyhow::Result<Figures> {
    let store = open(raw_url, false, settings).await?;
    let s = store.clone();
    let raw_single = rate(RAW_EVENTS, 1, move |i| {
        let s = s.clone();
        async move { s.append(raw(i)).await.map(|_| ()).map_err(Into::into) }
    })
    .await?;
    let s = store.clone();
    let raw_concurrent = rate(RAW_EVENTS, WRITERS, move |i| {
        let s = s.clone();
        async move {
            s.append(raw(RAW_EVENTS + i))
                .await
                .map(|_| ())
                .map_err(Into::into)
        }
    })
    .await?;
    store.database().pool.close().await;

    let store = open(command_url, true, settings).await?;
    let bus = CommandBus::new(store.clone());
    let command_single = create_orgs(bus.clone(), COMMANDS, 1, "a").await?;
    let command_concurrent = create_orgs(bus, COMMANDS, WRITERS, "b").await?;
    let started = Instant::now();
    let replayed = projections::rebuild::replay(&store).await?;
    let replay = replayed as f64 / started.elapsed().as_secs_f64();
    store.database().pool.close().await;
    Ok(Figures {
        engine,
        raw_single,
        raw_concurrent,
        command_single,
        command_concurrent,
        replay,
        replayed,
    })
}
