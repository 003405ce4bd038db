//! The rate-limit port shared by every instance on one PostgreSQL database.

use async_trait::async_trait;
use clientele_ports::{Quota, RateDecision, RateLimiter, RepoError};

use crate::store::DieselStore;

/// A [`RateLimiter`] counting in the database, so that every instance draws on one allowance
/// per bucket: an upsert on an `UNLOGGED` table (no WAL flush), windows aligned on the database's
/// clock, the row lock making each claim atomic. PostgreSQL only: from
/// [`DieselStore::shared_rate_limiter`].
///
/// An instance claims a bucket's hits in batches — a twentieth of the limit at a time (one for a
/// limit under 40) — and hands them out from memory until the batch is spent or the window ends;
/// a bucket the database says is exhausted is refused from memory until its window ends. So the
/// installation never admits more than the limit in a window (every hit was claimed from the
/// shared count first), a busy key costs one statement per batch instead of one per request, and
/// the price is that hits claimed by one instance and not used there are not available to
/// another in that window (at most a twentieth of the limit per instance).
#[derive(Debug, Clone)]
pub struct SharedRateLimiter {
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    store: DieselStore,
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    leases: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, Lease>>>,
}

/// Hits of one bucket this instance claimed from the shared count, for the current window.
#[derive(Debug, Clone, Copy)]
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
struct Lease {
    /// Claimed and not handed out yet (0: the shared count is spent, refuse until `ends`).
    left: u32,
    /// What the shared count had left unclaimed when this batch was claimed.
    unclaimed: u32,
    /// When the window ends.
    ends: std::time::Instant,
    /// The quota it was claimed under (another quota starts over).
    quota: Quota,
}

/// Leases kept before expired ones are swept.
#[cfg(feature = "postgres")]
const SWEEP_ABOVE: usize = 4096;

impl SharedRateLimiter {
    pub(crate) fn new(store: DieselStore) -> Self {
        Self {
            store,
            leases: std::sync::Arc::default(),
        }
    }

    /// How many hits one claim takes: a twentieth of the limit, at least one.
    #[must_use]
    pub fn batch(limit: u32) -> u32 {
        (limit / 20).max(1)
    }

    /// A hit served from this instance's lease, when it has one for the current window.
    #[cfg(feature = "postgres")]
    fn take_leased(&self, bucket: &str, quota: Quota) -> Option<RateDecision> {
        let now = std::time::Instant::now();
        let mut leases = self
            .leases
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if leases.len() > SWEEP_ABOVE {
            leases.retain(|_, l| l.ends > now);
        }
        let lease = leases.get_mut(bucket)?;
        if lease.ends <= now || lease.quota != quota {
            return None;
        }
        let reset = lease.ends - now;
        if lease.left == 0 {
            if lease.unclaimed > 0 {
                // Spent, but the shared count has more: claim again.
                return None;
            }
            return Some(RateDecision {
                allowed: false,
                limit: quota.limit,
                remaining: 0,
                reset,
            });
        }
        lease.left -= 1;
        Some(RateDecision {
            allowed: true,
            limit: quota.limit,
            remaining: lease.unclaimed.saturating_add(lease.left),
            reset,
        })
    }
}

#[cfg(feature = "postgres")]
#[async_trait]
impl RateLimiter for SharedRateLimiter {
    async fn hit(&self, bucket: &str, quota: Quota) -> Result<RateDecision, RepoError> {
        use diesel::RunQueryDsl as _;
        use diesel::sql_types::{BigInt, Double, Text};

        #[derive(diesel::QueryableByName)]
        struct Claimed {
            #[diesel(sql_type = BigInt)]
            hits: i64,
            #[diesel(sql_type = Double)]
            reset_seconds: f64,
        }

        if let Some(decision) = self.take_leased(bucket, quota) {
            return Ok(decision);
        }
        let batch = Self::batch(quota.limit);
        let owned = bucket.to_owned();
        let window = quota.window.as_secs().max(1) as f64;
        let claimed = self
            .store
            .run(move |c| {
                let crate::connection::DbConn::Pg(pg) = c else {
                    return Err(RepoError::unexpected("the shared rate limiter needs PostgreSQL").into());
                };
                Ok(diesel::sql_query(
                    "INSERT INTO rate_limit_windows AS w (bucket, window_start, hits) \
                     VALUES ($1, to_timestamp(floor(extract(epoch FROM clock_timestamp()) / $2) * $2), $3) \
                     ON CONFLICT (bucket) DO UPDATE SET \
                       hits = CASE WHEN w.window_start = EXCLUDED.window_start THEN w.hits + $3 ELSE $3 END, \
                       window_start = EXCLUDED.window_start \
                     RETURNING hits, extract(epoch FROM window_start + make_interval(secs => $2) - clock_timestamp())::float8 AS reset_seconds",
                )
                .bind::<Text, _>(owned)
                .bind::<Double, _>(window)
                .bind::<BigInt, _>(i64::from(batch))
                .get_result::<Claimed>(pg)?)
            })
            .await?;
        let reset = std::time::Duration::from_secs_f64(claimed.reset_seconds.clamp(0.0, window));
        let hits = u64::try_from(claimed.hits).unwrap_or(0);
        let limit = u64::from(quota.limit);
        let before = hits.saturating_sub(u64::from(batch));
        // Of the batch, what fitted under the limit.
        let granted =
            u32::try_from(limit.saturating_sub(before).min(u64::from(batch))).unwrap_or(0);
        let unclaimed = u32::try_from(limit.saturating_sub(hits)).unwrap_or(0);
        let allowed = granted > 0;
        let left = granted.saturating_sub(1);
        self.leases
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(
                bucket.to_owned(),
                Lease {
                    left,
                    unclaimed,
                    ends: std::time::Instant::now() + reset,
                    quota,
                },
            );
        Ok(RateDecision {
            allowed,
            limit: quota.limit,
            remaining: if allowed {
                unclaimed.saturating_add(left)
            } else {
                0
            },
            reset,
        })
    }
}

#[cfg(not(feature = "postgres"))]
#[async_trait]
impl RateLimiter for SharedRateLimiter {
    async fn hit(&self, _: &str, _: Quota) -> Result<RateDecision, RepoError> {
        Err(RepoError::unexpected(
            "the shared rate limiter needs PostgreSQL",
        ))
    }
}

impl DieselStore {
    /// The rate limiter every instance on this database shares: `Some` on PostgreSQL; `None` on
    /// SQLite, whose one instance counts in memory
    /// ([`LocalRateLimiter`](clientele_ports::LocalRateLimiter)).
    #[must_use]
    pub fn shared_rate_limiter(&self) -> Option<SharedRateLimiter> {
        (self.backend() == crate::Backend::Postgres).then(|| SharedRateLimiter::new(self.clone()))
    }
}
