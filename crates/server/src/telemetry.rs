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
    // A log line that cannot be written (stderr's reader is gone) is dropped: reporting it would
    // write to stderr again, which panics the request's thread.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .log_internal_errors(false);
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

/// The database pool's metric families, read from the store at each scrape.
#[derive(Debug)]
pub struct PoolMetrics(pub clientele_adapters_diesel::DieselStore);

impl clientele_adapters_http::MetricsSource for PoolMetrics {
    fn render(&self, out: &mut String) {
        use std::fmt::Write as _;
        let s = self.0.pool_stats();
        let _ = write!(
            out,
            "# HELP clientele_db_pool_connections Database connections by state.\n\
             # TYPE clientele_db_pool_connections gauge\n\
             clientele_db_pool_connections{{state=\"in_use\"}} {in_use}\n\
             clientele_db_pool_connections{{state=\"idle\"}} {idle}\n\
             # HELP clientele_db_pool_max_connections The most connections the pool opens.\n\
             # TYPE clientele_db_pool_max_connections gauge\n\
             clientele_db_pool_max_connections {max}\n\
             # HELP clientele_db_pool_checkouts_total Connections handed out.\n\
             # TYPE clientele_db_pool_checkouts_total counter\n\
             clientele_db_pool_checkouts_total {checkouts}\n\
             # HELP clientele_db_pool_wait_seconds_total Time spent waiting for a connection.\n\
             # TYPE clientele_db_pool_wait_seconds_total counter\n\
             clientele_db_pool_wait_seconds_total {wait}\n\
             # HELP clientele_db_pool_timeouts_total Requests that got no connection in time (503).\n\
             # TYPE clientele_db_pool_timeouts_total counter\n\
             clientele_db_pool_timeouts_total {timeouts}\n\
             # HELP clientele_db_deadline_exceeded_total Database calls not finished within the pool timeout (503).\n\
             # TYPE clientele_db_deadline_exceeded_total counter\n\
             clientele_db_deadline_exceeded_total {deadlines}\n",
            in_use = s.connections.saturating_sub(s.idle),
            idle = s.idle,
            max = s.max_size,
            checkouts = s.checkouts,
            wait = s.wait.as_secs_f64(),
            timeouts = s.timeouts,
            deadlines = s.deadlines,
        );
    }
}
