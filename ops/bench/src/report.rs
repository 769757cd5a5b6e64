//! The Markdown written to `ops/bench/results.md`: one table per section that ran.

use std::fmt::Write as _;
use std::time::Duration;

use crate::load::Rate;
use crate::{event_store, oauth, primitives};

/// The yardsticks (Keycloak, per vCPU): client-credential grants and password logins.
const KEYCLOAK_GRANTS_PER_VCPU: f64 = 120.0;
const KEYCLOAK_LOGINS_PER_VCPU: f64 = 15.0;

#[derive(Default)]
pub struct Results {
    /// The one-minute load average when the run started (other work on the machine skews it).
    pub load_average: Option<String>,
    pub store: Vec<event_store::Figures>,
    pub primitives: Option<primitives::Figures>,
    pub oauth: Vec<oauth::Figures>,
}

/// Milliseconds, with more decimals the smaller they are.
pub fn millis(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 10.0 {
        format!("{ms:.0}")
    } else if ms >= 1.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.2}")
    }
}

fn cell(rate: &Rate) -> String {
    format!(
        "{:.0}/s | {} | {}",
        rate.per_sec,
        millis(rate.p50),
        millis(rate.p99)
    )
}

pub fn markdown(results: &Results) -> anyhow::Result<String> {
    let cores = primitives::cores();
    let mut out = String::new();
    writeln!(out, "# Benchmark results\n")?;
    let load = results.load_average.as_deref().unwrap_or("unknown");
    // The profile this binary was built with, so that debug figures are never read as release.
    let profile = if cfg!(debug_assertions) {
        "a debug build (`cargo run -p idaas-bench`): not comparable with release figures"
    } else {
        "`cargo run --release -p idaas-bench`"
    };
    writeln!(
        out,
        "Written by {profile}; {cores} cores, load average {load} at the start. See REPORT.md for the method and a reading.\n"
    )?;
    if !results.store.is_empty() {
        store_table(&mut out, &results.store)?;
    }
    if let Some(p) = &results.primitives {
        primitives_table(&mut out, p)?;
    }
    if !results.oauth.is_empty() {
        oauth_table(&mut out, &results.oauth, cores)?;
    }
    Ok(out)
}

fn store_table(out: &mut String, figures: &[event_store::Figures]) -> anyhow::Result<()> {
    writeln!(out, "## Event store\n")?;
    writeln!(
        out,
        "{} raw appends and {} commands per run; {} concurrent writers. Rates are events (or commands) per second.\n",
        event_store::RAW_EVENTS,
        event_store::COMMANDS,
        event_store::WRITERS,
    )?;
    let writers = event_store::WRITERS;
    writeln!(out, "| engine | append, 1 writer | append, {writers} writers (group commit) | command (load+decide+append+projections), 1 writer | command, {writers} writers | replay (all projections) |")?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for f in figures {
        writeln!(
            out,
            "| {} | {:.0}/s | {:.0}/s | {:.0}/s | {:.0}/s | {:.0}/s ({} events) |",
            f.engine,
            f.raw_single,
            f.raw_concurrent,
            f.command_single,
            f.command_concurrent,
            f.replay,
            f.replayed
        )?;
    }
    writeln!(out)?;
    Ok(())
}

fn primitives_table(out: &mut String, p: &primitives::Figures) -> anyhow::Result<()> {
    writeln!(out, "## Cryptographic floor (no server)\n")?;
    writeln!(
        out,
        "| primitive | 1 thread | time per call (p50) | all {} cores |",
        p.cores
    )?;
    writeln!(out, "|---|---|---|---|")?;
    let rows = [
        (
            format!("argon2id verify ({})", p.argon2_params),
            &p.argon2_verify,
        ),
        ("RS256 sign (RSA-2048)".to_string(), &p.rs256_sign),
        (
            "RS256 sign, key parsed per signature (as jsonwebtoken 11 does)".to_string(),
            &p.rs256_parse_and_sign,
        ),
    ];
    for (name, figure) in rows {
        writeln!(
            out,
            "| {name} | {:.0}/s | {} ms | {:.0}/s |",
            figure.one_thread.per_sec,
            millis(figure.one_thread.p50),
            figure.all_cores
        )?;
    }
    writeln!(out)?;
    Ok(())
}

fn oauth_table(out: &mut String, figures: &[oauth::Figures], cores: usize) -> anyhow::Result<()> {
    let n = oauth::CONCURRENCY;
    writeln!(out, "## OAuth and sign-in over HTTP\n")?;
    writeln!(
        out,
        "A real server (`idaas_server::start`, release build) on 127.0.0.1, driven in the same process over HTTP/1.1; {n} concurrent clients in the concurrent rows. Latencies are per operation, in ms (a code flow is authorize + token + userinfo). Keycloak yardstick: {KEYCLOAK_GRANTS_PER_VCPU} client-credential grants/s and {KEYCLOAK_LOGINS_PER_VCPU} password logins/s per vCPU, i.e. {:.0} and {:.0}/s on {cores} vCPUs.\n",
        KEYCLOAK_GRANTS_PER_VCPU * cores as f64,
        KEYCLOAK_LOGINS_PER_VCPU * cores as f64,
    )?;
    let mut header = String::from("| operation | clients |");
    let mut rule = String::from("|---|---|");
    for f in figures {
        write!(header, " {0} | {0} p50 | {0} p99 |", f.engine)?;
        rule.push_str("---|---|---|");
    }
    writeln!(out, "{header}\n{rule}")?;
    let Some(first) = figures.first() else {
        return Ok(());
    };
    for (i, row) in first.rows.iter().enumerate() {
        for (clients, single) in [(1, true), (n, false)] {
            let mut line = format!("| {} | {clients} |", row.operation);
            for f in figures {
                let row = &f.rows[i];
                write!(
                    line,
                    " {} |",
                    cell(if single { &row.one } else { &row.many })
                )?;
            }
            writeln!(out, "{line}")?;
        }
    }
    writeln!(out)?;
    depth_table(out, figures)?;
    writeln!(out)?;
    Ok(())
}

fn depth_table(out: &mut String, figures: &[oauth::Figures]) -> anyhow::Result<()> {
    writeln!(
        out,
        "Refresh latency (p50 of ten rotations, ms) by the depth of the chain, one client:\n"
    )?;
    let mut header = String::from("| engine |");
    let mut rule = String::from("|---|");
    for depth in oauth::CHAIN_DEPTHS {
        write!(header, " rotation {depth} |")?;
        rule.push_str("---|");
    }
    writeln!(out, "{header}\n{rule}")?;
    for f in figures {
        let cells: Vec<String> = f.refresh_by_depth.iter().map(|d| millis(*d)).collect();
        writeln!(out, "| {} | {} |", f.engine, cells.join(" | "))?;
    }
    Ok(())
}
