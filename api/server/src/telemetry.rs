//! OpenTelemetry traces over OTLP/HTTP (ops/adr/0016, docs/operations.md "Tracing"): off unless
//! `OTEL_EXPORTER_OTLP_ENDPOINT` (the standard variable) or `IDAAS_OTLP_ENDPOINT` names a
//! collector. The `request` span of the access log, the use cases' spans and the event store's
//! append-batch and projection spans are exported in batches, and flushed when the server stops.
//!
//! Spans only for the trace (the use cases', the store's) use the target `idaas::trace`, which the
//! log leaves out: a log line goes on naming its request's span, with the request id.

use std::time::Duration;

use anyhow::Context as _;
use axum::http::HeaderMap;
use opentelemetry::propagation::Extractor;
use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use opentelemetry_otlp::{Protocol, SpanExporter, WithExportConfig};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::runtime::Tokio;
use opentelemetry_sdk::trace::span_processor_with_async_runtime::BatchSpanProcessor;
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The target of spans that go to the trace but not to the log.
pub const TRACE_ONLY: &str = "idaas::trace";

/// Where traces go, if anywhere: `IDAAS_OTLP_ENDPOINT` (a collector's base URL, such as
/// `http://collector:4318`), else the standard `OTEL_EXPORTER_OTLP_ENDPOINT` or
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, which the exporter reads itself.
fn endpoint() -> Option<Endpoint> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if let Some(base) = var("IDAAS_OTLP_ENDPOINT") {
        let base = base.trim().trim_end_matches('/');
        return Some(Endpoint::Ours(format!("{base}/v1/traces")));
    }
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ]
    .iter()
    .any(|name| var(name).is_some())
    .then_some(Endpoint::Standard)
}

enum Endpoint {
    /// The traces URL made from `IDAAS_OTLP_ENDPOINT`.
    Ours(String),
    /// Left to the exporter's reading of the standard variables.
    Standard,
}

/// `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`: `http/protobuf` (the
/// standard default) or `http/json`. gRPC is not built in: point it at a collector's HTTP port
/// (4318).
fn protocol() -> anyhow::Result<Protocol> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let named = [
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
    ]
    .iter()
    .find_map(|name| var(name).map(|value| (*name, value)));
    match named {
        None => Ok(Protocol::HttpBinary),
        Some((_, value)) if value.trim() == "http/protobuf" => Ok(Protocol::HttpBinary),
        Some((_, value)) if value.trim() == "http/json" => Ok(Protocol::HttpJson),
        Some((name, value)) => anyhow::bail!(
            "{name}={value:?}: this build sends OTLP over HTTP only (http/protobuf or \
             http/json); use the collector's HTTP port (4318)"
        ),
    }
}

/// The trace pipeline of a serving process; `shutdown` flushes what is still batched.
pub struct Tracing {
    provider: SdkTracerProvider,
}

/// Builds the exporter and the tracer provider when an endpoint is configured. Must run inside
/// the Tokio runtime (the batches are sent from a task of it).
pub fn pipeline() -> anyhow::Result<Option<(Tracing, opentelemetry_sdk::trace::Tracer)>> {
    let Some(endpoint) = endpoint() else {
        return Ok(None);
    };
    let builder = SpanExporter::builder()
        .with_http()
        .with_protocol(protocol()?);
    let builder = match endpoint {
        Endpoint::Ours(url) => builder.with_endpoint(url),
        Endpoint::Standard => builder,
    };
    let exporter = builder
        .build()
        .context("the OTLP trace exporter (OTEL_EXPORTER_OTLP_* or IDAAS_OTLP_ENDPOINT)")?;
    let processor = BatchSpanProcessor::builder(exporter, Tokio).build();
    let resource = match std::env::var("OTEL_SERVICE_NAME") {
        Ok(name) if !name.trim().is_empty() => Resource::builder().build(),
        _ => Resource::builder().with_service_name("idaas").build(),
    };
    let provider = SdkTracerProvider::builder()
        .with_span_processor(processor)
        .with_resource(resource)
        .build();
    let tracer = provider.tracer("idaas");
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    Ok(Some((Tracing { provider }, tracer)))
}

impl Tracing {
    /// Sends the spans still batched and stops the exporter (at most `FLUSH` waiting for the
    /// collector).
    pub async fn shutdown(self) {
        let provider = self.provider;
        let flushed = tokio::task::spawn_blocking(move || provider.shutdown_with_timeout(FLUSH));
        match flushed.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "flushing the traces at the stop"),
            Err(e) => tracing::warn!(error = %e, "flushing the traces at the stop"),
        }
    }
}

/// How long the stop waits for the last spans to reach the collector.
const FLUSH: Duration = Duration::from_secs(5);

/// Names a span in the trace once its name is known (the request's, `GET /route/{template}`, after
/// routing). The exporter started it under its creation name; `otel.name` recorded afterwards
/// does not reach a started span.
pub fn rename(span: &tracing::Span, name: String) {
    span.context().span().update_name(name);
}

/// Makes `span` a child of the caller's trace when the request carries a W3C `traceparent`
/// (a proxy or a client that traces); without one the span starts a trace of its own.
pub fn continue_trace(span: &tracing::Span, headers: &HeaderMap) {
    if !headers.contains_key("traceparent") {
        return;
    }
    let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&Headers(headers))
    });
    let _ = span.set_parent(parent);
}

struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}
