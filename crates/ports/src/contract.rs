//! The repository contract (feature `testing`): one suite of behaviours every [`Store`] must have,
//! written once as generic async functions and run against each implementation (the in-memory
//! store here, SQLite and PostgreSQL in `clientele-adapters-diesel`).
//!
//! Each function takes a fresh, empty, migrated store and panics on the first broken promise.
//! [`concurrent_creators_across_instances`] takes two handles on the same database (two server
//! instances: two pools); pass the same store twice where there is only one.
//!
//! The functions spawn nothing (so they need no runtime of their own): concurrent calls are
//! polled together in the calling task, and run in parallel as far as the store lets them.
//!
//! Each function's documentation says the behaviour it holds a store to. A store's test file
//! runs them all through [`for_each_contract_test!`](crate::for_each_contract_test), so a
//! function added here runs on every store without being listed again:
//!
//! ```no_run
//! // tests/contract_memory.rs (a storage adapter's file builds its own store instead)
//! use clientele_ports::memory::MemoryStore;
//!
//! macro_rules! on_memory {
//!     (single: [$($single:ident),* $(,)?], pair: [$($pair:ident),* $(,)?] $(,)?) => {
//!         $(
//!             #[tokio::test]
//!             async fn $single() {
//!                 clientele_ports::contract::$single(&MemoryStore::new()).await;
//!             }
//!         )*
//!         $(
//!             #[tokio::test]
//!             async fn $pair() {
//!                 let store = MemoryStore::new(); // clones share one database
//!                 clientele_ports::contract::$pair(&store, &store.clone()).await;
//!             }
//!         )*
//!     };
//! }
//!
//! clientele_ports::for_each_contract_test!(on_memory);
//! ```

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use clientele_domain::{
    ApiKey, ApiKeyId, ApiKeyName, BusinessType, Client, ClientId, ClientName, ClientPatch,
    ClientQuery, ContactPerson, DisplayName, Email, Environment, Field, Limit, LimitReached,
    NewClient, Organization, OrganizationId, OrganizationName, Patch, PhoneNumber, Plan, PlanLabel,
    PlanLimits, SignupFlow, Status, SubscriptionStatus, User, UserId, UserName, Website,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::error::RepoError;
use crate::repos::{
    Begin, ClientRecord, IdempotencyClaim, IdempotencyFence, LimitRule, SessionRecord, Store,
    StoredResponse, VerificationRecord,
};
use crate::secrets::SecretHash;

/// Invokes `$runner!` with the name of every contract function, so each store's test file
/// instantiates the whole suite and a new function cannot be forgotten:
/// `$runner!(single: [..one store..], pair: [..two handles on one database..])`.
#[macro_export]
macro_rules! for_each_contract_test {
    ($runner:ident) => {
        $runner!(
            single: [
                ping_answers,
                organizations_round_trip,
                clients_round_trip,
                client_update,
                client_list_filters_and_pagination,
                cursor_paging,
                tenant_isolation,
                names_unique_case_insensitively,
                slug_sequence,
                slugs_pass_squatted_suffixes,
                plan_limit_and_delete,
                plan_usage_follows_creates_deletes_and_plan,
                concurrent_creators_at_limit,
                concurrent_same_name,
                plan_change_keeps_the_count_exact,
                users_round_trip,
                verification_tokens,
                sessions_expire,
                api_keys_round_trip,
                idempotency_records,
                idempotency_purge,
            ],
            pair: [
                concurrent_creators_across_instances,
                plan_change_keeps_the_count_across_instances
            ],
        );
    };
}

// ---------------------------------------------------------------------------------- helpers

/// The instant every test counts from (whole milliseconds, which every backend keeps exactly).
fn t0() -> OffsetDateTime {
    datetime!(2024-03-15 10:30:00 UTC)
}

/// `t0` plus `n` milliseconds.
fn ms(n: i64) -> OffsetDateTime {
    t0() + Duration::milliseconds(n)
}

fn organization(name: &str, plan: Plan, created_at: OffsetDateTime) -> Organization {
    Organization {
        id: OrganizationId::from_uuid(Uuid::now_v7()),
        name: OrganizationName::parse(name).expect("a valid organization name"),
        plan,
        created_at,
    }
}

async fn seed_org<S: Store>(store: &S, plan: Plan) -> Organization {
    let org = organization("Agency", plan, t0());
    store
        .create_organization(&org)
        .await
        .expect("create an organization");
    org
}

fn user(org: OrganizationId, email: &str, at: OffsetDateTime) -> User {
    User {
        id: cuid2::create_id().parse::<UserId>().expect("a CUID2"),
        organization_id: org,
        email: Email::parse(Field::Email, email).expect("a valid email"),
        name: Some(UserName::parse("Jane Doe").expect("a valid user name")),
        signup_flow: SignupFlow::Free,
        email_verified_at: None,
        subscription_status: SubscriptionStatus::None,
        plan_expires_at: None,
        created_at: at,
        updated_at: at,
    }
}

/// The stored user with `u`'s email (users are found by email).
async fn stored_user<S: Store>(store: &S, u: &User) -> User {
    store
        .find_credentials(&u.email)
        .await
        .expect("find")
        .expect("the user exists")
        .user
}

async fn seed_user<S: Store>(store: &S, org: OrganizationId, email: &str) -> User {
    let u = user(org, email, t0());
    store
        .create_user(&u, "hash-of-password", None)
        .await
        .expect("create a user");
    u
}

fn name(s: &str) -> ClientName {
    ClientName::parse(s).expect("a valid client name")
}

fn record(org: &Organization, client: NewClient, at: OffsetDateTime) -> ClientRecord {
    ClientRecord {
        id: ClientId::from_uuid(Uuid::now_v7()),
        organization_id: org.id,
        created_by: None,
        client,
        created_at: at,
    }
}

fn named(org: &Organization, s: &str, at: OffsetDateTime) -> ClientRecord {
    record(org, NewClient::named(name(s)), at)
}

/// The default limits, as the organization's plan says.
fn default_limits() -> LimitRule {
    LimitRule {
        limits: PlanLimits::default(),
        cap: None,
    }
}

async fn create<S: Store>(store: &S, org: &Organization, s: &str, at: OffsetDateTime) -> Client {
    store
        .create_client(named(org, s, at), default_limits())
        .await
        .unwrap_or_else(|e| panic!("create client {s:?}: {e:?}"))
}

fn full_client() -> NewClient {
    NewClient {
        name: name("  Acme Corp  "),
        display_name: Some(DisplayName::parse("ACME").expect("display name")),
        business_type: Some(BusinessType::parse("automotive").expect("business type")),
        subscription_plan: Some(PlanLabel::parse("Pro").expect("plan label")),
        status: Status::Trial,
        contact_person: Some(ContactPerson::parse("Jane Doe").expect("contact person")),
        contact_email: Some(Email::parse(Field::ContactEmail, "Jane@Acme.COM").expect("email")),
        phone_number: Some(PhoneNumber::parse("+1 (555) 123-4567").expect("phone")),
        domain: Some(Website::parse("acme.com").expect("website")),
    }
}

fn query() -> ClientQuery {
    ClientQuery::default()
}

fn ids(clients: &[Client]) -> Vec<&ClientId> {
    clients.iter().map(|c| &c.id).collect()
}

#[track_caller]
fn assert_limit(result: Result<Client, RepoError>, current: u64, limit: u32) {
    match result {
        Err(RepoError::LimitReached(l)) => assert_eq!(l, LimitReached { current, limit }),
        other => {
            panic!("expected LimitReached {{ current: {current}, limit: {limit} }}, got {other:?}")
        }
    }
}

#[track_caller]
fn assert_name_taken<T: std::fmt::Debug>(result: Result<T, RepoError>) {
    assert!(
        matches!(result, Err(RepoError::NameTaken)),
        "expected NameTaken, got {result:?}"
    );
}

#[track_caller]
fn assert_not_found<T: std::fmt::Debug>(result: Result<T, RepoError>) {
    assert!(
        matches!(result, Err(RepoError::NotFound)),
        "expected NotFound, got {result:?}"
    );
}

/// Polls every future in the calling task until all are done; outputs in input order.
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(v) => *output = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs
        .into_iter()
        .map(|o| o.expect("every future completed"))
        .collect()
}

