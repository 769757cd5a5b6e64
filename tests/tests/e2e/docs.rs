//! The OpenAPI descriptions (ops/adr/0021): each JSON surface's document is served at
//! `/openapi/{surface}.json` and listed by the docs UI at `/docs`; every operation a document
//! describes is routed (never the router's own empty 404 or 405). That every route is described
//! is `workspace_rules::json_surfaces_route_only_described_handlers`.

use idaas_tests::{on_both_engines, Engine, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

/// Every described surface, by the name in its document's address.
const SURFACES: [&str; 7] = [
    "admin",
    "oneaccess",
    "oneaccess-sdk",
    "inspur",
    "hainan",
    "oauth",
    "audit",
];

async fn every_described_operation_is_routed(engine: Engine) {
    let server = TestServer::start(engine).await;
    let token = server.token().await;
    let c = &server.client;
    for surface in SURFACES {
        let doc = c
            .send(
                Method::GET,
                &format!("/openapi/{surface}.json"),
                None,
                None,
                &[],
            )
            .await;
        let doc: Value = doc.assert_status(200).clone();
        assert!(
            doc["openapi"].as_str().unwrap_or("").starts_with("3.1"),
            "{surface}: OpenAPI 3.1"
        );
        let paths = doc["paths"].as_object().expect("paths");
        assert!(!paths.is_empty(), "{surface} describes its operations");
        for (path, item) in paths {
            let concrete = concrete(path);
            for method in ["get", "post", "put", "patch", "delete"] {
                if item.get(method).is_none() {
                    continue;
                }
                let reply = c
                    .send(
                        method.to_uppercase().parse().unwrap(),
                        &concrete,
                        Some(&token),
                        Some(&json!({})),
                        &[],
                    )
                    .await;
                let unrouted = matches!(reply.status.as_u16(), 404 | 405) && reply.text.is_empty();
                assert!(!unrouted, "{surface}: {method} {path} is not routed");
            }
        }
    }
    let old = c
        .send(Method::GET, "/admin/v1/openapi.json", None, None, &[])
        .await;
    assert_eq!(
        old.assert_status(200)["info"]["title"],
        "idaas administration API"
    );
    let ui = c.send(Method::GET, "/docs/", None, None, &[]).await;
    assert_eq!(ui.status.as_u16(), 200);
    assert!(ui.text.contains("swagger"), "the docs UI page");
    let config = c
        .send(Method::GET, "/docs/swagger-initializer.js", None, None, &[])
        .await;
    for surface in SURFACES {
        assert!(
            config.text.contains(&format!("/openapi/{surface}.json")),
            "the docs UI lists {surface}"
        );
    }
    server.finish().await;
}

on_both_engines!(every_described_operation_is_routed);

/// A path with every `{parameter}` filled in.
fn concrete(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_parameter = false;
    for c in path.chars() {
        match c {
            '{' => in_parameter = true,
            '}' => {
                in_parameter = false;
                out.push_str("x-1");
            }
            _ if !in_parameter => out.push(c),
            _ => {}
        }
    }
    out
}

/// Cases per operation in the fuzzing run: enough to reach every operation's refusals and a few
/// valid calls, few enough that the run stays in CI's budget.
const FUZZ_EXAMPLES: &str = "8";

/// schemathesis, from each surface's own description, finds no server error (any 5xx or a
/// dropped connection) with the bootstrap credential (tests/python/fuzz_openapi.py).
async fn schemathesis_finds_no_server_error(engine: Engine) {
    let Some(py) = idaas_tests::python::interpreter() else {
        return;
    };
    let server = TestServer::start(engine).await;
    let token = server.token().await;
    let base = format!("http://{}", server.server.as_ref().unwrap().addr);
    let bearer = format!("Authorization: Bearer {token}");
    let mut failures = Vec::new();
    let mut operations = 0;
    for surface in SURFACES {
        let args = [base.as_str(), surface, FUZZ_EXAMPLES, "-", bearer.as_str()];
        let limit = std::time::Duration::from_secs(900);
        let out = idaas_tests::python::run_json_within(&py, "fuzz_openapi.py", &args, limit).await;
        operations += out["operations"].as_u64().unwrap_or(0);
        for failure in out["failures"].as_array().into_iter().flatten() {
            failures.push(format!(
                "{surface}: {}\n{}",
                failure["operation"].as_str().unwrap_or("?"),
                failure["message"].as_str().unwrap_or("")
            ));
        }
    }
    assert!(operations > 0, "schemathesis ran no operation");
    assert!(
        failures.is_empty(),
        "{} server errors:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    server.finish().await;
}

on_both_engines!(schemathesis_finds_no_server_error);
