//! Connections: one `DbConn` type for both backends, the database URL forms, and the r2d2 pool
//! (its connection manager, the SQLite pragmas, its options).

use std::fmt;
use std::time::{Duration, Instant};

use diesel::Connection as _;
#[cfg(feature = "postgres")]
use diesel::PgConnection;
#[cfg(feature = "sqlite")]
use diesel::SqliteConnection;
use diesel::connection::SimpleConnection as _;
use diesel::r2d2::R2D2Connection as _;

use crate::error::StoreError;

/// A connection to either backend. Most queries are written once against this type (diesel's
/// `MultiConnection`); the few that need backend-specific SQL (`ON CONFLICT`, pragmas, migrations)
/// `match` on it with `per_backend!`. Each backend is a Cargo feature (`sqlite`, `postgres`).
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    #[cfg(feature = "postgres")]
    Pg(PgConnection),
    #[cfg(feature = "sqlite")]
    Sqlite(SqliteConnection),
}

#[cfg(not(any(feature = "sqlite", feature = "postgres")))]
compile_error!(
    "clientele-adapters-diesel needs a backend: enable the `sqlite` or `postgres` feature"
);

/// Runs the same diesel code against the concrete connection of either backend: the body is
/// type-checked once per backend, so it may use what `MultiConnection` lacks (`ON CONFLICT`).
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            #[cfg(feature = "postgres")]
            $crate::connection::DbConn::Pg($c) => $body,
            #[cfg(feature = "sqlite")]
            $crate::connection::DbConn::Sqlite($c) => $body,
        }
    };
}
pub(crate) use per_backend;

impl DbConn {
    /// The database this connection talks to.
    pub(crate) fn backend(&self) -> Backend {
        match self {
            #[cfg(feature = "postgres")]
            Self::Pg(_) => Backend::Postgres,
            #[cfg(feature = "sqlite")]
            Self::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// SQLite (feature `sqlite`).
    Sqlite,
    /// PostgreSQL (feature `postgres`).
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        })
    }
}

/// Where to connect, parsed from a database URL.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A file path (or an SQLite `file:` URI).
    SqliteFile(String),
    /// A private in-memory database (one connection).
    SqliteMemory,
    /// A libpq URL (`postgres://` or `postgresql://`).
    Postgres(String),
}

impl Target {
    /// Accepted forms: `postgres://...`, `postgresql://...`, `sqlite://PATH`, `sqlite:PATH`,
    /// `sqlite::memory:`, `file:...` (an SQLite URI), or a bare file path.
    pub(crate) fn parse(url: &str) -> Result<Self, StoreError> {
        let url = url.trim();
        let unsupported = || StoreError::UnsupportedUrl(redact(url));
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        if url.starts_with("postgres") {
            // `postgres:/db`, `postgresql:x`: a mistyped PostgreSQL URL, never a file name.
            return Err(unsupported());
        }
        let path = if let Some(rest) = url.strip_prefix("sqlite://") {
            rest
        } else if let Some(rest) = url.strip_prefix("sqlite:") {
            rest
        } else if url.starts_with("file:") {
            return Ok(Self::SqliteFile(url.to_owned()));
        } else if url.contains("://") || url.contains('=') || url.contains(char::is_whitespace) {
            // Another scheme, or a libpq keyword/value string (`host=... password=...`): never a
            // file to create. A path with spaces or `=` is written `sqlite://PATH`.
            return Err(unsupported());
        } else {
            url
        };
        match path {
            "" => Err(unsupported()),
            ":memory:" => Ok(Self::SqliteMemory),
            path => Ok(Self::SqliteFile(path.to_owned())),
        }
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            Self::SqliteFile(_) | Self::SqliteMemory => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// Opens one connection directly, with the backend's own error on failure (or a
    /// `BadConnection` naming the feature when this build lacks the backend).
    pub(crate) fn establish(&self) -> diesel::ConnectionResult<DbConn> {
        match self {
            #[cfg(feature = "sqlite")]
            Self::SqliteFile(path) => SqliteConnection::establish(path).map(DbConn::Sqlite),
            #[cfg(feature = "sqlite")]
            Self::SqliteMemory => SqliteConnection::establish(":memory:").map(DbConn::Sqlite),
            #[cfg(feature = "postgres")]
            Self::Postgres(url) => PgConnection::establish(url).map(DbConn::Pg),
            #[allow(unreachable_patterns)]
            other => Err(diesel::ConnectionError::BadConnection(format!(
                "this build has no {} support (the `{}` feature of clientele-adapters-diesel)",
                other.backend(),
                other.backend()
            ))),
        }
    }
}

impl Target {
    /// SQLite file: switches it to WAL once, on one connection, before a pool opens several. The
    /// journal mode is stored in the file, so the pool's own `journal_mode = WAL` is then a no-op;
    /// several connections switching a new file at once can otherwise meet "database is locked".
    /// A failure here is left for the pool to report.
    pub(crate) fn prepare(&self, busy_timeout: Duration) {
        #[cfg(feature = "sqlite")]
        if let Self::SqliteFile(_) = self
            && let Ok(DbConn::Sqlite(mut c)) = self.establish()
        {
            let pragmas = format!(
                "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL;",
                busy_timeout.as_millis()
            );
            if let Err(e) = c.batch_execute(&pragmas) {
                tracing::debug!(database = %self, error = %e, "could not switch to WAL up front");
            }
        }
    }
}

impl fmt::Display for Target {
    /// The URL without its password, for logs and errors.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SqliteFile(path) => write!(f, "sqlite://{path}"),
            Self::SqliteMemory => f.write_str("sqlite::memory:"),
            Self::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Target({self})")
    }
}

