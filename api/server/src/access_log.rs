//! One `info` line per request (ops/adr/0016): method, the matched route template (never the
//! path as sent, nor its query string, which may carry personal data or tokens), status,
//! latency, request id and tenant. Refusals on the management surfaces are security events and
//! get a `warn` line too. Everything a request logs inside its handling carries its request id
//! through the `request` span.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use idaas_http::context::noting_tenant;
use tracing::Instrument;

/// The route a request matched, carried out on its response for the access line.
#[derive(Debug, Clone)]
struct Route(MatchedPath);

/// The route template a request matched (known only once the router has routed it, inside
/// the access log's layer).
pub fn matched_route(request: &Request) -> Option<MatchedPath> {
    request.extensions().get::<MatchedPath>().cloned()
}

/// Notes the route template on the response, for the access line.
pub fn note_route(mut response: Response, route: Option<MatchedPath>) -> Response {
    if let Some(route) = route {
        response.extensions_mut().insert(Route(route));
    }
    response
}

/// Handles the request inside its `request` span and writes its access line.
pub async fn log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    // The fields left empty are filled once the answer is known, for the trace (ops/adr/0016):
    // the log's lines inside the span were written before.
    let span = tracing::info_span!(
        "request",
        method = %method,
        request_id = %request_id,
        http.route = tracing::field::Empty,
        http.response.status_code = tracing::field::Empty,
        tenant = tracing::field::Empty,
    );
    crate::telemetry::continue_trace(&span, request.headers());
    let (response, tenant) = noting_tenant(next.run(request).instrument(span.clone())).await;
    let route = response
        .extensions()
        .get::<Route>()
        .map_or("-", |Route(matched)| matched.as_str());
    let status = response.status();
    let tenant = tenant.as_deref().unwrap_or("-");
    let elapsed = started.elapsed();
    crate::telemetry::rename(&span, format!("{method} {route}"));
    span.record("http.route", route);
    span.record("http.response.status_code", i64::from(status.as_u16()));
    span.record("tenant", tenant);
    drop(span);
    let location = response.headers().get(axum::http::header::LOCATION);
    crate::metrics::record_request(&method, route, status, elapsed, location);
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    let latency_ms = (latency_ms * 10.0).round() / 10.0;
    tracing::info!(
        target: "idaas::access",
        method = %method,
        route = %route,
        status = status.as_u16(),
        latency_ms,
        request_id = %request_id,
        tenant = %tenant,
        "request"
    );
    if refused(route, status) {
        tracing::warn!(
            target: "idaas::security",
            method = %method,
            route = %route,
            status = status.as_u16(),
            request_id = %request_id,
            tenant = %tenant,
            "management request refused"
        );
    }
    response
}

/// A refusal on a management surface: no or a bad credential (401), not allowed (403), or a
/// management token refused (OneAccess answers a bad client secret there with 400,
/// `invalid_client`).
fn refused(route: &str, status: StatusCode) -> bool {
    let management = ["/api/v2/tenant/", "/admin/v1/", "/idaas/v1/"]
        .iter()
        .any(|prefix| route.starts_with(prefix));
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => management,
        StatusCode::BAD_REQUEST => route == MANAGEMENT_TOKEN,
        _ => false,
    }
}

const MANAGEMENT_TOKEN: &str = "/api/v2/tenant/token";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn management_refusals_are_told_from_other_answers() {
        let forbidden = StatusCode::FORBIDDEN;
        assert!(refused("/api/v2/tenant/users/{user_id}", forbidden));
        assert!(refused("/admin/v1/tenants", StatusCode::UNAUTHORIZED));
        assert!(refused("/idaas/v1/user/page/{page_no}", forbidden));
        assert!(refused("/api/v2/tenant/token", StatusCode::BAD_REQUEST));
        assert!(!refused("/api/v2/tenant/users", StatusCode::BAD_REQUEST));
        assert!(!refused("/api/v1/oauth2/token", StatusCode::UNAUTHORIZED));
        assert!(!refused("-", forbidden));
        assert!(!refused("/api/v2/tenant/users", StatusCode::NOT_FOUND));
    }
}
