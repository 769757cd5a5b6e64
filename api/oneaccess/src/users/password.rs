//! Password changes (specs/oneaccess.md §2.2 #7 administrator reset, #8 with the old password).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::dto::UserIdBody;
use super::UserId;
use crate::body::{flag, text, Body};
use crate::error::OneAccessError;
use idaas_http::caller::ManagementCaller;
use usecases::users;
use usecases::AppState;

#[derive(Deserialize)]
pub struct ChangePasswordBody {
    #[serde(default, deserialize_with = "text")]
    password: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    pwd_must_modify: Option<bool>,
}

/// `PUT /users/{user_id}/change-password` — 200 `{"user_id"}`.
pub async fn change_password(
    State(state): State<AppState>,
    caller: ManagementCaller,
    UserId(user_id): UserId,
    Body(body): Body<ChangePasswordBody>,
) -> Result<Json<UserIdBody>, OneAccessError> {
    users::change_password(
        &state,
        &caller.context,
        &user_id,
        body.password,
        body.pwd_must_modify,
    )
    .await?;
    Ok(Json(UserIdBody { user_id }))
}

#[derive(Deserialize)]
pub struct VerifiedChangeBody {
    #[serde(default, deserialize_with = "text")]
    password: Option<String>,
    #[serde(default, deserialize_with = "text")]
    old_password: Option<String>,
}

/// `PUT /users/{user_id}/change-password-verify` — 200 `{"user_id"}`.
pub async fn change_password_verify(
    State(state): State<AppState>,
    caller: ManagementCaller,
    UserId(user_id): UserId,
    Body(body): Body<VerifiedChangeBody>,
) -> Result<Json<UserIdBody>, OneAccessError> {
    users::change_password_verified(
        &state,
        &caller.context,
        &user_id,
        body.old_password,
        body.password,
    )
    .await?;
    Ok(Json(UserIdBody { user_id }))
}
