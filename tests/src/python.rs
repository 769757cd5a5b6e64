//! Independent clients written in Python (Authlib, python-cas, pysaml2), run from a virtualenv
//! that `.ci/run` installs and names in `IDAAS_TEST_PYTHON`. The scripts live in `tests/python/`.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

pub const PYTHON_VAR: &str = "IDAAS_TEST_PYTHON";

/// How long one script may run before the test fails.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);

/// The interpreter to run the scripts with; `None`, said visibly, when it is not configured (a
/// failure under `IDAAS_TEST_REQUIRE_ALL=1`).
pub fn interpreter() -> Option<PathBuf> {
    let python = std::env::var(PYTHON_VAR).ok().filter(|v| !v.is_empty());
    if python.is_none() {
        crate::skip(
            "Python client test",
            &format!(
                "{PYTHON_VAR} is not set to a Python with tests/python/requirements.txt installed (.ci/run does)"
            ),
        );
    }
    python.map(PathBuf::from)
}

/// The path of a script in `tests/python/`.
pub fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("python")
        .join(name)
}

/// Runs a script and returns the JSON object it prints; panics with its stderr when it fails,
/// prints something else, or runs too long.
pub async fn run_json(python: &PathBuf, script_name: &str, args: &[&str]) -> Value {
    run_json_within(python, script_name, args, SCRIPT_TIMEOUT).await
}

/// [`run_json`] with a time limit of its own (a fuzzing run).
pub async fn run_json_within(
    python: &PathBuf,
    script_name: &str,
    args: &[&str],
    limit: Duration,
) -> Value {
    let child = tokio::process::Command::new(python)
        .arg(script(script_name))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", python.display()));
    let output = tokio::time::timeout(limit, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{script_name} ran longer than {limit:?}"))
        .expect("script output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{script_name} failed ({}):\n{stderr}{stdout}",
        output.status
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!("{script_name} printed no JSON summary ({e}):\n{stdout}\n{stderr}")
    })
}
