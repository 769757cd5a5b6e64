//! The write side of idaas: the event store on SQLite and PostgreSQL, the command bus, and the
//! services the domain needs (password hashing, clock, ids and secrets, keys).

pub mod bus;
pub mod crypto;
pub mod db;
pub mod services;
pub mod store;

pub use bus::{BusError, CommandBus, Context, Executed};
pub use crypto::Keys;
pub use db::{connect, migrate, Database, Engine};
pub use store::{EventStore, Metadata, Projector, RecordedEvent};
