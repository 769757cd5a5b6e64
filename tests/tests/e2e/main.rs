//! The end-to-end tests: one test binary, one module per area. Each test starts a real server
//! on port 0 over a throwaway database (the harness is the `idaas_tests` library in `tests/src/`),
//! on SQLite and on PostgreSQL (`on_both_engines!`).
//!
//! Run one area with a filter, e.g. `cargo test -p idaas-tests --test e2e cas::`.

/// The event store and the log as a whole: positions, claims, sealing and erasure, upcasting;
/// replay, restart, concurrency and tamper evidence; a store written by the previous release.
mod events {
    mod backup;
    mod batched;
    mod checkpoints;
    mod connections;
    mod dialect_neutral;
    mod durability;
    mod event_store;
    mod hot_stream;
    mod logs;
    mod metrics;
    mod previous_release;
    mod retention;
    mod storage_faults;
    mod telemetry;
    mod verify;
}

/// The durable export consumers (ops/adr/0024): signed webhooks and NATS JetStream, resumed
/// after a restart and after SIGKILL, retried, dead-lettered and replayed.
mod export {
    mod crash;
    mod nats;
    mod support;
    mod webhooks;
}

/// The OneAccess management API (`/api/v2/tenant/…`): its token, users, organisations,
/// application accounts, organisations and roles, the tenant's attribute rules, isolation between
/// tenants, and rules that span aggregates under concurrency.
mod management {
    mod accounts;
    mod app_orgs;
    mod isolation;
    mod organizations;
    mod roles;
    mod tenant_rules;
    mod token;
    mod tree_races;
    mod users;
}

/// The audit API (`/audit/v1`): event search by each filter and by cursor, entity history with
/// before → after values, masking, CSV, and who may read it (ops/adr/0022); erasure and
/// retention (ops/adr/0026).
mod audit {
    mod asof;
    mod authority;
    mod erasure;
    mod export;
    mod history;
    mod retention;
    mod search;
    mod support;
}

/// The native administration API (`/admin/v1`) and applications registered from the command line.
mod admin {
    mod api;
    mod authority;
    mod cli_applications;
}

/// The hosted login pages: the form, the steps after the password, and a real browser.
mod login {
    mod abuse;
    mod browser;
    mod hosted;
    mod steps;
}

/// The Hainan UAA dialect (`/apione`).
mod hainan {
    mod directory;
    mod examples;
    mod model;
    mod protocols;
    mod roles;
    mod signature;
}

/// The Inspur IDaaS dialect (`/idaas/v1`).
mod inspur {
    mod app_authority;
    mod app_types;
    mod apps;
    mod dictionaries;
    mod extended_fields;
    mod field_values;
    mod files;
    mod groups;
    mod isolation;
    mod mixed_traffic;
    mod organ_grants;
    mod organs;
    mod sign_in;
    mod themes;
    mod user_accounts;
    mod user_grants;
    mod user_import;
    mod user_types;
    mod users;
}

/// The OneAccess SDK login: password login, its challenges, and what its session is good for.
mod sdk {
    mod challenges;
    mod login;
    mod sessions;
}

/// OAuth 2.0 and OpenID Connect: flows, endpoints, errors, security regressions, logout, signing
/// keys, and independent clients (Rust `openidconnect` and `oauth2`, Python Authlib).
mod oidc {
    mod access;
    mod authlib;
    mod conformance;
    mod endpoints;
    mod errors;
    mod flows;
    mod interop;
    mod logout;
    mod oauth2_interop;
    mod opaque;
    mod public_url;
    mod security;
    mod signing_keys;
}

/// CAS 1.0–3.0: login, validation, proxying, `samlValidate`, single logout, and python-cas.
mod cas {
    mod interop;
    mod login;
    mod logout;
    mod proxy;
    mod saml_validate;
    mod validate;
}

/// The SAML 2.0 identity provider: single sign-on, single logout, attacks, and pysaml2.
mod saml {
    mod attacks;
    mod interop;
    mod logout;
    mod samlify;
    mod sso;
    mod strangers;
}

/// Hot reads from memory, fed by the change feed, coherent across nodes (ops/adr/0028).
mod cache {
    mod keys;
    mod nodes;
    mod own_writes;
}

/// The harness itself.
mod harness;

/// The workspace's dependency rules, read from `cargo metadata`.
mod docs;
mod workspace_rules;
