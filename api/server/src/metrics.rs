//! Prometheus metrics (ops/adr/0016, docs/operations.md "Metrics"): the `metrics` facade records
//! in every crate, `metrics-exporter-prometheus` renders the text exposition format at
//! `/metrics`. Labels are route templates, methods, status codes and fixed words, never a path as
//! sent, a user, a client id or a tenant's data.
//!
//! The recorder is one per process (the facade's global): every server started in the process
//! records into it, as `idaas serve` starts one.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use anyhow::Context;
use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use usecases::limits::TrustedProxies;

/// Where `/metrics` is served and to whom (`[metrics]`, `IDAAS_METRICS_LISTEN`,
/// `IDAAS_METRICS_ALLOW`).
#[derive(Debug, Clone)]
pub struct MetricsSettings {
    /// A listener of its own for `/metrics`; then the main listener does not serve it.
    pub listen: Option<SocketAddr>,
    /// The peers (the connection's address, never `X-Forwarded-For`) the main listener serves
    /// `/metrics` to.
    pub allow: TrustedProxies,
}

impl MetricsSettings {
    /// From the loaded configuration (its file section and environment, checked there).
    pub fn from_config(config: &usecases::config::MetricsConfig) -> anyhow::Result<Self> {
        let allow = TrustedProxies::parse(&config.allow).context("metrics.allow")?;
        Ok(Self {
            listen: config.listen,
            allow,
        })
    }
}

/// Request latency buckets, in seconds: 1 ms to 10 s (an argon2 check takes ~60 ms in release).
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Append batch sizes: one append to `MAX_BATCH` (256).
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// The process's recorder, once installed.
static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed at the first call.
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let handle = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
            .and_then(|b| {
                b.set_buckets_for_metric(
                    Matcher::Full("idaas_event_store_batch_appends".into()),
                    BATCH_BUCKETS,
                )
            })
            .expect("non-empty buckets")
            .install_recorder()
            .expect("the only metrics recorder of the process");
        describe();
        // Histograms keep their samples until upkeep folds them in; a scrape does it too, but an
        // unscraped server must not grow.
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new()
            .name("idaas-metrics-upkeep".into())
            .spawn(move || loop {
                std::thread::sleep(Duration::from_secs(5));
                upkeep.run_upkeep();
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "starting the metrics upkeep thread");
        }
        handle
    })
}

