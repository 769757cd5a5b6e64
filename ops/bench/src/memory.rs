//! The server's memory as a process of its own (issue 20, "memory: idle < 40 MB; under the load
//! above < 200 MB"): the `idaas` binary of this build, started with `serve` on a new database
//! (default configuration, the per-address limits off as in the other series), its resident set
//! read from `/proc` once it is ready and has been quiet for a few seconds (idle), then the
//! highest of its resident sets read every 100 ms over management tokens at 32 clients for 12 s
//! (`VmHWM` would count start-up, which builds every surface's OpenAPI description).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use reqwest::StatusCode;
use tokio::process::{Child, Command};

use crate::flows::management_token;
use crate::load::run_for;
use crate::server::ManagementClient;

/// Seconds the server is left alone after it is ready, before its idle resident set is read.
const QUIET: Duration = Duration::from_secs(3);
const CLIENTS: usize = 32;
const WARM_UP: Duration = Duration::from_secs(2);
const WINDOW: Duration = Duration::from_secs(10);
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// The lines, read as MiB, as every earlier memory figure of the reports was.
pub const IDLE_GOAL_MB: f64 = 40.0;
pub const LOAD_GOAL_MB: f64 = 200.0;

/// One engine's figures, in MiB (the kB of `/proc` are KiB): the report names the unit, and
/// gives the goals' line in decimal megabytes beside it.
pub struct Figures {
    pub engine: &'static str,
    /// Resident after start, and the part of it that is the binary and libraries (file-backed).
    pub idle: f64,
    pub idle_file: f64,
    /// The highest resident set read while the load ran.
    pub peak: f64,
    /// Management tokens a second under that load.
    pub tokens_per_sec: f64,
}

/// The `idaas` binary beside this benchmark's, built first in the same profile.
async fn server_binary() -> anyhow::Result<PathBuf> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .args(["build", "-q", "-p", "idaas"])
        .current_dir(&workspace);
    if !cfg!(debug_assertions) {
        build.arg("--release");
    }
    eprintln!("memory: building the idaas binary (cargo build -p idaas)");
    let status = build.status().await.context("running cargo build")?;
    if !status.success() {
        bail!("cargo build -p idaas failed: {status}");
    }
    let binary = std::env::current_exe()?.with_file_name("idaas");
    anyhow::ensure!(binary.exists(), "{} was not built", binary.display());
    Ok(binary)
}

/// A field of `/proc/<pid>/status` in MiB (`VmRSS`, `RssFile`).
fn status_mb(pid: u32, field: &str) -> anyhow::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .with_context(|| format!("{field} in /proc/{pid}/status"))?;
    Ok(kib / 1024.0)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn wait_ready(
    http: &reqwest::Client,
    base: &str,
    child: &mut Child,
    log: &Path,
) -> anyhow::Result<()> {
    let log = log.display();
    let deadline = tokio::time::Instant::now() + START_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait()? {
            bail!("the server exited before it was ready ({status}); see {log}");
        }
        let ready = http
            .get(format!("{base}/readyz"))
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        if ready.is_ok_and(|r| r.status() == StatusCode::OK) {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!("the server was not ready within {START_TIMEOUT:?}; see {log}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Each engine's figures; `engines` are new databases (name, URL).
pub async fn measure(
    engines: &[(&'static str, String)],
    data_dir: &Path,
) -> anyhow::Result<Vec<Figures>> {
    let binary = server_binary().await?;
    let mut figures = Vec::new();
    for (engine, url) in engines {
        figures.push(one(&binary, engine, url, &data_dir.join(engine)).await?);
    }
    Ok(figures)
}

async fn one(
    binary: &Path,
    engine: &'static str,
    url: &str,
    data_dir: &Path,
) -> anyhow::Result<Figures> {
    std::fs::create_dir_all(data_dir)?;
    let port = free_port()?;
    let log = data_dir.join("server.log");
    let output = std::fs::File::create(&log)?;
    let client = ManagementClient {
        client_id: format!("bench{}", uuid::Uuid::new_v4().simple()),
        client_secret: format!("secret{}", uuid::Uuid::new_v4().simple()),
    };
    let mut child = Command::new(binary)
        .arg("serve")
        .env("IDAAS_LISTEN", format!("127.0.0.1:{port}"))
        .env("IDAAS_DATABASE_URL", url)
        .env("IDAAS_DATA_DIR", data_dir)
        .env("IDAAS_BOOTSTRAP_CLIENT_ID", &client.client_id)
        .env("IDAAS_BOOTSTRAP_CLIENT_SECRET", &client.client_secret)
        .env("IDAAS_ANONYMOUS_PER_ADDRESS", "0/0")
        .current_dir(data_dir)
        .stdout(output.try_clone()?)
        .stderr(output)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let pid = child.id().context("the server's pid")?;
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    wait_ready(&http, &base, &mut child, &log).await?;
    tokio::time::sleep(QUIET).await;
    let (idle, idle_file) = (status_mb(pid, "VmRSS")?, status_mb(pid, "RssFile")?);

    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = tokio::spawn({
        let sampling = sampling.clone();
        async move {
            let mut peak: f64 = 0.0;
            while sampling.load(Ordering::Relaxed) {
                peak = peak.max(status_mb(pid, "VmRSS")?);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            anyhow::Ok(peak)
        }
    });
    let workers = vec![(); CLIENTS];
    let timed = run_for(workers, WARM_UP, WINDOW, move |()| {
        let (http, base, client) = (http.clone(), base.clone(), client.clone());
        async move { management_token(&http, &base, &client).await.map(|_| ()) }
    })
    .await?;
    sampling.store(false, Ordering::Relaxed);
    let peak = sampler.await??;
    child.kill().await?;
    Ok(Figures {
        engine,
        idle,
        idle_file,
        peak,
        tokens_per_sec: timed.rate.per_sec,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_a_resident_set() {
        let pid = std::process::id();
        let rss = status_mb(pid, "VmRSS").unwrap();
        assert!(rss > 0.0);
        assert!(status_mb(pid, "RssFile").unwrap() <= rss);
        assert!(status_mb(pid, "NoSuchField").is_err());
    }
}
