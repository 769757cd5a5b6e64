//! The `idaas` server binary under test: `IDAAS_FAULTS_SERVER_BIN` when set, otherwise built
//! with the cargo that runs the suite (`$CARGO build --workspace --bin idaas`, release when the
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

/// Cargo, without the variables cargo sets for the crate it runs (`CARGO_MANIFEST_DIR`,
/// `CARGO_PKG_*`…): build scripts that watch them (ring's does) would otherwise be rebuilt on
/// every call, and again by the next ordinary build.
fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let set_for_the_crate = [
            "CARGO_MANIFEST_",
            "CARGO_PKG_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
            "CARGO_PRIMARY_PACKAGE",
            "CARGO_TARGET_TMPDIR",
            "CARGO_RUSTC_CURRENT_DIR",
        ]
        .iter()
        .any(|prefix| name.starts_with(prefix));
        if set_for_the_crate {
            command.env_remove(name.as_ref());
        }
    }
    command
}

/// The workspace's target directory, as cargo reports it (honours `CARGO_TARGET_DIR`).
fn target_dir(manifest: &Path) -> anyhow::Result<PathBuf> {
    let output = cargo()
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
    let mut build = cargo();
    build
        // `--workspace`: the dependencies get the features of a workspace build, which are those
        // `cargo test --workspace` built them with, so they are reused; `-p idaas` alone would
        // resolve fewer features (chrono, digest, sha2, url…) and rebuild most of the tree.
        .args(["build", "--workspace", "--bin", "idaas"])
        .arg("--manifest-path")
        .arg(&manifest);
    if release {
        build.arg("--release");
    }
    let started = std::time::Instant::now();
    let output = build.output().context("running cargo build for idaas")?;
    if started.elapsed().as_secs() >= 5 {
        eprintln!(
            "built the idaas server in {} s",
            started.elapsed().as_secs()
        );
    }
    if !output.status.success() {
        bail!(
            "cargo build --bin idaas failed:\n{}",
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
