//! `/admin/v1/applications/{application_id}/access-keys`: an application's access keys for
//! signed calls (ops/adr/0019, "Signed calls"). `POST` issues one and answers its secret this
//! once (201); `GET` lists them (no secrets); `DELETE …/{access_key_id}` revokes one. A key
//! signs calls only for its own application; at most five are live at once. Changing an
//! application's keys needs a credential at least as strong as the application's own.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use projections::access_keys::AccessKeyRow;
use serde::Serialize;
use usecases::{access_keys, AppState, ServiceError};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::error::{AdminError, CallFailures, ErrorBody};
use idaas_http::caller::ManagementCaller;
use idaas_http::openapi::ApiRouter;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(list, issue))
        .routes(routes!(revoke))
}

/// An access key as listed: never its secret.
#[derive(Serialize, ToSchema)]
struct AccessKey {
    access_key_id: String,
    application_id: String,
    /// Milliseconds since the epoch.
    created_at: i64,
    /// When it was revoked (milliseconds since the epoch); null while it is live.
    #[schema(required = true)]
    revoked_at: Option<i64>,
}

impl From<AccessKeyRow> for AccessKey {
    fn from(key: AccessKeyRow) -> Self {
        Self {
            access_key_id: key.access_key_id,
            application_id: key.application_id,
            created_at: key.created_at,
            revoked_at: key.revoked_at,
        }
    }
}

/// An application's access keys.
#[derive(Serialize, ToSchema)]
struct AccessKeys {
    access_keys: Vec<AccessKey>,
}

/// A new access key with its secret, shown this once.
#[derive(Serialize, ToSchema)]
struct IssuedKey {
    access_key_id: String,
    /// Shown once.
    secret_key: String,
    application_id: String,
    /// Milliseconds since the epoch.
    created_at: i64,
}

/// What a revocation did.
#[derive(Serialize, ToSchema)]
struct Revoked {
    access_key_id: String,
    /// Always true.
    revoked: bool,
}

/// The application, if the caller may change it.
async fn changeable(
    state: &AppState,
    caller: &ManagementCaller,
    application_id: &str,
) -> Result<(), AdminError> {
    let target = projections::applications::get(state.pool(), &caller.tenant_id, application_id)
        .await?
        .ok_or_else(|| AdminError::not_found("application does not exist"))?;
    if !usecases::authority::may_change(&caller.held, &target) {
        return Err(super::refuse(
            state,
            caller,
            "this application holds more authority than the caller",
        )
        .await);
    }
    Ok(())
}

fn refused(error: ServiceError) -> AdminError {
    use domain::access_key::AccessKeyError;
    match error {
        ServiceError::AccessKey(AccessKeyError::NotFound) => {
            AdminError::not_found("access key does not exist")
        }
        ServiceError::AccessKey(refusal) => AdminError::conflict(refusal.to_string()),
        other => other.into(),
    }
}

/// Issues an access key for signed calls; the secret is answered this once.
///
/// At most five keys are live at once. Recorded as `access_key.issued`.
#[utoipa::path(
    post,
    operation_id = "issue_access_key",
    path = "/applications/{application_id}/access-keys",
    tag = "access keys",
    params(("application_id" = String, Path, description = "The application.")),
    responses(
        (status = 201, description = "Issued.", body = IssuedKey),
        (status = 403, description = "Not a tenant administrator's credential, or the application holds more authority than the caller (recorded).", body = ErrorBody),
        (status = 404, description = "No such application.", body = ErrorBody),
        (status = 409, description = "The application already holds five live keys.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn issue(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
) -> Result<(StatusCode, Json<IssuedKey>), AdminError> {
    changeable(&state, &caller, &application_id).await?;
    let issued = access_keys::issue(&state, &super::context(&caller), &application_id)
        .await
        .map_err(refused)?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedKey {
            access_key_id: issued.access_key_id,
            secret_key: issued.secret_key,
            application_id,
            created_at: issued.created_at,
        }),
    ))
}

/// An application's access keys for signed calls (no secrets).
#[utoipa::path(
    get,
    operation_id = "list_access_keys",
    path = "/applications/{application_id}/access-keys",
    tag = "access keys",
    params(("application_id" = String, Path, description = "The application.")),
    responses(
        (status = 200, description = "Its keys, live and revoked.", body = AccessKeys),
        (status = 403, description = "Not a tenant administrator's credential.", body = ErrorBody),
        (status = 404, description = "No such application.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn list(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
) -> Result<Json<AccessKeys>, AdminError> {
    projections::applications::get(state.pool(), &caller.tenant_id, &application_id)
        .await?
        .ok_or_else(|| AdminError::not_found("application does not exist"))?;
    let keys =
        projections::access_keys::of_application(state.pool(), &caller.tenant_id, &application_id)
            .await?;
    Ok(Json(AccessKeys {
        access_keys: keys.into_iter().map(AccessKey::from).collect(),
    }))
}

/// Revokes an access key: it signs nothing any more.
///
/// Recorded as `access_key.revoked`.
#[utoipa::path(
    delete,
    operation_id = "revoke_access_key",
    path = "/applications/{application_id}/access-keys/{access_key_id}",
    tag = "access keys",
    params(
        ("application_id" = String, Path, description = "The application."),
        ("access_key_id" = String, Path, description = "One of its access keys."),
    ),
    responses(
        (status = 200, description = "Revoked (a key revoked already stays so).", body = Revoked),
        (status = 403, description = "Not a tenant administrator's credential, or the application holds more authority than the caller (recorded).", body = ErrorBody),
        (status = 404, description = "No such application, or not one of its keys.", body = ErrorBody),
        (status = 409, description = "The key kept changing; try again.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn revoke(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, access_key_id)): Path<(String, String)>,
) -> Result<Json<Revoked>, AdminError> {
    changeable(&state, &caller, &application_id).await?;
    access_keys::revoke(
        &state,
        &super::context(&caller),
        &application_id,
        &access_key_id,
    )
    .await
    .map_err(refused)?;
    Ok(Json(Revoked {
        access_key_id,
        revoked: true,
    }))
}