/// Polls both futures in the calling task until both are done.
async fn join2<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (Box::pin(a), Box::pin(b));
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(cx)
        {
            rb = Some(v);
        }
        if ra.is_some() && rb.is_some() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    (
        ra.expect("the first future completed"),
        rb.expect("the second future completed"),
    )
}

/// Lets the other futures of the task run once before going on.
async fn yield_once() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await;
}

// ---------------------------------------------------------------------------------- ping

/// A store that is up answers.
pub async fn ping_answers<S: Store>(store: &S) {
    store.ping().await.expect("ping");
}

// ---------------------------------------------------------------------------------- organizations

/// Organizations: create, get, list oldest first, change plan; unknown ids are `NotFound`.
pub async fn organizations_round_trip<S: Store>(store: &S) {
    assert!(!store.any_organization().await.expect("any (empty)"));
    let newer = organization("Newer", Plan::Free, ms(10));
    let older = organization("Older", Plan::Agency, ms(5));
    store.create_organization(&newer).await.expect("create");
    store.create_organization(&older).await.expect("create");
    assert!(store.any_organization().await.expect("any"));

    assert_eq!(store.get_organization(newer.id).await.expect("get"), newer);
    assert_eq!(
        store.list_organizations().await.expect("list"),
        vec![older.clone(), newer.clone()],
        "oldest first"
    );

    let changed = store
        .set_plan(newer.id, Plan::Starter)
        .await
        .expect("set plan");
    assert_eq!(changed.plan, Plan::Starter);
    assert_eq!(
        store.get_organization(newer.id).await.expect("get").plan,
        Plan::Starter
    );

    let unknown = OrganizationId::from_uuid(Uuid::now_v7());
    assert_not_found(store.get_organization(unknown).await);
    assert_not_found(store.set_plan(unknown, Plan::Free).await);
}

// ---------------------------------------------------------------------------------- clients

/// A client with every field is stored and read back exactly; the slug derives from the name.
pub async fn clients_round_trip<S: Store>(store: &S) {
    let org = seed_org(store, Plan::Enterprise).await;
    let creator = seed_user(store, org.id, "creator@example.com").await;
    let mut rec = record(&org, full_client(), ms(123));
    rec.created_by = Some(creator.id.clone());
    let id = rec.id.clone();

    let created = store
        .create_client(rec, default_limits())
        .await
        .expect("create");
    assert_eq!(created.id, id);
    assert_eq!(created.organization_id, org.id);
    assert_eq!(created.created_by, Some(creator.id));
    assert_eq!(created.name.as_str(), "Acme Corp");
    assert_eq!(created.slug.as_str(), "acme-corp");
    assert_eq!(created.display_name(), "ACME");
    assert_eq!(created.status, Status::Trial);
    assert_eq!(
        created.contact_email.as_ref().map(Email::as_str),
        Some("Jane@acme.com")
    );
    assert_eq!(
        created.phone_number.as_ref().map(PhoneNumber::as_str),
        Some("+15551234567")
    );
    assert_eq!(
        created.domain.as_ref().map(Website::as_str),
        Some("https://acme.com")
    );
    assert_eq!(created.created_at, ms(123));
    assert_eq!(created.last_active_at, ms(123));
    assert_eq!(created.updated_at, ms(123));

    assert_eq!(store.get_client(org.id, &id).await.expect("get"), created);

    // A minimal client (API-key creation: no creator, optional fields absent).
    let minimal = create(store, &org, "Beta", ms(200)).await;
    assert_eq!(minimal.created_by, None);
    assert_eq!(minimal.display_name, None);
    assert_eq!(minimal.display_name(), "Beta");
    assert_eq!(minimal.status, Status::Active);
    assert_eq!(
        store.get_client(org.id, &minimal.id).await.expect("get"),
        minimal
    );

    // Either id form is accepted.
    let mut cuid = named(&org, "Gamma", ms(300));
    cuid.id = cuid2::create_id().parse().expect("a CUID2 client id");
    let gamma = store
        .create_client(cuid.clone(), default_limits())
        .await
        .expect("create with a CUID2 id");
    assert_eq!(gamma.id, cuid.id);
    assert_eq!(
        store.get_client(org.id, &cuid.id).await.expect("get"),
        gamma
    );

    let unknown = ClientId::from_uuid(Uuid::now_v7());
    assert_not_found(store.get_client(org.id, &unknown).await);
}

/// A partial update sets, keeps and clears fields, moves `updated_at`, never the slug; the name
/// stays unique case-insensitively; the search follows the new names.
pub async fn client_update<S: Store>(store: &S) {
    let org = seed_org(store, Plan::Enterprise).await;
    let original = store
        .create_client(record(&org, full_client(), ms(1)), default_limits())
        .await
        .expect("create");
    let other = create(store, &org, "Other", ms(2)).await;

    let patch = ClientPatch {
        name: Some(name("Acme Renamed")),
        display_name: Patch::Clear,
        business_type: Patch::Set(BusinessType::parse("retail").expect("type")),
        subscription_plan: Patch::Keep,
        status: Some(Status::Inactive),
        contact_person: Patch::Clear,
        contact_email: Patch::Set(
            Email::parse(Field::ContactEmail, "ops@acme.com").expect("email"),
        ),
        phone_number: Patch::Keep,
        domain: Patch::Clear,
    };
    let mut expected = original.clone();
    expected.apply(patch.clone(), ms(100));
    let updated = store
        .update_client(org.id, &original.id, patch, ms(100))
        .await
        .expect("update");
    assert_eq!(updated, expected);
    assert_eq!(updated.slug, original.slug, "the slug never changes");
    assert_eq!(updated.created_at, ms(1));
    assert_eq!(updated.updated_at, ms(100));
    assert_eq!(
        store.get_client(org.id, &original.id).await.expect("get"),
        updated
    );

    // Another client's name, in any case, is taken; the client's own name in another case is not.
    let clash = ClientPatch {
        name: Some(name("OTHER")),
        ..ClientPatch::default()
    };
    assert_name_taken(
        store
            .update_client(org.id, &original.id, clash, ms(101))
            .await,
    );
    let recase = ClientPatch {
        name: Some(name("ACME RENAMED")),
        ..ClientPatch::default()
    };
    let recased = store
        .update_client(org.id, &original.id, recase, ms(102))
        .await
        .expect("re-case own name");
    assert_eq!(recased.name.as_str(), "ACME RENAMED");
    // The freed old name can be taken by another client.
    let take_old = ClientPatch {
        name: Some(name("acme corp")),
        ..ClientPatch::default()
    };
    store
        .update_client(org.id, &other.id, take_old, ms(103))
        .await
        .expect("take a freed name");

    // The search follows display names as they change.
    let shiny = ClientPatch {
        display_name: Patch::Set(DisplayName::parse("Shiny Label").expect("display name")),
        ..ClientPatch::default()
    };
    store
        .update_client(org.id, &original.id, shiny, ms(104))
        .await
        .expect("set a display name");
    let search = |q: &str| ClientQuery {
        search: Some(q.to_owned()),
        ..query()
    };
    let found = store
        .list_clients(org.id, &search("shiny"))
        .await
        .expect("search");
    assert_eq!(ids(&found.clients), vec![&original.id]);
    let cleared = ClientPatch {
        display_name: Patch::Clear,
        ..ClientPatch::default()
    };
    store
        .update_client(org.id, &original.id, cleared, ms(105))
        .await
        .expect("clear the display name");
    let found = store
        .list_clients(org.id, &search("shiny"))
        .await
        .expect("search");
    assert!(
        found.clients.is_empty(),
        "a cleared display name is not searched"
    );
    assert_eq!(found.total, 0);

    let unknown = ClientId::from_uuid(Uuid::now_v7());
    let touch = ClientPatch {
        status: Some(Status::Active),
        ..ClientPatch::default()
    };
    assert_not_found(store.update_client(org.id, &unknown, touch, ms(106)).await);
}

