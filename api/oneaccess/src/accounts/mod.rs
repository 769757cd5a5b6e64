//! OneAccess application accounts (specs/oneaccess.md §2.5 #24–#30). The literal segment
//! `basic-account` is a POST route of its own, never taken for an `{account_id}`.

mod dto;
mod read;
mod write;

use axum::routing::{get, post, put};
use axum::Router;

use usecases::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/applications/{application_id}/accounts",
            get(read::list_accounts),
        )
        .route(
            "/applications/{application_id}/accounts/basic-account",
            post(write::create_account),
        )
        .route(
            "/applications/{application_id}/accounts/{account_id}",
            put(write::update_account)
                .delete(write::delete_account)
                .get(read::get_account),
        )
        .route(
            "/applications/{application_id}/accounts/{account_id}/enable",
            put(write::enable_account),
        )
        .route(
            "/applications/{application_id}/accounts/{account_id}/disable",
            put(write::disable_account),
        )
}
