//! The idaas server: HTTP surfaces over the event-sourced core, and the `idaas` command line.

pub mod admin;
pub mod app;
pub mod captcha;
pub mod cas;
pub mod cli;
pub mod config;
pub mod context;
pub mod login;
pub mod oauth;
pub mod oneaccess;
pub mod saml;
pub mod sdk;
pub mod server;
pub mod service;
pub mod signing;
pub mod sms;
pub mod state;
pub mod web;

pub use config::Config;
pub use server::{open_store, start, start_with_sms, RunningServer};
