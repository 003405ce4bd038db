//! What only the diesel store has: migrations (redo on both backends), URL forms, SQLite's
//! concurrent writers, and availability: an unreachable or stopped database is `Unavailable`
//! within the pool's timeout, and the store recovers by itself.

mod common;

use std::time::{Duration, Instant};

#[cfg(feature = "postgres")]
use clientele_adapters_diesel::classify;
use clientele_adapters_diesel::{DieselStore, PoolOptions, StoreError};
#[cfg(all(feature = "sqlite", feature = "postgres"))]
use clientele_adapters_diesel::{POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
use clientele_domain::{
    ClientId, ClientName, NewClient, Organization, OrganizationId, OrganizationName, Plan,
    PlanLimits,
};
use clientele_ports::{
    ClientRecord, ClientRepository as _, LimitRule, OrganizationRepository as _, RepoError,
    SessionRecord, SessionStore as _, Store as _, UserRepository as _,
};
use common::{Db, TempDir, options};
#[cfg(feature = "postgres")]
use diesel::{Connection as _, PgConnection, RunQueryDsl as _};
use time::OffsetDateTime;
use uuid::Uuid;

fn org(name: &str, plan: Plan) -> Organization {
    Organization {
        id: OrganizationId::from_uuid(Uuid::now_v7()),
        name: OrganizationName::parse(name).expect("organization name"),
        plan,
        created_at: now(),
    }
}

fn now() -> OffsetDateTime {
    clientele_ports::infra::truncate_to_millis(OffsetDateTime::now_utc())
}

fn client(org: &Organization, name: &str) -> ClientRecord {
    ClientRecord {
        id: ClientId::from_uuid(Uuid::now_v7()),
        organization_id: org.id,
        created_by: None,
        client: NewClient::named(ClientName::parse(name).expect("client name")),
        created_at: now(),
    }
}

fn unlimited() -> LimitRule {
    LimitRule {
        limits: PlanLimits::default(),
        cap: None,
    }
}

/// Options for availability tests: a short wait for a connection.
fn short_timeout() -> PoolOptions {
    PoolOptions {
        max_size: 2,
        min_idle: Some(1),
        connection_timeout: Duration::from_secs(1),
        ..options()
    }
}

#[track_caller]
fn assert_unavailable<T: std::fmt::Debug>(result: Result<T, RepoError>) {
    assert!(
        matches!(result, Err(RepoError::Unavailable(_))),
        "expected Unavailable, got {result:?}"
    );
}

// ------------------------------------------------------------------------------- migrations

#[cfg(all(feature = "sqlite", feature = "postgres"))]
#[test]
fn both_backends_have_the_same_migrations() {
    use diesel::migration::MigrationSource;
    let sqlite: Vec<String> =
        MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
            .expect("sqlite migrations")
            .iter()
            .map(|m| m.name().to_string())
            .collect();
    let postgres: Vec<String> = MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)
        .expect("postgres migrations")
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    assert!(sqlite.len() >= 3);
    assert_eq!(sqlite, postgres);
}

