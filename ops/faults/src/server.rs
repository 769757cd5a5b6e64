//! Server processes: `idaas serve` started with the environment of one store (database, data
//! directory, master key, fixed bootstrap credential) on a loopback port, its output appended
//! to a log file; killed when dropped. Also `idaas verify` over the same store.

use std::fs::{File, OpenOptions};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};

use crate::client::Api;

/// How to reach one store: every node of it gets the same environment.
#[derive(Debug, Clone)]
pub struct Store {
    pub binary: PathBuf,
    /// `postgres://…`, or `None` for SQLite under `data_dir`.
    pub database_url: Option<String>,
    pub data_dir: PathBuf,
    pub master_key: String,
    pub client_id: String,
    pub client_secret: String,
    /// More environment variables for the server.
    pub extra_env: Vec<(String, String)>,
    /// Where the node logs go.
    pub log_dir: PathBuf,
}

impl Store {
    pub fn new(
        binary: PathBuf,
        database_url: Option<String>,
        data_dir: PathBuf,
        log_dir: PathBuf,
    ) -> Self {
        let random = || uuid::Uuid::new_v4().simple().to_string();
        Self {
            binary,
            database_url,
            log_dir,
            data_dir,
            // 32 random bytes in hex (two v4 UUIDs; their few fixed bits do not matter here).
            master_key: format!("{}{}", random(), random()),
            client_id: format!("faults-{}", &random()[..12]),
            client_secret: format!("Faults#{}", random()),
            extra_env: Vec::new(),
        }
    }

    /// `idaas <args>` with this store's environment and nothing else of ours.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.binary);
        command.args(args);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("IDAAS_") {
                command.env_remove(name);
            }
        }
        command
            .env("IDAAS_DATA_DIR", &self.data_dir)
            .env("IDAAS_MASTER_KEY", &self.master_key)
            .env("IDAAS_BOOTSTRAP_CLIENT_ID", &self.client_id)
            .env("IDAAS_BOOTSTRAP_CLIENT_SECRET", &self.client_secret)
            .env("IDAAS_LOG", "warn")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        if let Some(url) = &self.database_url {
            command.env("IDAAS_DATABASE_URL", url);
        }
        for (name, value) in &self.extra_env {
            command.env(name, value);
        }
        command
    }

    /// `idaas verify`: `clean`, or `failed(<what it said>)`.
    pub async fn verify(&self) -> anyhow::Result<String> {
        let mut command = self.command(&["verify"]);
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .context("joining idaas verify")?
            .context("running idaas verify")?;
        if output.status.success() {
            return Ok("clean".into());
        }
        let said = String::from_utf8_lossy(&output.stderr);
        let last = said
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        Ok(format!(
            "failed({}: {})",
            output.status,
            last.replace(' ', "_")
        ))
    }
}

/// A free loopback port (bound and released; another process could take it, rarely).
pub fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// One `idaas serve` process; killed when dropped.
pub struct Node {
    store: Store,
    pub port: u16,
    pub log: PathBuf,
    child: Option<Child>,
}

impl Node {
    /// Starts `idaas serve` on `port`, logging to `<log_dir>/<name>.log`.
    pub fn spawn(store: &Store, name: &str, port: u16) -> anyhow::Result<Self> {
        let mut node = Self {
            store: store.clone(),
            port,
            log: store.log_dir.join(format!("{name}.log")),
            child: None,
        };
        node.start()?;
        Ok(node)
    }

    /// Starts the process again (after `kill`), on the same port and store.
    pub fn start(&mut self) -> anyhow::Result<()> {
        if self.child.is_some() {
            bail!("node on port {} is already running", self.port);
        }
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .with_context(|| format!("opening {}", self.log.display()))?;
        let errors = log.try_clone()?;
        let listen = format!("127.0.0.1:{}", self.port);
        let child = self
            .store
            .command(&["serve"])
            .env("IDAAS_LISTEN", &listen)
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(errors))
            .spawn()
            .with_context(|| format!("starting {}", self.store.binary.display()))?;
        self.child = Some(child);
        Ok(())
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Whether the process is running; `Err` carries how it ended.
    pub fn running(&mut self) -> Result<bool, String> {
        match self.child.as_mut().map(Child::try_wait) {
            None => Ok(false),
            Some(Ok(None)) => Ok(true),
            Some(Ok(Some(status))) => Err(format!("exited with {status}")),
            Some(Err(e)) => Err(format!("cannot be waited for: {e}")),
        }
    }

    /// Waits until `/readyz` answers 200; the time it took. Fails when the process exits or
    /// `within` passes, with the end of its log.
    pub async fn wait_ready(&mut self, api: &Api, within: Duration) -> anyhow::Result<Duration> {
        let started = Instant::now();
        loop {
            if let Err(ended) = self.running() {
                bail!("node {} {ended}: {}", self.port, self.log_tail(5));
            }
            if let (Some(200), _) = api.readyz(&self.base()).await {
                return Ok(started.elapsed());
            }
            if started.elapsed() > within {
                bail!(
                    "node {} not ready after {within:?}: {}",
                    self.port,
                    self.log_tail(5)
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL, and reap the process.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGINT (the server's graceful stop), then SIGKILL if it is still there after `grace`.
    pub async fn interrupt(&mut self, grace: Duration) {
        let Some(pid) = self.child.as_ref().map(Child::id) else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status();
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline && matches!(self.running(), Ok(true)) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.kill();
    }

    /// The last `n` lines of the node's log, on one line.
    pub fn log_tail(&self, n: usize) -> String {
        tail(&self.log, n)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The last `n` non-empty lines of a file, joined with ` | `.
pub fn tail(path: &Path, n: usize) -> String {
    let text = File::open(path)
        .ok()
        .and_then(|f| std::io::read_to_string(f).ok())
        .unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let from = lines.len().saturating_sub(n);
    format!("[{}] {}", path.display(), lines[from..].join(" | "))
}
