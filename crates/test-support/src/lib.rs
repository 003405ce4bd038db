//! Test databases for the workspace's own tests: a fresh, migrated database per test.
//!
//! - [`TestDb::sqlite`]: a copy of a migrated SQLite file (migrated once per process).
//! - [`TestDb::postgres`]: `CREATE DATABASE ... TEMPLATE` a migrated template database (migrated
//!   once per migration set, shared by every process), on the server of `TEST_DATABASE_URL`.
//!
//! Each database is removed when its `TestDb` is dropped.

#![warn(missing_docs)]
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::missing_panics_doc)]

mod proxy;

pub use proxy::FreezableProxy;

use std::hash::{Hash as _, Hasher as _};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use clientele_adapters_diesel::SQLITE_MIGRATIONS;
#[cfg(feature = "postgres")]
use clientele_adapters_diesel::{POSTGRES_MIGRATIONS, redact};
#[cfg(feature = "postgres")]
use diesel::PgConnection;
#[cfg(any(feature = "postgres", test))]
use diesel::RunQueryDsl as _;
use diesel::{Connection as _, SqliteConnection};
use diesel_migrations::MigrationHarness as _;

/// Where the PostgreSQL tests run when `TEST_DATABASE_URL` is not set.
pub const DEFAULT_TEST_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The two backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A file in a temporary directory.
    Sqlite,
    /// A database on the server of `TEST_DATABASE_URL` (feature `postgres`).
    Postgres,
}

/// A name no other test (of this or another run) uses.
#[must_use]
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
    /// A new, empty directory under the system's temporary directory.
    #[must_use]
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(unique("clientele_test"));
        std::fs::create_dir_all(&dir).expect("create a temporary directory");
        Self(dir)
    }
}

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The PostgreSQL server the tests run against (`TEST_DATABASE_URL`), without TLS unless the URL
/// names a mode.
#[must_use]
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
#[must_use]
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
#[must_use]
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

#[cfg(feature = "postgres")]
/// A connection to the test server's maintenance database. Panics when PostgreSQL cannot be
/// reached: a PostgreSQL test runs only when asked to (it is `#[ignore]`d otherwise), so a
/// missing server is a failure, not a pass.
#[must_use]
pub fn admin() -> PgConnection {
    let url = admin_url();
    PgConnection::establish(&url).unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is not reachable at {} ({e}): start it or set TEST_DATABASE_URL; \
             without PostgreSQL run `cargo test` (its tests are then reported as ignored)",
            redact(&url)
        )
    })
}

