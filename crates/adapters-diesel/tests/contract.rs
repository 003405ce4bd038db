//! The repository contract of `clientele-ports`, run against SQLite and PostgreSQL: every function
//! of `clientele_ports::contract`, once per backend, each on a fresh database.

mod common;

use common::{PgDb, SqliteDb};

/// Instantiates each contract function for both backends. `single` functions take one store;
/// `pair` functions take two independent pools on one database (two server instances).
macro_rules! contract_tests {
    (single: [$($single:ident),* $(,)?], pair: [$($pair:ident),* $(,)?] $(,)?) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $single() {
                    let db = SqliteDb::new().await;
                    clientele_ports::contract::$single(&db.store).await;
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $pair() {
                    let db = SqliteDb::new().await;
                    let other = db.another_store();
                    clientele_ports::contract::$pair(&db.store, &other).await;
                }
            )*
        }

        mod postgres {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $single() {
                    let Some(db) = PgDb::new().await else { return };
                    clientele_ports::contract::$single(&db.store).await;
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $pair() {
                    let Some(db) = PgDb::new().await else { return };
                    let other = db.another_store();
                    clientele_ports::contract::$pair(&db.store, &other).await;
                }
            )*
        }
    };
}

clientele_ports::for_each_contract_test!(contract_tests);
