//! `PUT /api/v2/tenant/users/{user_id}` — update a user (specs/oneaccess.md §2.2 #3): a partial
//! update; absent or empty attributes stay as they are, a relation list replaces the relations.

use axum::extract::State;
use axum::Json;

use super::dto::{UserBody, UserIdBody};
use super::UserId;
use crate::body::Body;
use crate::error::{ErrorBody, OAuthError, OneAccessError, FAILED, FORBIDDEN, UNAUTHORIZED};
use idaas_http::caller::ManagementCaller;
use usecases::users;
use usecases::AppState;

/// Updates a user: absent or empty attributes stay; a relation list replaces the relations.
#[utoipa::path(
    put,
    path = "/users/{user_id}",
    tag = "users",
    params(("user_id" = String, Path, description = "The user.")),
    request_body(content = UserBody, description = "The attributes to change; `password` is \
        ignored."),
    responses(
        (status = 200, description = "The user's id.", body = UserIdBody),
        (status = 400, description = "No such user (USER.0001), a blank id (USER.0061), a \
            duplicate or invalid attribute (USER.*), a bad relation list (PARAM.0029), a body that \
            is not JSON (PARAM.0000).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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
