//! Independent clients written for Node.js (samlify), installed by `.ci/run` into
//! `tests/node/node_modules` (`npm ci`). The scripts live in `tests/node/`.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

/// How long one script may run before the test fails.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node")
}

/// Whether `node` and the installed packages are there; said visibly when not (a failure under
/// `IDAAS_TEST_REQUIRE_ALL=1`).
pub fn available() -> bool {
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let installed = dir().join("node_modules").join("samlify").exists();
    if !(node && installed) {
        crate::skip(
            "Node.js client test",
            "node or tests/node/node_modules is missing (cd tests/node && npm ci; .ci/run does)",
        );
    }
    node && installed
}

/// Runs `tests/node/<script>` with `args` and returns the JSON object it prints; panics with its
/// stderr when it fails, prints something else, or runs too long.
pub async fn run_json(script: &str, args: &[&str]) -> Value {
    let child = tokio::process::Command::new("node")
        .arg(dir().join(script))
        .args(args)
        .current_dir(dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node starts");
    let output = tokio::time::timeout(SCRIPT_TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{script} ran longer than {SCRIPT_TIMEOUT:?}"))
        .expect("script output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{script} failed ({}):\n{stderr}{stdout}",
        output.status
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("{script} printed no JSON ({e}):\n{stdout}\n{stderr}"))
}