/// `url` with the password of its user info (`scheme://user:password@host`) replaced by `***`.
#[must_use]
pub fn redact(url: &str) -> String {
    let without_query_secrets = redact_query(url);
    let url = without_query_secrets.as_str();
    let Some(scheme_end) = url.find("://") else {
        // A libpq keyword/value string (`host=h password=p`): hide the secret values.
        return url
            .split(' ')
            .map(|pair| match pair.split_once('=') {
                Some((key, _))
                    if key.eq_ignore_ascii_case("password")
                        || key.eq_ignore_ascii_case("sslpassword") =>
                {
                    format!("{key}=***")
                }
                _ => pair.to_owned(),
            })
            .collect::<Vec<_>>()
            .join(" ");
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let user_info = &authority[..at];
    match user_info.find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end + 3],
            &user_info[..colon],
            &rest[at..]
        ),
        None => url.to_owned(),
    }
}

/// `url` with the values of secret query parameters (`password`, `sslpassword`) replaced by
/// `***`: libpq takes a password there too.
fn redact_query(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let params: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _))
                if ["password", "sslpassword"].contains(&name.to_ascii_lowercase().as_str()) =>
            {
                format!("{name}=***")
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", params.join("&"))
}

/// The pool's settings.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Most connections the pool opens (an in-memory SQLite database always uses one).
    pub max_size: u32,
    /// Idle connections kept open; `None` keeps `max_size`.
    pub min_idle: Option<u32>,
    /// How long a caller waits for a connection before getting `RepoError::Unavailable`.
    pub connection_timeout: Duration,
    /// SQLite's `busy_timeout`: how long a writer waits for the write lock.
    pub sqlite_busy_timeout: Duration,
}

impl PoolOptions {
    /// The default most connections.
    pub const DEFAULT_MAX_SIZE: u32 = 10;
    /// The default wait for a connection, in milliseconds.
    pub const DEFAULT_TIMEOUT_MS: u64 = 5000;
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: Self::DEFAULT_MAX_SIZE,
            min_idle: Some(1),
            connection_timeout: Duration::from_millis(Self::DEFAULT_TIMEOUT_MS),
            sqlite_busy_timeout: Duration::from_secs(5),
        }
    }
}

/// A pooled connection: the diesel connection, when it was last handed out, and whether a query
/// on it failed as if the connection were gone (r2d2 then discards it instead of reusing it).
pub(crate) struct Pooled {
    pub(crate) conn: DbConn,
    pub(crate) last_used: Instant,
    pub(crate) broken: bool,
}

/// Opens connections for r2d2, dispatching on the parsed URL, so a failure reports the backend's
/// own error (not `MultiConnection`'s "Invalid connection url").
#[derive(Debug)]
pub(crate) struct Manager {
    pub(crate) target: Target,
    /// Set once a connection succeeded (shared with [`LogErrors`]).
    pub(crate) connected: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Pooled;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Pooled, Self::Error> {
        let conn = self
            .target
            .establish()
            .map_err(diesel::r2d2::Error::ConnectionError)?;
        self.connected
            .store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(Pooled {
            conn,
            last_used: Instant::now(),
            broken: false,
        })
    }

    fn is_valid(&self, pooled: &mut Pooled) -> Result<(), Self::Error> {
        pooled.conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, pooled: &mut Pooled) -> bool {
        std::thread::panicking() || pooled.broken || pooled.conn.is_broken()
    }
}

