//! [`DieselStore`]: the pool, the blocking-work runner, and migrations.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clientele_ports::{BoxError, RepoError};
#[cfg(feature = "postgres")]
use diesel::RunQueryDsl as _;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::connection::{Backend, DbConn, LogErrors, Manager, PoolOptions, Setup, Target};
use crate::error::{Failure, StoreError};

/// The SQLite migrations, compiled into the binary.
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
/// The PostgreSQL migrations, compiled into the binary.
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// A session-level advisory lock held while migrating PostgreSQL, so that two instances starting
/// together do not both apply the same migration.
#[cfg(feature = "postgres")]
const MIGRATION_LOCK: i64 = 0x636c_6965_6e74; // "client"

pub(crate) type Pool = r2d2::Pool<Manager>;

/// A connection handed out within this window of its last use is trusted without a ping (the
/// "alive bypass window" of HikariCP): under load connections are hot and pay no extra round
/// trip; an idle one — which a restarted database or a connection reaper may have closed — is
/// pinged first and replaced when dead.
const ALIVE_BYPASS: Duration = Duration::from_millis(500);

/// Every repository port of `clientele-ports` on diesel + r2d2, for SQLite and PostgreSQL.
///
/// Cheap to clone (the pool is shared). Every query runs on tokio's blocking pool; a database that
/// cannot be reached makes calls fail with `RepoError::Unavailable` after
/// [`PoolOptions::connection_timeout`], and the pool reconnects by itself when it is back.
#[derive(Clone)]
pub struct DieselStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    target: Target,
    events: Arc<PoolEvents>,
    /// The longest a call waits for the database, connection and statements together
    /// ([`PoolOptions::connection_timeout`]).
    deadline: Duration,
}

/// Counts of the pool's checkouts, for [`DieselStore::pool_stats`].
#[derive(Debug, Default)]
struct PoolEvents {
    checkouts: AtomicU64,
    wait_nanos: AtomicU64,
    timeouts: AtomicU64,
    deadlines: AtomicU64,
}

/// The pool's handle on the shared counts.
#[derive(Debug)]
struct CountEvents(Arc<PoolEvents>);

impl r2d2::HandleEvent for CountEvents {
    fn handle_checkout(&self, event: r2d2::event::CheckoutEvent) {
        self.0.checkouts.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(event.duration().as_nanos()).unwrap_or(u64::MAX);
        self.0.wait_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    fn handle_timeout(&self, _: r2d2::event::TimeoutEvent) {
        self.0.timeouts.fetch_add(1, Ordering::Relaxed);
    }
}

/// A snapshot of the connection pool, for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// The most connections the pool opens.
    pub max_size: u32,
    /// Connections open now (in use and idle).
    pub connections: u32,
    /// Open connections not in use now.
    pub idle: u32,
    /// Connections handed out so far.
    pub checkouts: u64,
    /// Time callers spent waiting for those connections, in total.
    pub wait: Duration,
    /// Callers that got no connection within the pool's timeout (each a 503).
    pub timeouts: u64,
    /// Calls the database did not finish within the pool's timeout (each a 503).
    pub deadlines: u64,
}

impl fmt::Debug for DieselStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DieselStore")
            .field("database", &self.inner.target.to_string())
            .field("pool", &self.inner.pool.state())
            .finish()
    }
}

impl DieselStore {
    /// Opens a pool on `url` and checks that one connection can be made, waiting at most
    /// `options.connection_timeout`. Blocking: call it at start-up (or from `spawn_blocking`).
    ///
    /// URL forms: `postgres://...` / `postgresql://...`; `sqlite://PATH`, `sqlite:PATH`, a bare
    /// path or an SQLite `file:` URI (the file is created when missing); `sqlite::memory:`.
    ///
    /// # Errors
    /// [`StoreError::UnsupportedUrl`], or [`StoreError::Connect`] with the backend's own error.
    pub fn connect(url: &str, options: PoolOptions) -> Result<Self, StoreError> {
        let store = Self::connect_lazy(url, options)?;
        if let Err(pool_error) = store.inner.pool.get() {
            // The pool's error says little more than "timed out": connect once directly to
            // report why.
            let source: BoxError = match store.inner.target.establish() {
                Err(e) => Box::new(e),
                Ok(_) => Box::new(pool_error),
            };
            return Err(StoreError::Connect {
                target: store.inner.target.to_string(),
                source,
            });
        }
        Ok(store)
    }