/// Filters, newest-first order (creation time, then id), pagination, totals, and a search that is
/// a case-insensitive substring of the name or display name, with `%`, `_` and `\` taken literally.
pub async fn client_list_filters_and_pagination<S: Store>(store: &S) {
    let org = seed_org(store, Plan::Enterprise).await;
    let make = |n: &str, status: Status, kind: Option<&str>, plan: Option<&str>| NewClient {
        status,
        business_type: kind.map(|k| BusinessType::parse(k).expect("type")),
        subscription_plan: plan.map(|p| PlanLabel::parse(p).expect("plan")),
        ..NewClient::named(name(n))
    };
    let mut specs = vec![
        (
            make("Alpha", Status::Active, Some("automotive"), Some("Pro")),
            ms(1),
        ),
        (
            make("Beta", Status::Trial, Some("retail"), Some("Basic")),
            ms(2),
        ),
        (
            make("Gamma", Status::Active, Some("automotive"), Some("Basic")),
            ms(3),
        ),
        (
            make("Delta", Status::Churned, Some("retail"), Some("Pro")),
            ms(4),
        ),
        (make("Epsilon", Status::Active, None, None), ms(4)),
        (make("100% Pure", Status::Active, None, None), ms(5)),
        (make("snake_case", Status::Pending, None, None), ms(6)),
        (make("snakeXcase", Status::Pending, None, None), ms(7)),
        (make("École Ñandú", Status::Inactive, None, None), ms(8)),
    ];
    specs[1].0.display_name = Some(DisplayName::parse("Zeta Display").expect("display name"));
    let mut created = Vec::new();
    for (client, at) in specs {
        created.push(
            store
                .create_client(record(&org, client, at), default_limits())
                .await
                .expect("create"),
        );
    }
    // Noise in another organization.
    let other = seed_org(store, Plan::Enterprise).await;
    create(store, &other, "Alpha", ms(9)).await;

    let mut newest_first = created.clone();
    newest_first.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
    let all = store.list_clients(org.id, &query()).await.expect("list");
    assert_eq!(all.total, 9);
    assert_eq!(all.clients, newest_first, "newest first, then by id");

    // Pages.
    let page = |limit: u32, offset: u64| ClientQuery {
        limit,
        offset,
        ..query()
    };
    for (limit, offset) in [(3, 0), (3, 3), (3, 6), (4, 8), (3, 9), (5, 100), (1, 4)] {
        let got = store
            .list_clients(org.id, &page(limit, offset))
            .await
            .expect("page");
        let want: Vec<Client> = newest_first
            .iter()
            .skip(offset as usize)
            .take(limit as usize)
            .cloned()
            .collect();
        assert_eq!(got.clients, want, "limit {limit} offset {offset}");
        assert_eq!(
            got.total, 9,
            "limit {limit} offset {offset}: total of all matches"
        );
    }

    let names = |page: &crate::repos::ClientPage| -> Vec<String> {
        page.clients
            .iter()
            .map(|c| c.name.as_str().to_owned())
            .collect()
    };
    let list = |q: ClientQuery| async move { store.list_clients(org.id, &q).await.expect("list") };

    let active = list(ClientQuery {
        status: Some(Status::Active),
        ..query()
    })
    .await;
    assert_eq!(
        names(&active),
        ["100% Pure", "Epsilon", "Gamma", "Alpha"].map(String::from)
    );
    assert_eq!(active.total, 4);

    let automotive = list(ClientQuery {
        business_type: Some("automotive".to_owned()),
        ..query()
    })
    .await;
    assert_eq!(names(&automotive), ["Gamma", "Alpha"].map(String::from));
    assert_eq!(automotive.total, 2);

    let basic = list(ClientQuery {
        subscription_plan: Some("Basic".to_owned()),
        ..query()
    })
    .await;
    assert_eq!(names(&basic), ["Gamma", "Beta"].map(String::from));

    let combined = list(ClientQuery {
        status: Some(Status::Active),
        business_type: Some("automotive".to_owned()),
        subscription_plan: Some("Pro".to_owned()),
        ..query()
    })
    .await;
    assert_eq!(names(&combined), ["Alpha"].map(String::from));

    let first_of_filtered = list(ClientQuery {
        status: Some(Status::Active),
        limit: 1,
        offset: 1,
        ..query()
    })
    .await;
    assert_eq!(names(&first_of_filtered), ["Epsilon"].map(String::from));
    assert_eq!(
        first_of_filtered.total, 4,
        "the total counts every match, not the page"
    );

    let search = |q: &str| ClientQuery {
        search: Some(q.to_owned()),
        ..query()
    };
    let cases: [(&str, &[&str]); 10] = [
        ("ALP", &["Alpha"]),
        ("zeta", &["Beta"]),
        ("beta", &["Beta"]),
        ("0%", &["100% Pure"]),
        ("%", &["100% Pure"]),
        ("e_c", &["snake_case"]),
        ("_", &["snake_case"]),
        ("\\", &[]),
        ("éCOLE", &["École Ñandú"]),
        ("nomatch", &[]),
    ];
    for (q, want) in cases {
        let got = list(search(q)).await;
        assert_eq!(
            names(&got),
            want.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
            "q={q:?}"
        );
        assert_eq!(got.total, want.len() as u64, "q={q:?}");
    }
    let searched_and_filtered = list(ClientQuery {
        search: Some("a".to_owned()),
        status: Some(Status::Active),
        limit: 2,
        ..query()
    })
    .await;
    assert_eq!(
        names(&searched_and_filtered),
        ["Gamma", "Alpha"].map(String::from)
    );
    assert_eq!(searched_and_filtered.total, 2);

    let empty = list(ClientQuery {
        status: Some(Status::Churned),
        business_type: Some("automotive".to_owned()),
        ..query()
    })
    .await;
    assert!(empty.clients.is_empty());
    assert_eq!(empty.total, 0);
}

