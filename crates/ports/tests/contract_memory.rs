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

on_memory!(
    single: [
        ping_answers,
        organizations_round_trip,
        clients_round_trip,
        client_update,
        client_list_filters_and_pagination,
        tenant_isolation,
        names_unique_case_insensitively,
        slug_sequence,
        plan_limit_and_delete,
        concurrent_creators_at_limit,
        concurrent_same_name,
        users_round_trip,
        verification_tokens,
        sessions_expire,
        api_keys_round_trip,
        idempotency_records,
        idempotency_purge,
    ],
    pair: [concurrent_creators_across_instances],
);
