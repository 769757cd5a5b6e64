//! OpenTelemetry traces over OTLP/HTTP (ops/adr/0016, docs/operations.md "Tracing"): a request's
//! span reaches a collector with its request id, route and status; a use case's span is its
//! child; an append batch and its projection have spans; a caller's `traceparent` is continued;
//! the spans still batched are sent when the server stops.
//!
//! The collector is a tiny OTLP/HTTP receiver in this test (`POST /v1/traces`); the server runs
//! in a child process (`events::metrics::observed_child`) told where it is only by the standard
//! `OTEL_EXPORTER_OTLP_*` variables or `IDAAS_OTLP_ENDPOINT`.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::routing::post;
use axum::Router;
use idaas_tests::{on_both_engines, Engine, TestDatabase};
use reqwest::Method;
use serde_json::{json, Value};

use super::metrics::ObservedServer;

/// Every body posted to `/v1/traces`.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<Bytes>>>);

async fn receive(
    State(received): State<Received>,
    body: Bytes,
) -> ([(header::HeaderName, &'static str); 1], &'static str) {
    received.0.lock().expect("received").push(body);
    // An empty ExportTraceServiceResponse: everything accepted.
    ([(header::CONTENT_TYPE, "application/json")], "{}")
}

/// Starts the receiver on a port of its own; returns its base URL.
async fn collector() -> (String, Received) {
    let received = Received::default();
    let app = Router::new()
        .route("/v1/traces", post(receive))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), received)
}

/// Every span of the OTLP/JSON bodies received.
fn spans(received: &Received) -> Vec<Value> {
    let bodies = received.0.lock().expect("received").clone();
    let mut spans = Vec::new();
    for body in bodies {
        let export: Value = serde_json::from_slice(&body).expect("OTLP/JSON");
        for resource in export["resourceSpans"].as_array().into_iter().flatten() {
            for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
                spans.extend(scope["spans"].as_array().into_iter().flatten().cloned());
            }
        }
    }
    spans
}

/// A span's string attribute.
fn attribute<'a>(span: &'a Value, key: &str) -> Option<&'a str> {
    span["attributes"]
        .as_array()?
        .iter()
        .find(|a| a["key"] == key)?["value"]["stringValue"]
        .as_str()
}

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";