/// Another organization's client is `NotFound` for get, update and delete, and not listed.
pub async fn tenant_isolation<S: Store>(store: &S) {
    let a = seed_org(store, Plan::Enterprise).await;
    let b = seed_org(store, Plan::Enterprise).await;
    let client = create(store, &a, "Acme", ms(1)).await;

    assert_not_found(store.get_client(b.id, &client.id).await);
    let patch = ClientPatch {
        name: Some(name("Hijacked")),
        ..ClientPatch::default()
    };
    assert_not_found(store.update_client(b.id, &client.id, patch, ms(2)).await);
    assert_not_found(store.delete_client(b.id, &client.id).await);
    let b_list = store.list_clients(b.id, &query()).await.expect("list");
    assert!(b_list.clients.is_empty());
    assert_eq!(b_list.total, 0);

    assert_eq!(
        store.get_client(a.id, &client.id).await.expect("untouched"),
        client
    );
    // Names are unique per organization only.
    let twin = create(store, &b, "ACME", ms(3)).await;
    assert_eq!(
        twin.slug, client.slug,
        "slugs are unique within an organization: another's never shows"
    );
}

/// Names are unique within an organization, compared case-insensitively after trimming.
pub async fn names_unique_case_insensitively<S: Store>(store: &S) {
    let org = seed_org(store, Plan::Enterprise).await;
    create(store, &org, "Acme Corp", ms(1)).await;
    for clash in ["Acme Corp", "ACME CORP", "  acme corp  ", "aCmE cOrP"] {
        assert_name_taken(
            store
                .create_client(named(&org, clash, ms(2)), default_limits())
                .await,
        );
    }
    create(store, &org, "Acme Corp 2", ms(3)).await;
    create(store, &org, "Acme-Corp", ms(4)).await;
    let total = store
        .list_clients(org.id, &query())
        .await
        .expect("list")
        .total;
    assert_eq!(total, 3);
}

/// Slugs are unique within an organization: `acme`, `acme-2`, `acme-3` inside one, while another
/// organization's "Acme" is `acme` too (a tenant learns nothing of the others from its slugs); a
/// suffix already taken by another name's slug ("Acme 4" → `acme-4`) is skipped; names without
/// Latin letters use `client`.
pub async fn slug_sequence<S: Store>(store: &S) {
    let a = seed_org(store, Plan::Enterprise).await;
    let b = seed_org(store, Plan::Enterprise).await;
    let slug = |c: Client| c.slug.as_str().to_owned();

    assert_eq!(slug(create(store, &a, "Acme", ms(1)).await), "acme");
    assert_eq!(
        slug(create(store, &b, "ACME", ms(2)).await),
        "acme",
        "another organization's Acme does not make this one acme-2"
    );
    assert_eq!(slug(create(store, &a, "Acme!", ms(3)).await), "acme-2");
    assert_eq!(slug(create(store, &a, "Acme 4", ms(4)).await), "acme-4");
    assert_eq!(slug(create(store, &a, "Acme?", ms(5)).await), "acme-3");
    assert_eq!(
        slug(create(store, &a, "Acme.", ms(6)).await),
        "acme-5",
        "acme-4 is taken by \"Acme 4\""
    );
    assert_eq!(slug(create(store, &b, "Acme 4", ms(7)).await), "acme-4");
    assert_eq!(slug(create(store, &b, "Acme!", ms(8)).await), "acme-2");
    assert_eq!(slug(create(store, &a, "Acme 4.", ms(9)).await), "acme-4-2");
    assert_eq!(
        slug(create(store, &a, "Café Crème", ms(10)).await),
        "cafe-creme"
    );
    assert_eq!(slug(create(store, &a, "東京", ms(11)).await), "client");
    assert_eq!(slug(create(store, &a, "大阪", ms(12)).await), "client-2");
    assert_eq!(slug(create(store, &b, "大阪", ms(13)).await), "client");
}

/// The domain's slug allocation policy holds on every store: with `acme` and `acme-2` …
/// `acme-40` taken on purpose by names like "Acme 2", further "Acme" names still get distinct
/// `acme-N` slugs past the squatted ones (the counter moves on in growing steps), and when every
/// numbered slug of the policy is taken, the base is tagged with the client's id.
pub async fn slugs_pass_squatted_suffixes<S: Store>(store: &S) {
    let org = seed_org(store, Plan::Enterprise).await;
    create(store, &org, "Acme", ms(0)).await;
    for n in 2..=40 {
        let squatter = create(store, &org, &format!("Acme {n}"), ms(n)).await;
        assert_eq!(squatter.slug.as_str(), format!("acme-{n}"));
    }
    let mut slugs = std::collections::HashSet::new();
    for (i, name) in ["Acme!", "Acme?", "Acme.", "Acme;"].into_iter().enumerate() {
        let c = create(store, &org, name, ms(100 + i as i64)).await;
        let n: u64 = c
            .slug
            .as_str()
            .strip_prefix("acme-")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{name}: a numbered slug, not {}", c.slug));
        assert!(n > 40, "{name}: {} is past the squatted suffixes", c.slug);
        assert!(slugs.insert(n), "{name}: {} is distinct", c.slug);
    }

    // A base whose every numbered slug is taken: after "Zed" (counter at 1), the policy's
    // numbers are 2, 3, 4, 6, 10, 18, ... 1026; with all of them squatted, the next client's
    // slug is the base tagged with its own id.
    create(store, &org, "Zed", ms(1000)).await;
    let mut n = 1_u64;
    for step in [1, 1, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512] {
        n += step;
        create(store, &org, &format!("Zed {n}"), ms(1000 + n as i64)).await;
    }
    let record = named(&org, "Zed!", ms(5000));
    let id = record.id.clone();
    let tagged = store
        .create_client(record, default_limits())
        .await
        .expect("a tagged slug");
    assert_eq!(
        tagged.slug,
        clientele_domain::Slug::derive("Zed").tagged(&id, 8),
        "the base tagged with 8 characters of the id"
    );
}

