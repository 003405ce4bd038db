//! Stores on test databases (`clientele-test-support`): a copy of a migrated SQLite file, or a
//! PostgreSQL database created from a migrated template. The PostgreSQL tests are `#[ignore]`d
//! (see the workspace README: `scripts/test.sh` includes them when PostgreSQL answers).

#![allow(dead_code, unused_imports, clippy::unwrap_used)]

use std::time::Duration;

use clientele_adapters_diesel::{DieselStore, PoolOptions};
pub use clientele_test_support::{TempDir, TestDb, unique};
#[cfg(feature = "postgres")]
pub use clientele_test_support::{admin, admin_url, with_database};

/// Small pools: many tests run at once against one PostgreSQL (max_connections ~100).
pub fn options() -> PoolOptions {
    PoolOptions {
        max_size: 4,
        min_idle: Some(1),
        connection_timeout: Duration::from_secs(15),
        sqlite_busy_timeout: Duration::from_secs(5),
    }
}

/// A store on a fresh test database (SQLite or PostgreSQL), already migrated.
#[derive(Debug)]
pub struct Db {
    pub store: DieselStore,
    // Dropped after the store: its pool closes before the database goes.
    pub db: TestDb,
}

impl Db {
    pub fn sqlite() -> Self {
        Self::on(TestDb::sqlite(), options())
    }

    #[cfg(feature = "postgres")]
    pub fn postgres() -> Self {
        Self::postgres_with(options())
    }

    #[cfg(feature = "postgres")]
    pub fn postgres_with(options: PoolOptions) -> Self {
        Self::on(TestDb::postgres(), options)
    }

    fn on(db: TestDb, options: PoolOptions) -> Self {
        let store = DieselStore::connect(db.url(), options).expect("connect to the test database");
        Self { store, db }
    }

    /// A second, independent pool on the same database (another server instance).
    pub fn another_store(&self) -> DieselStore {
        DieselStore::connect(self.db.url(), options()).expect("open a second pool")
    }
}

impl std::ops::Deref for Db {
    type Target = TestDb;

    fn deref(&self) -> &TestDb {
        &self.db
    }
}
