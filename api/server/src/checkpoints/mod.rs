//! Signed checkpoints of each tenant's hash chain (ops/adr/0023): the background worker that
//! writes them, the public keys at `GET /.well-known/idaas-checkpoint-keys`, and the command
//! line (`idaas audit export`, `idaas verify --offline`, key rotation).

mod commands;
mod worker;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use usecases::AppState;

pub use commands::{
    checkpoint_now, describe, export_to, key_set, read_keys, rotate_key, run, verify_offline,
    CheckpointCommand,
};
pub use worker::CheckpointWorker;

/// `GET /.well-known/idaas-checkpoint-keys`: every checkpoint key ever used, as a JWK Set
/// (RFC 7517, Ed25519 keys per RFC 8037), each with `created_at` and, once replaced,
/// `retired_at`. The keys are the installation's, the same for every tenant and host.
pub async fn published_keys(State(state): State<AppState>) -> Response {
    match key_set(state.bus.store().database()).await {
        Ok(keys) => ([(header::CACHE_CONTROL, "public, max-age=60")], Json(keys)).into_response(),
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "reading the checkpoint keys");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