/// Cursor paging: pages follow one another newest first, every client exactly once, with the
/// filters, across deletes and inserts between pages; the last page has no next cursor; totals
/// count every match; another organization's clients never appear.
pub async fn cursor_paging<S: Store>(store: &S) {
    let org = seed_org(store, Plan::Enterprise).await;
    let other = seed_org(store, Plan::Enterprise).await;
    // 23 clients, three of them at the same millisecond (the id breaks the tie).
    let mut created = Vec::new();
    for i in 0..23_i64 {
        let at = if (10..13).contains(&i) { ms(10) } else { ms(i) };
        let mut new = NewClient::named(name(&format!("Client {i:02}")));
        if i % 3 == 0 {
            new.status = Status::Trial;
        }
        created.push(
            store
                .create_client(record(&org, new, at), default_limits())
                .await
                .expect("create"),
        );
    }
    create(store, &other, "Elsewhere", ms(5)).await;
    let mut newest_first = created.clone();
    newest_first.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));

    let walk = |query: ClientQuery| async move {
        let mut seen = Vec::new();
        let mut query = query;
        let mut totals = Vec::new();
        loop {
            let page = store.list_clients(org.id, &query).await.expect("list");
            totals.push(page.total);
            assert!(page.clients.len() <= query.limit as usize);
            seen.extend(page.clients.iter().map(|c| c.id.clone()));
            match page.next_cursor {
                Some(next) => {
                    assert_eq!(
                        page.clients.len(),
                        query.limit as usize,
                        "only a full page has a next one"
                    );
                    assert_eq!(
                        Some(&next.id),
                        page.clients.last().map(|c| &c.id),
                        "the cursor is the page's last client"
                    );
                    query.cursor = Some(next);
                }
                None => break,
            }
        }
        (seen, totals)
    };

    let (seen, totals) = walk(ClientQuery {
        limit: 5,
        ..ClientQuery::default()
    })
    .await;
    let expected: Vec<ClientId> = newest_first.iter().map(|c| c.id.clone()).collect();
    assert_eq!(seen, expected, "every client once, newest first");
    assert!(totals.iter().all(|t| *t == 23), "{totals:?}");

    // With a filter: only its matches, and its total.
    let (seen, totals) = walk(ClientQuery {
        limit: 2,
        status: Some(Status::Trial),
        ..ClientQuery::default()
    })
    .await;
    let trials: Vec<ClientId> = newest_first
        .iter()
        .filter(|c| c.status == Status::Trial)
        .map(|c| c.id.clone())
        .collect();
    assert_eq!(seen, trials);
    assert!(totals.iter().all(|t| *t == 8), "{totals:?}");

    // A page exactly as long as what is left: no next cursor after it.
    let page = store
        .list_clients(
            org.id,
            &ClientQuery {
                limit: 23,
                ..ClientQuery::default()
            },
        )
        .await
        .expect("list");
    assert_eq!((page.clients.len(), page.next_cursor), (23, None));

    // Deletes and inserts between pages: the walk goes on from where it was, skipping nothing
    // that was there and showing nothing twice.
    let first = store
        .list_clients(
            org.id,
            &ClientQuery {
                limit: 5,
                ..ClientQuery::default()
            },
        )
        .await
        .expect("list");
    let cursor = first.next_cursor.clone().expect("more pages");
    store
        .delete_client(org.id, &first.clients[4].id)
        .await
        .expect("delete the cursor's own client");
    store
        .delete_client(org.id, &newest_first[7].id)
        .await
        .expect("delete one further on");
    create(store, &org, "Newest", ms(1000)).await;
    let (rest, _) = walk(ClientQuery {
        limit: 5,
        cursor: Some(cursor),
        ..ClientQuery::default()
    })
    .await;
    let expected_rest: Vec<ClientId> = newest_first[5..]
        .iter()
        .filter(|c| c.id != newest_first[7].id)
        .map(|c| c.id.clone())
        .collect();
    assert_eq!(rest, expected_rest);

    // Offset pages also say where the next page starts.
    let by_offset = store
        .list_clients(
            org.id,
            &ClientQuery {
                limit: 5,
                offset: 5,
                ..ClientQuery::default()
            },
        )
        .await
        .expect("list");
    assert_eq!(
        by_offset.next_cursor.map(|c| c.id),
        by_offset.clients.last().map(|c| c.id.clone())
    );
    assert_eq!(by_offset.total, 22);
}

/// `plan_usage`: the organization's plan and client count, kept by creates, deletes, failed creates
/// and plan changes; another organization's clients never count.
pub async fn plan_usage_follows_creates_deletes_and_plan<S: Store>(store: &S) {
    let org = seed_org(store, Plan::Starter).await;
    let other = seed_org(store, Plan::Free).await;
    assert_eq!(
        store.plan_usage(org.id).await.expect("usage"),
        (Plan::Starter, 0)
    );
    let a = create(store, &org, "A", ms(1)).await;
    create(store, &org, "B", ms(2)).await;
    create(store, &other, "A", ms(3)).await;
    assert!(matches!(
        store
            .create_client(named(&org, "a", ms(4)), default_limits())
            .await,
        Err(RepoError::NameTaken)
    ));
    assert_eq!(
        store.plan_usage(org.id).await.expect("usage"),
        (Plan::Starter, 2)
    );
    store.delete_client(org.id, &a.id).await.expect("delete");
    store
        .set_plan(org.id, Plan::Agency)
        .await
        .expect("set plan");
    assert_eq!(
        store.plan_usage(org.id).await.expect("usage"),
        (Plan::Agency, 1)
    );
    assert_eq!(
        store.plan_usage(other.id).await.expect("usage"),
        (Plan::Free, 1)
    );
    let ghost = organization("Ghost", Plan::Free, t0());
    assert!(matches!(
        store.plan_usage(ghost.id).await,
        Err(RepoError::NotFound)
    ));
}

/// The plan limit: checked before the name, against the organization's plan (or the rule's cap
/// and limits), freed by deletes, restored when a create fails.
pub async fn plan_limit_and_delete<S: Store>(store: &S) {
    let org = seed_org(store, Plan::Free).await;
    let first = create(store, &org, "One", ms(1)).await;
    create(store, &org, "Two", ms(2)).await;
    create(store, &org, "Three", ms(3)).await;
    assert_limit(
        store
            .create_client(named(&org, "Four", ms(4)), default_limits())
            .await,
        3,
        3,
    );
    // At the limit, a clashing name still gets LimitReached (the limit is checked first).
    assert_limit(
        store
            .create_client(named(&org, "one", ms(4)), default_limits())
            .await,
        3,
        3,
    );

    store
        .delete_client(org.id, &first.id)
        .await
        .expect("delete");
    assert_not_found(store.get_client(org.id, &first.id).await);
    assert_not_found(store.delete_client(org.id, &first.id).await);
    assert_not_found(
        store
            .delete_client(org.id, &ClientId::from_uuid(Uuid::now_v7()))
            .await,
    );

    // A failed create does not take the freed place.
    assert_name_taken(
        store
            .create_client(named(&org, "TWO", ms(5)), default_limits())
            .await,
    );
    create(store, &org, "Four", ms(6)).await;
    assert_limit(
        store
            .create_client(named(&org, "Five", ms(7)), default_limits())
            .await,
        3,
        3,
    );

    // A higher plan raises the limit.
    store
        .set_plan(org.id, Plan::Starter)
        .await
        .expect("set plan");
    create(store, &org, "Five", ms(8)).await;
    create(store, &org, "Six", ms(9)).await;
    assert_limit(
        store
            .create_client(named(&org, "Seven", ms(10)), default_limits())
            .await,
        5,
        5,
    );

    // The rule's cap replaces the plan (an expired trial counts as free).
    let enterprise = seed_org(store, Plan::Enterprise).await;
    let capped = LimitRule {
        limits: PlanLimits::default(),
        cap: Some(Plan::Free),
    };
    for (i, n) in ["A", "B", "C"].into_iter().enumerate() {
        store
            .create_client(named(&enterprise, n, ms(20 + i as i64)), capped)
            .await
            .expect("create under the cap");
    }
    assert_limit(
        store
            .create_client(named(&enterprise, "D", ms(30)), capped)
            .await,
        3,
        3,
    );
    store
        .create_client(named(&enterprise, "D", ms(31)), default_limits())
        .await
        .expect("enterprise is unlimited");

    // Configured limits apply.
    let tight = LimitRule {
        limits: PlanLimits::default().with(Plan::Agency, Limit::Max(1)),
        cap: None,
    };
    let agency = seed_org(store, Plan::Agency).await;
    store
        .create_client(named(&agency, "Only", ms(40)), tight)
        .await
        .expect("first");
    assert_limit(
        store
            .create_client(named(&agency, "Second", ms(41)), tight)
            .await,
        1,
        1,
    );
}

/// 32 concurrent creators of distinct names at a limit of 7: exactly 7 succeed.
pub async fn concurrent_creators_at_limit<S: Store>(store: &S) {
    concurrent_creators_across_instances(store, store).await;
}

