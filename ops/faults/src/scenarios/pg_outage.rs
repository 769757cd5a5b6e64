//! `pg_outage` (PostgreSQL, root): the server runs on a private cluster (its own port, created
//! for the run and dropped after it; the shared cluster is never touched) with a 2 s pool
//! acquire timeout. Under load the cluster is stopped (`-m immediate`) for a few seconds: every
//! request must still be answered within a few seconds and `/readyz` must answer 503 within
//! 1 s. Then the cluster is started again and writes must be acknowledged without restarting
//! the server. Every acknowledged write is checked and the store verified.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{finish, target, Mode, STARTUP, WORKERS};
use crate::client::Api;
use crate::ledger::SharedLedger;
use crate::load::Load;
use crate::prereq;
use crate::probe;
use crate::report::{histogram, max_ms, p50_max, Engine, Report};
use crate::server::{free_port, Node, Store};
use crate::system::PrivateCluster;

/// The longest a request may take while the database is down.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);
const READY_WITHIN: Duration = Duration::from_secs(1);
/// Longer than the server's default 30 s pool timeout, so that a hang shows as a hang.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(40);

pub async fn run(work: PathBuf, mode: Mode, binary: PathBuf) -> anyhow::Result<Report> {
    let version = prereq::postgres_version().map_err(anyhow::Error::msg)?;
    let cluster = PrivateCluster::create(&version, free_port()?).await?;
    let data = work.join("data");
    std::fs::create_dir_all(&data)?;
    let mut store = Store::new(binary, Some(cluster.url()), data, work.clone());
    store
        .extra_env
        .push(("IDAAS_DATABASE_ACQUIRE_TIMEOUT_MS".into(), "2000".into()));
    let api = Api::new(CLIENT_TIMEOUT)?;
    let mut node = Node::spawn(&store, "node", free_port()?)?;
    node.wait_ready(&api, STARTUP).await?;
    let target = target(&api, &store, &node).await?;
    let ledger = SharedLedger::default();
    let load = Load::start(&api, &target, &ledger, WORKERS, "p");
    tokio::time::sleep(mode.pick(Duration::from_secs(2), Duration::from_secs(5))).await;

    let outage = mode.pick(Duration::from_secs(8), Duration::from_secs(20));
    // The outage lasts from the stop command to the end of the start command (which waits for
    // the cluster's recovery); requests in flight at any moment of it count.
    let down_at = Instant::now();
    cluster.stop_immediately().await?;
    let ready = probe::readyz(
        &api,
        &target.base,
        down_at + outage,
        Duration::from_millis(500),
    );
    tokio::time::sleep_until((down_at + outage).into()).await;
    cluster.start().await?;
    let up_at = Instant::now();
    let resume_within = mode.pick(Duration::from_secs(20), Duration::from_secs(60));
    let every = Duration::from_millis(100);
    let resumed = probe::until_write_acked(&api, &target, &ledger, every, resume_within).await;
    let ready = ready.await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    load.stop().await;
    let alive = node.running();

    let snapshot = ledger.snapshot();
    let during = snapshot.requests_overlapping(down_at, up_at);
    let latencies: Vec<Duration> = during.iter().map(|r| r.elapsed).collect();
    let statuses = histogram(during.iter().map(|r| r.answer.status_text()));
    let answered_late = during.iter().filter(|r| r.elapsed >= ANSWER_WITHIN).count();

    let mut report = Report::new("pg_outage", Engine::Postgres);
    finish(&mut report, &api, &mut node, &store, &ledger).await?;
    report.figure("outage_ms", (up_at - down_at).as_millis());
    report.figure("outage_requests", during.len());
    report.figure("outage_status", &statuses);
    report.figure("outage_request_ms", p50_max(&latencies));
    report.figure("readyz_outage", histogram(&ready.statuses));
    report.figure("readyz_outage_ms", p50_max(&ready.latencies));
    report.figure(
        "resume_ms",
        resumed.map_or_else(|| "never".to_string(), |d| d.as_millis().to_string()),
    );

    report.expect(
        alive == Ok(true),
        format!("the server did not survive the outage: {alive:?}"),
    );
    report.expect(
        answered_late == 0,
        format!(
            "{answered_late} of {} requests in flight during the outage took {} ms or more (up to {} ms; answers: {statuses})",
            during.len(),
            ANSWER_WITHIN.as_millis(),
            max_ms(&latencies)
        ),
    );
    report.expect(
        ready.all("503") && max_ms(&ready.latencies) < READY_WITHIN.as_millis(),
        format!(
            "/readyz during the outage answered {} in up to {} ms; expected 503 within {} ms",
            histogram(&ready.statuses),
            max_ms(&ready.latencies),
            READY_WITHIN.as_millis()
        ),
    );
    report.expect(
        resumed.is_some(),
        format!(
            "writes were not acknowledged again within {} s of the database's return (without a restart)",
            resume_within.as_secs()
        ),
    );
    drop(node);
    drop(cluster);
    Ok(report)
}