/// Per-connection setup. SQLite: `busy_timeout` first (so the other pragmas wait for a lock
/// instead of failing while the pool opens several connections on a new file), then WAL,
/// foreign keys and `synchronous=NORMAL`. PostgreSQL: `statement_timeout`.
#[derive(Debug)]
pub(crate) struct Setup {
    pub(crate) busy_timeout: Duration,
    /// PostgreSQL's `statement_timeout`: a statement whose caller gave up does not run on.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(crate) statement_timeout: Duration,
}

impl r2d2::CustomizeConnection<Pooled, diesel::r2d2::Error> for Setup {
    fn on_acquire(&self, pooled: &mut Pooled) -> Result<(), diesel::r2d2::Error> {
        match &mut pooled.conn {
            #[cfg(feature = "sqlite")]
            DbConn::Sqlite(c) => c
                .batch_execute(&format!(
                    "PRAGMA busy_timeout = {};
                     PRAGMA journal_mode = WAL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA synchronous = NORMAL;",
                    self.busy_timeout.as_millis()
                ))
                .map_err(diesel::r2d2::Error::QueryError),
            #[cfg(feature = "postgres")]
            DbConn::Pg(c) => c
                .batch_execute(&format!(
                    "SET statement_timeout = {}",
                    self.statement_timeout.as_millis().max(1)
                ))
                .map_err(diesel::r2d2::Error::QueryError),
        }
    }
}

/// Logs the pool's background connection failures (r2d2 would use the `log` crate).
#[derive(Debug)]
pub(crate) struct LogErrors {
    pub(crate) target: String,
    /// Set once a connection succeeded (shared with [`Manager`]).
    pub(crate) connected: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl r2d2::HandleError<diesel::r2d2::Error> for LogErrors {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        // Before the first connection, the caller reports the failure once (a start that cannot
        // reach the database is one line, not one per retry).
        if self.connected.load(std::sync::atomic::Ordering::Relaxed) {
            tracing::warn!(database = %self.target, error = %error, "database connection failed");
        } else {
            tracing::debug!(database = %self.target, error = %error, "database connection failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> Option<Target> {
        Target::parse(url).ok()
    }

    #[test]
    fn url_forms() {
        let file = |p: &str| Some(Target::SqliteFile(p.to_owned()));
        assert_eq!(parse("sqlite://clientele.db"), file("clientele.db"));
        assert_eq!(parse("sqlite:///var/db/c.db"), file("/var/db/c.db"));
        assert_eq!(parse("sqlite:c.db"), file("c.db"));
        assert_eq!(parse("./data/c.db"), file("./data/c.db"));
        assert_eq!(parse("file:c.db?mode=rwc"), file("file:c.db?mode=rwc"));
        assert_eq!(parse("sqlite::memory:"), Some(Target::SqliteMemory));
        assert_eq!(parse("postgres:/typo"), None);
        assert_eq!(parse("postgresql:x"), None);
        assert_eq!(
            parse("postgres://u@h/db"),
            Some(Target::Postgres("postgres://u@h/db".to_owned()))
        );
        assert_eq!(
            parse("postgresql://h/db").map(|t| t.backend()),
            Some(Backend::Postgres)
        );
        assert!(parse("mysql://h/db").is_none());
        assert!(parse("sqlite://").is_none());
        assert!(
            parse("host=127.0.0.1 port=1 password=secret").is_none(),
            "a libpq keyword string is not a file name"
        );
        assert!(parse("my db.sqlite").is_none(), "spaces: sqlite://PATH");
        assert_eq!(parse("sqlite://my db.sqlite"), file("my db.sqlite"));
        assert!(parse("  ").is_none());
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/x?sslmode=require"),
            "postgres://app:***@db:5432/x?sslmode=require"
        );
        assert_eq!(redact("postgres://app@db/x"), "postgres://app@db/x");
        assert_eq!(
            redact("host=db port=1 password=hunter2 sslpassword=x user=app"),
            "host=db port=1 password=*** sslpassword=*** user=app"
        );
        assert_eq!(redact("postgres://db/x?a=b@c"), "postgres://db/x?a=b@c");
        assert_eq!(redact("clientele.db"), "clientele.db");
        assert_eq!(
            redact("postgres://app@db/x?sslmode=require&password=hunter2&PassWord=x&sslpassword=y"),
            "postgres://app@db/x?sslmode=require&password=***&PassWord=***&sslpassword=***"
        );
        assert_eq!(
            redact("postgres://app:s3cret@db/x?password=hunter2"),
            "postgres://app:***@db/x?password=***"
        );
    }
}
