//! Where log lines go (ops/adr/0016): stderr, as text or one JSON object a line
//! (`IDAAS_LOG_FORMAT`), at the level `IDAAS_LOG` or `RUST_LOG` names (default `info`). Colour
//! codes only when stderr is a terminal (and `NO_COLOR` is not set), so that a file or a journal
//! gets plain text.

use std::io::IsTerminal;

use tracing_subscriber::filter::{filter_fn, LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};
use usecases::config::LogFormat;

const DEFAULT: &str = "info,sqlx::postgres::notice=warn";

/// The filter directives: `IDAAS_LOG`, else `RUST_LOG`, else `info` (`DEFAULT`).
fn directives() -> (String, &'static str) {
    for name in ["IDAAS_LOG", "RUST_LOG"] {
        if let Ok(value) = std::env::var(name) {
            if !value.trim().is_empty() {
                return (value, name);
            }
        }
    }
    // PostgreSQL's notices ("… already exists, skipping" from the migrations) are not news.
    (DEFAULT.to_string(), "the default level")
}

/// Colour codes only on a terminal, and not there either under `NO_COLOR` (no-color.org).
fn colour() -> bool {
    let refused = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    std::io::stderr().is_terminal() && !refused
}

/// Installs the process's log subscriber; a filter that does not parse is an error naming the
/// variable it came from.
pub fn init(format: LogFormat) -> anyhow::Result<()> {
    install(format, None)
}

/// Like `init`, for a serving process: also exports traces over OTLP when a collector is
/// configured (`crate::telemetry`). The returned pipeline is flushed when the server stops.
pub fn init_serving(format: LogFormat) -> anyhow::Result<Option<crate::telemetry::Tracing>> {
    match crate::telemetry::pipeline()? {
        Some((tracing, tracer)) => {
            install(format, Some(tracer))?;
            Ok(Some(tracing))
        }
        None => install(format, None).map(|()| None),
    }
}

/// The log layer (filtered by `IDAAS_LOG`/`RUST_LOG`, without the trace-only spans) and, with a
/// tracer, the trace layer (at `info`, whatever the log's level: a quieter log keeps its traces).
fn install(
    format: LogFormat,
    tracer: Option<opentelemetry_sdk::trace::Tracer>,
) -> anyhow::Result<()> {
    let (directives, from) = directives();
    let filter = EnvFilter::builder()
        .parse(&directives)
        .map_err(|e| anyhow::anyhow!("{from}: {directives:?} is not a log filter ({e})"))?;
    let not_trace_only =
        filter_fn(|meta| !(meta.is_span() && meta.target() == crate::telemetry::TRACE_ONLY));
    let log = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(colour());
    let log = match format {
        LogFormat::Text => log.boxed(),
        LogFormat::Json => log
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .boxed(),
    };
    let log = log.with_filter(filter).with_filter(not_trace_only);
    let trace = tracer.map(|tracer| {
        let level = Targets::new()
            .with_default(LevelFilter::INFO)
            .with_target("sqlx", LevelFilter::WARN);
        tracing_opentelemetry::layer()
            .with_tracer(tracer)
            .with_filter(level)
    });
    tracing_subscriber::registry()
        .with(log)
        .with(trace)
        .try_init()
        .map_err(|e| anyhow::anyhow!("installing the logger: {e}"))
}
