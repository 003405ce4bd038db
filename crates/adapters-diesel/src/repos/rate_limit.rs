//! The rate-limit port shared by every instance on one PostgreSQL database.

use async_trait::async_trait;
use clientele_ports::{Quota, RateDecision, RateLimiter, RepoError};

use crate::store::DieselStore;

/// A [`RateLimiter`] counting in the database: one upsert per hit on an `UNLOGGED` table (no WAL
/// flush), windows aligned on the database's clock, so every instance sees one count per bucket
/// and the row lock makes each hit atomic. PostgreSQL only: from
/// [`DieselStore::shared_rate_limiter`].
#[derive(Debug, Clone)]
pub struct SharedRateLimiter {
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    store: DieselStore,
}

impl SharedRateLimiter {
    pub(crate) fn new(store: DieselStore) -> Self {
        Self { store }
    }
}

#[cfg(feature = "postgres")]
#[async_trait]
impl RateLimiter for SharedRateLimiter {
    async fn hit(&self, bucket: &str, quota: Quota) -> Result<RateDecision, RepoError> {
        use diesel::RunQueryDsl as _;
        use diesel::sql_types::{BigInt, Double, Text};

        #[derive(diesel::QueryableByName)]
        struct Hit {
            #[diesel(sql_type = BigInt)]
            hits: i64,
            #[diesel(sql_type = Double)]
            reset_seconds: f64,
        }

        let bucket = bucket.to_owned();
        let window = quota.window.as_secs().max(1) as f64;
        let hit = self
            .store
            .run(move |c| {
                let crate::connection::DbConn::Pg(pg) = c else {
                    return Err(RepoError::unexpected("the shared rate limiter needs PostgreSQL").into());
                };
                Ok(diesel::sql_query(
                    "INSERT INTO rate_limit_windows AS w (bucket, window_start, hits) \
                     VALUES ($1, to_timestamp(floor(extract(epoch FROM clock_timestamp()) / $2) * $2), 1) \
                     ON CONFLICT (bucket) DO UPDATE SET \
                       hits = CASE WHEN w.window_start = EXCLUDED.window_start THEN w.hits + 1 ELSE 1 END, \
                       window_start = EXCLUDED.window_start \
                     RETURNING hits, extract(epoch FROM window_start + make_interval(secs => $2) - clock_timestamp())::float8 AS reset_seconds",
                )
                .bind::<Text, _>(bucket)
                .bind::<Double, _>(window)
                .get_result::<Hit>(pg)?)
            })
            .await?;
        let reset = std::time::Duration::from_secs_f64(hit.reset_seconds.clamp(0.0, window));
        Ok(RateDecision::of_count(
            quota,
            u64::try_from(hit.hits).unwrap_or(0),
            reset,
        ))
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
