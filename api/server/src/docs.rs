//! Every JSON surface with its generated OpenAPI 3.1 description (ops/adr/0021): the routes of all
//! of them, each description at `/openapi/{surface}.json` (and the admin one also at its earlier
//! address, `/admin/v1/openapi.json`), and the offline Swagger UI over all of them at `/docs`.

use axum::Router;
use idaas_http::openapi::Surface;
use utoipa::openapi::OpenApi;
use utoipa_swagger_ui::{SwaggerUi, Url};

use usecases::AppState;

/// The JSON surfaces, in the order the docs UI lists them.
pub fn surfaces() -> Vec<Surface> {
    vec![
        admin::surface(),
        oneaccess::management_surface(),
        oneaccess::sdk_surface(),
        inspur::surface(),
        hainan::surface(),
        sso::oauth_surface(),
        audit::surface(),
    ]
}

/// The described surfaces' routes, and every description by surface name.
pub fn described() -> (Router<AppState>, Vec<(&'static str, OpenApi)>) {
    let mut router = Router::new();
    let mut descriptions = Vec::new();
    for surface in surfaces() {
        let name = surface.name;
        let (routes, description) = surface.split();
        router = router.merge(routes);
        descriptions.push((name, description));
    }
    (router, descriptions)
}

/// The description documents and the docs UI.
pub fn router(descriptions: Vec<(&'static str, OpenApi)>) -> Router<AppState> {
    let mut ui = SwaggerUi::new("/docs");
    let mut admin = None;
    for (name, description) in descriptions {
        if name == admin::SURFACE {
            admin = Some(description.clone());
        }
        ui = ui.url(Url::new(name, address(name)), description);
    }
    let mut router = Router::from(ui);
    if let Some(description) = admin {
        let json = axum::Json(description);
        let serve = move || std::future::ready(json.clone());
        router = router.route("/admin/v1/openapi.json", axum::routing::get(serve));
    }
    router
}

/// Where a surface's description is served. The docs UI keeps the address for the life of the
/// router, as `'static` text: one short string per surface and router built.
fn address(surface: &'static str) -> &'static str {
    Box::leak(format!("/openapi/{surface}.json").into_boxed_str())
}
