//! `/admin/v1/applications/{application_id}/access-keys`: an application's access keys for
//! signed calls (ops/adr/0019, "Signed calls"). `POST` issues one and answers its secret this
//! once (201); `GET` lists them (no secrets); `DELETE …/{access_key_id}` revokes one. A key
//! signs calls only for its own application; at most five are live at once. Changing an
//! application's keys needs a credential at least as strong as the application's own.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use projections::access_keys::AccessKeyRow;
use serde_json::{json, Value};
use usecases::{access_keys, AppState, ServiceError};

use super::error::AdminError;
use idaas_http::caller::ManagementCaller;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/applications/{application_id}/access-keys",
            get(list).post(issue),
        )
        .route(
            "/applications/{application_id}/access-keys/{access_key_id}",
            delete(revoke),
        )
}

fn view(key: &AccessKeyRow) -> Value {
    json!({
        "access_key_id": key.access_key_id,
        "application_id": key.application_id,
        "created_at": key.created_at,
        "revoked_at": key.revoked_at,
    })
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

async fn issue(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
) -> Result<(StatusCode, Json<Value>), AdminError> {
    changeable(&state, &caller, &application_id).await?;
    let issued = access_keys::issue(&state, &super::context(&caller), &application_id)
        .await
        .map_err(refused)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "access_key_id": issued.access_key_id,
            "secret_key": issued.secret_key,
            "application_id": application_id,
            "created_at": issued.created_at,
        })),
    ))
}

async fn list(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
) -> Result<Json<Value>, AdminError> {
    projections::applications::get(state.pool(), &caller.tenant_id, &application_id)
        .await?
        .ok_or_else(|| AdminError::not_found("application does not exist"))?;
    let keys =
        projections::access_keys::of_application(state.pool(), &caller.tenant_id, &application_id)
            .await?;
    Ok(Json(json!({
        "access_keys": keys.iter().map(view).collect::<Vec<_>>(),
    })))
}

async fn revoke(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, access_key_id)): Path<(String, String)>,
) -> Result<Json<Value>, AdminError> {
    changeable(&state, &caller, &application_id).await?;
    access_keys::revoke(
        &state,
        &super::context(&caller),
        &application_id,
        &access_key_id,
    )
    .await
    .map_err(refused)?;
    Ok(Json(json!({
        "access_key_id": access_key_id,
        "revoked": true,
    })))
}
