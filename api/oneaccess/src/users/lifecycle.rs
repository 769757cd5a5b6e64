//! Enable, disable and delete a user (specs/oneaccess.md §2.2 #4, #5, #6).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::dto::UserIdBody;
use super::UserId;
use crate::error::{ErrorBody, OAuthError, OneAccessError, FAILED, FORBIDDEN, UNAUTHORIZED};
use idaas_http::caller::ManagementCaller;
use usecases::users;
use usecases::{AppState, Lifecycle};

/// Enables a user.
#[utoipa::path(
    put,
    path = "/users/{user_id}/enable",
    tag = "users",
    params(("user_id" = String, Path, description = "The user.")),
    responses(
        (status = 200, description = "The user's id.", body = UserIdBody),
        (status = 400, description = "No such user (USER.0001), a blank id (USER.0061).",
            body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn enable_user(
    State(state): State<AppState>,
    caller: ManagementCaller,
    UserId(user_id): UserId,
) -> Result<Json<UserIdBody>, OneAccessError> {
    users::change_life(&state, &caller.context, &user_id, Lifecycle::Enable).await?;
    Ok(Json(UserIdBody { user_id }))
}

/// Disables a user.
#[utoipa::path(
    put,
    path = "/users/{user_id}/disable",
    tag = "users",
    params(("user_id" = String, Path, description = "The user.")),
    responses(
        (status = 200, description = "The user's id.", body = UserIdBody),
        (status = 400, description = "No such user (USER.0001), a blank id (USER.0061).",
            body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn disable_user(
    State(state): State<AppState>,
    caller: ManagementCaller,
    UserId(user_id): UserId,
) -> Result<Json<UserIdBody>, OneAccessError> {
    users::change_life(&state, &caller.context, &user_id, Lifecycle::Disable).await?;
    Ok(Json(UserIdBody { user_id }))
}

/// Deletes a user.
#[utoipa::path(
    delete,
    path = "/users/{user_id}",
    tag = "users",
    params(("user_id" = String, Path, description = "The user.")),
    responses(
        (status = 204, description = "Deleted; no body."),
        (status = 400, description = "No such user (USER.0001), a blank id (USER.0061).",
            body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn delete_user(
    State(state): State<AppState>,
    caller: ManagementCaller,
    UserId(user_id): UserId,
) -> Result<StatusCode, OneAccessError> {
    users::change_life(&state, &caller.context, &user_id, Lifecycle::Delete).await?;
    Ok(StatusCode::NO_CONTENT)
}
