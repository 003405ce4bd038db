//! Test databases: a temporary SQLite file per test, or a fresh PostgreSQL database per test
//! (created from `TEST_DATABASE_URL`, dropped afterwards).
//!
//! PostgreSQL gating: when it cannot be reached, a test fails if `CI` is set, and otherwise
//! returns early after one line on stderr saying how to run it.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clientele_adapters_diesel::{DieselStore, PoolOptions};
use diesel::{Connection as _, PgConnection, RunQueryDsl as _};

pub const DEFAULT_TEST_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Small pools: many tests run at once against one PostgreSQL (max_connections ~100).
pub fn options() -> PoolOptions {
    PoolOptions {
        max_size: 4,
        min_idle: Some(1),
        connection_timeout: Duration::from_secs(15),
        sqlite_busy_timeout: Duration::from_secs(5),
    }
}

/// A name no other test (of this or another run) uses.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A temporary directory, removed on drop.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(unique("clientele_test"));
        std::fs::create_dir_all(&dir).expect("create a temporary directory");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A migrated SQLite database in its own temporary directory.
#[derive(Debug)]
pub struct SqliteDb {
    pub store: DieselStore,
    pub url: String,
    pub dir: TempDir,
}

impl SqliteDb {
    pub async fn new() -> Self {
        let dir = TempDir::new();
        let url = format!("sqlite://{}", dir.0.join("clientele.db").display());
        let store = DieselStore::connect(&url, options()).expect("open the SQLite database");
        store.migrate().await.expect("migrate");
        Self { store, url, dir }
    }

    /// A second pool on the same file (another process).
    pub fn another_store(&self) -> DieselStore {
        DieselStore::connect(&self.url, options()).expect("open a second pool")
    }
}

/// The PostgreSQL server tests run against.
pub fn admin_url() -> String {
    let url = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_TEST_DATABASE_URL.to_owned());
    without_tls(&url)
}

/// `url` with `sslmode=disable` unless it names a mode. The tests talk to a local server, where TLS
/// buys nothing, and libpq's OpenSSL state is torn down by an `atexit` handler while pool and
/// server threads still hold TLS connections: a test binary could crash *after* its tests passed.
pub fn without_tls(url: &str) -> String {
    if url.contains("sslmode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

/// `url` pointing at database `db` instead.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[host_start..]
        .find('/')
        .map_or(base.len(), |i| host_start + i);
    let mut out = format!("{}/{db}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// An admin connection, or `None` (after the one skip line) when PostgreSQL is not reachable and
/// `CI` is not set.
pub fn admin() -> Option<PgConnection> {
    let url = admin_url();
    match PgConnection::establish(&url) {
        Ok(conn) => Some(conn),
        Err(e) if std::env::var_os("CI").is_some() => {
            panic!(
                "PostgreSQL not reachable at {} and CI is set: {e}",
                clientele_adapters_diesel::redact(&url)
            )
        }
        Err(_) => {
            // Once per test binary, straight to stderr (libtest captures `eprintln!`).
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                use std::io::Write as _;
                let _ = writeln!(
                    std::io::stderr(),
                    "skipped: PostgreSQL tests of clientele-adapters-diesel: not reachable at {}; start it or set TEST_DATABASE_URL (CI=1 makes this a failure)",
                    clientele_adapters_diesel::redact(&url)
                );
            });
            None
        }
    }
}

/// A fresh, migrated PostgreSQL database, dropped on drop.
pub struct PgDb {
    pub store: DieselStore,
    pub name: String,
    pub url: String,
}

impl std::fmt::Debug for PgDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgDb").field("name", &self.name).finish()
    }
}

impl PgDb {
    /// `None` when PostgreSQL is not reachable (and `CI` is not set).
    pub async fn new() -> Option<Self> {
        Self::with_options(options()).await
    }

    pub async fn with_options(options: PoolOptions) -> Option<Self> {
        let mut admin = admin()?;
        let name = unique("clientele_test");
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .expect("create the test database");
        let url = with_database(&admin_url(), &name);
        let db = Self {
            store: DieselStore::connect(&url, options).expect("connect to the test database"),
            name,
            url,
        };
        db.store.migrate().await.expect("migrate");
        Some(db)
    }

    /// A second, independent pool on the same database (another server instance).
    pub fn another_store(&self) -> DieselStore {
        DieselStore::connect(&self.url, options()).expect("open a second pool")
    }

    /// Runs `sql` on the admin connection.
    pub fn admin_execute(&self, sql: &str) {
        let mut admin = PgConnection::establish(&admin_url()).expect("admin connection");
        diesel::sql_query(sql)
            .execute(&mut admin)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Terminates every connection to the test database.
    pub fn terminate_backends(&self) {
        self.admin_execute(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{}' AND pid <> pg_backend_pid()",
            self.name
        ));
    }

    /// Refuses (`false`) or accepts (`true`) new connections to the test database.
    pub fn allow_connections(&self, allow: bool) {
        self.admin_execute(&format!(
            "ALTER DATABASE \"{}\" WITH ALLOW_CONNECTIONS {allow}",
            self.name
        ));
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&admin_url()) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}

#[test]
fn database_urls() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
        "postgres://postgres@127.0.0.1:5432/t1"
    );
    assert_eq!(
        with_database("postgresql://u:p@h/db?sslmode=disable", "t2"),
        "postgresql://u:p@h/t2?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://h:5432", "t3"),
        "postgres://h:5432/t3"
    );
}
