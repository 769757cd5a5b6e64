//! Verification at scale: the time `idaas verify` takes (the hash-chain walk, then every
//! projection rebuilt in a rolled-back transaction and compared with the live rows) as the store
//! grows, next to a plain replay of the same events.

use std::fmt::Write;
use std::time::Instant;

use domain::organization::{Organization, OrganizationCommand};
use domain::Aggregate;
use idaas_server::cli::{self, Verdict};
use store::{CommandBus, Context, EventStore, Keys, Metadata};

/// The store sizes measured unless `IDAAS_BENCH_VERIFY_EVENTS` lists others (comma-separated,
/// ascending): each size adds events to the previous one's store.
pub const SIZES: &[usize] = &[40_000, 80_000];
pub const WRITERS: usize = 64;

pub struct Point {
    pub events: i64,
    /// Rows in every projection table after the replay.
    pub rows: i64,
    pub replay_seconds: f64,
    pub verify_seconds: f64,
}

pub struct Figures {
    pub engine: &'static str,
    pub points: Vec<Point>,
}

/// The sizes to measure: `IDAAS_BENCH_VERIFY_EVENTS` or `SIZES`.
pub fn sizes() -> anyhow::Result<Vec<usize>> {
    match std::env::var("IDAAS_BENCH_VERIFY_EVENTS") {
        Ok(list) if !list.is_empty() => list
            .split(',')
            .map(|n| n.trim().replace('_', "").parse().map_err(Into::into))
            .collect(),
        _ => Ok(SIZES.to_vec()),
    }
}

/// Creates organisations `from..to` through the command bus (load, decide, append with its
/// unique claims), 64 writers at a time; each is one `organization.created` event.
pub async fn create_orgs(bus: &CommandBus, from: usize, to: usize) -> anyhow::Result<()> {
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let bus = bus.clone();
        tasks.push(tokio::spawn(async move {
            let mut i = from + w;
            while i < to {
                let ctx = Context {
                    tenant_id: "bench".into(),
                    metadata: Metadata {
                        actor_id: Some("bench".into()),
                        actor_kind: Some("system".into()),
                        surface: Some("bench".into()),
                        ..Default::default()
                    },
                };
                let org_id = format!("o{i}");
                let command = OrganizationCommand::Create {
                    org_id: org_id.clone(),
                    code: format!("code{i}"),
                    name: format!("Organisation {i}"),
                    parent: None,
                    category: None,
                    details: Default::default(),
                    policy: Default::default(),
                    now: i as i64,
                };
                bus.execute::<Organization, _>(&ctx, &org_id, |o| o.decide(command.clone(), &()))
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                i += WRITERS;
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}

async fn projection_rows(store: &EventStore) -> anyhow::Result<i64> {
    let mut total = 0;
    for table in projections::rebuild::tables() {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&store.database().pool)
            .await?;
        total += n;
    }
    Ok(total)
}

/// Measures one engine at each size of `sizes` (ascending). The events are appended without
/// projections (the quick part of filling the store), then one replay builds the projection
/// rows and is timed, then `idaas verify`'s core (`cli::verify`) is timed and must find the
/// store sound.
pub async fn measure(engine: &'static str, url: &str, sizes: &[usize]) -> anyhow::Result<Figures> {
    let db = store::connect(url).await?;
    store::migrate(&db).await?;
    let keys = Keys::parse_master(&Keys::generate_master())?;
    let writing = EventStore::open(db.clone(), keys.clone(), Vec::new(), Vec::new());
    let checking = EventStore::open(db, keys, projections::inline(), Vec::new());
    let bus = CommandBus::new(writing.clone());
    let mut points = Vec::new();
    let mut done = 0;
    for &size in sizes {
        create_orgs(&bus, done, size).await?;
        done = size;
        let started = Instant::now();
        let events = projections::rebuild::replay(&checking).await?;
        let replay_seconds = started.elapsed().as_secs_f64();
        let rows = projection_rows(&checking).await?;
        let started = Instant::now();
        let verdict = cli::verify(&checking).await?;
        let verify_seconds = started.elapsed().as_secs_f64();
        if verdict != (Verdict::Sound { events }) {
            anyhow::bail!("verify at {events} events on {engine}: {verdict:?}");
        }
        eprintln!(
            "verify {engine}: {events} events, {rows} rows: replay {replay_seconds:.2} s, \
             verify {verify_seconds:.2} s"
        );
        points.push(Point {
            events,
            rows,
            replay_seconds,
            verify_seconds,
        });
    }
    checking.database().pool.close().await;
    Ok(Figures { engine, points })
}

pub fn markdown(figures: &[Figures], profile: &str) -> anyhow::Result<String> {
    let mut out = String::new();
    if figures.is_empty() {
        return Ok(out);
    }
    writeln!(out, "## Verify at scale\n")?;
    writeln!(
        out,
        "`idaas verify`'s core (`cli::verify`: the hash-chain walk, then every projection rebuilt in a rolled-back transaction and compared with the live rows) on a store of `organization.created` events (one tenant, {WRITERS} writers through the command bus), after a timed replay of the same events. {profile} build.\n"
    )?;
    writeln!(
        out,
        "| engine | events | projection rows | replay | replay rate | verify | verify rate |\n|---|---|---|---|---|---|---|"
    )?;
    for f in figures {
        for p in &f.points {
            writeln!(
                out,
                "| {} | {} | {} | {:.2} s | {:.0} events/s | {:.2} s | {:.0} events/s |",
                f.engine,
                p.events,
                p.rows,
                p.replay_seconds,
                p.events as f64 / p.replay_seconds,
                p.verify_seconds,
                p.events as f64 / p.verify_seconds,
            )?;
        }
    }
    writeln!(out)?;
    Ok(out)
}
