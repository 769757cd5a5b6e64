//! `PUT /api/v2/tenant/users/{user_id}` — update a user (specs/oneaccess.md §2.2 #3): a partial
//! update; absent or empty attributes stay as they are, a relation list replaces the relations.

use axum::extract::State;
use axum::Json;

use super::dto::{UserBody, UserIdBody};
use super::UserId;
use crate::body::Body;
use crate::error::OneAccessError;
use idaas_http::caller::ManagementCaller;
use usecases::users;
use usecases::AppState;

pub async fn update_user(
    State(state): State<AppState>,
    caller: ManagementCaller,
    UserId(user_id): UserId,
    Body(body): Body<UserBody>,
) -> Result<Json<UserIdBody>, OneAccessError> {
    let mut request = body.into_request()?;
    // There is no password on update (#7/#8 change it).
    request.password = None;
    users::update(&state, &caller.context, &user_id, request).await?;
    Ok(Json(UserIdBody { user_id }))
}