#[cfg(feature = "postgres")]
fn execute(conn: &mut PgConnection, sql: &str) {
    diesel::sql_query(sql)
        .execute(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A fresh, migrated database for one test, removed on drop.
#[derive(Debug)]
pub struct TestDb {
    url: String,
    place: Place,
}

#[derive(Debug)]
enum Place {
    Sqlite(TempDir),
    #[cfg(feature = "postgres")]
    Postgres(String),
}

impl TestDb {
    /// A fresh database of `backend`.
    #[must_use]
    pub fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self::sqlite(),
            #[cfg(feature = "postgres")]
            Backend::Postgres => Self::postgres(),
            #[cfg(not(feature = "postgres"))]
            Backend::Postgres => panic!("built without the `postgres` feature"),
        }
    }

    /// A database of `backend` without any table (for tests of migrating itself).
    #[must_use]
    pub fn empty(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = TempDir::new();
                Self {
                    url: format!("sqlite://{}", dir.0.join("clientele.db").display()),
                    place: Place::Sqlite(dir),
                }
            }
            #[cfg(not(feature = "postgres"))]
            Backend::Postgres => panic!("built without the `postgres` feature"),
            #[cfg(feature = "postgres")]
            Backend::Postgres => {
                let name = unique("clientele_test");
                execute(&mut admin(), &format!("CREATE DATABASE \"{name}\""));
                Self {
                    url: with_database(&admin_url(), &name),
                    place: Place::Postgres(name),
                }
            }
        }
    }

    /// A copy of the migrated SQLite template, in its own temporary directory.
    #[must_use]
    pub fn sqlite() -> Self {
        let dir = TempDir::new();
        let file = dir.0.join("clientele.db");
        std::fs::copy(sqlite_template(), &file).expect("copy the SQLite template");
        Self {
            url: format!("sqlite://{}", file.display()),
            place: Place::Sqlite(dir),
        }
    }

    #[cfg(feature = "postgres")]
    /// A new database created from the migrated PostgreSQL template.
    #[must_use]
    pub fn postgres() -> Self {
        let template = postgres_template();
        let name = unique("clientele_test");
        execute(
            &mut admin(),
            &format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""),
        );
        Self {
            url: with_database(&admin_url(), &name),
            place: Place::Postgres(name),
        }
    }

    /// Which backend the database is on.
    #[must_use]
    pub fn backend(&self) -> Backend {
        match self.place {
            Place::Sqlite(_) => Backend::Sqlite,
            #[cfg(feature = "postgres")]
            Place::Postgres(_) => Backend::Postgres,
        }
    }

    /// The database's URL.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The PostgreSQL database's name, or the SQLite file's directory.
    #[must_use]
    pub fn name(&self) -> String {
        match &self.place {
            Place::Sqlite(dir) => dir.0.display().to_string(),
            #[cfg(feature = "postgres")]
            Place::Postgres(name) => name.clone(),
        }
    }

    /// The SQLite database's directory (`None` on PostgreSQL).
    #[must_use]
    pub fn dir(&self) -> Option<&Path> {
        match &self.place {
            Place::Sqlite(dir) => Some(&dir.0),
            #[cfg(feature = "postgres")]
            Place::Postgres(_) => None,
        }
    }

    #[cfg(feature = "postgres")]
    /// PostgreSQL: runs `sql` on an admin connection (to the server, not this database).
    pub fn admin_execute(&self, sql: &str) {
        execute(&mut admin(), sql);
    }

    #[cfg(feature = "postgres")]
    /// PostgreSQL: terminates every connection to this database.
    pub fn terminate_backends(&self) {
        if let Place::Postgres(name) = &self.place {
            self.admin_execute(&format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            ));
        }
    }

    #[cfg(feature = "postgres")]
    /// PostgreSQL: refuses (`false`) or accepts (`true`) new connections to this database.
    pub fn allow_connections(&self, allow: bool) {
        if let Place::Postgres(name) = &self.place {
            self.admin_execute(&format!(
                "ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS {allow}"
            ));
        }
    }

    #[cfg(feature = "postgres")]
    /// PostgreSQL: refuses new connections and closes the open ones (the database is "down").
    pub fn take_down(&self) {
        self.allow_connections(false);
        self.terminate_backends();
    }

    #[cfg(feature = "postgres")]
    /// PostgreSQL: accepts connections again.
    pub fn bring_up(&self) {
        self.allow_connections(true);
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        #[cfg(feature = "postgres")]
        if let Place::Postgres(name) = &self.place
            && let Ok(mut admin) = PgConnection::establish(&admin_url())
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut admin);
        }
    }
}

/// The migrated SQLite file every SQLite test copies (made once per process).
fn sqlite_template() -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        // One file per migration set, shared by every test process (not one per process).
        let file = std::env::temp_dir().join(format!(
            "clientele_template_sqlite_{:016x}.db",
            migrations_hash("sqlite")
        ));
        if file.exists() {
            return file;
        }
        // Built under a name of its own, then renamed: a reader never sees a half-migrated file.
        let building =
            std::env::temp_dir().join(format!("{}.db", unique("clientele_template_building")));
        let mut conn = SqliteConnection::establish(&building.display().to_string())
            .expect("create the SQLite template");
        conn.run_pending_migrations(SQLITE_MIGRATIONS)
            .expect("migrate the SQLite template");
        drop(conn); // rollback journal (no WAL yet): the file holds everything
        std::fs::rename(&building, &file).expect("publish the SQLite template");
        file
    })
}

