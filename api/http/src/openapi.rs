//! The OpenAPI 3.1 descriptions of the JSON surfaces (ops/adr/0021), generated from the handlers:
//! every surface builds its routes with [`ApiRouter`] and `utoipa_axum::routes!`, so a route and
//! its description are one declaration and cannot drift apart. The server serves each description
//! at `/openapi/{surface}.json` and all of them in the docs UI at `/docs`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use usecases::AppState;

/// A surface's routes together with their descriptions.
pub type ApiRouter = OpenApiRouter<AppState>;

/// The security scheme name of a bearer management token, as handlers' `security(...)` name it.
pub const BEARER: &str = "bearer";

/// One JSON surface: its name (the `{surface}` of `/openapi/{surface}.json`) and what it says.
pub struct Surface {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub routes: ApiRouter,
}

impl Surface {
    /// The axum router and the surface's finished description (title, version, security
    /// schemes), split apart.
    pub fn split(self) -> (axum::Router<AppState>, OpenApi) {
        let (router, mut api) = self.routes.split_for_parts();
        api.info = InfoBuilder::new()
            .title(self.title)
            .version(env!("CARGO_PKG_VERSION"))
            .description(Some(self.description))
            .build();
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        (router, api)
    }
}
