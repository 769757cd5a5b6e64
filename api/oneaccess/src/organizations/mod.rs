//! OneAccess organisation management (specs/oneaccess.md §2.3 #14–#18). Requests say `code`,
//! responses say `org_code`.

mod read;
pub mod rules;
mod write;

use utoipa_axum::routes;

use idaas_http::openapi::ApiRouter;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(write::create_org, read::list_orgs))
        .routes(routes!(write::update_org, write::delete_org, read::get_org))
}
