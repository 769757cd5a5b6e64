//! OneAccess user management (specs/oneaccess.md §2.2 #2–#11).

mod create;
mod dto;
mod lifecycle;
mod password;
mod read;
mod update;

use axum::routing::{post, put};
use axum::Router;

use crate::state::AppState;

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
