//! Event-store benchmark: append throughput (one writer, many writers with group commit) and
//! replay speed, on SQLite and (when a URL is given) PostgreSQL. Writes a Markdown table to
//! `ops/bench/results.md` (or the path in `IDAAS_BENCH_OUT`).
//!
//! Run: `cargo run --release -p idaas-bench` (PostgreSQL: set `IDAAS_TEST_POSTGRES_URL`).

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use commands::store::{AppendRequest, NewEvent};
use commands::{CommandBus, Context, EventStore, Keys, Metadata};
use domain::organization::{Organization, OrganizationCommand};
use domain::Aggregate;
use serde_json::json;
use sqlx::Executor;

const RAW_EVENTS: usize = 4000;
const COMMANDS: usize = 4000;
const WRITERS: usize = 64;

struct Figures {
    engine: &'static str,
    raw_single: f64,
    raw_concurrent: f64,
    command_single: f64,
    command_concurrent: f64,
    replay: f64,
    replayed: i64,
}

async fn open(url: &str, with_projections: bool) -> anyhow::Result<EventStore> {
    let db = commands::connect(url).await?;
    commands::migrate(&db).await?;
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

async fn measure(
    engine: &'static str,
    raw_url: &str,
    command_url: &str,
) -> anyhow::Result<Figures> {
    let store = open(raw_url, false).await?;
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

    let store = open(command_url, true).await?;
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

async fn postgres_database(admin_url: &str, name: &str) -> anyhow::Result<String> {
    let admin = sqlx::AnyPool::connect(admin_url).await?;
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await?;
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    admin.close().await;
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    Ok(format!("{base}/{name}"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    let dir = std::env::temp_dir().join(format!("idaas-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    let mut results = vec![
        measure(
            "SQLite",
            &commands::db::sqlite_url(&dir.join("raw.db")),
            &commands::db::sqlite_url(&dir.join("commands.db")),
        )
        .await?,
    ];
    match std::env::var("IDAAS_TEST_POSTGRES_URL") {
        Ok(admin) if !admin.is_empty() => {
            let raw = postgres_database(&admin, "idaas_bench_raw").await?;
            let cmd = postgres_database(&admin, "idaas_bench_commands").await?;
            results.push(measure("PostgreSQL", &raw, &cmd).await?);
        }
        _ => eprintln!("PostgreSQL skipped: set IDAAS_TEST_POSTGRES_URL"),
    }
    let _ = std::fs::remove_dir_all(&dir);

    let mut out = String::new();
    writeln!(out, "# Event store benchmark results\n")?;
    writeln!(
        out,
        "{} raw appends and {} commands per run; {} concurrent writers; {} cores. Rates are events (or commands) per second.\n",
        RAW_EVENTS,
        COMMANDS,
        WRITERS,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    )?;
    writeln!(out, "| engine | append, 1 writer | append, {WRITERS} writers (group commit) | command (load+decide+append+projections), 1 writer | command, {WRITERS} writers | replay (all projections) |")?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for f in &results {
        writeln!(
            out,
            "| {} | {:.0}/s | {:.0}/s | {:.0}/s | {:.0}/s | {:.0}/s ({} events) |",
            f.engine,
            f.raw_single,
            f.raw_concurrent,
            f.command_single,
            f.command_concurrent,
            f.replay,
            f.replayed
        )?;
    }
    print!("{out}");
    let path = std::env::var("IDAAS_BENCH_OUT").unwrap_or_else(|_| "ops/bench/results.md".into());
    std::fs::write(&path, out)?;
    eprintln!("written to {path}");
    Ok(())
}
