//! Add (#24, 201), update (#25), delete (#26, 204), enable (#29) and disable (#30) an account.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::dto::{AccountBody, AccountIdBody};
use crate::body::Body;
use crate::error::OneAccessError;
use idaas_http::caller::ManagementCaller;
use usecases::accounts;
use usecases::{AppState, Lifecycle};

/// `POST /applications/{application_id}/accounts/basic-account`.
pub async fn create_account(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(application_id): Path<String>,
    Body(body): Body<AccountBody>,
) -> Result<(StatusCode, Json<AccountIdBody>), OneAccessError> {
    let account_id =
        accounts::create(&state, &caller.context, &application_id, body.into()).await?;
    Ok((StatusCode::CREATED, Json(AccountIdBody { account_id })))
}

/// `PUT /applications/{application_id}/accounts/{account_id}`: the linked user cannot change.
pub async fn update_account(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, account_id)): Path<(String, String)>,
    Body(body): Body<AccountBody>,
) -> Result<Json<AccountIdBody>, OneAccessError> {
    let mut request: accounts::AccountRequest = body.into();
    request.user_id = None;
    accounts::update(
        &state,
        &caller.context,
        &application_id,
        &account_id,
        request,
    )
    .await?;
    Ok(Json(AccountIdBody { account_id }))
}

/// `DELETE /applications/{application_id}/accounts/{account_id}`.
pub async fn delete_account(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, account_id)): Path<(String, String)>,
) -> Result<StatusCode, OneAccessError> {
    accounts::act(
        &state,
        &caller.context,
        &application_id,
        &account_id,
        Lifecycle::Delete,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /applications/{application_id}/accounts/{account_id}/enable`.
pub async fn enable_account(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, account_id)): Path<(String, String)>,
) -> Result<Json<AccountIdBody>, OneAccessError> {
    accounts::act(
        &state,
        &caller.context,
        &application_id,
        &account_id,
        Lifecycle::Enable,
    )
    .await?;
    Ok(Json(AccountIdBody { account_id }))
}

/// `PUT /applications/{application_id}/accounts/{account_id}/disable`.
pub async fn disable_account(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path((application_id, account_id)): Path<(String, String)>,
) -> Result<Json<AccountIdBody>, OneAccessError> {
    accounts::act(
        &state,
        &caller.context,
        &application_id,
        &account_id,
        Lifecycle::Disable,
    )
    .await?;
    Ok(Json(AccountIdBody { account_id }))
}
