//! The peer's process: Node.js running `ops/bench/peer/peer.js` (oidc-provider 9, in memory) on
//! 127.0.0.1, its packages installed with `npm ci` from the committed lock file when missing.
//! The process is killed when this handle is dropped, also when the benchmark fails.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context as _};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use crate::flows::Endpoints;
use crate::server::expect_json;

/// How long the peer may take to print its address and answer its discovery document.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running peer.
pub struct PeerProcess {
    /// Its issuer, e.g. `http://127.0.0.1:41235`.
    pub base: String,
    /// Where its discovery document says the steps are answered.
    pub endpoints: Endpoints,
    /// Versions of the runtime and of oidc-provider, for the report.
    pub versions: String,
    /// Its process id, for its CPU time.
    pub pid: Option<u32>,
    // Kept open: peer.js writes to its stdout, and exits when its stdin closes (this process
    // ended without dropping the handle, e.g. on a signal).
    _stdout: ChildStdout,
    _stdin: ChildStdin,
    _child: Child,
}

/// Why the peer cannot run here.
pub struct Skipped(pub String);

/// `ops/bench/peer`.
pub fn directory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("peer")
}

async fn succeeds(program: &Path, args: &[&str], dir: &Path) -> bool {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .status()
        .await
        .is_ok_and(|status| status.success())
}

/// The Node.js the peer runs on: the one its packages pin (`node_modules/.bin/node`, Node 22
/// LTS, the oldest oidc-provider 9 supports), else `node` on the PATH. Installs the packages
/// with `npm ci` when they are missing and npm is there.
pub async fn runtime() -> Result<PathBuf, Skipped> {
    let dir = directory();
    let modules = dir.join("node_modules");
    if !modules.join("oidc-provider").exists() {
        let npm = Path::new("npm");
        if !succeeds(npm, &["--version"], &dir).await {
            return Err(Skipped(format!(
                "{} is missing and npm is not installed",
                modules.display()
            )));
        }
        eprintln!("peer: npm ci in {}", dir.display());
        if !succeeds(npm, &["ci", "--no-audit", "--no-fund"], &dir).await {
            return Err(Skipped(format!("npm ci failed in {}", dir.display())));
        }
    }
    let pinned = modules.join(".bin").join("node");
    for node in [pinned, PathBuf::from("node")] {
        if succeeds(&node, &["--version"], &dir).await {
            return Ok(node);
        }
    }
    Err(Skipped("node is not installed".into()))
}

impl PeerProcess {
    /// Starts `node peer.js 0` (any free port), reads the issuer it prints, and waits for its
    /// discovery document.
    pub async fn start(node: &Path, http: &reqwest::Client) -> anyhow::Result<Self> {
        let dir = directory();
        let mut child = Command::new(node)
            .arg("peer.js")
            .arg("0")
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {} peer.js", node.display()))?;
        let stdout = child.stdout.take().context("the peer's stdout")?;
        let stdin = child.stdin.take().context("the peer's stdin")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(START_TIMEOUT, lines.next_line())
            .await
            .context("the peer did not start in time")??
            .context("the peer exited before listening")?;
        let base = line
            .strip_prefix("listening ")
            .with_context(|| format!("unexpected first line from the peer: {line}"))?
            .to_string();
        let endpoints = tokio::time::timeout(START_TIMEOUT, discover(http, &base))
            .await
            .context("the peer's discovery document did not come in time")??;
        let version = |args: &'static [&'static str]| {
            let dir = dir.clone();
            let node = node.to_path_buf();
            async move {
                let out = Command::new(node)
                    .args(args)
                    .current_dir(dir)
                    .output()
                    .await;
                out.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                    .unwrap_or_default()
            }
        };
        let versions = format!(
            "Node.js {}, oidc-provider {}",
            version(&["--version"]).await,
            version(&["-p", "require('oidc-provider/package.json').version"]).await,
        );
        Ok(Self {
            base,
            endpoints,
            versions,
            pid: child.id(),
            _stdout: lines.into_inner().into_inner(),
            _stdin: stdin,
            _child: child,
        })
    }
}

/// The endpoints of the discovery document (OIDC Discovery §3), as paths under the issuer.
async fn discover(http: &reqwest::Client, base: &str) -> anyhow::Result<Endpoints> {
    let reply = http
        .get(format!("{base}/.well-known/openid-configuration"))
        .send()
        .await?;
    let document: Value = expect_json(reply, StatusCode::OK).await?;
    let path = |field: &str| -> anyhow::Result<String> {
        let url = document[field]
            .as_str()
            .with_context(|| format!("{field} in the peer's discovery document"))?;
        match url.strip_prefix(base) {
            Some(path) => Ok(path.to_string()),
            None => bail!("{field} {url} is not under {base}"),
        }
    };
    Ok(Endpoints {
        authorize: path("authorization_endpoint")?,
        token: path("token_endpoint")?,
        userinfo: path("userinfo_endpoint")?,
    })
}