async fn a_requests_span_reaches_the_collector_with_its_request_id(engine: Engine) {
    let (collector, received) = collector().await;
    let database = TestDatabase::create(engine).await;
    let vars = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", collector.as_str()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
    ];
    let server = ObservedServer::start(&database, &vars);
    let c = &server.client;
    let token = c
        .token(&server.client_id, &server.client_secret, None)
        .await;
    let app = c
        .post(
            "/admin/v1/applications",
            &token,
            json!({"name": "Traced app"}),
        )
        .await
        .assert_status(201)
        .clone();
    let created = c
        .send(
            Method::POST,
            "/api/v2/tenant/users",
            Some(&token),
            Some(
                &json!({"user_name": "traced.person", "name": "Traced Person", "mobile": "13800138001",
                         "password": "Traced#Pass1", "pwd_must_modify": false}),
            ),
            &[("x-request-id", "trace-create-1")],
        )
        .await;
    created.assert_status(201);
    let traceparent = format!("00-{TRACE_ID}-{CALLER_SPAN}-01");
    let headers = [
        ("x-request-id", "trace-sign-in-2"),
        ("traceparent", traceparent.as_str()),
        ("X-operating-sys-version", "Android 10"),
        ("X-device-fingerprint", "fp-traced"),
        ("X-agent", "idaas-tests"),
        ("X-client-id", app["client_id"].as_str().unwrap()),
    ];
    let body = json!({"user_name": "traced.person", "password": "Wrong#Pass2"});
    c.send(
        Method::POST,
        "/api/v2/sdk/login",
        None,
        Some(&body),
        &headers,
    )
    .await
    .assert_error("LOGIN.0002");
    let secret = server.client_secret.clone();
    // Nothing is asked of the exporter's timer: the stop flushes what is batched.
    let log = server.stop();

    let spans = spans(&received);
    let request = |id: &str| -> Value {
        let found: Vec<&Value> = spans
            .iter()
            .filter(|s| s["name"] != "" && attribute(s, "request_id") == Some(id))
            .collect();
        assert_eq!(found.len(), 1, "one span of {id} in {spans:#?}\n{log}");
        found[0].clone()
    };
    let create = request("trace-create-1");
    assert_eq!(create["name"], "POST /api/v2/tenant/users", "{create}");
    assert_eq!(
        attribute(&create, "http.route"),
        Some("/api/v2/tenant/users")
    );
    assert_eq!(attribute(&create, "tenant"), Some("default"));

    let sign_in = request("trace-sign-in-2");
    assert_eq!(sign_in["name"], "POST /api/v2/sdk/login");
    assert_eq!(sign_in["traceId"], TRACE_ID, "the caller's trace goes on");
    assert_eq!(sign_in["parentSpanId"], CALLER_SPAN);
    let use_case = spans
        .iter()
        .find(|s| s["name"] == "check_password")
        .unwrap_or_else(|| panic!("the use case's span in {spans:#?}"));
    assert_eq!(use_case["traceId"], TRACE_ID);
    assert_eq!(use_case["parentSpanId"], sign_in["spanId"], "{use_case}");

    let batch = spans
        .iter()
        .find(|s| s["name"] == "append batch")
        .unwrap_or_else(|| panic!("an append batch span in {spans:#?}"));
    assert!(
        spans
            .iter()
            .any(|s| s["name"] == "projection" && s["parentSpanId"] == batch["spanId"]),
        "a projection span inside an append batch: {spans:#?}"
    );
    // A batch serves several requests: it links to the span each append was asked for in.
    let linked_to_create = spans.iter().any(|s| {
        s["name"] == "append batch"
            && s["links"]
                .as_array()
                .is_some_and(|links| links.iter().any(|l| l["traceId"] == create["traceId"]))
    });
    assert!(
        linked_to_create,
        "the user's creation is linked from its append batch: {spans:#?}"
    );
    let all = serde_json::to_string(&spans).expect("spans");
    for sent in [
        "Traced#Pass1",
        "Wrong#Pass2",
        "traced.person",
        secret.as_str(),
    ] {
        assert!(!all.contains(sent), "{sent} in the traces");
    }
    database.drop_database().await;
}

/// `IDAAS_OTLP_ENDPOINT` names the collector's base URL; the default encoding is protobuf, whose
/// strings travel as they are: the request id and the span's name are in the bytes received.
async fn idaas_otlp_endpoint_sends_protobuf_spans(engine: Engine) {
    let (collector, received) = collector().await;
    let database = TestDatabase::create(engine).await;
    let server = ObservedServer::start(&database, &[("IDAAS_OTLP_ENDPOINT", collector.as_str())]);
    server
        .client
        .send(
            Method::GET,
            "/healthz",
            None,
            None,
            &[("x-request-id", "trace-probe-3")],
        )
        .await
        .assert_status(200);
    let log = server.stop();
    let bodies = received.0.lock().expect("received").clone();
    let contains = |needle: &str| {
        bodies
            .iter()
            .any(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
    };
    assert!(!bodies.is_empty(), "nothing reached the collector:\n{log}");
    assert!(
        bodies
            .iter()
            .all(|b| serde_json::from_slice::<Value>(b).is_err()),
        "protobuf, not JSON"
    );
    assert!(contains("trace-probe-3"), "the request id:\n{log}");
    assert!(contains("GET /healthz"), "the span's name");
    database.drop_database().await;
}

on_both_engines!(
    a_requests_span_reaches_the_collector_with_its_request_id,
    idaas_otlp_endpoint_sends_protobuf_spans,
);
