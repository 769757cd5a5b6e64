//! Benchmarks of idaas on SQLite and (when a URL is given) PostgreSQL:
//! - the event store without HTTP: append throughput (one writer, many writers with group commit)
//!   and replay speed (`store`);
//! - OAuth and sign-in over HTTP against a real in-process server: client-credentials and refresh
//!   grants, authorization-code flows with PKCE, password logins, next to the raw argon2id and
//!   RS256 rates of the machine (`oauth`);
//! - CAS over HTTP: service tickets issued from an SSO session and validated (`cas`);
//! - `idaas verify` at 40k and 80k events, next to a replay (`verify`; other sizes in
//!   `IDAAS_BENCH_VERIFY_EVENTS`, e.g. `40000,80000,200000`);
//! - as-of answers and rebuilds at 100k events: replay rate, replay with writes going on, verify,
//!   "who could sign in to X at T" latency (`asof`; other sizes in `IDAAS_BENCH_ASOF_EVENTS`);
//! - signed checkpoints every 1000 events, the audit export and its offline verification at 100k
//!   events (`offline`; other sizes in `IDAAS_BENCH_OFFLINE_EVENTS`);
//! - side by side with the Node.js `oidc-provider` 9 (`peer`): client credentials (idaas's
//!   management token and OAuth grant against the peer's grant) and the code + PKCE flow with a
//!   session, at 1, 4, 16, 32 and 64 clients (`IDAAS_BENCH_PEER_CLIENTS`; seconds of warm-up and of
//!   measurement per point in `IDAAS_BENCH_PEER_SECONDS`, default `1,3`; some series only, to profile
//!   one, in `IDAAS_BENCH_PEER_SERIES`, e.g. `code,peer-code`). Needs Node.js and npm: the packages of
//!   `ops/bench/peer` are installed with `npm ci` when missing; without them the section prints
//!   SKIPPED. Writes `ops/bench/reports/side-by-side.csv` and `side-by-side.png` too. Run alone:
//!   `IDAAS_TEST_POSTGRES_URL=postgres://… cargo run --release -p idaas-bench -- peer`. The same
//!   section then builds the `idaas` binary and reads the server's memory as a process of its own,
//!   idle and under management tokens (`memory.rs`).
//!
//! Run: `cargo run --release -p idaas-bench` (PostgreSQL: set `IDAAS_TEST_POSTGRES_URL`). Writes
//! Markdown tables to `ops/bench/results.md` (or the path in `IDAAS_BENCH_OUT`). Naming sections
//! (`-- oauth`, `-- store`, `-- cas`, `-- verify`, `-- asof`, `-- offline`, `-- peer`) runs only those; a partial run writes only to
//! `IDAAS_BENCH_OUT`.

mod asof;
mod browser;
mod cas;
mod cpu;
mod event_store;
mod flows;
mod load;
mod memory;
mod oauth;
mod offline;
mod peer;
mod peer_process;
mod plot;
mod primitives;
mod report;
mod server;
mod side_by_side;
mod verify;

use sqlx::Executor;

const SECTIONS: &[&str] = &["store", "oauth", "cas", "verify", "asof", "offline", "peer"];
/// Verifications and signatures timed by the cryptographic floor.
const ARGON2_VERIFIES: usize = 40;
const RS256_SIGNATURES: usize = 2000;

/// A new, empty PostgreSQL database on the server of `admin_url`; its URL.
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

