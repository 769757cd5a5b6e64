//! `idaas-faults [scenario|all] [--short]`: runs the fault scenarios against the real `idaas`
//! binary and prints one line per scenario and engine (see ops/faults/README.md). Exits 1 when
//! an expectation did not hold, a scenario could not run, or (under `IDAAS_TEST_REQUIRE_ALL=1`)
//! one was skipped.

use std::process::ExitCode;

use idaas_faults::{prereq, run, Mode, Outcome, Scenario};

const USAGE: &str = "usage: idaas-faults [kill9|disk_full|pg_outage|two_nodes|all] [--short]";

#[tokio::main]
async fn main() -> ExitCode {
    let mut mode = Mode { short: false };
    let mut scenarios = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--short" => mode.short = true,
            "--long" => mode.short = false,
            "all" => scenarios.extend(Scenario::ALL),
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            name => match Scenario::parse(name) {
                Some(scenario) => scenarios.push(scenario),
                None => {
                    eprintln!("unknown scenario {name:?}\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
        }
    }
    if scenarios.is_empty() {
        scenarios.extend(Scenario::ALL);
    }
    let all = async {
        let mut ok = true;
        for scenario in scenarios {
            for outcome in run(scenario, mode).await {
                println!("{}", outcome.text());
                ok &= match &outcome {
                    Outcome::Ran(report) => report.passed(),
                    Outcome::Error { .. } => false,
                    Outcome::Skipped { .. } => !prereq::require_all(),
                };
            }
        }
        ok
    };
    // On Ctrl-C the running scenario is dropped, and with it its guards: servers killed, the
    // tmpfs unmounted, the private cluster and the databases dropped.
    tokio::select! {
        ok = all => if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE },
        _ = tokio::signal::ctrl_c() => {
            eprintln!("interrupted: cleaning up");
            ExitCode::from(130)
        }
    }
}
