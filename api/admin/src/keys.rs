//! `/admin/v1/signing-keys`: the tenant's token signing keys (public halves) and their rotation.
//! A rotated-out key stays published (JWKS) until every token it can have signed has expired; a
//! rotation that would publish too many keys of its algorithm is refused (ADR 0005, "Keys").

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::AdminError;
use idaas_http::caller::ManagementCaller;
use usecases::signing::RotationError;
use usecases::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/signing-keys", get(list).post(rotate))
}

async fn list(
    State(state): State<AppState>,
    caller: ManagementCaller,
) -> Result<Json<Value>, AdminError> {
    // Creates the tenant's first keys if it has none yet.
    state.signing.jwks(&state.bus, &caller.tenant_id).await?;
    let keys = projections::sessions::keys(state.pool(), &caller.tenant_id).await?;
    Ok(Json(Value::Array(
        keys.into_iter()
            .map(|k| {
                json!({
                    "key_id": k.key_id,
                    "algorithm": k.algorithm,
                    "created_at": k.created_at,
                    "publish_until": k.publish_until,
                    "current": k.publish_until.is_none(),
                })
            })
            .collect(),
    )))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RotateBody {
    algorithm: String,
}

/// A new key for the algorithm; tokens are signed with it from now on. 409 while the algorithm
/// already has `MAX_PUBLISHED_PER_ALGORITHM` published keys.
async fn rotate(
    State(state): State<AppState>,
    caller: ManagementCaller,
    body: Result<Json<RotateBody>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Value>), AdminError> {
    let Json(body) = body.map_err(|e| AdminError::invalid(e.body_text()))?;
    if !domain::signing_key::ALGORITHMS.contains(&body.algorithm.as_str()) {
        return Err(AdminError::invalid("algorithm must be RS256 or ES256"));
    }
    // Make sure the tenant's keys exist before superseding one.
    state.signing.jwks(&state.bus, &caller.tenant_id).await?;
    let context = super::context(&caller);
    let key_id = state
        .signing
        .rotate(&state.bus, &context, &body.algorithm)
        .await
        .map_err(|e| match e {
            RotationError::Refused(refusal) => AdminError::conflict(refusal.to_string()),
            RotationError::Failed(e) => e.into(),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "key_id": key_id, "algorithm": body.algorithm })),
    ))
}
