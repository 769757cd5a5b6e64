//! The HTTP application: every surface's router, health probes, request ids and the access log.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use store::fault::WriteState;
use tower::ServiceBuilder;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};

use usecases::limits::TrustedProxies;
use usecases::AppState;

/// Every surface; `/metrics` too when `metrics` names who may scrape it on this listener (it is
/// `None` when metrics have a listener of their own).
pub fn router(state: AppState, metrics: Option<TrustedProxies>) -> Router {
    let mut router = Router::new();
    if let Some(allow) = metrics {
        let scrape = move |request| crate::metrics::scrape_allowed(allow.clone(), request);
        router = router.route("/metrics", get(scrape));
    }
    let (described, descriptions) = crate::docs::described();
    let routes = router
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route(
            "/.well-known/idaas-checkpoint-keys",
            get(crate::checkpoints::published_keys),
        )
        .merge(described)
        .merge(sso::router())
        .merge(crate::docs::router(descriptions))
        // Runs once the router has matched a route: the note of the route template for the access
        // line, the client's address, and the rate limits (every limited endpoint is a route).
        .route_layer(from_fn_with_state(state.clone(), around_route))
        .with_state(state);
    // Around the router as a whole: `Router::layer` wraps each route on its own, and every
    // request then cloned and boxed these four layers with its route (issue 20).
    let around = ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(OrderedRequestIds))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(from_fn(crate::access_log::log))
        .layer(axum::middleware::map_response(no_framing))
        .service(routes);
    Router::new().fallback_service(around)
}

/// The route layers, as one (issue 20): a route layer wraps each route on its own, and every
/// request clones and boxes each of them with its route. In order: the route template noted for
/// the access line, the client's address put on the request, the endpoint's rate limit.
async fn around_route(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let route = crate::access_log::matched_route(&request);
    crate::limits::note_address(&state, &mut request);
    let response = crate::limits::guard(&state, request, next).await;
    crate::access_log::note_route(response, route)
}

/// A request's id, when the caller sent none: a time-ordered UUID (v7), so the audit trail's
/// index by correlation id grows at its end instead of on a random page per event
/// (ops/adr/0031).
#[derive(Clone, Copy)]
struct OrderedRequestIds;

impl MakeRequestId for OrderedRequestIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let id = uuid::Uuid::now_v7().to_string();
        axum::http::HeaderValue::from_str(&id)
            .ok()
            .map(RequestId::new)
    }
}

/// Pages (sign-in, consent, logout confirmation, SAML and CAS pages) may not be framed by another
/// site (clickjacking): `frame-ancestors 'none'` and `X-Frame-Options: DENY` on every HTML answer.
async fn no_framing(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html {
        let headers = response.headers_mut();
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers
            .entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(HeaderValue::from_static("frame-ancestors 'none'"));
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
    }
    response
}

/// Ready when the database answers within a second and writes succeed (ops/adr/0011): 503 at
/// once while the database is down or storage refuses writes (a full disk), with what is wrong.
async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let db = state.bus.store().database();
    if !db.ping().await {
        let body = json!({ "status": "unavailable", "database": "down" });
        return (StatusCode::SERVICE_UNAVAILABLE, Json(body));
    }
    db.probe_write().await;
    match db.health.writes() {
        WriteState::Ok => {
            let body = json!({ "status": "ready", "database": "up", "writes": "ok" });
            (StatusCode::OK, Json(body))
        }
        WriteState::Failing { fault, for_seconds } => {
            let body = json!({
                "status": "unavailable",
                "database": "up",
                "writes": "failing",
                "fault": fault.kind.as_str(),
                "for_seconds": for_seconds,
            });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body))
        }
    }
}

/// Rewrites a request's path before routing where a dialect serves paths its document prints
/// defectively (Inspur's repeated `/idaas/v1` prefixes and `//`, specs/inspur-idaas.md §1.1).
pub fn normalise<B>(request: &mut axum::http::Request<B>) {
    let uri = request.uri();
    let Some(path) = inspur::normalise_path(uri.path()) else {
        return;
    };
    let rewritten = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    if let Ok(rewritten) = rewritten.parse() {
        *request.uri_mut() = rewritten;
    }
}
