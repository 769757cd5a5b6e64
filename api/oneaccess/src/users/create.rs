//! `POST /api/v2/tenant/users` — create a user (specs/oneaccess.md §2.2 #2). 201 `{"user_id"}`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::dto::{UserBody, UserIdBody};
use crate::body::Body;
use crate::error::OneAccessError;
use idaas_http::caller::ManagementCaller;
use usecases::users;
use usecases::AppState;

pub async fn create_user(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Body(body): Body<UserBody>,
) -> Result<(StatusCode, Json<UserIdBody>), OneAccessError> {
    let request = body.into_request()?;
    let user_id = users::create(&state, &caller.context, request).await?;
    Ok((StatusCode::CREATED, Json(UserIdBody { user_id })))
}