/// The same race through two handles on one database (two server instances): the database, not
/// a process, enforces the limit.
pub async fn concurrent_creators_across_instances<S: Store>(a: &S, b: &S) {
    const CREATORS: usize = 32;
    const LIMIT: u32 = 7;
    let org = seed_org(a, Plan::Starter).await;
    let rule = LimitRule {
        limits: PlanLimits::default().with(Plan::Starter, Limit::Max(LIMIT)),
        cap: None,
    };
    let attempts = (0..CREATORS).map(|i| {
        let store = if i % 2 == 0 { a } else { b };
        let rec = named(&org, &format!("Client {i}"), ms(i as i64));
        async move { store.create_client(rec, rule).await }
    });
    let results = join_all(attempts.collect()).await;

    let created: Vec<&Client> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(
        created.len(),
        LIMIT as usize,
        "exactly the limit succeed: {results:?}"
    );
    for r in &results {
        match r {
            Ok(_) => {}
            Err(RepoError::LimitReached(l)) => assert_eq!(
                *l,
                LimitReached {
                    current: u64::from(LIMIT),
                    limit: LIMIT
                }
            ),
            Err(e) => panic!("a creator failed otherwise: {e:?}"),
        }
    }
    for store in [a, b] {
        let page = store.list_clients(org.id, &query()).await.expect("list");
        assert_eq!(page.total, u64::from(LIMIT));
    }
    let mut slugs: Vec<&str> = created.iter().map(|c| c.slug.as_str()).collect();
    slugs.sort_unstable();
    slugs.dedup();
    assert_eq!(slugs.len(), LIMIT as usize, "slugs are distinct");
}

/// The count stays exact through a change of plan: see
/// [`plan_change_keeps_the_count_across_instances`].
pub async fn plan_change_keeps_the_count_exact<S: Store>(store: &S) {
    plan_change_keeps_the_count_across_instances(store, store).await;
}

/// 24 concurrent creates on an unlimited plan (which count without serialising) race a change to
/// a plan with a limit of 30, through two handles: all 24 succeed and are counted, so of 16 more
/// concurrent creators exactly 6 succeed; after 2 deletes, of 5 creators exactly 2 do.
pub async fn plan_change_keeps_the_count_across_instances<S: Store>(a: &S, b: &S) {
    const LIMIT: u32 = 30;
    let org = seed_org(a, Plan::Enterprise).await;
    let rule = LimitRule {
        limits: PlanLimits::default().with(Plan::Agency, Limit::Max(LIMIT)),
        cap: None,
    };
    let creates = |from: usize, count: usize| {
        let org = &org;
        join_all(
            (from..from + count)
                .map(|i| {
                    let store = if i % 2 == 0 { a } else { b };
                    let rec = named(org, &format!("Client {i}"), ms(i as i64));
                    async move { store.create_client(rec, rule).await }
                })
                .collect(),
        )
    };
    let change = async {
        yield_once().await;
        b.set_plan(org.id, Plan::Agency).await
    };
    let (first, changed) = join2(creates(0, 24), change).await;
    changed.expect("plan change");
    assert!(
        first.iter().all(Result::is_ok),
        "24 < 30: every create succeeds, whatever the plan: {first:?}"
    );
    assert_eq!(usage(a, &org).await, (Plan::Agency, 24));

    let second = creates(24, 16).await;
    let ok: Vec<&Client> = second.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(ok.len(), 6, "exactly up to the limit: {second:?}");
    for r in second.iter().filter(|r| r.is_err()) {
        assert!(
            matches!(r, Err(RepoError::LimitReached(l)) if l.current == u64::from(LIMIT)),
            "got {r:?}"
        );
    }
    for store in [a, b] {
        assert_eq!(usage(store, &org).await, (Plan::Agency, u64::from(LIMIT)));
        let page = store.list_clients(org.id, &query()).await.expect("list");
        assert_eq!(page.total, u64::from(LIMIT));
    }

    a.delete_client(org.id, &ok[0].id).await.expect("delete");
    b.delete_client(org.id, &ok[1].id).await.expect("delete");
    let third = creates(40, 5).await;
    assert_eq!(third.iter().filter(|r| r.is_ok()).count(), 2, "{third:?}");
    assert_eq!(usage(b, &org).await, (Plan::Agency, u64::from(LIMIT)));
}

async fn usage<S: Store>(store: &S, org: &Organization) -> (Plan, u64) {
    store.plan_usage(org.id).await.expect("usage")
}

/// 16 concurrent creators of one name (in various cases): exactly one succeeds, the others get
/// `NameTaken`, and the failures leave the plan count as it was.
pub async fn concurrent_same_name<S: Store>(store: &S) {
    const CREATORS: usize = 16;
    let org = seed_org(store, Plan::Free).await;
    let spellings = ["Acme", "ACME", "acme", " Acme "];
    let attempts = (0..CREATORS).map(|i| {
        let rec = named(&org, spellings[i % spellings.len()], ms(i as i64));
        async move { store.create_client(rec, default_limits()).await }
    });
    let results = join_all(attempts.collect()).await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 1, "exactly one creator wins: {results:?}");
    for r in results.iter().filter(|r| r.is_err()) {
        assert!(matches!(r, Err(RepoError::NameTaken)), "got {r:?}");
    }
    // The free plan's 3 places: one taken, two left.
    create(store, &org, "Two", ms(100)).await;
    create(store, &org, "Three", ms(101)).await;
    assert_limit(
        store
            .create_client(named(&org, "Four", ms(102)), default_limits())
            .await,
        3,
        3,
    );
}

// ---------------------------------------------------------------------------------- users

/// Users: create (with or without a new organization, atomically), get, find by email in any
/// case, unique emails, operator updates.
pub async fn users_round_trip<S: Store>(store: &S) {
    let org = organization("Jane's", Plan::Free, ms(1));
    let jane = user(org.id, "Jane.Doe@Example.COM", ms(1));
    store
        .create_user(&jane, "hash-1", Some(&org))
        .await
        .expect("create with a new organization");
    assert_eq!(
        store
            .get_organization(org.id)
            .await
            .expect("its organization"),
        org
    );
    assert_eq!(stored_user(store, &jane).await, jane);
    assert_eq!(jane.email.as_str(), "Jane.Doe@example.com");

    let lookup = Email::parse(Field::Email, "jane.doe@EXAMPLE.com").expect("email");
    let found = store
        .find_credentials(&lookup)
        .await
        .expect("find")
        .expect("found in another case");
    assert_eq!(found.user, jane);
    assert_eq!(found.password_hash, "hash-1");
    let nobody = Email::parse(Field::Email, "nobody@example.com").expect("email");
    assert!(
        store
            .find_credentials(&nobody)
            .await
            .expect("find")
            .is_none()
    );

    // The same email in another case is taken, and the new organization is not kept.
    let org2 = organization("Dup", Plan::Free, ms(2));
    let dup = user(org2.id, "JANE.DOE@example.com", ms(2));
    let taken = store.create_user(&dup, "hash-2", Some(&org2)).await;
    assert!(matches!(taken, Err(RepoError::EmailTaken)), "got {taken:?}");
    assert_not_found(store.get_organization(org2.id).await);

    // Into an existing organization; into an unknown one.
    let colleague = user(org.id, "colleague@example.com", ms(3));
    store
        .create_user(&colleague, "hash-3", None)
        .await
        .expect("create in an existing organization");
    let stray = user(
        OrganizationId::from_uuid(Uuid::now_v7()),
        "stray@example.com",
        ms(3),
    );
    assert_not_found(store.create_user(&stray, "hash-4", None).await);

    // Operator updates.
    let mut changed = jane.clone();
    changed.email_verified_at = Some(ms(10));
    changed.signup_flow = SignupFlow::PaidTrial;
    changed.subscription_status = SubscriptionStatus::Active;
    changed.plan_expires_at = Some(ms(1_000_000));
    changed.updated_at = ms(10);
    store.update_user(&changed).await.expect("update");
    assert_eq!(stored_user(store, &jane).await, changed);
    changed.plan_expires_at = None;
    changed.email_verified_at = None;
    changed.updated_at = ms(11);
    store.update_user(&changed).await.expect("clear");
    assert_eq!(stored_user(store, &jane).await, changed);

    let ghost = user(org.id, "ghost@example.com", ms(4));
    assert_not_found(store.update_user(&ghost).await);
    assert!(
        store
            .find_credentials(&ghost.email)
            .await
            .expect("find")
            .is_none()
    );
}

