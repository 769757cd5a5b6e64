//! Add (#24, 201), update (#25), delete (#26, 204), enable (#29) and disable (#30) an account.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::dto::{AccountBody, AccountIdBody};
use crate::body::Body;
use crate::error::{ErrorBody, OAuthError, OneAccessError, FAILED, FORBIDDEN, UNAUTHORIZED};
use idaas_http::caller::ManagementCaller;
use usecases::accounts;
use usecases::{AppState, Lifecycle};

/// Adds a basic account for a user to an application.
#[utoipa::path(
    post,
    path = "/applications/{application_id}/accounts/basic-account",
    tag = "application accounts",
    params(("application_id" = String, Path, description = "The application.")),
    request_body = AccountBody,
    responses(
        (status = 201, description = "The new account's id.", body = AccountIdBody),
        (status = 400, description = "No such application (APP.0001) or user (USER.0001), no user \
            (USER.0061), a disabled application (APP.0003), an account that exists already \
            (APP_ACCOUNT.0002), an invalid name (APP_ACCOUNT.0036), an unknown application \
            organisation (APP_ORG.0001, APP_ORG.0002), an unknown extension attribute \
            (APP_ACCOUNT.0007).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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

/// Updates an application account; the linked user cannot change.
#[utoipa::path(
    put,
    path = "/applications/{application_id}/accounts/{account_id}",
    tag = "application accounts",
    params(
        ("application_id" = String, Path, description = "The application."),
        ("account_id" = String, Path, description = "The account."),
    ),
    request_body(
        content = AccountBody,
        description = "The fields to change; `user_id` is ignored."
    ),
    responses(
        (status = 200, description = "The account's id.", body = AccountIdBody),
        (status = 400, description = "No such application (APP.0001) or account \
            (APP_ACCOUNT.0001), a duplicate or invalid name (APP_ACCOUNT.0002, APP_ACCOUNT.0036), \
            an unknown application organisation (APP_ORG.0001, APP_ORG.0002), an unknown extension \
            attribute (APP_ACCOUNT.0007).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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

/// Deletes an application account.
#[utoipa::path(
    delete,
    path = "/applications/{application_id}/accounts/{account_id}",
    tag = "application accounts",
    params(
        ("application_id" = String, Path, description = "The application."),
        ("account_id" = String, Path, description = "The account."),
    ),
    responses(
        (status = 204, description = "Deleted; no body."),
        (status = 400, description = "No such application (APP.0001) or account \
            (APP_ACCOUNT.0001).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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

/// Enables an application account.
#[utoipa::path(
    put,
    path = "/applications/{application_id}/accounts/{account_id}/enable",
    tag = "application accounts",
    params(
        ("application_id" = String, Path, description = "The application."),
        ("account_id" = String, Path, description = "The account."),
    ),
    responses(
        (status = 200, description = "The account's id.", body = AccountIdBody),
        (status = 400, description = "No such application (APP.0001) or account \
            (APP_ACCOUNT.0001).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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

/// Disables an application account.
#[utoipa::path(
    put,
    path = "/applications/{application_id}/accounts/{account_id}/disable",
    tag = "application accounts",
    params(
        ("application_id" = String, Path, description = "The application."),
        ("account_id" = String, Path, description = "The account."),
    ),
    responses(
        (status = 200, description = "The account's id.", body = AccountIdBody),
        (status = 400, description = "No such application (APP.0001) or account \
            (APP_ACCOUNT.0001).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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
