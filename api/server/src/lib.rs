//! The idaas server: configuration, the `idaas` command line, the composition of every surface's
//! router, and the background workers.

pub mod access_log;
pub mod app;
pub mod checkpoints;
pub mod cli;
pub mod docs;
pub mod erasure;
pub mod export;
pub mod limits;
pub mod listen;
pub mod logging;
pub mod memory;
pub mod metrics;
pub mod purge;
pub mod server;
pub mod telemetry;

/// The allocator of every Rust allocation in a process built on this crate: mimalloc, whose
/// per-thread free lists cost the request threads and the writer less than glibc's arenas
/// (ops/adr/0037). C libraries (SQLite, aws-lc) keep glibc's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub use server::{
    open_store, open_store_for_restore, start, start_wired, start_with_sms, RunningServer, Wiring,
};
pub use usecases::config::Config;
