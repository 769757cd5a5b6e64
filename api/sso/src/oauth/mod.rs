//! The OAuth 2.0 / OpenID Connect provider under `/api/v1/oauth2/` (specs/oneaccess.md §2.10–
//! §2.11, §3.3–§3.4), with discovery also at the server root.

mod authorize;
mod client;
mod discovery;
pub mod error;
mod introspect;
pub mod logout;
pub mod params;
mod token;
mod userinfo;

use axum::routing::{get, post};
use axum::Router;

use usecases::AppState;

pub fn router() -> Router<AppState> {
    let oauth = Router::new()
        .route(
            "/authorize",
            get(authorize::get_authorize).post(authorize::post_authorize),
        )
        .route("/token", post(token::token))
        .route(
            "/userinfo",
            get(userinfo::get_userinfo).post(userinfo::post_userinfo),
        )
        .route("/jwks", get(discovery::jwks))
        .route("/introspect", post(introspect::introspect))
        .route("/revoke", post(introspect::revoke))
        .route(
            "/logout",
            get(logout::get_end_session).post(logout::post_end_session),
        )
        .route(
            "/.well-known/openid-configuration",
            get(discovery::configuration),
        );
    Router::new().nest("/api/v1/oauth2", oauth).route(
        "/.well-known/openid-configuration",
        get(discovery::configuration),
    )
}
