//! Signed checkpoints and offline verification at scale (ops/adr/0023): a store of one tenant's
//! events is checkpointed every 1000 events as the server's worker would, exported with
//! `idaas audit export`'s code, and the export verified without the database.

use std::fmt::Write;
use std::time::Instant;

use store::checkpoints::{self, Signer};
use store::{CommandBus, EventStore, Keys};
use usecases::clock::{Clock, SystemClock};

/// The store sizes measured unless `IDAAS_BENCH_OFFLINE_EVENTS` lists others (comma-separated,
/// ascending): each size adds events to the previous one's store.
pub const SIZES: &[usize] = &[100_000];
/// Events between checkpoints (the default `every_events`).
const EVERY: i64 = 1000;

pub struct Point {
    pub events: i64,
    pub checkpoints: usize,
    /// The mean time to read a head, sign it and store the checkpoint.
    pub checkpoint_ms: f64,
    pub export_seconds: f64,
    pub export_bytes: u64,
    pub verify_seconds: f64,
}

pub struct Figures {
    pub engine: &'static str,
    pub points: Vec<Point>,
}

/// The sizes to measure: `IDAAS_BENCH_OFFLINE_EVENTS` or `SIZES`.
pub fn sizes() -> anyhow::Result<Vec<usize>> {
    match std::env::var("IDAAS_BENCH_OFFLINE_EVENTS") {
        Ok(list) if !list.is_empty() => list
            .split(',')
            .map(|n| n.trim().replace('_', "").parse().map_err(Into::into))
            .collect(),
        _ => Ok(SIZES.to_vec()),
    }
}

/// Signs the tenant's head at every `EVERY`th position not yet under a checkpoint, as the worker
/// would have while the events came in; the number written and their mean time.
async fn checkpoint_every(
    store: &EventStore,
    signer: &Signer,
    upto: i64,
) -> anyhow::Result<(usize, f64)> {
    let db = store.database();
    let mut written = 0;
    let started = Instant::now();
    let mut bound = EVERY;
    while bound <= upto {
        let now = SystemClock.now_millis();
        let status = checkpoints::checkpoint_tenant(db, signer, "bench", bound, EVERY, now).await?;
        written += usize::from(status.written.is_some());
        bound += EVERY;
    }
    let mean_ms = started.elapsed().as_secs_f64() * 1000.0 / written.max(1) as f64;
    Ok((written, mean_ms))
}

/// Measures one engine at each size of `sizes` (ascending); the export is written under `dir`.
pub async fn measure(
    engine: &'static str,
    url: &str,
    dir: &std::path::Path,
    sizes: &[usize],
) -> anyhow::Result<Figures> {
    let db = store::connect(url).await?;
    store::migrate(&db).await?;
    let keys = Keys::parse_master(&Keys::generate_master())?;
    let store = EventStore::open(db, keys.clone(), Vec::new(), Vec::new());
    let bus = CommandBus::new(store.clone());
    let signer = checkpoints::signer(store.database(), &keys, SystemClock.now_millis()).await?;
    let mut points = Vec::new();
    let mut done = 0;
    let mut checkpoints_written = 0;
    for &size in sizes {
        crate::verify::create_orgs(&bus, done, size).await?;
        done = size;
        let upto = checkpoints::last_position(store.database()).await?;
        let (written, checkpoint_ms) = checkpoint_every(&store, &signer, upto).await?;
        checkpoints_written += written;

        let path = dir.join(format!("audit-{engine}-{size}.jsonl").replace(' ', "-"));
        let started = Instant::now();
        let file = std::fs::File::create(&path)?;
        let mut out = std::io::BufWriter::new(file);
        let now = SystemClock.now_millis();
        let summary = checkpoints::export(store.database(), None, now, &mut out).await?;
        drop(out);
        let export_seconds = started.elapsed().as_secs_f64();
        let export_bytes = std::fs::metadata(&path)?.len();

        let started = Instant::now();
        let mut input = std::io::BufReader::new(std::fs::File::open(&path)?);
        let report = checkpoints::verify_export(&mut input, None)?
            .map_err(|problem| anyhow::anyhow!("the export does not verify: {problem}"))?;
        let verify_seconds = started.elapsed().as_secs_f64();
        anyhow::ensure!(
            report.events == summary.events && report.checkpoints == summary.checkpoints
        );
        let _ = std::fs::remove_file(&path);
        eprintln!(
            "offline {engine}: {} events, {} checkpoints ({checkpoint_ms:.1} ms each): export \
             {export_seconds:.2} s ({export_bytes} bytes), verify {verify_seconds:.2} s",
            summary.events, summary.checkpoints
        );
        points.push(Point {
            events: summary.events,
            checkpoints: checkpoints_written,
            checkpoint_ms,
            export_seconds,
            export_bytes,
            verify_seconds,
        });
    }
    store.database().pool.close().await;
    Ok(Figures { engine, points })
}

pub fn markdown(figures: &[Figures], profile: &str) -> anyhow::Result<String> {
    let mut out = String::new();
    if figures.is_empty() {
        return Ok(out);
    }
    writeln!(out, "## Signed checkpoints, export and offline verify\n")?;
    writeln!(
        out,
        "One tenant's `organization.created` events ({} writers through the command bus), its head signed every {EVERY} events as the worker does (a snapshot read of the head, an Ed25519 signature, one insert), then `idaas audit export`'s code writing every key, checkpoint and event to a file, then `idaas verify --offline`'s code reading it back (every hash recomputed, every signature checked). {profile} build.\n",
        crate::verify::WRITERS
    )?;
    writeln!(
        out,
        "| engine | events | checkpoints | one checkpoint | export | export size | export rate | offline verify | verify rate |\n|---|---|---|---|---|---|---|---|---|"
    )?;
    for f in figures {
        for p in &f.points {
            writeln!(
                out,
                "| {} | {} | {} | {:.1} ms | {:.2} s | {:.1} MB | {:.0} events/s | {:.2} s | {:.0} events/s |",
                f.engine,
                p.events,
                p.checkpoints,
                p.checkpoint_ms,
                p.export_seconds,
                p.export_bytes as f64 / 1e6,
                p.events as f64 / p.export_seconds,
                p.verify_seconds,
                p.events as f64 / p.verify_seconds,
            )?;
        }
    }
    writeln!(out)?;
    Ok(out)
}
