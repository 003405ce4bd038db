//! Per-API-key rate limits, in memory, per server instance: a fixed one-minute window per key and
//! class of request. Cheap (one short-held lock), and enough to stop a runaway script; a fleet of
//! instances multiplies the allowance by the number of instances (see `docs/operations.md`).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use clientele_domain::ApiKeyId;

/// Which allowance a request draws on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateClass {
    /// `POST /v1/clients`.
    Create,
    /// Every other request authenticated by an API key.
    Other,
}

/// Requests per window, per key; `0` turns a class off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// `POST /v1/clients` requests a key may make per window ([`RateClass::Create`]); `0`: no
    /// limit. Defaults to [`Self::DEFAULT_CREATE_PER_MINUTE`].
    pub create_per_minute: u32,
    /// Other management API requests a key may make per window ([`RateClass::Other`]); `0`: no
    /// limit. Defaults to [`Self::DEFAULT_OTHER_PER_MINUTE`].
    pub other_per_minute: u32,
}

impl RateLimits {
    /// `POST /v1/clients` a minute per key, as the seed's product documents.
    pub const DEFAULT_CREATE_PER_MINUTE: u32 = 10;
    /// Every other request a minute per key.
    pub const DEFAULT_OTHER_PER_MINUTE: u32 = 600;
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            create_per_minute: Self::DEFAULT_CREATE_PER_MINUTE,
            other_per_minute: Self::DEFAULT_OTHER_PER_MINUTE,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    count: u32,
}

/// The limiter shared by every worker of one server.
#[derive(Debug)]
pub struct RateLimiter {
    limits: RateLimits,
    window: Duration,
    windows: Mutex<HashMap<(ApiKeyId, RateClass), Window>>,
}

/// Windows kept before expired ones are swept.
const SWEEP_ABOVE: usize = 4096;

impl RateLimiter {
    /// A limiter of `limits` with one-minute windows.
    #[must_use]
    pub fn new(limits: RateLimits) -> Self {
        Self::with_window(limits, Duration::from_secs(60))
    }

    /// A limiter with another window length (tests).
    #[must_use]
    pub fn with_window(limits: RateLimits, window: Duration) -> Self {
        Self {
            limits,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request of `key` in `class` (nothing is counted when the class's limit is `0`
    /// or the request is refused).
    ///
    /// # Errors
    /// The seconds to wait (at least 1) when the key is over its allowance.
    pub fn check(&self, key: ApiKeyId, class: RateClass) -> Result<(), u64> {
        let limit = match class {
            RateClass::Create => self.limits.create_per_minute,
            RateClass::Other => self.limits.other_per_minute,
        };
        if limit == 0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() > SWEEP_ABOVE {
            let window = self.window;
            windows.retain(|_, w| now.duration_since(w.started) < window);
        }
        let w = windows.entry((key, class)).or_insert(Window {
            started: now,
            count: 0,
        });
        let elapsed = now.duration_since(w.started);
        if elapsed >= self.window {
            *w = Window {
                started: now,
                count: 0,
            };
        }
        if w.count >= limit {
            let left = self.window.saturating_sub(now.duration_since(w.started));
            Err(left.as_secs_f64().ceil().max(1.0) as u64)
        } else {
            w.count += 1;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn counts_per_key_and_class() {
        let l = RateLimiter::new(RateLimits {
            create_per_minute: 2,
            other_per_minute: 0,
        });
        let a = ApiKeyId::from_uuid(Uuid::from_u128(1));
        let b = ApiKeyId::from_uuid(Uuid::from_u128(2));
        assert!(l.check(a, RateClass::Create).is_ok());
        assert!(l.check(a, RateClass::Create).is_ok());
        let wait = l
            .check(a, RateClass::Create)
            .expect_err("third create is limited");
        assert!((1..=60).contains(&wait));
        assert!(l.check(b, RateClass::Create).is_ok());
        for _ in 0..1000 {
            assert!(l.check(a, RateClass::Other).is_ok(), "0 disables");
        }
    }

    #[test]
    fn a_new_window_starts_over() {
        let l = RateLimiter::with_window(
            RateLimits {
                create_per_minute: 1,
                other_per_minute: 1,
            },
            Duration::from_millis(30),
        );
        let a = ApiKeyId::from_uuid(Uuid::from_u128(1));
        assert!(l.check(a, RateClass::Other).is_ok());
        assert!(l.check(a, RateClass::Other).is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert!(l.check(a, RateClass::Other).is_ok());
    }
}
