//! The scenarios, what they need, and what every one of them shares: a work directory kept
//! for a post-mortem when the run fails, a fresh store on the engine, a management token, and
//! the closing check (read back every acknowledged write, then `idaas verify`).

mod disk_full;
mod kill9;
mod pg_outage;
mod two_nodes;

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;

use crate::client::Api;
use crate::fixtures::{PgDatabase, WorkDir};
use crate::ledger::SharedLedger;
use crate::load::Target;
use crate::prereq;
use crate::probe;
use crate::report::{Engine, Outcome, Report};
use crate::server::{Node, Store};

/// How long a server may take to become ready.
pub const STARTUP: Duration = Duration::from_secs(60);
/// Concurrent load workers.
pub const WORKERS: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Kill9,
    DiskFull,
    PgOutage,
    TwoNodes,
}

impl Scenario {
    pub const ALL: [Scenario; 4] = [
        Scenario::Kill9,
        Scenario::DiskFull,
        Scenario::PgOutage,
        Scenario::TwoNodes,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Kill9 => "kill9",
            Scenario::DiskFull => "disk_full",
            Scenario::PgOutage => "pg_outage",
            Scenario::TwoNodes => "two_nodes",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The engines it runs on.
    fn engines(self) -> &'static [Engine] {
        match self {
            Scenario::Kill9 | Scenario::TwoNodes => &[Engine::Sqlite, Engine::Postgres],
            Scenario::DiskFull => &[Engine::Sqlite],
            Scenario::PgOutage => &[Engine::Postgres],
        }
    }

    /// What it needs on `engine` beyond the server binary, or why it cannot run.
    fn prerequisites(self, engine: Engine) -> Result<(), String> {
        if engine == Engine::Postgres {
            prereq::postgres_url()?;
        }
        match self {
            Scenario::Kill9 | Scenario::TwoNodes => Ok(()),
            Scenario::DiskFull => {
                prereq::root()?;
                prereq::program("mount")?;
                prereq::program("umount").map(drop)
            }
            Scenario::PgOutage => {
                prereq::root()?;
                prereq::program("pg_createcluster")?;
                prereq::program("pg_ctlcluster")?;
                prereq::program("pg_dropcluster")?;
                prereq::postgres_version().map(drop)
            }
        }
    }
}

/// Short (the test: a few seconds of each fault) or long (more kills, longer faults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode {
    pub short: bool,
}

impl Mode {
    /// `short` or `long` value.
    pub fn pick<T>(self, short: T, long: T) -> T {
        if self.short {
            short
        } else {
            long
        }
    }
}

/// Runs `scenario` on each of its engines, one after another.
pub async fn run(scenario: Scenario, mode: Mode) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    let mut binary: Option<PathBuf> = None;
    for &engine in scenario.engines() {
        if let Err(why) = scenario.prerequisites(engine) {
            outcomes.push(Outcome::Skipped {
                scenario: scenario.name(),
                engine: (scenario.engines().len() > 1).then_some(engine),
                why,
            });
            continue;
        }
        let error = |error: anyhow::Error| Outcome::Error {
            scenario: scenario.name(),
            engine: Some(engine),
            error: format!("{error:#}"),
        };
        if binary.is_none() {
            match tokio::task::spawn_blocking(crate::binary::server_binary).await {
                Ok(Ok(path)) => binary = Some(path),
                Ok(Err(e)) => return vec![error(e)],
                Err(e) => return vec![error(e.into())],
            }
        }
        let binary = binary.clone().unwrap_or_default();
        let limit = mode.pick(Duration::from_secs(150), Duration::from_secs(900));
        let run = async {
            match scenario {
                Scenario::Kill9 => {
                    in_work_dir(scenario, engine, |w| kill9::run(w, engine, mode, binary)).await
                }
                Scenario::DiskFull => {
                    in_work_dir(scenario, engine, |w| disk_full::run(w, mode, binary)).await
                }
                Scenario::PgOutage => {
                    in_work_dir(scenario, engine, |w| pg_outage::run(w, mode, binary)).await
                }
                Scenario::TwoNodes => {
                    in_work_dir(scenario, engine, |w| two_nodes::run(w, engine, binary)).await
                }
            }
        };
        outcomes.push(match tokio::time::timeout(limit, run).await {
            Ok(Ok(report)) => Outcome::Ran(report),
            Ok(Err(e)) => error(e),
            Err(_) => error(anyhow::anyhow!("did not finish within {limit:?}")),
        });
    }
    outcomes
}

/// Runs a scenario in a fresh work directory, kept (and named) when the scenario fails.
async fn in_work_dir<F, Fut>(scenario: Scenario, engine: Engine, body: F) -> anyhow::Result<Report>
where
    F: FnOnce(PathBuf) -> Fut,
    Fut: Future<Output = anyhow::Result<Report>>,
{
    let mut work = WorkDir::create(&format!("{}-{engine}", scenario.name()))?;
    let result = body(work.path().to_path_buf()).await;
    match result {
        Ok(mut report) => {
            if !report.passed() {
                work.keep();
                report.figure("logs", work.path().display());
            }
            Ok(report)
        }
        Err(e) => {
            work.keep();
            Err(e.context(format!("logs kept in {}", work.path().display())))
        }
    }
}

/// A fresh store on `engine` under `work`: SQLite in `work/data`, or a new database on the
/// PostgreSQL server of `IDAAS_TEST_POSTGRES_URL` (dropped with the site).
pub struct Site {
    pub store: Store,
    _database: Option<PgDatabase>,
}

impl Site {
    pub async fn create(
        work: &std::path::Path,
        engine: Engine,
        binary: PathBuf,
    ) -> anyhow::Result<Self> {
        let data = work.join("data");
        std::fs::create_dir_all(&data).with_context(|| format!("creating {}", data.display()))?;
        let database = match engine {
            Engine::Sqlite => None,
            Engine::Postgres => {
                let url = prereq::postgres_url().map_err(anyhow::Error::msg)?;
                Some(PgDatabase::create(&url).await?)
            }
        };
        let url = database.as_ref().map(|d| d.url.clone());
        Ok(Self {
            store: Store::new(binary, url, data, work.to_path_buf()),
            _database: database,
        })
    }
}

/// The load's target on `node`, with a fresh management token.
pub async fn target(api: &Api, store: &Store, node: &Node) -> anyhow::Result<Target> {
    let base = node.base();
    let token = probe::management_token(api, &base, &store.client_id, &store.client_secret).await?;
    Ok(Target {
        base,
        token,
        client_id: store.client_id.clone(),
        client_secret: store.client_secret.clone(),
    })
}

/// The closing check: every acknowledged write read back through `node` (with a new token),
/// then the node stopped and `idaas verify` run over the store.
pub async fn finish(
    report: &mut Report,
    api: &Api,
    node: &mut Node,
    store: &Store,
    ledger: &SharedLedger,
) -> anyhow::Result<()> {
    let target = target(api, store, node).await?;
    report.check = crate::check::check(api, &target.base, &target.token, &ledger.snapshot())
        .await
        .context("reading back the acknowledged writes")?;
    node.interrupt(Duration::from_secs(10)).await;
    report.verify = store.verify().await?;
    report.expect(
        report.check.creates_acked > 0,
        "no create was acknowledged at all",
    );
    Ok(())
}
