//! Every JSON surface with its generated OpenAPI 3.1 description (ops/adr/0021): the routes of all
//! of them, each description at `/openapi/{surface}.json` (and the admin one also at its earlier
//! address, `/admin/v1/openapi.json`), and the offline Swagger UI over all of them at `/docs`.

use axum::body::Bytes;
use axum::http::header::{HeaderName, CONTENT_TYPE};
use axum::routing::get;
use axum::Router;
use idaas_http::openapi::Surface;
use utoipa::openapi::OpenApi;
use utoipa_swagger_ui::{Config, SwaggerUi, Url};

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

/// The description documents and the docs UI. Each description is kept as its JSON text only:
/// the described structures of every surface took about 15 MB for the life of the process,
/// most of an idle server's heap (issue 20, memory).
pub fn router(descriptions: Vec<(&'static str, OpenApi)>) -> Router<AppState> {
    let mut router = Router::new();
    let mut urls = Vec::new();
    for (name, description) in descriptions {
        let json = match serde_json::to_vec(&description) {
            Ok(json) => Bytes::from(json),
            Err(error) => {
                tracing::error!(%error, surface = name, "describing a surface");
                continue;
            }
        };
        let address = address(name);
        if name == admin::SURFACE {
            router = router.route("/admin/v1/openapi.json", get(serve(json.clone())));
        }
        router = router.route(address, get(serve(json)));
        urls.push(Url::new(name, address));
    }
    router.merge(Router::from(
        SwaggerUi::new("/docs").config(Config::new(urls)),
    ))
}

/// Answers with one description's JSON.
fn serve(
    json: Bytes,
) -> impl Fn() -> std::future::Ready<([(HeaderName, &'static str); 1], Bytes)> + Clone {
    move || std::future::ready(([(CONTENT_TYPE, "application/json")], json.clone()))
}

/// Where a surface's description is served. The docs UI keeps the address for the life of the
/// router, as `'static` text: one short string per surface and router built.
fn address(surface: &'static str) -> &'static str {
    Box::leak(format!("/openapi/{surface}.json").into_boxed_str())
}
