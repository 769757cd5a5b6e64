//! The one-line result of a scenario run: the acknowledged writes, what was lost or wrong after
//! recovery, the `idaas verify` verdict, the scenario's own figures, and every expectation that
//! did not hold (a run passes when that list is empty).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::check::Check;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        })
    }
}

/// What one scenario on one engine came to.
#[derive(Debug)]
pub enum Outcome {
    Ran(Report),
    /// The scenario could not be carried out (a server did not start, a command failed…).
    Error {
        scenario: &'static str,
        engine: Option<Engine>,
        error: String,
    },
    /// A prerequisite is missing (the reason names it).
    Skipped {
        scenario: &'static str,
        engine: Option<Engine>,
        why: String,
    },
}

impl Outcome {
    /// The output line(s): the report line and its failed expectations, or `SKIPPED …`.
    pub fn text(&self) -> String {
        match self {
            Outcome::Ran(report) => {
                let mut text = report.line();
                for failure in report.failures() {
                    text.push_str("\n  FAILED: ");
                    text.push_str(&failure);
                }
                text
            }
            Outcome::Error {
                scenario,
                engine,
                error,
            } => {
                let engine = engine.map_or_else(|| "-".to_string(), |e| e.to_string());
                format!("scenario={scenario} engine={engine} ERROR: {error}")
            }
            Outcome::Skipped {
                scenario,
                engine: Some(engine),
                why,
            } => format!("SKIPPED {scenario} on {engine}: {why}"),
            Outcome::Skipped {
                scenario,
                engine: None,
                why,
            } => format!("SKIPPED {scenario}: {why}"),
        }
    }
}

#[derive(Debug)]
pub struct Report {
    pub scenario: &'static str,
    pub engine: Engine,
    pub check: Check,
    /// `clean`, or what `idaas verify` said.
    pub verify: String,
    figures: Vec<(String, String)>,
    expectations: Vec<String>,
}

impl Report {
    pub fn new(scenario: &'static str, engine: Engine) -> Self {
        Self {
            scenario,
            engine,
            check: Check::default(),
            verify: "not-run".into(),
            figures: Vec::new(),
            expectations: Vec::new(),
        }
    }

    /// Adds `name=value` to the line.
    pub fn figure(&mut self, name: &str, value: impl fmt::Display) {
        self.figures.push((name.to_string(), value.to_string()));
    }

    /// Records `what` as a failed expectation unless `holds`.
    pub fn expect(&mut self, holds: bool, what: impl Into<String>) {
        if !holds {
            self.expectations.push(what.into());
        }
    }

    /// `scenario=… engine=… acknowledged=c/u lost=… wrong=… verify=… unacknowledged_applied=…
    /// tokens=acked/valid …figures`.
    pub fn line(&self) -> String {
        let c = &self.check;
        let mut line = format!(
            "scenario={} engine={} acknowledged={}/{} lost={} wrong={} verify={} unacknowledged_applied={} tokens={}/{}",
            self.scenario,
            self.engine,
            c.creates_acked,
            c.updates_acked,
            c.lost(),
            c.wrong,
            self.verify,
            c.unacknowledged_applied,
            c.tokens_acked,
            c.tokens_acked - c.tokens_lost,
        );
        for (name, value) in &self.figures {
            line.push_str(&format!(" {name}={value}"));
        }
        line
    }

    /// Every failed expectation, the universal ones (nothing lost or wrong, verify clean) first.
    pub fn failures(&self) -> Vec<String> {
        let c = &self.check;
        let mut failures = Vec::new();
        if c.lost() > 0 {
            failures.push(format!(
                "{} acknowledged write(s) lost ({} of them management tokens)",
                c.lost(),
                c.tokens_lost
            ));
        }
        if c.wrong > 0 {
            failures.push(format!(
                "{} entit(ies) read back with a value other than the last acknowledged one",
                c.wrong
            ));
        }
        if self.verify != "clean" {
            failures.push(format!("idaas verify: {}", self.verify));
        }
        failures.extend(self.expectations.iter().cloned());
        if !failures.is_empty() && !c.examples.is_empty() {
            failures.push(format!("examples: {}", c.examples.join("; ")));
        }
        failures
    }

    pub fn passed(&self) -> bool {
        self.failures().is_empty()
    }
}

/// Durations summarised as `p50/max` in milliseconds (`-` when there are none).
pub fn p50_max(durations: &[Duration]) -> String {
    match summary(durations) {
        Some((p50, max)) => format!("{p50}/{max}"),
        None => "-".into(),
    }
}

/// The median and the largest of `durations`, in milliseconds.
pub fn summary(durations: &[Duration]) -> Option<(u128, u128)> {
    let mut ms: Vec<u128> = durations.iter().map(Duration::as_millis).collect();
    ms.sort_unstable();
    let max = *ms.last()?;
    Some((ms[(ms.len() - 1) / 2], max))
}

/// The largest of `durations` in milliseconds, 0 when there are none.
pub fn max_ms(durations: &[Duration]) -> u128 {
    durations.iter().map(Duration::as_millis).max().unwrap_or(0)
}

/// Counts of each value, as `a:3,b:1` (`-` when empty).
pub fn histogram<T: fmt::Display>(values: impl IntoIterator<Item = T>) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for value in values {
        *counts.entry(value.to_string()).or_default() += 1;
    }
    if counts.is_empty() {
        return "-".into();
    }
    counts
        .iter()
        .map(|(value, n)| format!("{value}:{n}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_are_median_and_maximum_in_milliseconds() {
        let d = |ms| Duration::from_millis(ms);
        assert_eq!(p50_max(&[d(5), d(1), d(9)]), "5/9");
        assert_eq!(p50_max(&[]), "-");
        assert_eq!(histogram(["503", "500", "503"]), "500:1,503:2");
    }

    #[test]
    fn a_report_with_nothing_lost_and_a_clean_verify_passes() {
        let mut report = Report::new("kill9", Engine::Sqlite);
        report.verify = "clean".into();
        assert!(report.passed(), "{:?}", report.failures());
        report.expect(false, "restart took too long");
        assert_eq!(report.failures(), vec!["restart took too long".to_string()]);
    }
}
