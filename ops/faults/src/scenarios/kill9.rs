//! `kill9`: mixed load (creates, renames, tokens) while the server is killed with SIGKILL at
//! random moments and restarted on the same store each time; afterwards every acknowledged
//! write must be there with its last acknowledged value, and `idaas verify` must be clean.
//! Reports the restart times (spawn to `/readyz` 200).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{finish, target, Mode, Site, STARTUP, WORKERS};
use crate::client::Api;
use crate::ledger::SharedLedger;
use crate::load::{Load, Rng};
use crate::report::{p50_max, Engine, Report};
use crate::server::{free_port, Node};

pub async fn run(
    work: PathBuf,
    engine: Engine,
    mode: Mode,
    binary: PathBuf,
) -> anyhow::Result<Report> {
    let site = Site::create(&work, engine, binary).await?;
    let api = Api::new(Duration::from_secs(15))?;
    let mut node = Node::spawn(&site.store, "node", free_port()?)?;
    node.wait_ready(&api, STARTUP).await?;
    let target = target(&api, &site.store, &node).await?;
    let ledger = SharedLedger::default();
    let load = Load::start(&api, &target, &ledger, WORKERS, "k");

    let kills = mode.pick(2, 12);
    let mut rng = Rng::seeded();
    let mut restarts = Vec::new();
    let mut quiet_after_restart = 0;
    let mut since = Instant::now();
    for _ in 0..kills {
        tokio::time::sleep(Duration::from_millis(1200 + rng.below(1300))).await;
        if ledger.acked_since(since) == 0 {
            quiet_after_restart += 1;
        }
        node.kill();
        node.start()?;
        restarts.push(node.wait_ready(&api, STARTUP).await?);
        since = Instant::now();
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    if ledger.acked_since(since) == 0 {
        quiet_after_restart += 1;
    }
    load.stop().await;

    let mut report = Report::new("kill9", engine);
    finish(&mut report, &api, &mut node, &site.store, &ledger).await?;
    report.figure("kills", kills);
    report.figure("restart_ms", p50_max(&restarts));
    report.figure(
        "restart_ms_all",
        restarts
            .iter()
            .map(|d| d.as_millis().to_string())
            .collect::<Vec<_>>()
            .join(","),
    );
    report.expect(
        quiet_after_restart == 0,
        format!("{quiet_after_restart} start(s) were followed by no acknowledged write before the next kill"),
    );
    Ok(report)
}
