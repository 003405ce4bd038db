//! What every handler shares: the use cases, the rate limiter, the metrics and the settings.

use std::sync::Arc;

use clientele_ports::{Services, Store};

use crate::body::BODY_LIMIT;
use crate::rate_limit::{RateLimiter, RateLimits};
use crate::telemetry::Metrics;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Origins allowed on cookie-authenticated writes (app API), e.g. `http://localhost:8080`.
    pub allowed_origins: Vec<String>,
    /// Whether session cookies get `Secure` (app API).
    pub secure_cookies: bool,
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// Per-API-key allowances.
    pub rate_limits: RateLimits,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            allowed_origins: Vec::new(),
            secure_cookies: false,
            body_limit: BODY_LIMIT,
            rate_limits: RateLimits::default(),
        }
    }
}

/// The application state, generic over the storage adapter. Cheap to clone.
pub struct AppState<S> {
    pub services: Arc<Services<S>>,
    pub limiter: Arc<RateLimiter>,
    pub metrics: Arc<Metrics>,
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
    /// State over `services` with `settings` (the limiter is built from its rate limits).
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