/// Verification tokens: single use, refused once expired, and they mark the email verified once.
pub async fn verification_tokens<S: Store>(store: &S) {
    let org = seed_org(store, Plan::Free).await;
    let u = seed_user(store, org.id, "verify@example.com").await;
    let token = |s: &str, expires_at| VerificationRecord {
        token_hash: SecretHash::of(s),
        user_id: u.id.clone(),
        expires_at,
    };

    store
        .add_verification(&token("expired", ms(1_000)))
        .await
        .expect("add");
    assert_not_found(
        store
            .consume_verification(&SecretHash::of("expired"), ms(1_000))
            .await,
    );

    store
        .add_verification(&token("good", ms(2_000)))
        .await
        .expect("add");
    let verified = store
        .consume_verification(&SecretHash::of("good"), ms(1_500))
        .await
        .expect("consume");
    assert_eq!(verified.id, u.id);
    assert_eq!(verified.email_verified_at, Some(ms(1_500)));
    assert_eq!(verified.updated_at, ms(1_500));
    assert_eq!(stored_user(store, &u).await, verified);
    assert_not_found(
        store
            .consume_verification(&SecretHash::of("good"), ms(1_600))
            .await,
    );
    assert_not_found(
        store
            .consume_verification(&SecretHash::of("unknown"), ms(1_600))
            .await,
    );

    // A second token works, and keeps the first verification time.
    store
        .add_verification(&token("again", ms(3_000)))
        .await
        .expect("add");
    let again = store
        .consume_verification(&SecretHash::of("again"), ms(1_700))
        .await
        .expect("consume");
    assert_eq!(again.email_verified_at, Some(ms(1_500)));

    // The purge deletes what expired (the refused "expired" one and "old"), nothing else.
    for (name, at) in [("old", ms(4_000)), ("fresh", ms(9_000))] {
        store.add_verification(&token(name, at)).await.expect("add");
    }
    assert_eq!(
        store.purge_verifications(ms(5_000)).await.expect("purge"),
        2
    );
    assert_eq!(
        store.purge_verifications(ms(5_000)).await.expect("purge"),
        0
    );
    store
        .consume_verification(&SecretHash::of("fresh"), ms(5_000))
        .await
        .expect("an unexpired token survives the purge");
}

// ---------------------------------------------------------------------------------- sessions

/// Sessions resolve to their user until they expire, and are gone once deleted.
pub async fn sessions_expire<S: Store>(store: &S) {
    let org = seed_org(store, Plan::Free).await;
    let u = seed_user(store, org.id, "session@example.com").await;
    let hash = SecretHash::of("session-token");
    store
        .create_session(&SessionRecord {
            token_hash: hash.clone(),
            user_id: u.id.clone(),
            organization_id: org.id,
            created_at: ms(0),
            expires_at: ms(10_000),
        })
        .await
        .expect("create");

    let resolved = store
        .resolve_session(&hash, ms(9_999))
        .await
        .expect("resolve");
    assert_eq!(resolved, Some((u.clone(), ms(10_000))));
    assert_eq!(
        store
            .resolve_session(&hash, ms(10_000))
            .await
            .expect("resolve"),
        None
    );
    assert_eq!(
        store
            .resolve_session(&SecretHash::of("unknown"), ms(1))
            .await
            .expect("resolve"),
        None
    );

    store.delete_session(&hash).await.expect("delete");
    assert_eq!(
        store.resolve_session(&hash, ms(1)).await.expect("resolve"),
        None
    );
    store
        .delete_session(&hash)
        .await
        .expect("deleting an unknown session is fine");

    // The purge deletes expired sessions only.
    for (token, expires) in [("stale", ms(2_000)), ("live", ms(20_000))] {
        store
            .create_session(&SessionRecord {
                token_hash: SecretHash::of(token),
                user_id: u.id.clone(),
                organization_id: org.id,
                created_at: ms(0),
                expires_at: expires,
            })
            .await
            .expect("create");
    }
    assert_eq!(store.purge_sessions(ms(5_000)).await.expect("purge"), 1);
    assert_eq!(store.purge_sessions(ms(5_000)).await.expect("purge"), 0);
    assert_eq!(
        store
            .resolve_session(&SecretHash::of("live"), ms(5_000))
            .await
            .expect("resolve"),
        Some((u.clone(), ms(20_000)))
    );
}

// ---------------------------------------------------------------------------------- API keys

fn api_key(org: OrganizationId, label: &str, at: OffsetDateTime) -> ApiKey {
    ApiKey {
        id: ApiKeyId::from_uuid(Uuid::now_v7()),
        organization_id: org,
        name: ApiKeyName::parse(label).expect("key name"),
        environment: Environment::Production,
        prefix: "vox_mgmt_AbCd".to_owned(),
        created_at: at,
        last_used_at: None,
        revoked_at: None,
    }
}

/// API keys: found by hash (revoked or not), listed per organization oldest first, touched,
/// revoked once.
pub async fn api_keys_round_trip<S: Store>(store: &S) {
    let a = seed_org(store, Plan::Free).await;
    let b = seed_org(store, Plan::Free).await;
    let first = api_key(a.id, "First", ms(1));
    let mut second = api_key(a.id, "Second", ms(2));
    second.environment = Environment::Sandbox;
    let theirs = api_key(b.id, "Theirs", ms(3));
    for (key, secret) in [(&first, "k1"), (&second, "k2"), (&theirs, "k3")] {
        store
            .create_api_key(key, &SecretHash::of(secret))
            .await
            .expect("create");
    }

    assert_eq!(
        store
            .find_api_key(&SecretHash::of("k2"))
            .await
            .expect("find"),
        Some(second.clone())
    );
    assert_eq!(
        store
            .find_api_key(&SecretHash::of("nope"))
            .await
            .expect("find"),
        None
    );
    assert_eq!(
        store.list_api_keys(a.id).await.expect("list"),
        vec![first.clone(), second.clone()]
    );
    assert_eq!(store.list_api_keys(b.id).await.expect("list"), vec![theirs]);

    store.touch_api_key(first.id, ms(50)).await.expect("touch");
    let touched = store
        .find_api_key(&SecretHash::of("k1"))
        .await
        .expect("find")
        .expect("found");
    assert_eq!(touched.last_used_at, Some(ms(50)));

    let revoked = store
        .revoke_api_key(first.id, ms(60))
        .await
        .expect("revoke");
    assert_eq!(revoked.revoked_at, Some(ms(60)));
    assert_eq!(revoked.last_used_at, Some(ms(50)));
    let again = store
        .revoke_api_key(first.id, ms(70))
        .await
        .expect("revoke again");
    assert_eq!(
        again.revoked_at,
        Some(ms(60)),
        "the first revocation is kept"
    );
    let found = store
        .find_api_key(&SecretHash::of("k1"))
        .await
        .expect("find")
        .expect("a revoked key is still found");
    assert_eq!(found, again);

    assert_not_found(
        store
            .revoke_api_key(ApiKeyId::from_uuid(Uuid::now_v7()), ms(80))
            .await,
    );
    let orphan = api_key(OrganizationId::from_uuid(Uuid::now_v7()), "Orphan", ms(4));
    assert_not_found(store.create_api_key(&orphan, &SecretHash::of("k4")).await);
}

