//! What a scenario needs from the machine (root, a PostgreSQL server, `pg_createcluster`,
//! `mount`), and whether a missing prerequisite skips the scenario or fails it
//! (`IDAAS_TEST_REQUIRE_ALL=1`, set by CI).

use std::path::PathBuf;

pub const POSTGRES_URL_VAR: &str = "IDAAS_TEST_POSTGRES_URL";
pub const REQUIRE_ALL_VAR: &str = "IDAAS_TEST_REQUIRE_ALL";

/// Whether every scenario must run (a skip is then a failure).
pub fn require_all() -> bool {
    std::env::var(REQUIRE_ALL_VAR).is_ok_and(|v| v == "1")
}

/// The PostgreSQL server the suite may create databases on, from `IDAAS_TEST_POSTGRES_URL`.
pub fn postgres_url() -> Result<String, String> {
    std::env::var(POSTGRES_URL_VAR)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            format!(
                "{POSTGRES_URL_VAR} is not set (e.g. postgres://postgres@127.0.0.1:5432/postgres)"
            )
        })
}

/// The effective user id, from `/proc/self/status` (Linux), else from `id -u`.
fn effective_uid() -> Option<u32> {
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        let uid = status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            .and_then(|euid| euid.parse().ok());
        if uid.is_some() {
            return uid;
        }
    }
    let output = std::process::Command::new("id").arg("-u").output().ok()?;
    String::from_utf8_lossy(&output.stdout).trim().parse().ok()
}

/// Ok when running as root (mounting a tmpfs, managing a PostgreSQL cluster).
pub fn root() -> Result<(), String> {
    match effective_uid() {
        Some(0) => Ok(()),
        Some(uid) => Err(format!("needs root (uid 0), running as uid {uid}")),
        None => Err("needs root, and the user id could not be read".into()),
    }
}

/// The full path of `program` on `PATH` (or in the usual sbin directories).
pub fn program(program: &str) -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from))
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| format!("needs the {program} command, not found"))
}

/// The newest PostgreSQL version installed under `/usr/lib/postgresql` (Debian layout).
pub fn postgres_version() -> Result<String, String> {
    let entries = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|e| format!("no PostgreSQL under /usr/lib/postgresql ({e})"))?;
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()))
        .max()
        .map(|v| v.to_string())
        .ok_or_else(|| "no PostgreSQL version under /usr/lib/postgresql".into())
}
