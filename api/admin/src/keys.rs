//! `/admin/v1/signing-keys`: the tenant's token signing keys (public halves) and their rotation.
//! A rotated-out key stays published (JWKS) until every token it can have signed has expired; a
//! rotation that would publish too many keys of its algorithm is refused (ADR 0005, "Keys").

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::error::{AdminError, CallFailures, ErrorBody};
use super::schema::SigningAlgorithm;
use idaas_http::caller::ManagementCaller;
use idaas_http::openapi::ApiRouter;
use usecases::signing::RotationError;
use usecases::AppState;

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(routes!(list, rotate))
}

/// A token signing key (its public half is in the JWKS).
#[derive(Serialize, ToSchema)]
struct SigningKey {
    key_id: String,
    #[schema(value_type = SigningAlgorithm)]
    algorithm: String,
    /// Milliseconds since the epoch.
    created_at: i64,
    /// Set once superseded: the key leaves the JWKS then (milliseconds since the epoch).
    #[schema(required = true)]
    publish_until: Option<i64>,
    /// Whether tokens are signed with it now.
    current: bool,
}

/// The tenant's token signing keys (public halves; created on first use).
#[utoipa::path(
    get,
    operation_id = "list_signing_keys",
    path = "/signing-keys",
    tag = "keys",
    responses(
        (status = 200, description = "The keys, newest first.", body = Vec<SigningKey>),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn list(
    State(state): State<AppState>,
    caller: ManagementCaller,
) -> Result<Json<Vec<SigningKey>>, AdminError> {
    // Creates the tenant's first keys if it has none yet.
    state.signing.jwks(&state.bus, &caller.tenant_id).await?;
    let keys = projections::sessions::keys(state.pool(), &caller.tenant_id).await?;
    Ok(Json(
        keys.into_iter()
            .map(|k| SigningKey {
                key_id: k.key_id,
                algorithm: k.algorithm,
                created_at: k.created_at,
                current: k.publish_until.is_none(),
                publish_until: k.publish_until,
            })
            .collect(),
    ))
}

/// The algorithm whose signing key to rotate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct KeyRotation {
    #[schema(value_type = SigningAlgorithm)]
    algorithm: String,
}

/// The key a rotation made.
#[derive(Serialize, ToSchema)]
struct RotatedKey {
    key_id: String,
    #[schema(value_type = SigningAlgorithm)]
    algorithm: String,
}

/// Rotates the token signing key of an algorithm.
///
/// The new key signs tokens from now on; the previous one stays published until every token it
/// can have signed has expired.
#[utoipa::path(
    post,
    operation_id = "rotate_signing_key",
    path = "/signing-keys",
    tag = "keys",
    request_body = KeyRotation,
    responses(
        (status = 201, description = "The new key.", body = RotatedKey),
        (status = 400, description = "Not a JSON body (`Content-Type: application/json`), an unknown field, or an unknown algorithm.", body = ErrorBody),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        (status = 409, description = "The algorithm already has six published keys (the current one and those superseded within 366 days); the message says when rotation is possible again. Or another rotation of the same key (on any node) won at the same moment.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn rotate(
    State(state): State<AppState>,
    caller: ManagementCaller,
    body: Result<Json<KeyRotation>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<RotatedKey>), AdminError> {
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
            concurrent @ RotationError::Concurrent(_) => {
                AdminError::conflict(concurrent.to_string())
            }
            RotationError::Failed(e) => e.into(),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(RotatedKey {
            key_id,
            algorithm: body.algorithm,
        }),
    ))
}
