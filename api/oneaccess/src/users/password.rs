//! Password changes (specs/oneaccess.md §2.2 #7 administrator reset, #8 with the old password).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::UserIdBody;
use super::UserId;
use crate::body::{flag, text, Body};
use crate::error::{ErrorBody, OAuthError, OneAccessError, FAILED, FORBIDDEN, UNAUTHORIZED};
use idaas_http::caller::ManagementCaller;
use usecases::users;
use usecases::AppState;

/// An administrator's reset (Table 3-28).
#[derive(Deserialize, ToSchema)]
pub struct ChangePasswordBody {
    /// The new password, under the tenant's password policy.
    #[serde(default, deserialize_with = "text")]
    password: Option<String>,
    /// Whether the user must change it at the next sign-in (also "true" or "false").
    #[serde(default, deserialize_with = "flag")]
    pwd_must_modify: Option<bool>,
}

/// Sets a user's password (an administrator's reset).
#[utoipa::path(
    put,
    path = "/users/{user_id}/change-password",
    tag = "users",
    params(("user_id" = String, Path, description = "The user.")),
    request_body = ChangePasswordBody,
    responses(
        (status = 200, description = "The user's id.", body = UserIdBody),
        (status = 400, description = "No such user (USER.0001), a blank id (USER.0061), no \
            password (PWD.0008), a password the policy refuses (PWD.*).", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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

/// A change that proves the old password (Table 3-34).
#[derive(Deserialize, ToSchema)]
pub struct VerifiedChangeBody {
    /// The new password, under the tenant's password policy.
    #[serde(default, deserialize_with = "text")]
    password: Option<String>,
    #[serde(default, deserialize_with = "text")]
    old_password: Option<String>,
}

/// Changes a user's password, verifying the old one.
#[utoipa::path(
    put,
    path = "/users/{user_id}/change-password-verify",
    tag = "users",
    params(("user_id" = String, Path, description = "The user.")),
    request_body = VerifiedChangeBody,
    responses(
        (status = 200, description = "The user's id.", body = UserIdBody),
        (status = 400, description = "No such user (USER.0001), a blank id (USER.0061), a missing \
            old or new password (PARAM.0018, PARAM.0019), the same password twice (PARAM.0020), a \
            wrong old password (PARAM.0028), a password the policy refuses (PWD.*).",
            body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = OAuthError),
        (status = 403, description = FORBIDDEN, body = OAuthError),
        (status = "5XX", description = FAILED, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
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
