//! `POST /admin/v1/users/{user_id}/erase` (DESIGN.md "Audit and compliance", ops/adr/0026):
//! erases a user — deleted if still live, its data key and its application accounts' keys
//! destroyed and its request metadata deleted, in the append transaction of its `user.erased`,
//! with the calling credential as actor. Answers `{"user_id", "erased": true}`; 404 for an unknown
//! user, 409 for one already erased.

use axum::extract::{Path, State};
use axum::Json;
use domain::user::{ErasureReason, UserError};
use serde::Serialize;
use usecases::ServiceError;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::error::{AdminError, CallFailures, ErrorBody};
use idaas_http::caller::ManagementCaller;
use idaas_http::openapi::ApiRouter;
use usecases::AppState;

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(routes!(erase))
}

/// What an erasure did.
#[derive(Debug, Serialize, ToSchema)]
struct ErasedAnswer {
    user_id: String,
    /// Always true: the user's personal data can no longer be read.
    erased: bool,
}

/// Erases a user: deleted (if it was not), its personal data made unreadable for good.
#[utoipa::path(
    post,
    path = "/users/{user_id}/erase",
    tag = "users",
    params(("user_id" = String, Path, description = "The user.")),
    responses(
        (status = 200, description = "The user is erased.", body = ErasedAnswer),
        (status = 403, description = "Not a tenant administrator's credential (recorded).", body = ErrorBody),
        (status = 404, description = "No such user.", body = ErrorBody),
        (status = 409, description = "The user is already erased, or kept changing.", body = ErrorBody),
        CallFailures,
    ),
    security(("bearer" = []))
)]
async fn erase(
    State(state): State<AppState>,
    caller: ManagementCaller,
    Path(user_id): Path<String>,
) -> Result<Json<ErasedAnswer>, AdminError> {
    let context = super::context(&caller);
    usecases::erasure::erase_user(
        &state.bus,
        &context,
        &user_id,
        ErasureReason::Request,
        state.now(),
    )
    .await
    .map_err(|e| match e {
        ServiceError::User(UserError::NotFound) => AdminError::not_found("user does not exist"),
        ServiceError::User(UserError::AlreadyErased) => {
            AdminError::conflict("user is already erased")
        }
        other => other.into(),
    })?;
    Ok(Json(ErasedAnswer {
        user_id,
        erased: true,
    }))
}
