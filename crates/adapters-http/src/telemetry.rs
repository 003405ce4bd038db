//! Request ids, the request span and log line, and Prometheus metrics — one middleware.
//!
//! Every response carries `X-Request-Id`: the incoming one when it is a sane token (1–128 of
//! `A-Z a-z 0-9 - _ . :`), a new UUID otherwise. The id is the `request_id` field of the span every
//! log line of the request is emitted in. The completion line logs the method, the route pattern,
//! the status and the latency — never a header value, a query string or a body.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument as _;

/// The request id header.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Upper bounds (seconds) of the latency histogram's buckets.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (bound, n) in BUCKETS.iter().zip(self.buckets.iter_mut()) {
            if seconds <= *bound {
                *n += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }
}

#[derive(Debug, Default)]
struct Inner {
    /// (method, route, status) → count.
    requests: HashMap<(String, String, u16), u64>,
    /// (method, route) → latency.
    latency: HashMap<(String, String), Histogram>,
    /// Rate class label → requests refused.
    rate_limited: HashMap<&'static str, u64>,
}

/// More metric families for `/metrics`, from another part of the program (the server adds its
/// database pool and its mailer).
pub trait MetricsSource: Send + Sync + std::fmt::Debug {
    /// Appends families in the Prometheus text format (each with its `# HELP` and `# TYPE`).
    fn render(&self, out: &mut String);
}

/// Request counts by route and status, a latency histogram by route, requests refused by a rate
/// limit, the build's version, and the families of the added [`MetricsSource`]s.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
    sources: Mutex<Vec<Arc<dyn MetricsSource>>>,
}

impl Metrics {
    /// Adds `source`'s families to every rendering.
    pub fn add_source(&self, source: Arc<dyn MetricsSource>) {
        self.sources
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(source);
    }

    /// Counts a request refused by the rate limit labelled `limit`
    /// ([`RateClass::label`](crate::RateClass::label)).
    pub fn rate_limited(&self, limit: &'static str) {
        *self
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .rate_limited
            .entry(limit)
            .or_default() += 1;
    }

    /// Records one finished request. `route` is the matched pattern (`/v1/clients/{id}`), never
    /// the raw path, so the number of series stays bounded.
    pub fn observe(&self, method: &str, route: &str, status: u16, latency: Duration) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        *inner
            .requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        inner
            .latency
            .entry((method.to_owned(), route.to_owned()))
            .or_default()
            .observe(latency.as_secs_f64());
    }

    /// The Prometheus text exposition (format 0.0.4).
    #[must_use]
    pub fn render(&self) -> String {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP clientele_http_requests_total HTTP requests answered, by method, route and status.\n");
        out.push_str("# TYPE clientele_http_requests_total counter\n");
        let mut requests: Vec<_> = inner.requests.iter().collect();
        requests.sort();
        for ((method, route, status), n) in requests {
            let _ = writeln!(
                out,
                "clientele_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        out.push_str("# HELP clientele_http_request_duration_seconds Time to answer HTTP requests, by method and route.\n");
        out.push_str("# TYPE clientele_http_request_duration_seconds histogram\n");
        let mut latency: Vec<_> = inner.latency.iter().collect();
        latency.sort_by(|a, b| a.0.cmp(b.0));
        for ((method, route), h) in latency {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            for (bound, n) in BUCKETS.iter().zip(h.buckets.iter()) {
                let _ = writeln!(
                    out,
                    "clientele_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "clientele_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "clientele_http_request_duration_seconds_sum{{{labels}}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "clientele_http_request_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
        out.push_str(
            "# HELP clientele_rate_limited_total Requests refused by a rate limit, by limit.\n",
        );
        out.push_str("# TYPE clientele_rate_limited_total counter\n");
        for class in [
            crate::RateClass::Create,
            crate::RateClass::Other,
            crate::RateClass::AuthAddress,
            crate::RateClass::AuthAccount,
        ] {
            let label = class.label();
            let n = inner.rate_limited.get(label).copied().unwrap_or(0);
            let _ = writeln!(out, "clientele_rate_limited_total{{limit=\"{label}\"}} {n}");
        }
        drop(inner);
        out.push_str("# HELP clientele_build_info The running build: its version.\n");
        out.push_str("# TYPE clientele_build_info gauge\n");
        let _ = writeln!(
            out,
            "clientele_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        let sources = self
            .sources
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for source in sources {
            source.render(&mut out);
        }
        out
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The `method` label of a request: one of the methods the API serves, or `OTHER`, so a client
/// sending made-up methods cannot grow the metrics (their label set is closed).
#[must_use]
pub fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// Whether an incoming request id can be echoed and logged as it is.
#[must_use]
pub fn valid_request_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// The middleware: see the module documentation.
///
/// # Errors
/// Only what actix's own services fail with (handlers' errors are already responses).
pub async fn observe(
    metrics: Arc<Metrics>,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| valid_request_id(v))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    let method = req.method().clone();
    let span = tracing::info_span!(
        "http_request",
        request_id = %id,
        method = %method,
        path = %req.path(),
    );
    let result = next.call(req).instrument(span.clone()).await;
    // The inner services render their errors into responses; an `Err` here comes from actix
    // itself and is rendered by it (without our headers).
    let mut res = result?.map_into_boxed_body();
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    let status = res.status().as_u16();
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "<unmatched>".to_owned());
    let latency = started.elapsed();
    metrics.observe(method_label(&method), &route, status, latency);
    span.in_scope(|| {
        tracing::info!(
            target: "clientele::http",
            route = %route,
            status,
            latency_ms = latency.as_secs_f64() * 1000.0,
            "request"
        );
    });
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_checked() {
        assert!(valid_request_id("abc-123_x.y:z"));
        assert!(!valid_request_id(""));
        assert!(!valid_request_id("a b"));
        assert!(!valid_request_id(&"a".repeat(129)));
        assert!(!valid_request_id("x\u{e9}"));
    }

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        m.observe("GET", "/health", 200, Duration::from_millis(2));
        m.observe("GET", "/health", 200, Duration::from_millis(200));
        let text = m.render();
        assert!(text.contains(
            "clientele_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "clientele_http_request_duration_seconds_bucket{method=\"GET\",route=\"/health\",le=\"0.0025\"} 1"
        ));
        assert!(text.contains(
            "clientele_http_request_duration_seconds_count{method=\"GET\",route=\"/health\"} 2"
        ));
    }
}
