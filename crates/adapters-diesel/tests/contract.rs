//! The repository contract of `clientele-ports`, run against SQLite and PostgreSQL: every function
//! of `clientele_ports::contract`, once per backend, each on a fresh database.

mod common;

use common::Db;

/// Instantiates each contract function for both backends. `single` functions take one store;
/// `pair` functions take two independent pools on one database (two server instances).
macro_rules! contract_tests {
    (single: [$($single:ident),* $(,)?], pair: [$($pair:ident),* $(,)?] $(,)?) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $single() {
                    let db = Db::sqlite();
                    clientele_ports::contract::$single(&db.store).await;
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $pair() {
                    let db = Db::sqlite();
                    let other = db.another_store();
                    clientele_ports::contract::$pair(&db.store, &other).await;
                }
            )*
        }

        #[cfg(feature = "postgres")]
        mod postgres {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
                async fn $single() {
                    let db = Db::postgres();
                    clientele_ports::contract::$single(&db.store).await;
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
                async fn $pair() {
                    let db = Db::postgres();
                    let other = db.another_store();
                    clientele_ports::contract::$pair(&db.store, &other).await;
                }
            )*
        }
    };
}

clientele_ports::for_each_contract_test!(contract_tests);
