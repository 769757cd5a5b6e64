//! `/admin/v1/saml-keys`: the tenant's SAML signing certificates and their rotation. A new key is
//! published in the IdP metadata as soon as it is created and signs from `activate_in_secs` on,
//! so service providers can learn it first; the key it replaces stays in the metadata for 30 days.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::error::{AdminError, CallFailures, ErrorBody};
use idaas_http::caller::ManagementCaller;
use idaas_http::openapi::ApiRouter;
use usecases::saml::keys;
use usecases::AppState;

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(routes!(list, rotate))
}

/// A SAML signing key and where it stands now.
#[derive(Serialize, ToSchema)]
struct SamlKey {
    key_id: String,
    /// When it signs from (milliseconds since the epoch).
    active_from: i64,
    /// Whether it signs now.
    signing: bool,
    /// Whether the IdP metadata publishes it now.
    published: bool,
    /// The X.509 certificate, base64 DER.
    certificate: String,
}

/// The tenant's SAML signing certificates (created on first use).
#[utoipa::path(
    get,
    operation_id = "list_saml_keys",
    path = "/saml-keys",
    tag = "keys",
    responses(
        (status = 200, description = "The keys, oldest first.", body = Vec<SamlKey>),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn list(
    State(state): State<AppState>,
    caller: ManagementCaller,
) -> Result<Json<Vec<SamlKey>>, AdminError> {
    let context = super::context(&caller);
    let rows = keys::statuses(&state, &context).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| SamlKey {
                key_id: r.row.key_id,
                active_from: r.row.active_from,
                signing: r.signing,
                published: r.published,
                certificate: r.row.certificate,
            })
            .collect(),
    ))
}

/// When the new SAML key starts signing.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SamlKeyRotation {
    /// Seconds until the new key starts signing (0: at once); at most 90 days.
    #[serde(default)]
    #[schema(default = 0, maximum = 7_776_000)]
    activate_in_secs: u32,
}

/// The key a rotation made.
#[derive(Serialize, ToSchema)]
struct NewSamlKey {
    key_id: String,
    /// When it signs from (milliseconds since the epoch).
    active_from: i64,
    /// The X.509 certificate, base64 DER.
    certificate: String,
}

/// Rotates the SAML signing key.
///
/// The new key is published in the metadata at once and signs after `activate_in_secs`; the
/// replaced key stays published for 30 days.
#[utoipa::path(
    post,
    operation_id = "rotate_saml_key",
    path = "/saml-keys",
    tag = "keys",
    request_body = SamlKeyRotation,
    responses(
        (status = 201, description = "The new key.", body = NewSamlKey),
        (status = 400, description = "Not a JSON body (`Content-Type: application/json`), an unknown field, or an activation more than 90 days ahead.", body = ErrorBody),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        (status = 409, description = "The metadata already publishes the most SAML keys it may; the message says when a key can be added again.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn rotate(
    State(state): State<AppState>,
    caller: ManagementCaller,
    body: Result<Json<SamlKeyRotation>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<NewSamlKey>), AdminError> {
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
        Json(NewSamlKey {
            key_id: key.key_id,
            active_from: key.active_from,
            certificate: key.certificate,
        }),
    ))
}