/// Reverts every migration and applies them again (`diesel migration redo`, for all of them):
/// every `down.sql` works, and the schema comes back usable.
async fn redo(store: &DieselStore) {
    assert_eq!(
        store.pending_migrations().await.expect("pending"),
        Vec::<String>::new()
    );
    assert_eq!(
        store.migrate().await.expect("migrate again"),
        Vec::<String>::new()
    );
    let o = org("Before", Plan::Free);
    store.create_organization(&o).await.expect("create");
    store
        .create_client(client(&o, "Acme"), unlimited())
        .await
        .expect("create");

    let reverted = store.revert_all_migrations().await.expect("revert all");
    assert_eq!(
        reverted,
        [
            "2025-11-29-000006_client_counts_and_search",
            "2025-11-29-000005_shared_rate_limits",
            "2025-11-29-000004_tenant_scoped_slugs_and_list_indexes",
            "2025-11-23-000003_idempotency_keys",
            "2025-11-23-000002_clients",
            "2025-11-23-000001_accounts",
        ]
    );
    assert!(
        store.any_organization().await.is_err(),
        "the tables are gone"
    );
    let pending = store.pending_migrations().await.expect("pending");
    assert_eq!(pending.len(), 6);
    let applied = store.migrate().await.expect("migrate");
    assert_eq!(applied, pending);
    assert_eq!(applied.iter().rev().cloned().collect::<Vec<_>>(), reverted);

    assert!(!store.any_organization().await.expect("empty again"));
    let o = org("After", Plan::Free);
    store.create_organization(&o).await.expect("create");
    let c = store
        .create_client(client(&o, "Acme"), unlimited())
        .await
        .expect("create");
    assert_eq!(c.slug.as_str(), "acme", "the slug counters were reset too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_migrations_redo() {
    let db = Db::sqlite();
    redo(&db.store).await;
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn postgres_migrations_redo() {
    let db = Db::postgres();
    redo(&db.store).await;
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn postgres_concurrent_migrations_apply_once() {
    let mut admin = common::admin();
    let name = common::unique("clientele_test");
    diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
        .execute(&mut admin)
        .expect("create database");
    let url = common::with_database(&common::admin_url(), &name);
    let a = DieselStore::connect(&url, options()).expect("connect");
    let b = DieselStore::connect(&url, options()).expect("connect");
    let (ra, rb) = tokio::join!(a.migrate(), b.migrate());
    let (ra, rb) = (ra.expect("migrate a"), rb.expect("migrate b"));
    assert_eq!(
        ra.len() + rb.len(),
        6,
        "each migration applied once: {ra:?} {rb:?}"
    );
    drop((a, b));
    let _ = diesel::sql_query(format!("DROP DATABASE \"{name}\" WITH (FORCE)")).execute(&mut admin);
}

// ------------------------------------------------------------------------------- SQLite

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_url_forms() {
    let dir = TempDir::new();
    let path = dir.0.join("forms.db");
    let path = path.display().to_string();
    for url in [
        format!("sqlite://{path}"),
        format!("sqlite:{path}"),
        path.clone(),
    ] {
        let store = DieselStore::connect(&url, options()).expect("connect");
        assert_eq!(store.backend(), clientele_adapters_diesel::Backend::Sqlite);
        store.migrate().await.expect("migrate");
        store.ping().await.expect("ping");
    }
    let memory = DieselStore::connect("sqlite::memory:", options()).expect("memory");
    memory.migrate().await.expect("migrate");
    let o = org("In memory", Plan::Free);
    memory.create_organization(&o).await.expect("create");
    assert_eq!(memory.get_organization(o.id).await.expect("get"), o);

    assert!(matches!(
        DieselStore::connect("mysql://localhost/x", options()),
        Err(StoreError::UnsupportedUrl(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_uses_wal() {
    let db = Db::sqlite();
    db.store
        .create_organization(&org("Wal", Plan::Free))
        .await
        .expect("create");
    assert!(
        db.dir().expect("SQLite").join("clientele.db-wal").exists(),
        "journal_mode=WAL on pooled connections"
    );
}

/// Many writers on one SQLite file, through two pools (two processes), never see "database is
/// locked": every write's first statement takes the write lock, and `busy_timeout` waits for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_concurrent_writers_never_locked() {
    let db = Db::sqlite();
    let other = db.another_store();
    let o = org("Busy", Plan::Enterprise);
    db.store.create_organization(&o).await.expect("create");
    let u = clientele_domain::User {
        id: "busyuser0000000000000001"
            .parse()
            .expect("a CUID2-shaped id"),
        organization_id: o.id,
        email: clientele_domain::Email::parse(clientele_domain::Field::Email, "busy@example.com")
            .expect("email"),
        name: None,
        signup_flow: clientele_domain::SignupFlow::Free,
        email_verified_at: None,
        subscription_status: clientele_domain::SubscriptionStatus::None,
        plan_expires_at: None,
        created_at: now(),
        updated_at: now(),
    };
    db.store.create_user(&u, "hash", None).await.expect("user");

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..64 {
        let store = if i % 2 == 0 {
            db.store.clone()
        } else {
            other.clone()
        };
        let (o, u) = (o.clone(), u.clone());
        tasks.spawn(async move {
            store
                .create_client(client(&o, &format!("Client {i}")), unlimited())
                .await?;
            store
                .create_session(&SessionRecord {
                    token_hash: clientele_ports::SecretHash::of(&format!("t{i}")),
                    user_id: u.id.clone(),
                    organization_id: o.id,
                    created_at: now(),
                    expires_at: now() + time::Duration::hours(1),
                })
                .await?;
            store
                .list_clients(o.id, &clientele_domain::ClientQuery::default())
                .await?;
            store.set_plan(o.id, Plan::Enterprise).await.map(drop)
        });
    }
    while let Some(result) = tasks.join_next().await {
        result.expect("task").expect("no writer fails");
    }
    let total = db
        .store
        .list_clients(o.id, &clientele_domain::ClientQuery::default())
        .await
        .expect("list")
        .total;
    assert_eq!(total, 64);
}

/// A database file that cannot be opened is `Unavailable` within the timeout; once it can be,
/// the same store works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_unavailable_then_recovers() {
    let dir = TempDir::new();
    let missing = dir.0.join("not-yet");
    let url = format!("sqlite://{}", missing.join("c.db").display());

    let started = Instant::now();
    let err = DieselStore::connect(&url, short_timeout()).expect_err("cannot open");
    assert!(started.elapsed() < Duration::from_secs(5));
    let message = err.to_string();
    assert!(
        message.contains("unable to open database file"),
        "{message}"
    );

    let store = DieselStore::connect_lazy(&url, short_timeout()).expect("lazy");
    let started = Instant::now();
    assert_unavailable(store.ping().await);
    assert_unavailable(
        store
            .get_organization(OrganizationId::from_uuid(Uuid::now_v7()))
            .await,
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "within the timeout"
    );
    assert!(matches!(
        store.migrate().await,
        Err(StoreError::Unavailable { .. })
    ));

    std::fs::create_dir_all(&missing).expect("create the directory");
    recovers(&store).await;
    store.migrate().await.expect("migrate");
    let o = org("Back", Plan::Free);
    store.create_organization(&o).await.expect("works again");
}

/// Polls until the store answers again (the pool reconnects by itself).
async fn recovers(store: &DieselStore) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match store.ping().await {
            Ok(()) => return,
            Err(e) if Instant::now() > deadline => panic!("did not recover: {e:?}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

// ------------------------------------------------------------------------------- PostgreSQL

/// Nothing listens on the port: `connect` fails with the real cause, a lazy store's calls are
/// `Unavailable`, both within the timeout. Needs no PostgreSQL server.
#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_pg_server_is_unavailable_within_the_timeout() {
    let url = "postgres://postgres:secret@127.0.0.1:1/clientele";
    let started = Instant::now();
    let err = DieselStore::connect(url, short_timeout()).expect_err("nothing listens");
    assert!(started.elapsed() < Duration::from_secs(5));
    let message = err.to_string();
    assert!(
        message.contains("Connection refused"),
        "the real cause is reported: {message}"
    );
    assert!(
        !message.contains("secret"),
        "no password in errors: {message}"
    );

    let store = DieselStore::connect_lazy(url, short_timeout()).expect("lazy");
    assert!(!format!("{store:?}").contains("secret"));
    let started = Instant::now();
    assert_unavailable(store.ping().await);
    assert_unavailable(store.list_organizations().await);
    assert_unavailable(
        store
            .create_client(client(&org("X", Plan::Free), "Acme"), unlimited())
            .await,
    );
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "each call gives up after the 1 s timeout: {:?}",
        started.elapsed()
    );
}

/// The database stops accepting connections and its backends are terminated mid-test: calls are
/// `Unavailable` (never a panic, a hang or an unexpected error); once it is back, the same store
/// works again without a restart.
#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn postgres_stopped_then_recovers() {
    let db = Db::postgres_with(short_timeout());
    let o = org("Resilient", Plan::Enterprise);
    db.store.create_organization(&o).await.expect("create");

    db.allow_connections(false);
    db.terminate_backends();
    let started = Instant::now();
    assert_unavailable(db.store.get_organization(o.id).await);
    assert_unavailable(
        db.store
            .create_client(client(&o, "During"), unlimited())
            .await,
    );
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "within the timeout: {:?}",
        started.elapsed()
    );
    // Callers keep calling during the outage.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let (store, o) = (db.store.clone(), o.clone());
        tasks.spawn(async move {
            store
                .create_client(client(&o, &format!("Outage {i}")), unlimited())
                .await
        });
    }
    while let Some(r) = tasks.join_next().await {
        assert_unavailable(r.expect("no panic"));
    }

    db.allow_connections(true);
    recovers(&db.store).await;
    assert_eq!(db.store.get_organization(o.id).await.expect("get"), o);
    db.store
        .create_client(client(&o, "After"), unlimited())
        .await
        .expect("create after recovery");
}

/// Backends terminated while the database stays up (a failover, an idle-connection reaper).
/// Connections idle past the alive-bypass window (500 ms) are pinged on check-out and replaced, so
/// callers do not notice; a connection killed while hot fails one call with `Unavailable` and is
/// discarded, so the pool heals within at most one failure per pooled connection.
#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn postgres_terminated_connections_are_replaced() {
    let db = Db::postgres();
    let o = org("Healing", Plan::Enterprise);
    db.store.create_organization(&o).await.expect("create");
    for round in 0..3 {
        db.terminate_backends();
        tokio::time::sleep(Duration::from_millis(600)).await;
        for i in 0..4 {
            db.store
                .create_client(client(&o, &format!("R{round} C{i}")), unlimited())
                .await
                .expect("works through fresh connections");
        }
    }

    db.terminate_backends();
    let mut failures = 0;
    let mut successes_in_a_row = 0;
    for i in 0..40 {
        match db
            .store
            .create_client(client(&o, &format!("Hot {i}")), unlimited())
            .await
        {
            Ok(_) => successes_in_a_row += 1,
            Err(RepoError::Unavailable(_)) => {
                failures += 1;
                successes_in_a_row = 0;
            }
            Err(e) => panic!("a killed connection is Unavailable, got {e:?}"),
        }
        if successes_in_a_row == 4 {
            break;
        }
    }
    assert_eq!(successes_in_a_row, 4, "the pool heals");
    assert!(
        failures <= options().max_size,
        "at most one failure per pooled connection: {failures}"
    );
}

/// A connection killed under a query: diesel's error is classified `Unavailable`.
#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn postgres_killed_connection_is_classified_unavailable() {
    let db = Db::postgres();
    let mut conn = PgConnection::establish(db.url()).expect("connect");
    db.terminate_backends();
    let err = diesel::sql_query("SELECT 1")
        .execute(&mut conn)
        .expect_err("the connection was terminated");
    let classified = classify(err);
    assert!(
        matches!(classified, RepoError::Unavailable(_)),
        "got {classified:?}"
    );
}

// ------------------------------------------------------------------------------- slugs

/// Names that take every numbered slug the allocator tries for a base ("Dos 2", "Dos 3", ... —
/// the 12 numbers of its doubling steps) must not make the base uncreatable: the next client of
/// that base, in any organization, gets the base tagged with its own id.
async fn numbered_slugs_taken_on_purpose(store: &DieselStore) {
    let squatter = org("Squatter", Plan::Enterprise);
    store.create_organization(&squatter).await.expect("org");
    for name in [
        "Dos", "Dos 2", "Dos 3", "Dos 4", "Dos 6", "Dos 10", "Dos 18", "Dos 34", "Dos 66",
        "Dos 130", "Dos 258", "Dos 514", "Dos 1026",
    ] {
        store
            .create_client(client(&squatter, name), unlimited())
            .await
            .expect("numbered name");
    }
    // Within the organization (slugs are per organization): every numbered slug the policy
    // would try for a new "Dos" is taken.
    let other = squatter;
    let record = client(&other, "Dos!");
    let id: String = record.id.as_str().replace('-', "");
    let created = store
        .create_client(record, unlimited())
        .await
        .expect("the base is still creatable");
    assert_eq!(
        created.slug.as_str(),
        format!("dos-{}", &id[id.len() - 8..]),
        "tagged with the id"
    );
    // That create committed the counter past the taken numbers: the next one is numbered again.
    assert_eq!(slug_of_new(store, &other, "DOS?").await, "dos-1027");
}

/// The slug of a new client `name` of `org` (no limit).
async fn slug_of_new(store: &DieselStore, org: &Organization, name: &str) -> String {
    store
        .create_client(client(org, name), unlimited())
        .await
        .unwrap_or_else(|e| panic!("create {name:?}: {e:?}"))
        .slug
        .as_str()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_numbered_slugs_taken_on_purpose() {
    numbered_slugs_taken_on_purpose(&Db::sqlite().store).await;
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn postgres_numbered_slugs_taken_on_purpose() {
    let db = Db::postgres();
    numbered_slugs_taken_on_purpose(&db.store).await;
}

// ------------------------------------------------------------------------------- upgrades

/// Two organizations of the previous schema (migrations 1–3): installation-wide slugs, so the
/// second organization's "ACME" is `acme-2`.
const PREVIOUS_SCHEMA_ROWS: &str = "
INSERT INTO organizations (id, name, plan, client_count, created_at) VALUES
  ('0193a1a0-0000-7000-8000-00000000000a', 'A', 'enterprise', 2, '2024-03-15 10:30:00.000000'),
  ('0193a1a0-0000-7000-8000-00000000000b', 'B', 'free', 1, '2024-03-15 10:30:00.000000');
INSERT INTO clients (organization_id, id, name, name_key, slug, display_name, display_name_key,
                     business_type, subscription_plan, status, created_at, last_active_at, updated_at)
VALUES
  ('0193a1a0-0000-7000-8000-00000000000a', '0193a1a0-0000-7000-8000-0000000000a1', 'Acme', 'acme',
   'acme', NULL, NULL, 'automotive', 'Pro', 'active',
   '2024-03-15 10:30:01.000000', '2024-03-15 10:30:01.000000', '2024-03-15 10:30:01.000000'),
  ('0193a1a0-0000-7000-8000-00000000000a', '0193a1a0-0000-7000-8000-0000000000a2', 'Bistro', 'bistro',
   'bistro', 'Bistro Belle', 'bistro belle', NULL, NULL, 'trial',
   '2024-03-15 10:30:02.000000', '2024-03-15 10:30:02.000000', '2024-03-15 10:30:02.000000'),
  ('0193a1a0-0000-7000-8000-00000000000b', '0193a1a0-0000-7000-8000-0000000000b1', 'ACME', 'acme',
   'acme-2', NULL, NULL, NULL, NULL, 'active',
   '2024-03-15 10:30:03.000000', '2024-03-15 10:30:03.000000', '2024-03-15 10:30:03.000000');
INSERT INTO slug_counters (base, last) VALUES ('acme', 2), ('bistro', 1);
";

/// Migrations 4 (slugs per organization, list indexes), 5 (the shared rate limiter's table) and 6
/// (counts in shards, SQLite's search index) on
/// a database of the schema before them with rows in it: every row and every slug is kept, and
/// the new rules apply from then on.
async fn upgrade_keeps_every_row(db: &clientele_test_support::TestDb) {
    use clientele_domain::{ClientQuery, Status};
    let store = DieselStore::connect(db.url(), options()).expect("connect");
    let applied = store.migrate().await.expect("migrate");
    assert_eq!(
        applied,
        [
            "2025-11-29-000004_tenant_scoped_slugs_and_list_indexes",
            "2025-11-29-000005_shared_rate_limits",
            "2025-11-29-000006_client_counts_and_search"
        ]
    );

    let a: OrganizationId = "0193a1a0-0000-7000-8000-00000000000a".parse().expect("id");
    let b: OrganizationId = "0193a1a0-0000-7000-8000-00000000000b".parse().expect("id");
    let slugs = |page: clientele_ports::ClientPage| {
        page.clients
            .iter()
            .map(|c| (c.name.as_str().to_owned(), c.slug.as_str().to_owned()))
            .collect::<Vec<_>>()
    };
    let list_a = store
        .list_clients(a, &ClientQuery::default())
        .await
        .expect("list");
    assert_eq!(list_a.total, 2);
    assert_eq!(list_a.clients[0].display_name(), "Bistro Belle");
    assert_eq!(list_a.clients[0].status, Status::Trial);
    assert_eq!(
        list_a.clients[1].business_type.as_ref().map(|t| t.as_str()),
        Some("automotive")
    );
    assert_eq!(
        slugs(list_a),
        [
            ("Bistro".into(), "bistro".into()),
            ("Acme".into(), "acme".into())
        ]
    );
    let list_b = store
        .list_clients(b, &ClientQuery::default())
        .await
        .expect("list");
    assert_eq!(
        slugs(list_b),
        [("ACME".to_owned(), "acme-2".to_owned())],
        "slugs never change"
    );

    // From now on, slugs are per organization.
    let b_new = store
        .create_client(client(&org_with(b), "Acme!"), unlimited())
        .await
        .expect("b");
    assert_eq!(b_new.slug.as_str(), "acme", "free within B");
    let a_new = store
        .create_client(client(&org_with(a), "Acme!"), unlimited())
        .await
        .expect("a");
    assert_eq!(a_new.slug.as_str(), "acme-2", "acme is A's own");
    assert_eq!(
        store.plan_usage(b).await.expect("usage").1,
        2,
        "the count went on"
    );
}

fn org_with(id: OrganizationId) -> Organization {
    Organization {
        id,
        ..org("Existing", Plan::Enterprise)
    }
}

/// Runs `sql` on the test database over a connection of its own, as an operator's client would.
fn execute(db: &clientele_test_support::TestDb, sql: &str) {
    use diesel::connection::SimpleConnection as _;
    let done = match db.url().strip_prefix("sqlite://") {
        Some(path) => <diesel::SqliteConnection as diesel::Connection>::establish(path)
            .expect("open")
            .batch_execute(sql),
        #[cfg(feature = "postgres")]
        None => PgConnection::establish(db.url())
            .expect("connect")
            .batch_execute(sql),
        #[cfg(not(feature = "postgres"))]
        None => panic!("not an SQLite database: {}", db.url()),
    };
    done.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// An empty SQLite database brought to its first `migrations` migrations, with `rows` in it.
fn sqlite_at(migrations: usize, rows: &str) -> clientele_test_support::TestDb {
    use diesel::connection::SimpleConnection as _;
    use diesel_migrations::MigrationHarness as _;
    let db = clientele_test_support::TestDb::empty(clientele_test_support::Backend::Sqlite);
    let path = db.url().trim_start_matches("sqlite://").to_owned();
    let mut c = <diesel::SqliteConnection as diesel::Connection>::establish(&path).expect("open");
    for _ in 0..migrations {
        c.run_next_migration(clientele_adapters_diesel::SQLITE_MIGRATIONS)
            .expect("a previous migration");
    }
    c.batch_execute(rows).expect("rows of the previous schema");
    db
}

/// An empty PostgreSQL database brought to its first `migrations` migrations, with `rows` in it.
#[cfg(feature = "postgres")]
fn postgres_at(migrations: usize, rows: &str) -> clientele_test_support::TestDb {
    use diesel::connection::SimpleConnection as _;
    use diesel_migrations::MigrationHarness as _;
    let db = clientele_test_support::TestDb::empty(clientele_test_support::Backend::Postgres);
    let mut c = PgConnection::establish(db.url()).expect("connect");
    for _ in 0..migrations {
        c.run_next_migration(POSTGRES_MIGRATIONS_ALL)
            .expect("a previous migration");
    }
    c.batch_execute(rows).expect("rows of the previous schema");
    db
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_upgrade_from_the_previous_schema_keeps_every_row() {
    upgrade_keeps_every_row(&sqlite_at(3, PREVIOUS_SCHEMA_ROWS)).await;
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn postgres_upgrade_from_the_previous_schema_keeps_every_row() {
    upgrade_keeps_every_row(&postgres_at(3, PREVIOUS_SCHEMA_ROWS)).await;
}

/// Rows of schema 5 (counts in `organizations.client_count`), for migration 6: A on enterprise
/// with two clients, B on starter with one.
const SCHEMA_5_ROWS: &str = "
INSERT INTO organizations (id, name, plan, client_count, created_at) VALUES
  ('0193a1a0-0000-7000-8000-00000000000a', 'A', 'enterprise', 2, '2024-03-15 10:30:00.000000'),
  ('0193a1a0-0000-7000-8000-00000000000b', 'B', 'starter', 1, '2024-03-15 10:30:00.000000');
INSERT INTO clients (organization_id, id, name, name_key, slug, display_name, display_name_key,
                     business_type, subscription_plan, status, created_at, last_active_at, updated_at)
VALUES
  ('0193a1a0-0000-7000-8000-00000000000a', '0193a1a0-0000-7000-8000-0000000000a1', 'Acme Motors',
   'acme motors', 'acme-motors', NULL, NULL, 'automotive', 'Pro', 'active',
   '2024-03-15 10:30:01.000000', '2024-03-15 10:30:01.000000', '2024-03-15 10:30:01.000000'),
  ('0193a1a0-0000-7000-8000-00000000000a', '0193a1a0-0000-7000-8000-0000000000a2', 'Bistro', 'bistro',
   'bistro', 'Bistro Belle', 'bistro belle', NULL, NULL, 'trial',
   '2024-03-15 10:30:02.000000', '2024-03-15 10:30:02.000000', '2024-03-15 10:30:02.000000'),
  ('0193a1a0-0000-7000-8000-00000000000b', '0193a1a0-0000-7000-8000-0000000000b1', 'ACME', 'acme',
   'acme', NULL, NULL, NULL, NULL, 'active',
   '2024-03-15 10:30:03.000000', '2024-03-15 10:30:03.000000', '2024-03-15 10:30:03.000000');
INSERT INTO slug_counters (organization_id, base, last) VALUES
  ('0193a1a0-0000-7000-8000-00000000000a', 'acme-motors', 1),
  ('0193a1a0-0000-7000-8000-00000000000a', 'bistro', 1),
  ('0193a1a0-0000-7000-8000-00000000000b', 'acme', 1);
";

/// Migration 6 on a database of schema 5 with rows: the counts move to `client_counts` exactly,
/// the existing clients are found by a search (SQLite's new index was built from them), and
/// creates and deletes count on from there, up to the plan's limit.
async fn counts_survive_migration_6(db: &clientele_test_support::TestDb) {
    use clientele_domain::ClientQuery;
    let store = DieselStore::connect(db.url(), options()).expect("connect");
    let applied = store.migrate().await.expect("migrate");
    assert_eq!(applied, ["2025-11-29-000006_client_counts_and_search"]);

    let a: OrganizationId = "0193a1a0-0000-7000-8000-00000000000a".parse().expect("id");
    let b: OrganizationId = "0193a1a0-0000-7000-8000-00000000000b".parse().expect("id");
    assert_eq!(
        store.plan_usage(a).await.expect("usage"),
        (Plan::Enterprise, 2)
    );
    assert_eq!(
        store.plan_usage(b).await.expect("usage"),
        (Plan::Starter, 1)
    );
    let search = |q: &str| ClientQuery {
        search: Some(q.to_owned()),
        ..ClientQuery::default()
    };
    let found = store.list_clients(a, &search("MOTOR")).await.expect("list");
    assert_eq!(found.total, 1);
    assert_eq!(found.clients[0].name.as_str(), "Acme Motors");
    let found = store.list_clients(a, &search("belle")).await.expect("list");
    assert_eq!(found.clients[0].name.as_str(), "Bistro");
    assert_eq!(
        store
            .list_clients(b, &search("motors"))
            .await
            .expect("list")
            .total,
        0,
        "another organization's client"
    );

    // B (starter: 5) holds 1: four more, then the limit.
    let b_org = Organization {
        plan: Plan::Starter,
        ..org_with(b)
    };
    let mut created = Vec::new();
    for i in 0..4 {
        created.push(
            store
                .create_client(client(&b_org, &format!("New {i}")), unlimited())
                .await
                .expect("under the limit"),
        );
    }
    assert!(matches!(
        store
            .create_client(client(&b_org, "One too many"), unlimited())
            .await,
        Err(RepoError::LimitReached(_))
    ));
    store
        .delete_client(b, &created[0].id)
        .await
        .expect("delete");
    assert_eq!(
        store.plan_usage(b).await.expect("usage"),
        (Plan::Starter, 4)
    );
    let total = store
        .list_clients(b, &ClientQuery::default())
        .await
        .expect("list")
        .total;
    assert_eq!(total, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_migration_6_keeps_the_counts() {
    counts_survive_migration_6(&sqlite_at(5, SCHEMA_5_ROWS)).await;
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn postgres_migration_6_keeps_the_counts() {
    counts_survive_migration_6(&postgres_at(5, SCHEMA_5_ROWS)).await;
}

/// SQLite's search index refers to the clients by rowid: renames, deletes and a `VACUUM` keep it
/// right (a search finds exactly what a scan finds).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_search_index_follows_renames_deletes_and_vacuum() {
    use clientele_domain::{ClientPatch, ClientQuery};
    let db = Db::sqlite();
    let store = &db.store;
    let o = org("Search", Plan::Enterprise);
    store.create_organization(&o).await.expect("org");
    let mut ids = Vec::new();
    for name in [
        "Alpha Motors",
        "Beta Motors",
        "Gamma Foods",
        "Delta Motors",
        "Epsilon",
    ] {
        ids.push(
            store
                .create_client(client(&o, name), unlimited())
                .await
                .expect("create")
                .id,
        );
    }
    let names = |page: clientele_ports::ClientPage| {
        let mut n: Vec<String> = page
            .clients
            .iter()
            .map(|c| c.name.as_str().to_owned())
            .collect();
        n.sort();
        n
    };
    let search = |q: &str| ClientQuery {
        search: Some(q.to_owned()),
        ..ClientQuery::default()
    };
    store
        .delete_client(o.id, &ids[1])
        .await
        .expect("delete beta");
    let patch = ClientPatch {
        name: Some(ClientName::parse("Epsilon Motors").expect("name")),
        ..ClientPatch::default()
    };
    store
        .update_client(o.id, &ids[4], patch, now())
        .await
        .expect("rename");
    let expected = ["Alpha Motors", "Delta Motors", "Epsilon Motors"];
    assert_eq!(
        names(
            store
                .list_clients(o.id, &search("motors"))
                .await
                .expect("list")
        ),
        expected
    );
    execute(&db, "VACUUM");
    assert_eq!(
        names(
            store
                .list_clients(o.id, &search("motors"))
                .await
                .expect("list")
        ),
        expected
    );
    assert_eq!(
        names(
            store
                .list_clients(o.id, &search("FOOD"))
                .await
                .expect("list")
        ),
        ["Gamma Foods"]
    );
    assert_eq!(
        store
            .list_clients(o.id, &search("beta"))
            .await
            .expect("list")
            .total,
        0
    );
    // Two characters: no trigram, the scan answers.
    assert_eq!(
        names(store.list_clients(o.id, &search("ps")).await.expect("list")),
        ["Epsilon Motors"]
    );
}

/// Creates share the organization's row (its key) instead of writing it: a create goes through
/// while another transaction writes the row (as every create of schema 5 did through its commit);
/// a plan change in flight (`FOR UPDATE`) makes a create wait, which then obeys the new plan.
#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn postgres_creates_share_the_organization_and_wait_for_a_plan_change() {
    use diesel::connection::SimpleConnection as _;
    let db = Db::postgres();
    let store = db.store.clone();
    let o = org("Shared", Plan::Enterprise);
    store.create_organization(&o).await.expect("org");
    for i in 0..3 {
        store
            .create_client(client(&o, &format!("Client {i}")), unlimited())
            .await
            .expect("create");
    }
    let mut raw = PgConnection::establish(db.url()).expect("connect");
    raw.batch_execute(&format!(
        "BEGIN; UPDATE organizations SET name = name WHERE id = '{}'",
        o.id
    ))
    .expect("a writer of the row");
    let through = tokio::time::timeout(
        Duration::from_secs(10),
        store.create_client(client(&o, "While it is written"), unlimited()),
    )
    .await
    .expect("the create does not wait for the row's writer");
    through.expect("created");
    raw.batch_execute("COMMIT").expect("commit");

    raw.batch_execute(&format!(
        "BEGIN; SELECT id FROM organizations WHERE id = '{0}' FOR UPDATE;
         UPDATE organizations SET plan = 'free' WHERE id = '{0}'",
        o.id
    ))
    .expect("a plan change in flight");
    let pending = tokio::spawn({
        let (store, rec) = (store.clone(), client(&o, "During the change"));
        async move { store.create_client(rec, unlimited()).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !pending.is_finished(),
        "the create waits for the plan change"
    );
    raw.batch_execute("COMMIT").expect("commit the change");
    let result = pending.await.expect("join");
    assert!(
        matches!(&result, Err(RepoError::LimitReached(l)) if l.current == 4 && l.limit == 3),
        "decided under the new plan: {result:?}"
    );
    assert_eq!(
        store.plan_usage(o.id).await.expect("usage"),
        (Plan::Free, 4)
    );
}

/// The slug policy holds whichever path a create takes: with `x`, `x-2` and `x-3` taken and the
/// base's counter gone (as migration 4 left every counter), a new "X" tries 1, 2, 3, then 5 (the
/// fourth attempt moves the counter by 2): `x-5`, as the memory store gives. (On PostgreSQL the
/// one-statement create makes the first attempt and the transaction goes on from the second.)
async fn slug_policy_after_a_counter_reset(db: &Db) {
    let store = &db.store;
    let o = org("Reset", Plan::Enterprise);
    store.create_organization(&o).await.expect("org");
    for name in ["X", "X 2", "X 3"] {
        store
            .create_client(client(&o, name), unlimited())
            .await
            .expect("create");
    }
    execute(db, "DELETE FROM slug_counters WHERE base = 'x'");
    assert_eq!(slug_of_new(store, &o, "X!").await, "x-5");
    assert_eq!(slug_of_new(store, &o, "X?").await, "x-6");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_slug_policy_after_a_counter_reset() {
    slug_policy_after_a_counter_reset(&Db::sqlite()).await;
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn postgres_slug_policy_after_a_counter_reset() {
    slug_policy_after_a_counter_reset(&Db::postgres()).await;
}

/// Deletes, limited creates (counting first, on shard 0), unlimited creates (one statement, or
/// the transaction counting last) and idempotent-path-like creates of bases that already have a
/// counter, all at once on the same names through two pools: nothing but `NameTaken` fails (no
/// deadlock aborts a request) and the count is the number of rows.
#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn postgres_racing_creates_and_deletes_keep_the_count() {
    use clientele_domain::Limit;
    const NAMES: usize = 24;
    let db = Db::postgres();
    let (a, b) = (db.store.clone(), db.another_store());
    let o = org("Race", Plan::Enterprise);
    a.create_organization(&o).await.expect("org");
    let mut first = Vec::new();
    for i in 0..NAMES {
        first.push(
            a.create_client(client(&o, &format!("Race {i}")), unlimited())
                .await
                .expect("create"),
        );
    }
    let limited = LimitRule {
        limits: PlanLimits::default().with(Plan::Enterprise, Limit::Max(10_000)),
        cap: None,
    };
    let mut tasks = Vec::new();
    for (i, c) in first.iter().enumerate() {
        let (a, b, o, id) = (a.clone(), b.clone(), o.clone(), c.id.clone());
        tasks.push(tokio::spawn(async move {
            let (deleted, again, other, limited_other) = tokio::join!(
                a.delete_client(o.id, &id),
                b.create_client(client(&o, &format!("Race {i}")), limited),
                a.create_client(client(&o, &format!("Race {i}!")), unlimited()),
                b.create_client(client(&o, &format!("Race {i}?")), limited),
            );
            deleted.expect("delete");
            for r in [again, other, limited_other] {
                assert!(
                    matches!(r, Ok(_) | Err(RepoError::NameTaken)),
                    "only NameTaken may fail: {r:?}"
                );
            }
        }));
    }
    for t in tasks {
        t.await.expect("no panic");
    }
    let rows: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
        "(SELECT count(*) FROM clients WHERE organization_id = '{}')",
        o.id
    )))
    .get_result(&mut PgConnection::establish(db.url()).expect("connect"))
    .expect("count the rows");
    let (_, counted) = a.plan_usage(o.id).await.expect("usage");
    assert_eq!(counted, u64::try_from(rows).expect("rows"));
    assert!(
        rows >= 2 * NAMES as i64,
        "the other names were all created: {rows}"
    );
}

/// A plan change goes through a steady stream of creates in the organization (eight creators that
/// never pause, through two pools), neither held off until its statement timeout nor deadlocked
/// with them: creates share the organization, and a waiting plan change makes new ones queue
/// behind it (the plan lock's queue is fair). The creates after it obey the new plan.
#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn postgres_a_plan_change_is_not_starved_by_creates() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let db = Db::postgres();
    let (a, b) = (db.store.clone(), db.another_store());
    let o = org("Busy", Plan::Enterprise);
    a.create_organization(&o).await.expect("org");
    let stop = Arc::new(AtomicBool::new(false));
    let mut creators = Vec::new();
    for t in 0..8 {
        let (store, o, stop) = (
            if t % 2 == 0 { a.clone() } else { b.clone() },
            o.clone(),
            stop.clone(),
        );
        creators.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                match store
                    .create_client(client(&o, &format!("Busy {t} {n}")), unlimited())
                    .await
                {
                    Ok(_) | Err(RepoError::LimitReached(_)) => {}
                    Err(e) => panic!("a create failed: {e:?}"),
                }
                n += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let changed = tokio::time::timeout(Duration::from_secs(10), a.set_plan(o.id, Plan::Free)).await;
    stop.store(true, Ordering::Relaxed);
    for c in creators {
        c.await.expect("no creator panicked");
    }
    changed
        .expect("the plan change is not starved")
        .expect("plan change");
    assert!(matches!(
        b.create_client(client(&o, "After"), unlimited()).await,
        Err(RepoError::LimitReached(_))
    ));
}

#[cfg(feature = "postgres")]
const POSTGRES_MIGRATIONS_ALL: diesel_migrations::EmbeddedMigrations =
    clientele_adapters_diesel::POSTGRES_MIGRATIONS;

// ------------------------------------------------------------------------ several instances

/// The purge runs under a transaction-level advisory lock taken without waiting: while another
/// instance holds it, a purge is skipped (`None`); then it runs.
#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn postgres_one_purge_at_a_time() {
    use diesel::connection::SimpleConnection as _;
    let db = Db::postgres();
    let mut other = PgConnection::establish(db.url()).expect("connect");
    other.batch_execute("BEGIN").expect("begin");
    other
        .batch_execute(&format!(
            "SELECT pg_advisory_xact_lock({})",
            clientele_adapters_diesel::PURGE_LOCK
        ))
        .expect("lock");
    assert_eq!(
        db.store.purge_expired(now()).await.expect("purge"),
        None,
        "another instance is purging"
    );
    other.batch_execute("COMMIT").expect("release");
    assert_eq!(
        db.store.purge_expired(now()).await.expect("purge"),
        Some(clientele_ports::Purged::default())
    );
}

/// The bootstrap creates an organization and its key only on an empty database, atomically:
/// of eight concurrent attempts, one does.
async fn one_bootstrap(store: &DieselStore) {
    use clientele_domain::{ApiKey, ApiKeyId, ApiKeyName, Environment};
    // Spawned at once: the eight race.
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            let o = org(&format!("Default {i}"), Plan::Enterprise);
            let key = ApiKey {
                id: ApiKeyId::from_uuid(Uuid::now_v7()),
                organization_id: o.id,
                name: ApiKeyName::parse("Bootstrap key").expect("name"),
                environment: Environment::Production,
                prefix: format!("vox_mgmt_{i}"),
                created_at: now(),
                last_used_at: None,
                revoked_at: None,
            };
            let hash = clientele_ports::Secret::new(format!("vox_mgmt_secret_{i}")).hash();
            tokio::spawn(async move { store.bootstrap(&o, &key, &hash).await })
        })
        .collect();
    let mut created = 0;
    for h in handles {
        created += usize::from(h.await.expect("joined").expect("bootstrap"));
    }
    assert_eq!(created, 1);
    assert_eq!(store.list_organizations().await.expect("list").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_one_bootstrap() {
    let db = Db::sqlite();
    one_bootstrap(&db.store).await;
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn postgres_one_bootstrap() {
    let db = Db::postgres();
    one_bootstrap(&db.store).await;
}

/// The shared limiter claims hits in batches (a twentieth of the limit) yet never admits more
/// than the limit across instances; hits one instance claimed and did not use are at most a batch.
#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn postgres_shared_rate_limit_is_exact_across_instances() {
    use clientele_ports::{Quota, RateLimiter as _};
    let db = Db::postgres();
    let other = DieselStore::connect(db.url(), options()).expect("a second instance");
    let (a, b) = (
        db.store.shared_rate_limiter().expect("postgres"),
        other.shared_rate_limiter().expect("postgres"),
    );
    assert!(
        DieselStore::connect_lazy("sqlite::memory:", options())
            .expect("sqlite")
            .shared_rate_limiter()
            .is_none(),
        "SQLite counts in memory"
    );
    let quota = Quota::per_minute(100);
    // One window (aligned on whole minutes of the database's clock, this machine's) for all.
    let second = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        % 60;
    if second > 50 {
        tokio::time::sleep(Duration::from_secs(61 - second)).await;
    }
    // Alternating: every claimed hit is used, so exactly the limit passes.
    let mut allowed = 0;
    for i in 0..130 {
        let limiter = if i % 2 == 0 { &a } else { &b };
        allowed += usize::from(limiter.hit("alternate", quota).await.expect("hit").allowed);
    }
    assert_eq!(allowed, 100);
    // One hit on A claims a batch of 5; B alone then gets the other 95, never more.
    assert!(a.hit("lopsided", quota).await.expect("hit").allowed);
    let mut on_b = 0;
    for _ in 0..120 {
        on_b += usize::from(b.hit("lopsided", quota).await.expect("hit").allowed);
    }
    assert_eq!(on_b, 95);
    let last = b.hit("lopsided", quota).await.expect("hit");
    assert!(!last.allowed);
    assert_eq!(last.remaining, 0);
    assert!((1..=60).contains(&last.reset_seconds()));
    // A still has its 4 claimed hits.
    for _ in 0..4 {
        assert!(a.hit("lopsided", quota).await.expect("hit").allowed);
    }
    assert!(!a.hit("lopsided", quota).await.expect("hit").allowed);
}

// ------------------------------------------------------------------------------ idempotency

/// The create keeps its response in its own transaction, fenced by the claim's time: a claim
/// taken over (presumed abandoned) can no longer create — so a slow first attempt and the retry
/// that took its key over never make two clients — and a completed create always replays.
async fn idempotent_create_is_fenced(store: &DieselStore) {
    use clientele_ports::{
        Begin, IdempotencyClaim, IdempotencyFence, IdempotencyStore as _, RenderResponse,
        StoredResponse,
    };
    let o = org("Fenced", Plan::Enterprise);
    store.create_organization(&o).await.expect("org");
    let t0 = now();
    let claim = |at: OffsetDateTime| IdempotencyClaim {
        organization_id: o.id,
        key: "retry-me",
        fingerprint: "fp",
        now: at,
        ttl: time::Duration::hours(24),
        stale_after: time::Duration::seconds(10),
    };
    let fence = |at: OffsetDateTime| IdempotencyFence {
        organization_id: o.id,
        key: "retry-me".to_owned(),
        claimed_at: at,
    };
    let render: RenderResponse =
        std::sync::Arc::new(|c: &clientele_domain::Client| StoredResponse {
            status: 201,
            body: c.id.to_string().into_bytes(),
        });
    assert_eq!(
        store.begin_idempotent(&claim(t0)).await.expect("begin"),
        Begin::Started
    );
    // The first attempt stalls; 11 s later a retry takes the key over.
    let t1 = t0 + time::Duration::seconds(11);
    assert_eq!(
        store.begin_idempotent(&claim(t1)).await.expect("begin"),
        Begin::Started
    );
    let stale = store
        .create_client_idempotent(client(&o, "Once"), unlimited(), &fence(t0), render.clone())
        .await;
    assert!(matches!(stale, Err(RepoError::Unavailable(_))), "{stale:?}");
    let page = store
        .list_clients(o.id, &clientele_domain::ClientQuery::default())
        .await
        .expect("list");
    assert_eq!(page.total, 0, "the fenced-out attempt created nothing");
    let created = store
        .create_client_idempotent(client(&o, "Once"), unlimited(), &fence(t1), render)
        .await
        .expect("the retry creates");
    // Kept with the create: the next retry replays it.
    assert_eq!(
        store
            .begin_idempotent(&claim(t1 + time::Duration::seconds(30)))
            .await
            .expect("begin"),
        Begin::Replay(StoredResponse {
            status: 201,
            body: created.id.to_string().into_bytes()
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_idempotent_create_is_fenced() {
    let db = Db::sqlite();
    idempotent_create_is_fenced(&db.store).await;
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn postgres_idempotent_create_is_fenced() {
    let db = Db::postgres();
    idempotent_create_is_fenced(&db.store).await;
}
