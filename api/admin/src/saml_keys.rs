//! `/admin/v1/saml-keys`: the tenant's SAML signing certificates and their rotation. A new key is
//! published in the IdP metadata as soon as it is created and signs from `activate_in_secs` on,
//! so service providers can learn it first; the key it replaces stays in the metadata for 30 days.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::AdminError;
use idaas_http::caller::ManagementCaller;
use usecases::saml::keys;
use usecases::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/saml-keys", get(list).post(rotate))
}

async fn list(
    State(state): State<AppState>,
    caller: ManagementCaller,
) -> Result<Json<Value>, AdminError> {
    let context = super::context(&caller);
    let rows = keys::statuses(&state, &context).await?;
    Ok(Json(Value::Array(
        rows.iter()
            .map(|r| {
                json!({
                    "key_id": r.row.key_id,
                    "active_from": r.row.active_from,
                    "signing": r.signing,
                    "published": r.published,
                    "certificate": r.row.certificate,
                })
            })
            .collect(),
    )))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RotateBody {
    /// Seconds until the new key starts signing (0: at once).
    #[serde(default)]
    activate_in_secs: u32,
}

async fn rotate(
    State(state): State<AppState>,
    caller: ManagementCaller,
    body: Result<Json<RotateBody>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Value>), AdminError> {
    let Json(body) = body.map_err(|e| AdminError::invalid(e.body_text()))?;
    let context = super::context(&caller);
    let key = keys::rotate(&state, &context, i64::from(body.activate_in_secs) * 1000)
        .await?
        .map_err(|refused| match refused {
            keys::RotationRefused::TooFarAhead => AdminError::invalid(refused.to_string()),
            keys::RotationRefused::TooMany { .. } => AdminError::conflict(refused.to_string()),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "key_id": key.key_id,
            "active_from": key.active_from,
            "certificate": key.certificate,
        })),
    ))
}
