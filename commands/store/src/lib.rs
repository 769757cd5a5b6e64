//! The write side of idaas: the event store on SQLite and PostgreSQL, the command bus, and the
//! keys that seal personal data and key the hashes of secrets.

pub mod backup;
pub mod bus;
pub mod changes;
pub mod checkpoints;
pub mod crypto;
pub mod db;
pub mod ephemeral;
pub mod export;
pub mod fault;
pub mod migrate;
pub mod rows;
pub mod statements;
mod states;
pub mod store;
mod wal;

pub use bus::{BusError, CommandBus, Context, Executed};
pub use changes::{Change, ChangeFeed, ChangePoller, ChangeSubscriber};
pub use crypto::Keys;
pub use db::{connect, connect_with, Database, Engine};
pub use fault::Unavailable;
pub use migrate::{migrate, StartupLock};
/// The connection pool type of both engines.
pub use sqlx::AnyPool as Pool;
pub use store::{EventStore, Metadata, Projector, RecordedEvent};
