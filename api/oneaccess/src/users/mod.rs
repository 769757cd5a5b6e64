//! OneAccess user management (specs/oneaccess.md §2.2 #2–#11).

mod accounts;
pub mod attributes;
mod create;
mod dto;
mod lifecycle;
mod password;
mod read;
mod update;

use utoipa_axum::routes;

use idaas_http::openapi::ApiRouter;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(create::create_user, read::list_users))
        .routes(routes!(read::get_user_by_username))
        .routes(routes!(
            update::update_user,
            lifecycle::delete_user,
            read::get_user
        ))
        .routes(routes!(accounts::list_user_accounts))
        .routes(routes!(accounts::authorize_account))
        .routes(routes!(lifecycle::enable_user))
        .routes(routes!(lifecycle::disable_user))
        .routes(routes!(password::change_password))
        .routes(routes!(password::change_password_verify))
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
