//! `two_nodes` (both engines): three nodes (same master key, different ports) are started at the
//! same instant on an EMPTY store. All three must come up and serve, exactly one default tenant
//! with exactly one bootstrap management application must exist, and what is written through
//! one node must be readable through the others.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures::future::join_all;
use serde_json::Value;

use super::{finish, target, Site, STARTUP};
use crate::client::{Answer, Api};
use crate::ledger::SharedLedger;
use crate::load::{self, Target};
use crate::report::{p50_max, Engine, Report};
use crate::server::{free_port, Node};

const NODES: usize = 3;

pub async fn run(work: PathBuf, engine: Engine, binary: PathBuf) -> anyhow::Result<Report> {
    let site = Site::create(&work, engine, binary).await?;
    let api = Api::new(Duration::from_secs(15))?;
    let ports = (0..NODES)
        .map(|_| free_port())
        .collect::<anyhow::Result<Vec<u16>>>()?;
    let spawned_at = Instant::now();
    let mut nodes = Vec::new();
    for (i, port) in ports.into_iter().enumerate() {
        nodes.push(Node::spawn(&site.store, &format!("node{i}"), port)?);
    }
    let spread = spawned_at.elapsed();
    let waits = join_all(nodes.iter_mut().map(|n| n.wait_ready(&api, STARTUP))).await;
    let mut ready_times = Vec::new();
    let mut failures = Vec::new();
    let mut ready: Vec<Node> = Vec::new();
    for (node, wait) in nodes.into_iter().zip(waits) {
        match wait {
            Ok(took) => {
                ready_times.push(took);
                ready.push(node);
            }
            Err(e) => failures.push(format!("{e:#}")),
        }
    }

    let mut report = Report::new("two_nodes", engine);
    report.figure("started", format!("{}/{NODES}", ready.len()));
    report.figure("ready_ms", p50_max(&ready_times));
    report.figure("spawn_spread_ms", spread.as_millis());
    report.expect(
        ready.len() == NODES,
        format!(
            "{} of {NODES} nodes did not come up: {}",
            NODES - ready.len(),
            failures.join(" || ")
        ),
    );
    let Some(first) = ready.first() else {
        report.verify = site.store.verify().await?;
        return Ok(report);
    };

    let target = target(&api, &site.store, first).await?;
    let tenants = list(&api, &target, "/admin/v1/tenants").await?;
    let apps = list(&api, &target, "/admin/v1/applications").await?;
    let management = apps
        .iter()
        .filter(|a| a["api_product"] == Value::Bool(true))
        .count();
    report.figure("tenants", tenants.len());
    report.figure("applications", apps.len());
    report.figure("management_apps", management);
    report.expect(
        tenants.len() == 1 && tenants[0]["tenant_id"] == "default",
        format!(
            "expected exactly the default tenant, found {}",
            Value::Array(tenants.clone())
        ),
    );
    report.expect(
        apps.len() == 1 && management == 1,
        format!("expected exactly one (management) application, found {} ({management} with the API product)", apps.len()),
    );

    // Written through node i, read through every other node.
    let ledger = SharedLedger::default();
    let mut reads = 0;
    let mut good_reads = 0;
    for i in 0..ready.len() {
        let writer = Target {
            base: ready[i].base(),
            ..target.clone()
        };
        let (index, call) = load::create_user(&api, &writer, &ledger, &format!("n{i}")).await;
        let renamer = Target {
            base: ready[(i + 1) % ready.len()].base(),
            ..target.clone()
        };
        let renamed = load::rename(&api, &renamer, &ledger, index).await;
        let (Answer::Acked(id), true) = (&call.answer, renamed.answer.acked()) else {
            report.expect(
                false,
                format!(
                    "a write through node {i} was not acknowledged: {} / {}",
                    call.answer.status_text(),
                    renamed.answer.status_text()
                ),
            );
            continue;
        };
        let expected = ledger.lock().entities[index].attempts[1].value.clone();
        for (j, reader) in ready.iter().enumerate().filter(|(j, _)| *j != i) {
            reads += 1;
            let path = format!("/api/v2/tenant/users/{id}");
            let (status, body) = api.get(&reader.base(), &target.token, &path).await?;
            if status.is_success() && body["name"] == expected.as_str() {
                good_reads += 1;
            } else {
                report.expect(
                    false,
                    format!(
                        "user {id} written through node {i} read through node {j}: {status} {body}"
                    ),
                );
            }
        }
    }
    report.figure("cross_reads", format!("{good_reads}/{reads}"));

    let Some(mut last) = ready.pop() else {
        return Ok(report);
    };
    for mut node in ready {
        node.interrupt(Duration::from_secs(10)).await;
    }
    finish(&mut report, &api, &mut last, &site.store, &ledger).await?;
    Ok(report)
}

/// A JSON array from an admin endpoint.
async fn list(api: &Api, target: &Target, path: &str) -> anyhow::Result<Vec<Value>> {
    let (status, body) = api.get(&target.base, &target.token, path).await?;
    match body {
        Value::Array(items) if status.is_success() => Ok(items),
        other => anyhow::bail!("GET {path}: {status} {other}"),
    }
}