/// The help text of every metric (what `# HELP` says at a scrape).
fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        "idaas_http_requests_total",
        "HTTP requests answered, by method, route template (- for none matched) and status code"
    );
    describe_histogram!(
        "idaas_http_request_duration_seconds",
        Unit::Seconds,
        "Time from a request's arrival to its answer's head, by method, route template and status class"
    );
    describe_counter!(
        "idaas_tokens_issued_total",
        "Tokens issued, by route template: counted in the HTTP layer as 200 answers of the token \
         endpoints (OAuth 2.0 token, management token, Inspur token), not by the issuing code"
    );
    describe_counter!(
        "idaas_tickets_issued_total",
        "Tickets and assertions issued, counted in the HTTP layer: kind=cas_service is a redirect \
         carrying a ticket= parameter (CAS login), kind=saml_response a 200 answer of the SAML \
         SSO endpoint (a response posted to the service provider, a refusal status included), \
         kind=cas_proxy a proxy ticket issued (counted where it is issued)"
    );
    describe_counter!(
        "idaas_sign_ins_total",
        "Sign-in attempts by outcome (ok: password accepted; failed; locked: refused because the \
         account is locked or must wait) and reason; a refusal after an accepted password (no \
         application account, a wrong second factor) is counted as failed too"
    );
    describe_counter!(
        "idaas_account_locks_total",
        "Accounts locked by failed sign-ins"
    );
    describe_gauge!(
        "idaas_event_store_writer_queue",
        "Appends waiting for the event store's writer after it took its last batch"
    );
    describe_histogram!(
        "idaas_event_store_batch_appends",
        "Appends written together in one transaction (group commit)"
    );
    describe_histogram!(
        "idaas_event_store_append_batch_seconds",
        Unit::Seconds,
        "Time to write and commit one append batch, inline projections included"
    );
    describe_counter!(
        "idaas_event_store_appends_total",
        "Appends by outcome (ok, conflict, claimed, guard, error)"
    );
    describe_histogram!(
        "idaas_projection_seconds",
        Unit::Seconds,
        "Time to apply one event to every inline projection, inside the append transaction"
    );
    describe_gauge!(
        "idaas_password_checks_waiting",
        "Password checks (argon2) queued for a hashing thread"
    );
    describe_gauge!(
        "idaas_password_checks_running",
        "Password checks (argon2) running on a hashing thread"
    );
    describe_counter!(
        "idaas_password_checks_refused_total",
        "Password checks refused at once because the queue was full (answered busy)"
    );
    describe_counter!(
        "idaas_cache_lookups_total",
        "Lookups of the caches of hot reads by cache (tenant_host, application, client_id, \
         management_token, access_token, signing_keys) and result (hit, miss)"
    );
    describe_counter!(
        "idaas_change_feed_resets_total",
        "Times every cache of this process was emptied (first poll, poller failing or far behind)"
    );
    describe_counter!(
        "idaas_change_feed_polled_events_total",
        "Other processes' events this process heard of through its change poller"
    );
    describe_counter!(
        "idaas_checkpoints_total",
        "Signed checkpoints of tenants' hash chains written by this process"
    );
    describe_counter!(
        "idaas_export_deliveries_total",
        "Export deliveries by consumer and outcome (ok, failed, dead_lettered)"
    );
    describe_gauge!(
        "idaas_export_position",
        "The last position an export consumer finished with (its checkpoint)"
    );
}

/// Records one answered request (called by the access log, which knows the route template).
pub fn record_request(
    method: &Method,
    route: &str,
    status: StatusCode,
    elapsed: Duration,
    location: Option<&HeaderValue>,
) {
    let handles = request_handles(method_label(method), route, status);
    handles.requests.increment(1);
    handles.duration.record(elapsed.as_secs_f64());
    if let Some(kind) = issued(route, status, location) {
        match kind {
            Issued::Token => handles
                .tokens
                .get_or_init(
                    || metrics::counter!("idaas_tokens_issued_total", "route" => route.to_string()),
                )
                .increment(1),
            Issued::CasTicket => {
                metrics::counter!("idaas_tickets_issued_total", "kind" => "cas_service")
                    .increment(1)
            }
            Issued::SamlResponse => {
                metrics::counter!("idaas_tickets_issued_total", "kind" => "saml_response")
                    .increment(1)
            }
        }
    }
}

/// The metrics of the requests of one route template, method and status.
struct RequestHandles {
    requests: metrics::Counter,
    duration: metrics::Histogram,
    /// Registered at the route's first token (only token routes have the series).
    tokens: OnceLock<metrics::Counter>,
}

