//! What every handler shares: the use cases, the rate limiter, the metrics and the settings.

use std::sync::Arc;

use clientele_ports::{LocalRateLimiter, RateLimiter, Services, Store};

use crate::body::BODY_LIMIT;
use crate::rate_limit::RateLimits;
use crate::telemetry::Metrics;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Origins allowed on cookie-authenticated writes (app API), e.g. `http://localhost:8080`:
    /// compared ignoring ASCII case and a trailing `/`. A write whose `Origin` is not listed is
    /// 403 `forbidden` (so with none listed, every write that sends `Origin` is refused); a
    /// write without `Origin` is not checked.
    pub allowed_origins: Vec<String>,
    /// Whether session cookies get `Secure` (app API), and the `__Secure-` name
    /// ([`app::SECURE_SESSION_COOKIE`](crate::app::SECURE_SESSION_COOKIE)). Turn it on behind
    /// HTTPS.
    pub secure_cookies: bool,
    /// Largest accepted request body, in bytes: 413 `payload_too_large` past it. Defaults to
    /// [`BODY_LIMIT`] (64 KiB).
    pub body_limit: usize,
    /// The allowances: per API key on the management API, per client address and per account
    /// on the app API's authentication endpoints.
    pub rate_limits: RateLimits,
    /// Proxies whose `X-Forwarded-For` is believed for the client's address (the per-address
    /// allowance); from anyone else the header is ignored. Empty by default.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Whether `GET /metrics` is served with the rest; `false` when the server serves it on an
    /// address of its own ([`metrics_app`](crate::metrics_app)). Defaults to `true`.
    pub serve_metrics: bool,
    /// How long a request body may take to arrive once its head is read: 408 `request_timeout`
    /// past it (a client sending a few bytes a minute cannot hold a connection). Defaults to
    /// [`BODY_TIMEOUT`].
    pub body_timeout: std::time::Duration,
}

/// The default [`HttpSettings::body_timeout`]: 10 seconds.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl HttpSettings {
    /// Whether `origin` is one of [`Self::allowed_origins`] (ignoring ASCII case and a trailing
    /// `/`): the one rule for cookie-authenticated writes and for CORS.
    #[must_use]
    pub fn allows_origin(&self, origin: &str) -> bool {
        let origin = origin.trim_end_matches('/');
        self.allowed_origins
            .iter()
            .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(origin))
    }
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            allowed_origins: Vec::new(),
            secure_cookies: false,
            body_limit: BODY_LIMIT,
            body_timeout: BODY_TIMEOUT,
            rate_limits: RateLimits::default(),
            trusted_proxies: Vec::new(),
            serve_metrics: true,
        }
    }
}

/// The application state, generic over the storage adapter `S`: what every handler reads from
/// `web::Data<AppState<S>>`.
///
/// Cheap to clone, and clones share everything (each field is an [`Arc`]): give each actix
/// worker a clone of one state so that they share the rate limiter and the metrics. Build it
/// with [`AppState::new`].
pub struct AppState<S> {
    /// The use cases every handler calls, over the store `S`.
    pub services: Arc<Services<S>>,
    /// Where the rate limits of [`HttpSettings::rate_limits`] are counted: this process's memory
    /// unless [`AppState::with_rate_limiter`] gave a shared limiter.
    pub limiter: Arc<dyn RateLimiter>,
    /// Request counts and latencies: recorded by [`telemetry::observe`](crate::telemetry::observe)
    /// (pass it this `Arc`), rendered by `GET /metrics`.
    pub metrics: Arc<Metrics>,
    /// The settings of the HTTP layer.
    pub settings: Arc<HttpSettings>,
    /// Set when the server is shutting down: `/ready` answers 503 so that a load balancer stops
    /// sending new requests while the ones already sent are still answered.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
}

impl<S> Clone for AppState<S> {
    fn clone(&self) -> Self {
        Self {
            services: Arc::clone(&self.services),
            limiter: Arc::clone(&self.limiter),
            metrics: Arc::clone(&self.metrics),
            settings: Arc::clone(&self.settings),
            draining: Arc::clone(&self.draining),
        }
    }
}

impl<S> std::fmt::Debug for AppState<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl<S: Store> AppState<S> {
    /// State over `services` with `settings`: rate limits counted in this process, the metrics
    /// empty.
    #[must_use]
    pub fn new(services: Arc<Services<S>>, settings: HttpSettings) -> Self {
        Self {
            services,
            limiter: Arc::new(LocalRateLimiter::new()),
            metrics: Arc::new(Metrics::default()),
            settings: Arc::new(settings),
            draining: Arc::default(),
        }
    }

    /// This state counting its rate limits in `limiter` (e.g. one every instance shares).
    #[must_use]
    pub fn with_rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.limiter = limiter;
        self
    }
}