#[cfg(feature = "postgres")]
/// The name of the migrated PostgreSQL template: made once per migration set (its name carries a
/// hash of `migrations/postgres`), under an advisory lock so concurrent test processes make it
/// once, and under a temporary name until complete so a crash never leaves a half-migrated one.
fn postgres_template() -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let name = format!("clientele_template_{:016x}", migrations_hash("postgres"));
        let mut admin = admin();
        execute(&mut admin, "SELECT pg_advisory_lock(7308830961)");
        let exists: i64 = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'"
        ))
        .get_result::<Count>(&mut admin)
        .expect("look for the template")
        .n;
        if exists == 0 {
            let building = unique("clientele_template_building");
            execute(&mut admin, &format!("CREATE DATABASE \"{building}\""));
            {
                let mut conn = PgConnection::establish(&with_database(&admin_url(), &building))
                    .expect("connect to the new template");
                conn.run_pending_migrations(POSTGRES_MIGRATIONS)
                    .expect("migrate the PostgreSQL template");
            }
            execute(
                &mut admin,
                &format!("ALTER DATABASE \"{building}\" RENAME TO \"{name}\""),
            );
        }
        execute(&mut admin, "SELECT pg_advisory_unlock(7308830961)");
        name
    })
}

#[cfg(any(feature = "postgres", test))]
#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// A hash of every file under `migrations/{backend}` (names and contents).
fn migrations_hash(backend: &str) -> u64 {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations")
        .join(backend);
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let mut h = std::hash::DefaultHasher::new();
    for f in files {
        f.strip_prefix(&root).unwrap_or(&f).hash(&mut h);
        std::fs::read(&f).expect("read a migration").hash(&mut h);
    }
    h.finish()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read the migrations directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many migrations `migrations/{backend}` holds.
    fn migration_count(backend: &str) -> i64 {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../migrations")
            .join(backend);
        i64::try_from(std::fs::read_dir(dir).expect("migrations").count()).unwrap()
    }

    #[cfg(feature = "postgres")]
    #[test]
    #[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
    fn postgres_copies_of_the_template_are_migrated_and_private() {
        let a = TestDb::postgres();
        let b = TestDb::postgres();
        assert_ne!(a.url(), b.url());
        let mut conn = PgConnection::establish(a.url()).expect("connect to the copy");
        let applied: i64 =
            diesel::sql_query("SELECT count(*) AS n FROM __diesel_schema_migrations")
                .get_result::<Count>(&mut conn)
                .expect("migrations table")
                .n;
        assert_eq!(
            applied,
            migration_count("postgres"),
            "every migration applied"
        );
        drop(conn);
        let name = a.name();
        drop(a);
        let left: i64 = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'"
        ))
        .get_result::<Count>(&mut admin())
        .expect("pg_database")
        .n;
        assert_eq!(left, 0, "dropped on drop");
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
        assert_eq!(
            without_tls("postgres://h/db"),
            "postgres://h/db?sslmode=disable"
        );
        assert_eq!(
            without_tls("postgres://h/db?a=1"),
            "postgres://h/db?a=1&sslmode=disable"
        );
        assert_eq!(
            without_tls("postgres://h/db?sslmode=require"),
            "postgres://h/db?sslmode=require"
        );
    }

    #[test]
    fn a_sqlite_copy_is_migrated_and_private() {
        let a = TestDb::sqlite();
        let b = TestDb::sqlite();
        assert_ne!(a.url(), b.url());
        let path = a.url().trim_start_matches("sqlite://").to_owned();
        let mut conn = SqliteConnection::establish(&path).expect("open the copy");
        let applied: i64 =
            diesel::sql_query("SELECT count(*) AS n FROM __diesel_schema_migrations")
                .get_result::<Count>(&mut conn)
                .expect("migrations table")
                .n;
        assert_eq!(
            applied,
            migration_count("sqlite"),
            "every migration applied"
        );
        let dir = a.dir().expect("a directory").to_owned();
        drop(conn);
        drop(a);
        assert!(!dir.exists(), "removed on drop");
    }
}