// ---------------------------------------------------------------------------------- idempotency

fn claim<'a>(
    org: OrganizationId,
    key: &'a str,
    fingerprint: &'a str,
    now: OffsetDateTime,
) -> IdempotencyClaim<'a> {
    IdempotencyClaim {
        organization_id: org,
        key,
        fingerprint,
        now,
        ttl: Duration::hours(24),
        stale_after: Duration::seconds(60),
    }
}

/// The claim of `key` made at `at`.
fn fence(org: OrganizationId, key: &str, at: OffsetDateTime) -> IdempotencyFence {
    IdempotencyFence {
        organization_id: org,
        key: key.to_owned(),
        claimed_at: at,
    }
}

/// Idempotency records: begin, in progress, mismatch, complete and replay, release, stale
/// takeover, expiry; keys are per organization.
pub async fn idempotency_records<S: Store>(store: &S) {
    let a = seed_org(store, Plan::Free).await;
    let b = seed_org(store, Plan::Free).await;
    let response = StoredResponse {
        status: 201,
        body: br#"{"data":{"id":"x"}}"#.to_vec(),
    };
    let begin = |c: IdempotencyClaim<'static>| async move {
        store.begin_idempotent(&c).await.expect("begin")
    };

    assert_eq!(begin(claim(a.id, "k1", "fp1", ms(0))).await, Begin::Started);
    assert_eq!(
        begin(claim(a.id, "k1", "fp1", ms(1_000))).await,
        Begin::InProgress
    );
    assert_eq!(
        begin(claim(a.id, "k1", "fp2", ms(1_000))).await,
        Begin::Mismatch
    );
    // Keys are per organization.
    assert_eq!(
        begin(claim(b.id, "k1", "fp2", ms(1_000))).await,
        Begin::Started
    );

    store
        .complete_idempotent(&fence(a.id, "k1", ms(0)), &response)
        .await
        .expect("complete");
    assert_eq!(
        begin(claim(a.id, "k1", "fp1", ms(2_000))).await,
        Begin::Replay(response.clone())
    );
    assert_eq!(
        begin(claim(a.id, "k1", "fp2", ms(2_000))).await,
        Begin::Mismatch
    );
    // A completed record is not "abandoned": it replays until it expires.
    assert_eq!(
        begin(claim(a.id, "k1", "fp1", ms(3_600_000))).await,
        Begin::Replay(response.clone())
    );
    // Expired: the key is new again, whatever the request.
    let day = 24 * 3_600_000;
    assert_eq!(
        begin(claim(a.id, "k1", "fp3", ms(day))).await,
        Begin::Started
    );
    assert_eq!(
        begin(claim(a.id, "k1", "fp3", ms(day + 1))).await,
        Begin::InProgress
    );

    // Released after a transient failure: the retry runs again.
    assert_eq!(begin(claim(a.id, "k2", "fp", ms(0))).await, Begin::Started);
    store
        .release_idempotent(&fence(a.id, "k2", ms(0)))
        .await
        .expect("release");
    assert_eq!(begin(claim(a.id, "k2", "fp", ms(10))).await, Begin::Started);

    // Abandoned (no response after stale_after): taken over.
    assert_eq!(begin(claim(a.id, "k3", "fp", ms(0))).await, Begin::Started);
    assert_eq!(
        begin(claim(a.id, "k3", "fp", ms(59_999))).await,
        Begin::InProgress
    );
    assert_eq!(
        begin(claim(a.id, "k3", "fp", ms(60_000))).await,
        Begin::Started
    );
    assert_eq!(
        begin(claim(a.id, "k3", "fp", ms(60_001))).await,
        Begin::InProgress
    );
    // The claim that was taken over can neither complete nor release the new one.
    assert_not_found(
        store
            .complete_idempotent(&fence(a.id, "k3", ms(0)), &response)
            .await,
    );
    store
        .release_idempotent(&fence(a.id, "k3", ms(0)))
        .await
        .expect("release");
    assert_eq!(
        begin(claim(a.id, "k3", "fp", ms(60_001))).await,
        Begin::InProgress,
        "still the new claim"
    );
    store
        .complete_idempotent(&fence(a.id, "k3", ms(60_000)), &response)
        .await
        .expect("complete the taken-over claim");
    assert_eq!(
        begin(claim(a.id, "k3", "fp", ms(60_002))).await,
        Begin::Replay(response.clone())
    );
    // Releasing a completed record changes nothing: its response is still replayed.
    store
        .release_idempotent(&fence(a.id, "k3", ms(60_000)))
        .await
        .expect("release");
    assert_eq!(
        begin(claim(a.id, "k3", "fp", ms(60_003))).await,
        Begin::Replay(response)
    );

    assert_not_found(
        store
            .complete_idempotent(
                &fence(a.id, "never-claimed", ms(0)),
                &StoredResponse {
                    status: 500,
                    body: Vec::new(),
                },
            )
            .await,
    );
}

/// Expired idempotency records are purged, and only those.
pub async fn idempotency_purge<S: Store>(store: &S) {
    let org = seed_org(store, Plan::Free).await;
    let hour = 3_600_000;
    let with_ttl = |key: &'static str, now| IdempotencyClaim {
        ttl: Duration::hours(1),
        ..claim(org.id, key, "fp", now)
    };
    for (key, at) in [("p1", ms(0)), ("p2", ms(0)), ("p3", ms(hour / 2))] {
        assert_eq!(
            store
                .begin_idempotent(&with_ttl(key, at))
                .await
                .expect("begin"),
            Begin::Started
        );
    }
    store
        .complete_idempotent(
            &fence(org.id, "p1", ms(0)),
            &StoredResponse {
                status: 201,
                body: b"{}".to_vec(),
            },
        )
        .await
        .expect("complete");

    assert_eq!(
        store.purge_idempotent(ms(hour - 1)).await.expect("purge"),
        0
    );
    assert_eq!(store.purge_idempotent(ms(hour)).await.expect("purge"), 2);
    assert_eq!(
        store
            .begin_idempotent(&with_ttl("p1", ms(hour + 1)))
            .await
            .expect("begin"),
        Begin::Started,
        "a purged key is new"
    );
    assert_eq!(
        store
            .purge_idempotent(ms(hour + hour / 2))
            .await
            .expect("purge"),
        1
    );
    assert_eq!(
        store.purge_idempotent(ms(3 * hour)).await.expect("purge"),
        1
    );
    assert_eq!(
        store.purge_idempotent(ms(3 * hour)).await.expect("purge"),
        0
    );
}
