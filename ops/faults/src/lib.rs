//! The fault suite: it starts the real `idaas` binary as separate processes on loopback, puts
//! load on it through the OneAccess management API, injects storage faults (SIGKILL, a full
//! disk, a PostgreSQL outage, three nodes starting at once on an empty database) and checks
//! afterwards that every acknowledged write is still there with its last acknowledged value and
//! that `idaas verify` finds the store sound. See `ops/faults/README.md`.

pub mod binary;
pub mod check;
pub mod client;
pub mod fixtures;
pub mod ledger;
pub mod load;
pub mod prereq;
pub mod probe;
pub mod report;
pub mod scenarios;
pub mod server;
pub mod system;

pub use report::{Engine, Outcome, Report};
pub use scenarios::{run, Mode, Scenario};
