//! The pure model of idaas: aggregates, commands, events, value objects and domain errors.
//! No IO, no async runtime, no web or SQL: outside facts come in through small traits.

pub mod aggregate;
pub mod app_account;
pub mod app_organization;
pub mod app_role;
pub mod application;
pub mod management_token;
pub mod organization;
pub mod password;
pub mod privilege;
pub mod protocols;
pub mod tenant;
pub mod testing;
pub mod upcast;
pub mod user;
pub mod values;

pub use aggregate::{Aggregate, Claim, Decision, DomainEvent};
