//! Where log lines go (ops/adr/0016): stderr, as text or one JSON object a line
//! (`IDAAS_LOG_FORMAT`), at the level `IDAAS_LOG` or `RUST_LOG` names (default `info`). Colour
//! codes only when stderr is a terminal (and `NO_COLOR` is not set), so that a file or a journal
//! gets plain text.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
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
    let (directives, from) = directives();
    let filter = EnvFilter::builder()
        .parse(&directives)
        .map_err(|e| anyhow::anyhow!("{from}: {directives:?} is not a log filter ({e})"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour());
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
    installed.map_err(|e| anyhow::anyhow!("installing the logger: {e}"))
}
