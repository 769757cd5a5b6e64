//! Enable, disable and delete a user (specs/oneaccess.md §2.2 #4, #5, #6).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::dto::UserIdBody;
use super::UserId;
use crate::error::OneAccessError;
use idaas_http::caller::ManagementCaller;
use usecases::users;
use usecases::{AppState, Lifecycle};

/// `PUT /users/{user_id}/enable` — 200 `{"user_id"}`.
pub async fn enable_user(
    State(state): State<AppState>,
    caller: ManagementCaller,
    UserId(user_id): UserId,
) -> Result<Json<UserIdBody>, OneAccessError> {
    users::change_life(&state, &caller.context, &user_id, Lifecycle::Enable).await?;
    Ok(Json(UserIdBody { user_id }))
}

/// `PUT /users/{user_id}/disable` — 200 `{"user_id"}`.
pub async fn disable_user(
    State(state): State<AppState>,
    caller: ManagementCaller,
    UserId(user_id): UserId,
) -> Result<Json<UserIdBody>, OneAccessError> {
    users::change_life(&state, &caller.context, &user_id, Lifecycle::Disable).await?;
    Ok(Json(UserIdBody { user_id }))
}

/// `DELETE /users/{user_id}` — 204, no body.
pub async fn delete_user(
    State(state): State<AppState>,
    caller: ManagementCaller,
    UserId(user_id): UserId,
) -> Result<StatusCode, OneAccessError> {
    users::change_life(&state, &caller.context, &user_id, Lifecycle::Delete).await?;
    Ok(StatusCode::NO_CONTENT)
}