    /// Like [`DieselStore::connect`] but without waiting for a first connection: a database that
    /// is down surfaces as `RepoError::Unavailable` on use.
    ///
    /// # Errors
    /// [`StoreError::UnsupportedUrl`].
    pub fn connect_lazy(url: &str, options: PoolOptions) -> Result<Self, StoreError> {
        let target = Target::parse(url)?;
        target.prepare(options.sqlite_busy_timeout);
        let memory = target == Target::SqliteMemory;
        let events = Arc::new(PoolEvents::default());
        let connected = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut builder = r2d2::Pool::builder()
            .event_handler(Box::new(CountEvents(Arc::clone(&events))))
            .max_size(if memory { 1 } else { options.max_size.max(1) })
            .min_idle(if memory { Some(1) } else { options.min_idle })
            .connection_timeout(options.connection_timeout)
            // Validation is ours (`checkout`): a ping only for connections idle past
            // `ALIVE_BYPASS`, not a round trip before every query.
            .test_on_check_out(false)
            .error_handler(Box::new(LogErrors {
                target: target.to_string(),
                connected: Arc::clone(&connected),
            }))
            .connection_customizer(Box::new(Setup {
                busy_timeout: options.sqlite_busy_timeout,
                statement_timeout: options.connection_timeout,
            }));
        if memory {
            // The database lives as long as its only connection.
            builder = builder.idle_timeout(None).max_lifetime(None);
        }
        let pool = builder.build_unchecked(Manager {
            target: target.clone(),
            connected,
        });
        Ok(Self {
            inner: Arc::new(Inner {
                pool,
                target,
                events,
                deadline: options.connection_timeout,
            }),
        })
    }

    /// The pool's state and counts so far.
    #[must_use]
    pub fn pool_stats(&self) -> PoolStats {
        let state = self.inner.pool.state();
        let events = &self.inner.events;
        PoolStats {
            max_size: self.inner.pool.max_size(),
            connections: state.connections,
            idle: state.idle_connections,
            checkouts: events.checkouts.load(Ordering::Relaxed),
            wait: Duration::from_nanos(events.wait_nanos.load(Ordering::Relaxed)),
            timeouts: events.timeouts.load(Ordering::Relaxed),
            deadlines: events.deadlines.load(Ordering::Relaxed),
        }
    }

    /// Which database this store uses.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.inner.target.backend()
    }

    /// The database URL, password redacted.
    #[must_use]
    pub fn database(&self) -> String {
        self.inner.target.to_string()
    }

    /// Applies the pending migrations; returns their names (e.g. `2025-11-23-000002_clients`).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Migration`].
    pub async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        self.migrations(|conn| match conn {
            #[cfg(feature = "sqlite")]
            DbConn::Sqlite(c) => apply(c, SQLITE_MIGRATIONS),
            #[cfg(feature = "postgres")]
            DbConn::Pg(c) => {
                diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
                    .execute(c)?;
                let applied = apply(c, POSTGRES_MIGRATIONS);
                diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
                    .execute(c)?;
                applied
            }
        })
        .await
    }

    /// Reverts every applied migration, newest first (an empty database remains); returns their
    /// names. For tests and `migration redo`: it drops all data.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Migration`].
    pub async fn revert_all_migrations(&self) -> Result<Vec<String>, StoreError> {
        self.migrations(|conn| match conn {
            #[cfg(feature = "sqlite")]
            DbConn::Sqlite(c) => revert_all(c, SQLITE_MIGRATIONS),
            #[cfg(feature = "postgres")]
            DbConn::Pg(c) => revert_all(c, POSTGRES_MIGRATIONS),
        })
        .await
    }

    /// Names of the migrations not applied yet.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Migration`].
    pub async fn pending_migrations(&self) -> Result<Vec<String>, StoreError> {
        self.migrations(|conn| match conn {
            #[cfg(feature = "sqlite")]
            DbConn::Sqlite(c) => names(&c.pending_migrations(SQLITE_MIGRATIONS)?),
            #[cfg(feature = "postgres")]
            DbConn::Pg(c) => names(&c.pending_migrations(POSTGRES_MIGRATIONS)?),
        })
        .await
    }

    async fn migrations<F>(&self, f: F) -> Result<Vec<String>, StoreError>
    where
        F: FnOnce(&mut DbConn) -> Result<Vec<String>, BoxError> + Send + 'static,
    {
        let target = self.inner.target.to_string();
        let pool = self.inner.pool.clone();
        #[cfg(feature = "postgres")]
        let statement_timeout = self.inner.deadline.as_millis().max(1);
        let result = tokio::task::spawn_blocking(move || {
            let mut conn = checkout(&pool).map_err(|e| Err(Box::new(e) as BoxError))?;
            // Migrations may build indexes over many rows: no statement timeout while they run.
            #[cfg(feature = "postgres")]
            if let DbConn::Pg(pg) = &mut conn.conn {
                diesel::connection::SimpleConnection::batch_execute(
                    pg,
                    "SET statement_timeout = 0",
                )
                .map_err(|e| Ok(Box::new(e) as BoxError))?;
            }
            let result = f(&mut conn.conn).map_err(Ok);
            #[cfg(feature = "postgres")]
            if let DbConn::Pg(pg) = &mut conn.conn
                && diesel::connection::SimpleConnection::batch_execute(
                    pg,
                    &format!("SET statement_timeout = {statement_timeout}"),
                )
                .is_err()
            {
                conn.broken = true;
            }
            result
        })
        .await;
        match result {
            Ok(Ok(names)) => Ok(names),
            Ok(Err(Err(source))) => Err(StoreError::Unavailable { target, source }),
            Ok(Err(Ok(source))) => Err(StoreError::Migration { target, source }),
            Err(join) => Err(StoreError::Migration {
                target,
                source: Box::new(join),
            }),
        }
    }

    /// Runs `f` with a pooled connection on tokio's blocking pool. The connection is taken inside
    /// the blocking task, so waiting for one never blocks the async executor.
    ///
    /// The whole call — waiting for a connection, then the statements — is bounded by the pool's
    /// timeout: a database that stops answering (frozen, a network partition that drops nothing)
    /// makes the call `Unavailable` within it, while the blocked statement finishes or fails on
    /// its own thread (PostgreSQL's `statement_timeout`, set to the same value, ends a statement
    /// the database is still running), and its connection then returns to the pool. A
    /// transaction that commits after its caller gave up is still a whole transaction; the caller
    /// answered 503, never success.
    pub(crate) async fn run<T, F>(&self, f: F) -> Result<T, RepoError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, Failure> + Send + 'static,
    {
        let pool = self.inner.pool.clone();
        let span = tracing::Span::current();
        let work = tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            let mut conn = checkout(&pool)?;
            let result = f(&mut conn.conn).map_err(RepoError::from);
            if matches!(result, Err(RepoError::Unavailable(_))) {
                // Closed, terminated or locked: never hand this connection out again.
                conn.broken = true;
            }
            result
        });
        match tokio::time::timeout(self.inner.deadline, work).await {
            Ok(joined) => joined.map_err(RepoError::unexpected)?,
            Err(_) => {
                self.inner.events.deadlines.fetch_add(1, Ordering::Relaxed);
                Err(RepoError::unavailable(format!(
                    "the database did not answer within {} ms",
                    self.inner.deadline.as_millis()
                )))
            }
        }
    }
}

