//! What every handler shares: the use cases, the rate limiter, the metrics and the settings.

use std::sync::Arc;

use clientele_ports::{Services, Store};

use crate::body::BODY_LIMIT;
use crate::rate_limit::{RateLimiter, RateLimits};
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
    /// Per-API-key allowances of the management API.
    pub rate_limits: RateLimits,
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
    /// The per-API-key rate limiter of the management API, built from
    /// [`HttpSettings::rate_limits`].
    pub limiter: Arc<RateLimiter>,
    /// Request counts and latencies: recorded by [`telemetry::observe`](crate::telemetry::observe)
    /// (pass it this `Arc`), rendered by `GET /metrics`.
    pub metrics: Arc<Metrics>,
    /// The settings of the HTTP layer.
    pub settings: Arc<HttpSettings>,
}

impl<S> Clone for AppState<S> {
    fn clone(&self) -> Self {
        Self {
            services: Arc::clone(&self.services),
            limiter: Arc::clone(&self.limiter),
            metrics: Arc::clone(&self.metrics),
            settings: Arc::clone(&self.settings),
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
    /// State over `services` with `settings`: the limiter is built from its rate limits (one-minute
    /// windows), the metrics start empty.
    #[must_use]
    pub fn new(services: Arc<Services<S>>, settings: HttpSettings) -> Self {
        Self {
            services,
            limiter: Arc::new(RateLimiter::new(settings.rate_limits)),
            metrics: Arc::new(Metrics::default()),
            settings: Arc::new(settings),
        }
    }
}
