//! OneAccess application accounts (specs/oneaccess.md §2.5 #24–#30). The literal segment
//! `basic-account` is a POST route of its own, never taken for an `{account_id}`.

mod dto;
mod read;
mod write;

use utoipa_axum::routes;

use idaas_http::openapi::ApiRouter;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(read::list_accounts))
        .routes(routes!(write::create_account))
        .routes(routes!(
            write::update_account,
            write::delete_account,
            read::get_account
        ))
        .routes(routes!(write::enable_account))
        .routes(routes!(write::disable_account))
}
