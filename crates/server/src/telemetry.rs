//! Structured logs on stderr: `text` or `json`, filtered by `--log` (`EnvFilter` syntax).
//! What is logged never includes a secret: the HTTP layer logs method, route, status and latency,
//! never header values, query strings or bodies.

use tracing_subscriber::EnvFilter;

use crate::cli::LogFormat;

/// Installs the global subscriber (once; later calls are ignored).
///
/// # Errors
/// A filter `EnvFilter` cannot parse, on one line (it is refused, not silently replaced).
pub fn init(format: LogFormat, filter: &str) -> Result<(), String> {
    let filter =
        EnvFilter::try_new(filter).map_err(|e| format!("invalid --log filter {filter:?}: {e}"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.with_ansi(false).try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
    Ok(())
}
