//! Enable, disable and delete a user (specs/oneaccess.md §2.2 #4, #5, #6).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::user::UserCommand;

use super::dto::UserIdBody;
use super::UserId;
use crate::error::OneAccessError;
use idaas_http::caller::ManagementCaller;
use usecases::users;
use usecases::AppState;

/// `PUT /users/{user_id}/enable` — 200 `{"user_id"}`.
pub async fn enable_user(
    State(state): State<AppState>,
    caller: ManagementCaller,
    UserId(user_id): UserId,
) -> Result<Json<UserIdBody>, OneAccessError> {
    let command = UserCommand::Enable { now: state.now() };
    users::run(&state, &caller.context, &user_id, command).await?;
    Ok(Json(UserIdBody { user_id }))
}

/// `PUT /users/{user_id}/disable` — 200 `{"user_id"}`.
pub async fn disable_user(
    State(state): State<AppState>,
    caller: ManagementCaller,
    UserId(user_id): UserId,
) -> Result<Json<UserIdBody>, OneAccessError> {
    let command = UserCommand::Disable { now: state.now() };
    users::run(&state, &caller.context, &user_id, command).await?;
    Ok(Json(UserIdBody { user_id }))
}

/// `DELETE /users/{user_id}` — 204, no body.
pub async fn delete_user(
    State(state): State<AppState>,
    caller: ManagementCaller,
    UserId(user_id): UserId,
) -> Result<StatusCode, OneAccessError> {
    let command = UserCommand::Delete { now: state.now() };
    users::run(&state, &caller.context, &user_id, command).await?;
    Ok(StatusCode::NO_CONTENT)
}
