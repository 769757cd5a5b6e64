//! OneAccess organisation management (specs/oneaccess.md §2.3 #14–#18). Requests say `code`,
//! responses say `org_code`.

mod read;
pub mod rules;
mod write;

use axum::routing::post;
use axum::Router;

use usecases::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/organizations",
            post(write::create_org).get(read::list_orgs),
        )
        .route(
            "/organizations/{org_id}",
            axum::routing::put(write::update_org)
                .delete(write::delete_org)
                .get(read::get_org),
        )
}
