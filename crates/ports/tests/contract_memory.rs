//! The repository contract suite run against the in-memory store: the fake behaves like the
//! database does (the same functions run on SQLite and PostgreSQL in clientele-adapters-diesel).

use clientele_ports::memory::MemoryStore;

macro_rules! on_memory {
    (single: [$($single:ident),* $(,)?], pair: [$($pair:ident),* $(,)?] $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $single() {
                clientele_ports::contract::$single(&MemoryStore::new()).await;
            }
        )*
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $pair() {
                // Two handles on one in-memory database, like two pools on one server.
                let store = MemoryStore::new();
                clientele_ports::contract::$pair(&store, &store.clone()).await;
            }
        )*
    };
}

clientele_ports::for_each_contract_test!(on_memory);
