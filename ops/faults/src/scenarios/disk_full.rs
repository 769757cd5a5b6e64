//! `disk_full` (SQLite, root): the data directory is a small tmpfs. Under load, the tmpfs is
//! filled until writes fail; while it is full, failed writes must answer 503 with `Retry-After`
//! within 2 s, reads of acknowledged users must answer 200 and `/readyz` 503 within 1 s. Then
//! the tmpfs is grown (`mount -o remount,size=…`) and writes must be acknowledged again without
//! a restart. Finally the server is restarted and every acknowledged write checked.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::bail;

use super::{finish, target, Mode, STARTUP, WORKERS};
use crate::client::{Answer, Api};
use crate::ledger::{SharedLedger, WriteKind};
use crate::load::Load;
use crate::probe;
use crate::report::{histogram, max_ms, p50_max, Engine, Report};
use crate::server::{free_port, Node, Store};
use crate::system::Tmpfs;

/// The tmpfs before it is filled, and after it is grown (MiB).
const SIZE_MIB: u64 = 64;
const GROWN_MIB: u64 = 256;
/// How long failed writes may take while the disk is full.
const FAIL_WITHIN: Duration = Duration::from_secs(2);
const READY_WITHIN: Duration = Duration::from_secs(1);

pub async fn run(work: PathBuf, mode: Mode, binary: PathBuf) -> anyhow::Result<Report> {
    let data = work.join("data");
    std::fs::create_dir_all(&data)?;
    let tmpfs = Tmpfs::mount(&data, SIZE_MIB)?;
    // The master key comes from the environment: nothing else needs room in the tmpfs.
    let store = Store::new(binary, None, data, work.clone());
    let api = Api::new(Duration::from_secs(15))?;
    let mut node = Node::spawn(&store, "node", free_port()?)?;
    node.wait_ready(&api, STARTUP).await?;
    let target = target(&api, &store, &node).await?;
    let ledger = SharedLedger::default();
    let load = Load::start(&api, &target, &ledger, WORKERS, "d");
    tokio::time::sleep(mode.pick(Duration::from_secs(1), Duration::from_secs(4))).await;

    // Fill it, leaving a little room so that the store fills up under the load.
    let leave = mode.pick(256 * 1024, 1024 * 1024);
    let filled_at = Instant::now();
    tmpfs.fill("filler", leave)?;
    let full_at = loop {
        if let Some(at) = ledger.first_refusal_since(filled_at) {
            break at;
        }
        if filled_at.elapsed() > Duration::from_secs(60) {
            bail!("the tmpfs was filled, but no write failed within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let filled_after = full_at - filled_at;

    let full_until = Instant::now() + mode.pick(Duration::from_secs(4), Duration::from_secs(12));
    let ready = probe::readyz(&api, &target.base, full_until, Duration::from_millis(300));
    let reads = probe::read_users(&api, &target, ledger.acked_users(mode.pick(20, 60)));
    tokio::time::sleep_until(full_until.into()).await;
    let ready = ready.await?;
    let reads = reads.await?;
    let alive_while_full = node.running();
    let grown_at = Instant::now();

    tmpfs.resize(GROWN_MIB)?;
    let resume_within = mode.pick(Duration::from_secs(15), Duration::from_secs(30));
    let every = Duration::from_millis(100);
    let resumed = probe::until_write_acked(&api, &target, &ledger, every, resume_within).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    load.stop().await;

    let snapshot = ledger.snapshot();
    let window = snapshot.requests_between(full_at, grown_at, true);
    let failed: Vec<_> = window
        .iter()
        .filter(|r| r.kind != WriteKind::Token && !r.answer.acked())
        .collect();
    let failed_tokens = window
        .iter()
        .filter(|r| r.kind == WriteKind::Token && !r.answer.acked())
        .map(|r| r.answer.status_text());
    let with_retry_after = failed
        .iter()
        .filter(|r| {
            matches!(
                r.answer,
                Answer::Refused {
                    retry_after: true,
                    ..
                }
            )
        })
        .count();
    let fail_latencies: Vec<Duration> = failed.iter().map(|r| r.elapsed).collect();
    let acked_while_full = window.iter().filter(|r| r.answer.acked()).count();

    // Restart on the grown disk, then check.
    node.interrupt(Duration::from_secs(10)).await;
    node.start()?;
    node.wait_ready(&api, STARTUP).await?;
    let mut report = Report::new("disk_full", Engine::Sqlite);
    finish(&mut report, &api, &mut node, &store, &ledger).await?;

    let statuses = histogram(failed.iter().map(|r| r.answer.status_text()));
    report.figure("filled_after_ms", filled_after.as_millis());
    // Offsets from the start of the load, to place the lost writes' times (examples) on.
    report.figure("full_from_ms", snapshot.offset_ms(full_at));
    report.figure("grown_at_ms", snapshot.offset_ms(grown_at));
    report.figure("full_failed", failed.len());
    report.figure("full_acked", acked_while_full);
    report.figure("full_status", &statuses);
    report.figure(
        "retry_after",
        format!("{with_retry_after}/{}", failed.len()),
    );
    report.figure("full_fail_ms", p50_max(&fail_latencies));
    report.figure("full_token_status", histogram(failed_tokens));
    report.figure(
        "reads_full",
        format!(
            "{}/{}",
            reads.statuses.iter().filter(|s| *s == "200").count(),
            reads.statuses.len()
        ),
    );
    report.figure("readyz_full", histogram(&ready.statuses));
    report.figure("readyz_full_ms", p50_max(&ready.latencies));
    report.figure(
        "resume_ms",
        resumed.map_or_else(|| "never".to_string(), |d| d.as_millis().to_string()),
    );

    report.expect(
        alive_while_full == Ok(true),
        format!("the server did not survive the full disk: {alive_while_full:?}"),
    );
    report.expect(
        !failed.is_empty(),
        "no write failed while the disk was full",
    );
    report.expect(
        failed.iter().all(|r| r.answer.status_text() == "503"),
        format!("while full, failed writes answered {statuses}; expected 503 only"),
    );
    report.expect(
        with_retry_after == failed.len(),
        format!(
            "only {with_retry_after} of {} failed writes had a Retry-After header",
            failed.len()
        ),
    );
    report.expect(
        max_ms(&fail_latencies) < FAIL_WITHIN.as_millis(),
        format!(
            "failed writes took up to {} ms; expected < {} ms",
            max_ms(&fail_latencies),
            FAIL_WITHIN.as_millis()
        ),
    );
    report.expect(
        reads.all("200"),
        format!(
            "reads of acknowledged users while full answered {}; expected 200",
            histogram(&reads.statuses)
        ),
    );
    report.expect(
        ready.all("503") && max_ms(&ready.latencies) < READY_WITHIN.as_millis(),
        format!(
            "/readyz while full answered {} in up to {} ms; expected 503 within {} ms",
            histogram(&ready.statuses),
            max_ms(&ready.latencies),
            READY_WITHIN.as_millis()
        ),
    );
    report.expect(
        resumed.is_some(),
        format!(
            "writes were not acknowledged again within {} s of growing the disk (without a restart)",
            resume_within.as_secs()
        ),
    );
    drop(node);
    // The store outlives the tmpfs in the work directory (kept when the scenario failed).
    copy_store(&tmpfs.path, &work.join("store-after"));
    drop(tmpfs);
    Ok(report)
}

/// Copies the SQLite files (not the filler) from `data` to `to`, for a post-mortem.
fn copy_store(data: &std::path::Path, to: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(data) else {
        return;
    };
    if std::fs::create_dir_all(to).is_err() {
        return;
    }
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with("idaas.db") {
            let _ = std::fs::copy(entry.path(), to.join(name));
        }
    }
}