/// A live connection from the pool: one used within [`ALIVE_BYPASS`] as it is, an older one after
/// a ping (a dead one is discarded and the next tried, up to the pool's size plus a fresh one).
fn checkout(pool: &Pool) -> Result<r2d2::PooledConnection<Manager>, RepoError> {
    let mut last_error = None;
    for _ in 0..=pool.max_size() {
        let mut pooled = pool.get().map_err(RepoError::unavailable)?;
        let alive = pooled.last_used.elapsed() < ALIVE_BYPASS || {
            match diesel::r2d2::R2D2Connection::ping(&mut pooled.conn) {
                Ok(()) => true,
                Err(e) => {
                    last_error = Some(e);
                    false
                }
            }
        };
        if alive {
            pooled.last_used = Instant::now();
            return Ok(pooled);
        }
        pooled.broken = true;
    }
    Err(last_error.map_or_else(
        || RepoError::unavailable("no live database connection"),
        RepoError::unavailable,
    ))
}

fn names<DB: diesel::backend::Backend>(
    migrations: &[Box<dyn diesel::migration::Migration<DB>>],
) -> Result<Vec<String>, BoxError> {
    Ok(migrations.iter().map(|m| m.name().to_string()).collect())
}

fn apply<DB, C>(conn: &mut C, source: EmbeddedMigrations) -> Result<Vec<String>, BoxError>
where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB>,
    EmbeddedMigrations: diesel::migration::MigrationSource<DB>,
{
    let pending = conn.pending_migrations(source)?;
    let applied = names(&pending)?;
    conn.run_migrations(&pending)?;
    Ok(applied)
}

fn revert_all<DB, C>(conn: &mut C, source: EmbeddedMigrations) -> Result<Vec<String>, BoxError>
where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB>,
    EmbeddedMigrations: diesel::migration::MigrationSource<DB>,
{
    use diesel::migration::MigrationSource as _;
    let all = source.migrations()?;
    let reverted = conn.revert_all_migrations(source)?;
    Ok(reverted
        .iter()
        .map(|version| {
            all.iter()
                .find(|m| m.name().version() == *version)
                .map_or_else(|| version.to_string(), |m| m.name().to_string())
        })
        .collect())
}
