//! The OneAccess management surface (`/api/v2/tenant/...`, specs/oneaccess.md §1–§4).

pub mod auth;
pub mod body;
pub mod error;
mod organizations;
mod token;
mod users;

use axum::routing::post;
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    let tenant = Router::new()
        .route("/token", post(token::token))
        .merge(users::router())
        .merge(organizations::router());
    Router::new()
        .nest("/api/v2/tenant", tenant)
        .layer(axum::middleware::from_fn(error::localise))
}
