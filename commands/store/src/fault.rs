//! Storage faults (DESIGN.md "Production behaviour"): which database errors mean "the storage is
//! unavailable for now" rather than "this request is wrong", and the store's record of whether
//! writes currently succeed, which `/readyz` reports.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Why storage cannot take a write (or answer at all) right now. Callers answer "temporarily
/// unavailable" (503 with `Retry-After`) and try again later; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    pub kind: FaultKind,
    /// The database's or the operating system's own words, without data.
    pub cause: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// The file system or the database server has no space left.
    DiskFull,
    /// The database cannot be reached, refuses connections or is shutting down; or no pooled
    /// connection came free in time.
    Unreachable,
    /// The operating system reported an I/O error, or the database is locked by another process
    /// for longer than the busy timeout.
    Io,
}

impl FaultKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DiskFull => "disk_full",
            Self::Unreachable => "database_unreachable",
            Self::Io => "io_error",
        }
    }
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "storage temporarily unavailable ({}): {}",
            self.kind.as_str(),
            self.cause
        )
    }
}

impl std::error::Error for Unavailable {}

/// Seconds a client is asked to wait before retrying a refused write (`Retry-After`).
pub const RETRY_AFTER_SECONDS: u64 = 5;

/// The storage fault behind `error`, if any link of its chain is one.
pub fn unavailable(error: &anyhow::Error) -> Option<Unavailable> {
    error.chain().find_map(|cause| {
        if let Some(found) = cause.downcast_ref::<Unavailable>() {
            return Some(found.clone());
        }
        cause.downcast_ref::<sqlx::Error>().and_then(classify)
    })
}

/// The storage fault a database error stands for; `None` for errors of the request or of the
/// program (a constraint, a syntax error, a decoding error).
pub fn classify(error: &sqlx::Error) -> Option<Unavailable> {
    let kind = match error {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) => FaultKind::Unreachable,
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => {
            FaultKind::Unreachable
        }
        sqlx::Error::Database(database) => match database.code().as_deref() {
            Some(code) if code.chars().all(|c| c.is_ascii_digit()) => sqlite_fault(code)?,
            Some(code) => postgres_fault(code)?,
            None => return None,
        },
        _ => return None,
    };
    Some(Unavailable {
        kind,
        cause: error.to_string(),
    })
}

/// SQLite's (extended) result codes: the primary code is the low byte.
fn sqlite_fault(code: &str) -> Option<FaultKind> {
    let primary = code.parse::<i64>().ok()? & 0xff;
    match primary {
        13 => Some(FaultKind::DiskFull),    // SQLITE_FULL
        10 | 14 | 8 => Some(FaultKind::Io), // SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_READONLY
        5 | 6 => Some(FaultKind::Io),       // SQLITE_BUSY, SQLITE_LOCKED after the busy timeout
        _ => None,
    }
}

/// PostgreSQL's SQLSTATE classes: connection exceptions (08), insufficient resources (53),
/// operator intervention (57P: shutdown, cannot connect now) and system errors (58).
fn postgres_fault(code: &str) -> Option<FaultKind> {
    match code {
        "53100" => Some(FaultKind::DiskFull),
        c if c.starts_with("08") || c.starts_with("57P") => Some(FaultKind::Unreachable),
        c if c.starts_with("53") || c.starts_with("58") => Some(FaultKind::Io),
        _ => None,
    }
}

/// Whether writes currently succeed, as the last write (or write probe) found. Shared by every
/// clone of the store; changes are logged once, when they happen.
#[derive(Clone, Default)]
pub struct Health {
    state: Arc<Mutex<Option<Failing>>>,
    /// Set while readiness checks find the database down.
    down: Arc<AtomicBool>,
    /// When the last write probe ran.
    last_probe: Arc<Mutex<Option<Instant>>>,
}

#[derive(Debug, Clone)]
struct Failing {
    fault: Unavailable,
    since: Instant,
}

