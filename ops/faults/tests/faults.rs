//! The short version of every fault scenario, against the real `idaas` binary (built by the
//! suite if needed). One test per scenario; they run one at a time, since each loads the
//! machine. A missing prerequisite prints `SKIPPED …` and passes, unless
//! `IDAAS_TEST_REQUIRE_ALL=1`.

use std::io::Write;

use idaas_faults::{prereq, run, Mode, Outcome, Scenario};

/// Scenarios take turns: each one wants the machine to itself.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn short(scenario: Scenario) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let mut failed = Vec::new();
    for outcome in run(scenario, Mode { short: true }).await {
        let text = outcome.text();
        // Straight to stderr, past the test harness's capture: the figures are the point.
        let _ = writeln!(std::io::stderr(), "{text}");
        let passed = match &outcome {
            Outcome::Ran(report) => report.passed(),
            Outcome::Error { .. } => false,
            Outcome::Skipped { .. } => !prereq::require_all(),
        };
        if !passed {
            failed.push(match outcome {
                Outcome::Skipped { .. } => {
                    format!("{}=1, but: {text}", prereq::REQUIRE_ALL_VAR)
                }
                _ => text,
            });
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill9_loses_no_acknowledged_write() {
    short(Scenario::Kill9).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn disk_full_answers_503_and_resumes_without_a_restart() {
    short(Scenario::DiskFull).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pg_outage_answers_quickly_and_resumes_without_a_restart() {
    short(Scenario::PgOutage).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_starting_at_once_on_an_empty_store_all_serve_one_tenant() {
    short(Scenario::TwoNodes).await
}