/// The handles of a route, method and status, registered at their first request and kept once
/// the recorder is installed: building a labelled metric's key and finding it in the recorder
/// allocated and hashed on every request (issue 20). Routes are templates (`-` when none
/// matched) and statuses few, so the set stays small.
fn request_handles(method: &'static str, route: &str, status: StatusCode) -> Arc<RequestHandles> {
    type ByRoute = HashMap<String, Vec<((&'static str, u16), Arc<RequestHandles>)>>;
    static KEPT: OnceLock<RwLock<ByRoute>> = OnceLock::new();
    let kept = KEPT.get_or_init(Default::default);
    let key = (method, status.as_u16());
    let found = kept.read().ok().and_then(|by_route| {
        let list = by_route.get(route)?;
        list.iter().find(|(k, _)| *k == key).map(|(_, h)| h.clone())
    });
    if let Some(handles) = found {
        return handles;
    }
    // Before the recorder is installed the handles record nothing: not kept.
    let keep = HANDLE.get().is_some();
    let code = status.as_str().to_string();
    let class = format!("{}xx", status.as_u16() / 100);
    let handles = Arc::new(RequestHandles {
        requests: metrics::counter!("idaas_http_requests_total", "method" => method, "route" => route.to_string(), "status" => code),
        duration: metrics::histogram!("idaas_http_request_duration_seconds", "method" => method, "route" => route.to_string(), "status" => class),
        tokens: OnceLock::new(),
    });
    if keep {
        if let Ok(mut by_route) = kept.write() {
            let list = by_route.entry(route.to_string()).or_default();
            if !list.iter().any(|(k, _)| *k == key) {
                list.push((key, handles.clone()));
            }
        }
    }
    handles
}

#[derive(Debug, PartialEq, Eq)]
enum Issued {
    Token,
    CasTicket,
    SamlResponse,
}

/// What an answer issued, told from its route template, status and redirect: the issuing code
/// lives in the protocol crates, the HTTP layer sees every answer.
fn issued(route: &str, status: StatusCode, location: Option<&HeaderValue>) -> Option<Issued> {
    if status == StatusCode::OK && route.ends_with("/token") {
        return Some(Issued::Token);
    }
    if status == StatusCode::OK && route == "/api/v1/saml2/idp/sso" {
        return Some(Issued::SamlResponse);
    }
    let ticket = location
        .and_then(|l| l.to_str().ok())
        .and_then(|l| l.split_once('?'))
        .is_some_and(|(_, query)| query.split('&').any(|p| p.starts_with("ticket=")));
    (status.is_redirection() && ticket).then_some(Issued::CasTicket)
}

/// The method as a label: the standard ones by name, anything else as `OTHER` (a client may
/// send any token as a method).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// `/metrics` on the main listener: served to the allowed peers only.
pub async fn scrape_allowed(allow: TrustedProxies, request: Request) -> Response {
    let peer: Option<IpAddr> = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    if !peer.is_some_and(|p| allow.contains(p)) {
        let text = "metrics are not served to this address (IDAAS_METRICS_ALLOW)\n";
        return (StatusCode::FORBIDDEN, text).into_response();
    }
    scrape().await
}

/// The text exposition format.
pub async fn scrape() -> Response {
    let body = handle().render();
    let content_type = HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8");
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// The router of the separate metrics listener: `/metrics` to whoever reaches it.
pub fn separate_router() -> Router {
    Router::new().route("/metrics", get(scrape))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuance_is_told_from_route_status_and_redirect() {
        let ok = StatusCode::OK;
        assert_eq!(
            issued("/api/v1/oauth2/token", ok, None),
            Some(Issued::Token)
        );
        assert_eq!(
            issued("/api/v1/oauth2/token", StatusCode::BAD_REQUEST, None),
            None
        );
        assert_eq!(
            issued("/api/v1/saml2/idp/sso", ok, None),
            Some(Issued::SamlResponse)
        );
        let with_ticket = HeaderValue::from_static("https://app.example/cb?a=1&ticket=ST-1");
        let found = StatusCode::FOUND;
        assert_eq!(
            issued("/cas/login", found, Some(&with_ticket)),
            Some(Issued::CasTicket)
        );
        let without = HeaderValue::from_static("https://app.example/cb?a=1");
        assert_eq!(issued("/cas/login", found, Some(&without)), None);
        let pages = HeaderValue::from_static("/api/v1/login?ticketless=1");
        assert_eq!(issued("/cas/login", found, Some(&pages)), None);
        assert_eq!(issued("/healthz", ok, None), None);
    }

    #[test]
    fn unusual_methods_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        let odd = Method::from_bytes(b"X-SOMETHING").unwrap();
        assert_eq!(method_label(&odd), "OTHER");
    }
}