/// The side-by-side points as CSV and the plot, in `ops/bench/reports/`.
fn side_by_side_files(figures: &peer::Figures) -> anyhow::Result<()> {
    let reports = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("reports");
    std::fs::create_dir_all(&reports)?;
    let csv = reports.join("side-by-side.csv");
    std::fs::write(&csv, side_by_side::csv(figures))?;
    eprintln!("written to {}", csv.display());
    let png = reports.join("side-by-side.png");
    match plot::draw(figures, &png) {
        Ok(()) => eprintln!("written to {}", png.display()),
        Err(e) => eprintln!("plot not drawn: {e:#}"),
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    let asked: Vec<String> = std::env::args().skip(1).collect();
    if let Some(unknown) = asked.iter().find(|a| !SECTIONS.contains(&a.as_str())) {
        anyhow::bail!("unknown section {unknown}; the sections are {SECTIONS:?}");
    }
    let wants = |section: &str| asked.is_empty() || asked.iter().any(|a| a == section);
    let postgres = std::env::var("IDAAS_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty());
    if postgres.is_none() {
        eprintln!("PostgreSQL skipped: set IDAAS_TEST_POSTGRES_URL");
    }
    let dir = std::env::temp_dir().join(format!("idaas-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    let sqlite = |name: &str| store::db::sqlite_url(&dir.join(name));
    let mut results = report::Results {
        load_average: std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split(' ').next().map(str::to_string)),
        ..Default::default()
    };

    if wants("store") {
        let full = store::db::Settings::default();
        let normal = store::db::Settings {
            synchronous: store::db::Synchronous::Normal,
            ..full
        };
        let (raw, commands) = (sqlite("raw.db"), sqlite("commands.db"));
        let figures =
            event_store::measure("SQLite (synchronous=FULL, default)", &raw, &commands, full);
        results.store.push(figures.await?);
        let (raw, commands) = (sqlite("raw-normal.db"), sqlite("commands-normal.db"));
        let figures = event_store::measure("SQLite (synchronous=NORMAL)", &raw, &commands, normal);
        results.store.push(figures.await?);
        if let Some(admin) = &postgres {
            let raw = postgres_database(admin, "idaas_bench_raw").await?;
            let commands = postgres_database(admin, "idaas_bench_commands").await?;
            let figures = event_store::measure("PostgreSQL", &raw, &commands, full);
            results.store.push(figures.await?);
        }
    }
    if wants("oauth") {
        let floor = tokio::task::spawn_blocking(|| {
            primitives::measure_all(ARGON2_VERIFIES, RS256_SIGNATURES)
        });
        results.primitives = Some(floor.await??);
        let data = dir.join("server");
        results
            .oauth
            .push(oauth::measure("SQLite", &sqlite("server.db"), &data).await?);
        if let Some(admin) = &postgres {
            let url = postgres_database(admin, "idaas_bench_oauth").await?;
            results
                .oauth
                .push(oauth::measure("PostgreSQL", &url, &data).await?);
        }
    }
    let mut cas_figures = Vec::new();
    if wants("cas") {
        let data = dir.join("cas");
        cas_figures.push(cas::measure("SQLite", &sqlite("cas.db"), &data).await?);
        if let Some(admin) = &postgres {
            let url = postgres_database(admin, "idaas_bench_cas").await?;
            cas_figures.push(cas::measure("PostgreSQL", &url, &data).await?);
        }
    }
    let mut verify_figures = Vec::new();
    if wants("verify") {
        let sizes = verify::sizes()?;
        let url = sqlite("verify.db");
        verify_figures.push(verify::measure("SQLite", &url, &sizes).await?);
        if let Some(admin) = &postgres {
            let url = postgres_database(admin, "idaas_bench_verify").await?;
            verify_figures.push(verify::measure("PostgreSQL", &url, &sizes).await?);
        }
    }
    let mut asof_figures = Vec::new();
    if wants("asof") {
        let sizes = asof::sizes()?;
        let url = sqlite("asof.db");
        asof_figures.push(asof::measure("SQLite", &url, &sizes).await?);
        if let Some(admin) = &postgres {
            let url = postgres_database(admin, "idaas_bench_asof").await?;
            asof_figures.push(asof::measure("PostgreSQL", &url, &sizes).await?);
        }
    }
    let mut offline_figures = Vec::new();
    if wants("offline") {
        let sizes = offline::sizes()?;
        let url = sqlite("offline.db");
        offline_figures.push(offline::measure("SQLite", &url, &dir, &sizes).await?);
        if let Some(admin) = &postgres {
            let url = postgres_database(admin, "idaas_bench_offline").await?;
            offline_figures.push(offline::measure("PostgreSQL", &url, &dir, &sizes).await?);
        }
    }
    let mut peer_outcome = None;
    if wants("peer") {
        let mut engines = vec![("SQLite", sqlite("peer.db"))];
        if let Some(admin) = &postgres {
            engines.push((
                "PostgreSQL",
                postgres_database(admin, "idaas_bench_peer").await?,
            ));
        }
        let mut outcome = peer::measure(&engines, &dir.join("peer")).await?;
        if let peer::Outcome::Measured(figures) = &mut outcome {
            let mut engines = vec![("SQLite", sqlite("memory.db"))];
            if let Some(admin) = &postgres {
                engines.push((
                    "PostgreSQL",
                    postgres_database(admin, "idaas_bench_memory").await?,
                ));
            }
            match memory::measure(&engines, &dir.join("memory")).await {
                Ok(memory) => figures.memory = memory,
                Err(e) => eprintln!("memory: not measured ({e:#})"),
            }
        }
        match &outcome {
            peer::Outcome::Skipped(why) => eprintln!("peer: SKIPPED ({why})"),
            peer::Outcome::Measured(figures) if figures.complete => side_by_side_files(figures)?,
            peer::Outcome::Measured(_) => {
                eprintln!("some series only (IDAAS_BENCH_PEER_SERIES): reports/ not written")
            }
        }
        peer_outcome = Some(outcome);
    }
    let _ = std::fs::remove_dir_all(&dir);

    let profile = if cfg!(debug_assertions) {
        "Debug"
    } else {
        "Release"
    };
    let out = report::markdown(&results)?
        + &cas::markdown(&cas_figures)?
        + &verify::markdown(&verify_figures, profile)?
        + &asof::markdown(&asof_figures, profile)?
        + &offline::markdown(&offline_figures, profile)?
        + &side_by_side::markdown(peer_outcome.as_ref())?;
    print!("{out}");
    let path = match std::env::var("IDAAS_BENCH_OUT") {
        Ok(path) if !path.is_empty() => path,
        _ if asked.is_empty() => "ops/bench/results.md".to_string(),
        _ => {
            eprintln!("a partial run: results.md not written (set IDAAS_BENCH_OUT)");
            return Ok(());
        }
    };
    std::fs::write(&path, out)?;
    eprintln!("written to {path}");
    Ok(())
}
