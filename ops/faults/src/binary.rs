//! The `idaas` server binary under test: `IDAAS_FAULTS_SERVER_BIN` when set, otherwise built
//! with the cargo that runs the suite (`$CARGO build -p idaas --bin idaas`, release when the
//! suite itself is release) into the workspace's target directory, once per process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use anyhow::{bail, Context as _};
use serde_json::Value;

pub const SERVER_BIN_VAR: &str = "IDAAS_FAULTS_SERVER_BIN";

static BUILT: Mutex<Option<PathBuf>> = Mutex::new(None);

/// The workspace root (this crate is `ops/faults`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// The workspace's target directory, as cargo reports it (honours `CARGO_TARGET_DIR`).
fn target_dir(manifest: &Path) -> anyhow::Result<PathBuf> {
    let output = Command::new(cargo())
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .arg("--manifest-path")
        .arg(manifest)
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata: Value = serde_json::from_slice(&output.stdout).context("cargo metadata JSON")?;
    metadata["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .context("no target_directory in cargo metadata")
}

/// The server binary, built if needed (blocking: call it from a blocking context).
pub fn server_binary() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os(SERVER_BIN_VAR).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        if !path.is_file() {
            bail!("{SERVER_BIN_VAR}={} is not a file", path.display());
        }
        return Ok(path);
    }
    let mut built = BUILT.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(path) = built.as_ref() {
        return Ok(path.clone());
    }
    let manifest = workspace_root().join("Cargo.toml");
    let release = !cfg!(debug_assertions);
    let mut build = Command::new(cargo());
    build
        .args(["build", "-p", "idaas", "--bin", "idaas"])
        .arg("--manifest-path")
        .arg(&manifest);
    if release {
        build.arg("--release");
    }
    let output = build.output().context("running cargo build for idaas")?;
    if !output.status.success() {
        bail!(
            "cargo build -p idaas failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let profile = if release { "release" } else { "debug" };
    let path = target_dir(&manifest)?.join(profile).join("idaas");
    if !path.is_file() {
        bail!("cargo built idaas, but {} is not there", path.display());
    }
    *built = Some(path.clone());
    Ok(path)
}
