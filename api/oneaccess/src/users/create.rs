//! `POST /api/v2/tenant/users` — create a user (specs/oneaccess.md §2.2 #2). 201 `{"user_id"}`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::dto::{UserBody, UserIdBody};
use crate::body::Body;
use crate::error::{ErrorBody, OAuthError, OneAccessError, FAILED, FORBIDDEN, UNAUTHORIZED};
use idaas_http::caller::ManagementCaller;
use usecases::users;
use usecases::AppState;

/// Creates a user.
#[utoipa::path(
    post,
    path = "/users",
    tag = "users",
    request_body = UserBody,
    responses(
        (status = 201, description = "The new user's id.", body = UserIdBody),
        (status = 400, description = "A required, duplicate or invalid attribute \
            (USER.0008–USER.0056), a password the policy refuses (PWD.*), an unknown organisation \
            code, a bad relation list (PARAM.0029, USER.*), or a body that is not JSON \
            (PARAM.0000).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_user(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Body(body): Body<UserBody>,
) -> Result<(StatusCode, Json<UserIdBody>), OneAccessError> {
    let request = body.into_request()?;
    let user_id = users::create(&state, &caller.context, request).await?;
    Ok((StatusCode::CREATED, Json(UserIdBody { user_id })))
}
