//! The rate-limit port: a counter per bucket over fixed windows, and its in-process adapter.
//!
//! A surface names the bucket (`key:<id>:create`, `auth:addr:<ip>`, ...) and the [`Quota`]; the
//! limiter counts the hit and says whether it is within the quota. Several instances of a server
//! share an allowance only when they share the limiter: [`LocalRateLimiter`] counts in this
//! process (one SQLite instance); a storage adapter's shared limiter counts in the database.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use crate::RepoError;

/// How many hits a bucket may take per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Hits allowed per window (at least 1; a surface skips the limiter for "no limit").
    pub limit: u32,
    /// The window's length (whole seconds, at least 1, for the shared limiters).
    pub window: Duration,
}

impl Quota {
    /// `limit` hits a minute.
    #[must_use]
    pub const fn per_minute(limit: u32) -> Self {
        Self {
            limit,
            window: Duration::from_secs(60),
        }
    }
}

/// What the limiter decided for one hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    /// Whether the hit is within the quota (the request may proceed).
    pub allowed: bool,
    /// The quota's limit (`RateLimit-Limit`).
    pub limit: u32,
    /// Hits left in this window after this one (`RateLimit-Remaining`).
    pub remaining: u32,
    /// Time until the window ends and the allowance is whole again.
    pub reset: Duration,
}

impl RateDecision {
    /// The decision for the `count`-th hit of a window of `quota` that ends in `reset`.
    #[must_use]
    pub fn of_count(quota: Quota, count: u64, reset: Duration) -> Self {
        Self {
            allowed: count <= u64::from(quota.limit),
            limit: quota.limit,
            remaining: u32::try_from(u64::from(quota.limit).saturating_sub(count))
                .unwrap_or(u32::MAX),
            reset,
        }
    }

    /// Whole seconds until the window ends, at least 1 (`RateLimit-Reset`, `Retry-After`).
    #[must_use]
    pub fn reset_seconds(&self) -> u64 {
        (self.reset.as_secs() + u64::from(self.reset.subsec_nanos() > 0)).max(1)
    }
}

/// Counts hits per bucket. Implementations must be atomic per hit: two concurrent hits of a bucket
/// with one place left never both get `allowed`.
#[async_trait]
pub trait RateLimiter: Send + Sync + std::fmt::Debug {
    /// Counts one hit of `bucket` under `quota` (a hit past the quota is counted too, and
    /// refused).
    ///
    /// # Errors
    /// `Unavailable` when a shared limiter's database cannot be reached.
    async fn hit(&self, bucket: &str, quota: Quota) -> Result<RateDecision, RepoError>;
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    length: Duration,
    count: u64,
}

/// Windows kept before expired ones are swept.
const SWEEP_ABOVE: usize = 4096;

/// A [`RateLimiter`] in this process's memory: one short-held lock per hit. Behind several
/// instances each counts alone, so use a shared limiter there.
#[derive(Debug, Default)]
pub struct LocalRateLimiter {
    windows: Mutex<HashMap<String, Window>>,
}

impl LocalRateLimiter {
    /// An empty limiter.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// [`RateLimiter::hit`], synchronously.
    pub fn hit_now(&self, bucket: &str, quota: Quota) -> RateDecision {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() > SWEEP_ABOVE {
            windows.retain(|_, w| now.duration_since(w.started) < w.length);
        }
        let fresh = Window {
            started: now,
            length: quota.window,
            count: 0,
        };
        let w = windows.entry(bucket.to_owned()).or_insert(fresh);
        if now.duration_since(w.started) >= w.length || w.length != quota.window {
            *w = fresh;
        }
        w.count += 1;
        let reset = w.length.saturating_sub(now.duration_since(w.started));
        RateDecision::of_count(quota, w.count, reset)
    }
}

#[async_trait]
impl RateLimiter for LocalRateLimiter {
    async fn hit(&self, bucket: &str, quota: Quota) -> Result<RateDecision, RepoError> {
        Ok(self.hit_now(bucket, quota))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_bucket_within_a_window() {
        let l = LocalRateLimiter::new();
        let q = Quota::per_minute(2);
        let first = l.hit_now("a", q);
        assert!(first.allowed);
        assert_eq!((first.limit, first.remaining), (2, 1));
        assert!(l.hit_now("a", q).allowed);
        let third = l.hit_now("a", q);
        assert!(!third.allowed);
        assert_eq!(third.remaining, 0);
        assert!((1..=60).contains(&third.reset_seconds()));
        assert!(l.hit_now("b", q).allowed, "buckets count apart");
    }

    #[test]
    fn a_new_window_starts_over() {
        let l = LocalRateLimiter::new();
        let q = Quota {
            limit: 1,
            window: Duration::from_millis(30),
        };
        assert!(l.hit_now("a", q).allowed);
        assert!(!l.hit_now("a", q).allowed);
        std::thread::sleep(Duration::from_millis(40));
        assert!(l.hit_now("a", q).allowed);
    }

    #[test]
    fn reset_rounds_up_to_whole_seconds() {
        let d = RateDecision::of_count(Quota::per_minute(1), 1, Duration::from_millis(1500));
        assert_eq!(d.reset_seconds(), 2);
        let d = RateDecision::of_count(Quota::per_minute(1), 1, Duration::from_secs(3));
        assert_eq!(d.reset_seconds(), 3);
    }
}
