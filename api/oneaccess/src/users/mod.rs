//! OneAccess user management (specs/oneaccess.md §2.2 #2–#11).

mod accounts;
pub mod attributes;
mod create;
mod dto;
mod lifecycle;
mod password;
mod read;
mod update;

use axum::routing::{get, post, put};
use axum::Router;

use usecases::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", post(create::create_user).get(read::list_users))
        .route("/users/user-by-username", post(read::get_user_by_username))
        .route(
            "/users/{user_id}",
            put(update::update_user)
                .delete(lifecycle::delete_user)
                .get(read::get_user),
        )
        .route(
            "/users/{user_id}/accounts",
            get(accounts::list_user_accounts),
        )
        .route(
            "/users/{user_id}/applications/{application_id}/accounts",
            post(accounts::authorize_account),
        )
        .route("/users/{user_id}/enable", put(lifecycle::enable_user))
        .route("/users/{user_id}/disable", put(lifecycle::disable_user))
        .route(
            "/users/{user_id}/change-password",
            put(password::change_password),
        )
        .route(
            "/users/{user_id}/change-password-verify",
            put(password::change_password_verify),
        )
}

/// The `{user_id}` path segment; a blank one is USER.0061 "User ID required."
pub struct UserId(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for UserId {
    type Rejection = crate::error::OneAccessError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let required = || crate::error::OneAccessError::new("USER.0061");
        let axum::extract::Path(id) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| required())?;
        let id = id.trim();
        if id.is_empty() {
            return Err(required());
        }
        Ok(Self(id.to_string()))
    }
}