/// What `/readyz` shows of the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteState {
    Ok,
    Failing {
        fault: Unavailable,
        for_seconds: u64,
    },
}

impl Health {
    pub fn writes(&self) -> WriteState {
        match &*self.lock() {
            None => WriteState::Ok,
            Some(failing) => WriteState::Failing {
                fault: failing.fault.clone(),
                for_seconds: failing.since.elapsed().as_secs(),
            },
        }
    }

    pub fn is_failing(&self) -> bool {
        self.lock().is_some()
    }

    /// Records a write that failed for `fault`.
    pub fn failed(&self, fault: &Unavailable, database: &str) {
        let mut state = self.lock();
        if state.is_none() {
            tracing::error!(
                database,
                fault = fault.kind.as_str(),
                cause = %fault.cause,
                "writes are failing: storage unavailable"
            );
            *state = Some(Failing {
                fault: fault.clone(),
                since: Instant::now(),
            });
        }
    }

    /// Records that writes succeed again (the write probe's verdict).
    pub fn succeeded(&self, database: &str) {
        let mut state = self.lock();
        if let Some(failing) = state.take() {
            tracing::warn!(
                database,
                after_ms = failing.since.elapsed().as_millis() as u64,
                "writes succeed again"
            );
        }
    }

    /// Whether a write probe may run now (at most one a second); claims the turn if so.
    pub fn take_probe_turn(&self) -> bool {
        let mut last = self
            .last_probe
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if last.is_some_and(|at| at.elapsed() < Duration::from_secs(1)) {
            return false;
        }
        *last = Some(Instant::now());
        true
    }

    pub fn is_unreachable(&self) -> bool {
        self.down.load(Ordering::Relaxed)
    }

    /// Records a failed readiness check (logged once, until the database answers again).
    pub fn unreachable(&self, database: &str, cause: &str) {
        if !self.down.swap(true, Ordering::Relaxed) {
            tracing::error!(database, cause, "database unreachable");
        }
    }

    /// Records a successful readiness check.
    pub fn reachable(&self, database: &str) {
        if self.down.swap(false, Ordering::Relaxed) {
            tracing::warn!(database, "database reachable again");
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Failing>> {
        // The state is a plain value: a panic while holding the lock cannot leave it half-written.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// How long a readiness check waits for the database before calling it down.
pub const PROBE_TIMEOUT: Duration = Duration::from_millis(500);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_and_postgres_codes_map_to_their_faults() {
        assert_eq!(sqlite_fault("13"), Some(FaultKind::DiskFull));
        assert_eq!(sqlite_fault("266"), Some(FaultKind::Io)); // SQLITE_IOERR_READ
        assert_eq!(sqlite_fault("2067"), None); // SQLITE_CONSTRAINT_UNIQUE
        assert_eq!(postgres_fault("53100"), Some(FaultKind::DiskFull));
        assert_eq!(postgres_fault("57P01"), Some(FaultKind::Unreachable));
        assert_eq!(postgres_fault("08006"), Some(FaultKind::Unreachable));
        assert_eq!(postgres_fault("23505"), None);
    }

    #[test]
    fn a_fault_is_found_anywhere_in_an_error_chain() {
        let error = anyhow::Error::new(sqlx::Error::PoolTimedOut).context("reading a user");
        let found = unavailable(&error).expect("a fault");
        assert_eq!(found.kind, FaultKind::Unreachable);
        assert!(unavailable(&anyhow::anyhow!("a bad request")).is_none());
    }

    #[test]
    fn health_goes_failing_and_back() {
        let health = Health::default();
        assert_eq!(health.writes(), WriteState::Ok);
        let fault = Unavailable {
            kind: FaultKind::DiskFull,
            cause: "database or disk is full".into(),
        };
        health.failed(&fault, "sqlite");
        assert!(matches!(health.writes(), WriteState::Failing { fault: f, .. } if f == fault));
        health.succeeded("sqlite");
        assert_eq!(health.writes(), WriteState::Ok);
    }
}
