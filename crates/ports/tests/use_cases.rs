//! The use cases on the in-memory ports.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::sync::Arc;

use clientele_domain::account::NewAccount;
use clientele_domain::{
    ClientInput, ClientName, ClientPatch, ClientQuery, ClientSchema, Environment, Field, Input,
    LimitReached, NewClient, Plan, SignupFlow, Status, SubscriptionStatus,
};
use clientele_ports::memory::{Harness, MemoryStore};
use clientele_ports::{
    AccountError, Begin, Caller, ClientError, Config, IdempotencyClaim, IdempotencyStore, NewUser,
    Services, StoredResponse, UserUpdate,
};
use time::Duration;

struct World {
    h: Harness,
    svc: Arc<Services<MemoryStore>>,
}

fn world() -> World {
    let h = Harness::new();
    let svc = Arc::new(h.services(Config {
        verification_url: Some("https://app.example/verify-email".to_owned()),
        ..Config::default()
    }));
    World { h, svc }
}

/// Without a verification page, the message gives the token as a code.
#[tokio::test]
async fn without_a_verification_page_the_message_carries_a_code() {
    let h = Harness::new();
    let svc = h.services(Config::default());
    svc.accounts
        .sign_up(NewAccount::from_text("code@example.com", "password123", None).unwrap())
        .await
        .unwrap();
    let text = h.mailer.sent()[0].text.clone();
    assert!(!text.contains("token="), "{text}");
    let code = text
        .split("entering this code within 24 hours:")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let account = svc.accounts.verify_email(&code).await.unwrap();
    assert!(account.user.email_verified_at.is_some());
}

impl World {
    async fn key_caller(&self, plan: Plan) -> Caller {
        let org = self
            .svc
            .organizations
            .create_organization("Agency", plan)
            .await
            .unwrap();
        let (_, secret) = self
            .svc
            .accounts
            .create_api_key(org.id, "test", Environment::Production)
            .await
            .unwrap();
        self.svc
            .accounts
            .resolve_api_key(secret.expose())
            .await
            .unwrap()
    }

    async fn user_caller(&self, email: &str, verified: bool, flow: SignupFlow) -> Caller {
        let account = self
            .svc
            .accounts
            .create_user(NewUser {
                email: email.to_owned(),
                password: "correct horse".to_owned(),
                name: None,
                organization: None,
                verified,
                signup_flow: flow,
            })
            .await
            .unwrap();
        Caller::User(account.user)
    }
}

fn named(name: &str) -> NewClient {
    NewClient::named(ClientName::parse(name).unwrap())
}

#[tokio::test]
async fn api_key_creations_get_uuids_and_user_creations_cuids() {
    let w = world();
    let key = w.key_caller(Plan::Starter).await;
    let c = w
        .svc
        .clients
        .create_client(&key, named("ABC Motors"))
        .await
        .unwrap();
    assert!(uuid::Uuid::try_parse(c.id.as_str()).is_ok(), "{}", c.id);
    assert_eq!(c.created_by, None);
    assert_eq!(c.slug.as_str(), "abc-motors");
    assert_eq!(c.created_at, c.last_active_at);

    let user = w.user_caller("a@example.com", true, SignupFlow::Free).await;
    let c = w
        .svc
        .clients
        .create_client(&user, named("ABC Motors"))
        .await
        .unwrap();
    assert!(clientele_domain::is_cuid2(c.id.as_str()), "{}", c.id);
    assert_eq!(c.created_by.as_ref(), Some(&user.user().unwrap().id));
    assert_eq!(
        c.slug.as_str(),
        "abc-motors",
        "slugs are unique within an organization: another's never shows"
    );
}

#[tokio::test]
async fn the_access_gate() {
    let w = world();
    let unverified = w
        .user_caller("free@example.com", false, SignupFlow::Free)
        .await;
    assert!(matches!(
        w.svc.clients.create_client(&unverified, named("A1")).await,
        Err(ClientError::VerificationRequired(_))
    ));
    let trial = w
        .user_caller("trial@example.com", false, SignupFlow::PaidTrial)
        .await;
    w.svc
        .clients
        .create_client(&trial, named("A1"))
        .await
        .unwrap();
    let verified = w
        .user_caller("ok@example.com", true, SignupFlow::Free)
        .await;
    w.svc
        .clients
        .create_client(&verified, named("A1"))
        .await
        .unwrap();

    // An expired trial counts as the free flow: without a verified email it is refused.
    let now = w.svc.now();
    let mut expired = trial.user().unwrap().clone();
    expired.plan_expires_at = Some(now - Duration::seconds(1));
    assert!(matches!(
        w.svc
            .clients
            .create_client(&Caller::User(expired.clone()), named("A2"))
            .await,
        Err(ClientError::VerificationRequired(_))
    ));
    expired.subscription_status = SubscriptionStatus::Active;
    w.svc
        .clients
        .create_client(&Caller::User(expired), named("A2"))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_plan_limit_and_deleting_frees_a_place() {
    let w = world();
    let caller = w.key_caller(Plan::Free).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(
            w.svc
                .clients
                .create_client(&caller, named(&format!("C{i}")))
                .await
                .unwrap()
                .id,
        );
    }
    let err = w
        .svc
        .clients
        .create_client(&caller, named("C3"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::LimitReached(LimitReached {
                current: 3,
                limit: 3
            })
        ),
        "{err:?}"
    );
    // The limit is checked before the name.
    let err = w
        .svc
        .clients
        .create_client(&caller, named("c0"))
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::LimitReached(_)), "{err:?}");

    w.svc.clients.delete_client(&caller, &ids[0]).await.unwrap();
    w.svc
        .clients
        .create_client(&caller, named("C3"))
        .await
        .unwrap();

    w.svc
        .organizations
        .set_plan(caller.organization_id(), Plan::Starter)
        .await
        .unwrap();
    w.svc
        .clients
        .create_client(&caller, named("C4"))
        .await
        .unwrap();
    w.svc
        .clients
        .create_client(&caller, named("C5"))
        .await
        .unwrap();
    let err = w
        .svc
        .clients
        .create_client(&caller, named("C6"))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ClientError::LimitReached(LimitReached {
            current: 5,
            limit: 5
        })
    ));
}

#[tokio::test]
async fn configured_limits_and_expired_trials() {
    let h = Harness::new();
    let config = Config {
        plan_limits: clientele_domain::PlanLimits::default()
            .with_override("starter=1")
            .unwrap(),
        ..Config::default()
    };
    let svc = h.services(config);
    let org = svc
        .organizations
        .create_organization("O", Plan::Starter)
        .await
        .unwrap();
    let (_, secret) = svc
        .accounts
        .create_api_key(org.id, "k", Environment::Sandbox)
        .await
        .unwrap();
    let key = svc.accounts.resolve_api_key(secret.expose()).await.unwrap();
    svc.clients.create_client(&key, named("One")).await.unwrap();
    assert!(matches!(
        svc.clients.create_client(&key, named("Two")).await,
        Err(ClientError::LimitReached(LimitReached {
            current: 1,
            limit: 1
        }))
    ));

    // A user whose trial has expired gets the free plan's limit even on a bigger plan.
    let account = svc
        .accounts
        .create_user(NewUser {
            email: "t@example.com".into(),
            password: "password1".into(),
            name: None,
            organization: None,
            verified: true,
            signup_flow: SignupFlow::PaidTrial,
        })
        .await
        .unwrap();
    svc.organizations
        .set_plan(account.user.organization_id, Plan::Agency)
        .await
        .unwrap();
    let mut user = account.user;
    user.plan_expires_at = Some(svc.now() - Duration::days(1));
    let caller = Caller::User(user);
    for i in 0..3 {
        svc.clients
            .create_client(&caller, named(&format!("T{i}")))
            .await
            .unwrap();
    }
    assert!(matches!(
        svc.clients.create_client(&caller, named("T3")).await,
        Err(ClientError::LimitReached(LimitReached {
            current: 3,
            limit: 3
        }))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_concurrent_creates_at_the_limit() {
    let w = world();
    let caller = w.key_caller(Plan::Professional).await; // 15
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let svc = Arc::clone(&w.svc);
            let caller = caller.clone();
            tokio::spawn(async move {
                svc.clients
                    .create_client(&caller, named(&format!("Client {i}")))
                    .await
            })
        })
        .collect();
    let mut ok = 0;
    let mut limited = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(ClientError::LimitReached(l)) => {
                assert_eq!((l.current, l.limit), (15, 15));
                limited += 1;
            }
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((ok, limited), (15, 17));
    let page = w
        .svc
        .clients
        .list_clients(&caller, &ClientQuery::default())
        .await
        .unwrap();
    assert_eq!(page.total, 15);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_concurrent_creates_of_one_name() {
    let w = world();
    let caller = w.key_caller(Plan::Enterprise).await;
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let svc = Arc::clone(&w.svc);
            let caller = caller.clone();
            // Same name up to case and surrounding spaces.
            let name = if i % 2 == 0 {
                "Acme Corp"
            } else {
                "  ACME corp "
            };
            tokio::spawn(async move { svc.clients.create_client(&caller, named(name)).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(ClientError::NameTaken) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(ok, 1);
}

#[tokio::test]
async fn tenants_are_isolated() {
    let w = world();
    let a = w.key_caller(Plan::Starter).await;
    let b = w.key_caller(Plan::Starter).await;
    let c = w
        .svc
        .clients
        .create_client(&a, named("Mine"))
        .await
        .unwrap();
    assert!(matches!(
        w.svc.clients.get_client(&b, &c.id).await,
        Err(ClientError::NotFound)
    ));
    assert!(matches!(
        w.svc
            .clients
            .update_client(
                &b,
                &c.id,
                ClientPatch {
                    status: Some(Status::Churned),
                    ..ClientPatch::default()
                }
            )
            .await,
        Err(ClientError::NotFound)
    ));
    assert!(matches!(
        w.svc.clients.delete_client(&b, &c.id).await,
        Err(ClientError::NotFound)
    ));
    assert_eq!(
        w.svc
            .clients
            .list_clients(&b, &ClientQuery::default())
            .await
            .unwrap()
            .total,
        0
    );
    // The same name is free in another organization.
    w.svc
        .clients
        .create_client(&b, named("mine"))
        .await
        .unwrap();
    assert_eq!(w.svc.clients.get_client(&a, &c.id).await.unwrap(), c);
}

#[tokio::test]
async fn list_filters_pages_and_orders_newest_first() {
    let w = world();
    let caller = w.key_caller(Plan::Enterprise).await;
    for (i, status) in ["active", "trial", "active", "churned", "active"]
        .iter()
        .enumerate()
    {
        let input = ClientInput {
            name: Input::text(format!("Shop {i}")),
            display_name: if i == 4 {
                Input::text("Downtown Garage")
            } else {
                Input::Missing
            },
            business_type: Input::text(if i < 2 { "automotive" } else { "medical" }),
            subscription_plan: Input::text("Pro"),
            status: Input::text(*status),
            ..ClientInput::default()
        };
        let new = NewClient::parse(input, &ClientSchema::MANAGEMENT).unwrap();
        w.svc.clients.create_client(&caller, new).await.unwrap();
        w.h.clock.advance(Duration::milliseconds(5));
    }
    let all = w
        .svc
        .clients
        .list_clients(&caller, &ClientQuery::default())
        .await
        .unwrap();
    let names: Vec<_> = all
        .clients
        .iter()
        .map(|c| c.name.as_str().to_owned())
        .collect();
    assert_eq!(names, ["Shop 4", "Shop 3", "Shop 2", "Shop 1", "Shop 0"]);

    let q =
        |status: Option<&str>, ty: Option<&str>, search: Option<&str>, limit: u32, offset: u64| {
            ClientQuery {
                status: status.map(|s| s.parse().unwrap()),
                business_type: ty.map(Into::into),
                search: search.map(Into::into),
                limit,
                offset,
                ..ClientQuery::default()
            }
        };
    let page = w
        .svc
        .clients
        .list_clients(&caller, &q(Some("active"), None, None, 2, 0))
        .await
        .unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(page.clients.len(), 2);
    assert_eq!(page.clients[0].name.as_str(), "Shop 4");
    let page = w
        .svc
        .clients
        .list_clients(&caller, &q(Some("active"), None, None, 2, 2))
        .await
        .unwrap();
    assert_eq!((page.total, page.clients.len()), (3, 1));
    assert_eq!(page.clients[0].name.as_str(), "Shop 0");
    let page = w
        .svc
        .clients
        .list_clients(&caller, &q(None, Some("automotive"), None, 50, 0))
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    let page = w
        .svc
        .clients
        .list_clients(&caller, &q(None, None, Some("GARAGE"), 50, 0))
        .await
        .unwrap();
    assert_eq!(
        page.clients
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["Shop 4"]
    );
    let page = w
        .svc
        .clients
        .list_clients(&caller, &q(None, None, Some("shop 1"), 50, 0))
        .await
        .unwrap();
    assert_eq!(page.total, 1);
}

#[tokio::test]
async fn updates_are_partial_and_null_clears() {
    let w = world();
    let caller = w.key_caller(Plan::Enterprise).await;
    let input = ClientInput {
        name: Input::text("Alpha"),
        business_type: Input::text("retail"),
        subscription_plan: Input::text("Pro"),
        phone_number: Input::text("+1 (555) 123-4567"),
        display_name: Input::text("Alpha Downtown"),
        ..ClientInput::default()
    };
    let c = w
        .svc
        .clients
        .create_client(
            &caller,
            NewClient::parse(input, &ClientSchema::MANAGEMENT).unwrap(),
        )
        .await
        .unwrap();
    w.svc
        .clients
        .create_client(&caller, named("Beta"))
        .await
        .unwrap();
    w.h.clock.advance(Duration::seconds(2));

    let patch = |input: ClientInput| ClientPatch::parse(input, &ClientSchema::MANAGEMENT).unwrap();
    let updated = w
        .svc
        .clients
        .update_client(
            &caller,
            &c.id,
            patch(ClientInput {
                status: Input::text("churned"),
                phone_number: Input::Null,
                display_name: Input::Null,
                ..ClientInput::default()
            }),
        )
        .await
        .unwrap();
    assert_eq!(updated.status, Status::Churned);
    assert_eq!(updated.phone_number, None);
    assert_eq!(updated.display_name(), "Alpha");
    assert_eq!(
        updated.business_type.as_ref().map(|b| b.as_str()),
        Some("retail")
    );
    assert_eq!(updated.slug, c.slug);
    assert_eq!(updated.created_at, c.created_at);
    assert_eq!(updated.updated_at, c.created_at + Duration::seconds(2));

    let err = w
        .svc
        .clients
        .update_client(
            &caller,
            &c.id,
            patch(ClientInput {
                name: Input::text("BETA"),
                ..ClientInput::default()
            }),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::NameTaken));
    // Renaming to its own name in another case is fine.
    let renamed = w
        .svc
        .clients
        .update_client(
            &caller,
            &c.id,
            patch(ClientInput {
                name: Input::text("ALPHA"),
                ..ClientInput::default()
            }),
        )
        .await
        .unwrap();
    assert_eq!(renamed.name.as_str(), "ALPHA");
    assert_eq!(renamed.slug, c.slug, "the slug never changes");
    // An empty update changes nothing.
    let same = w
        .svc
        .clients
        .update_client(&caller, &c.id, ClientPatch::default())
        .await
        .unwrap();
    assert_eq!(same, renamed);
}

fn response(status: u16, body: &str) -> StoredResponse {
    StoredResponse {
        status,
        body: body.as_bytes().to_vec(),
    }
}

#[tokio::test]
async fn idempotency_keys_replay_and_refuse_reuse() {
    let w = world();
    let idem = &w.svc.idempotency;
    let org = w.key_caller(Plan::Enterprise).await.organization_id();
    let (begun, fence) = idem.begin(org, "k-1", "f1").await.unwrap();
    assert_eq!(begun, Begin::Started);
    let first = response(201, "first");
    idem.complete(&fence, &first).await;
    assert_eq!(
        idem.begin(org, "k-1", "f1").await.unwrap().0,
        Begin::Replay(first)
    );
    assert_eq!(
        idem.begin(org, "k-1", "f2").await.unwrap().0,
        Begin::Mismatch
    );
    // Keys are per organization.
    let elsewhere = w.key_caller(Plan::Enterprise).await.organization_id();
    assert_eq!(
        idem.begin(elsewhere, "k-1", "f2").await.unwrap().0,
        Begin::Started
    );
    // A refusal is kept too: the replay answers the same 409.
    let (begun, fence) = idem.begin(org, "k-2", "f3").await.unwrap();
    assert_eq!(begun, Begin::Started);
    let refused = response(409, "name taken");
    idem.complete(&fence, &refused).await;
    assert_eq!(
        idem.begin(org, "k-2", "f3").await.unwrap().0,
        Begin::Replay(refused)
    );
    // A released claim (a transient failure) runs again.
    let (begun, fence) = idem.begin(org, "k-3", "f").await.unwrap();
    assert_eq!(begun, Begin::Started);
    idem.release(&fence).await;
    assert_eq!(idem.begin(org, "k-3", "f").await.unwrap().0, Begin::Started);
    // After 24 hours the key is forgotten.
    w.h.clock.advance(Duration::hours(24));
    assert_eq!(
        idem.begin(org, "k-1", "f2").await.unwrap().0,
        Begin::Started
    );
}

#[tokio::test]
async fn an_idempotency_key_in_flight_is_refused_until_abandoned() {
    let w = world();
    let caller = w.key_caller(Plan::Enterprise).await;
    let now = w.svc.now();
    let claim = IdempotencyClaim {
        organization_id: caller.organization_id(),
        key: "busy",
        fingerprint: "f",
        now,
        ttl: Duration::hours(24),
        stale_after: Duration::seconds(60),
    };
    assert_eq!(
        w.h.store.begin_idempotent(&claim).await.unwrap(),
        Begin::Started
    );
    let org = caller.organization_id();
    assert_eq!(
        w.svc.idempotency.begin(org, "busy", "f").await.unwrap().0,
        Begin::InProgress
    );
    w.h.clock.advance(Duration::seconds(61));
    assert_eq!(
        w.svc.idempotency.begin(org, "busy", "f").await.unwrap().0,
        Begin::Started
    );
}

#[tokio::test]
async fn api_keys_resolve_refuse_and_record_use_sparingly() {
    let w = world();
    let org = w
        .svc
        .organizations
        .create_organization("O", Plan::Free)
        .await
        .unwrap();
    let (key, secret) = w
        .svc
        .accounts
        .create_api_key(org.id, "ci", Environment::Sandbox)
        .await
        .unwrap();
    assert!(secret.expose().starts_with("vox_mgmt_") && secret.expose().len() == 41);
    assert_eq!(key.prefix, &secret.expose()[..13]);
    assert!(!format!("{secret:?}").contains(secret.expose()));

    for bad in [
        "",
        "vox_mgmt_",
        "nope",
        &secret.expose().replace("vox_mgmt_", "vox_live_"),
    ] {
        assert!(
            matches!(
                w.svc.accounts.resolve_api_key(bad).await,
                Err(AccountError::Unauthorized)
            ),
            "{bad}"
        );
    }
    let other = format!("vox_mgmt_{}", "a".repeat(32));
    assert!(matches!(
        w.svc.accounts.resolve_api_key(&other).await,
        Err(AccountError::Unauthorized)
    ));

    let first_use = w.svc.now();
    w.svc
        .accounts
        .resolve_api_key(secret.expose())
        .await
        .unwrap();
    let used = |keys: Vec<clientele_domain::ApiKey>| keys[0].last_used_at;
    assert_eq!(
        used(w.svc.accounts.list_api_keys(org.id).await.unwrap()),
        Some(first_use)
    );
    w.h.clock.advance(Duration::seconds(30));
    w.svc
        .accounts
        .resolve_api_key(secret.expose())
        .await
        .unwrap();
    assert_eq!(
        used(w.svc.accounts.list_api_keys(org.id).await.unwrap()),
        Some(first_use),
        "not rewritten within a minute"
    );
    w.h.clock.advance(Duration::seconds(31));
    w.svc
        .accounts
        .resolve_api_key(secret.expose())
        .await
        .unwrap();
    assert_eq!(
        used(w.svc.accounts.list_api_keys(org.id).await.unwrap()),
        Some(w.svc.now())
    );

    let revoked = w.svc.accounts.revoke_api_key(key.id).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    assert!(matches!(
        w.svc.accounts.resolve_api_key(secret.expose()).await,
        Err(AccountError::Unauthorized)
    ));
}

#[tokio::test]
async fn sign_up_verify_log_in_log_out() {
    let w = world();
    let (account, session) = w
        .svc
        .accounts
        .sign_up(
            NewAccount::from_text(" Ann@Example.COM ", "s3cret-password", Some("Ann")).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(account.user.email.as_str(), "Ann@example.com");
    assert_eq!(account.plan, Plan::Free);
    assert_eq!(account.user.signup_flow, SignupFlow::Free);
    assert!(account.user.email_verified_at.is_none());
    let orgs = w.svc.organizations.list_organizations().await.unwrap();
    assert_eq!(orgs.len(), 1);
    assert_eq!(
        (orgs[0].id, orgs[0].plan),
        (account.user.organization_id, Plan::Free)
    );

    let (user, expires) = w
        .svc
        .accounts
        .resolve_session(session.token.expose())
        .await
        .unwrap();
    assert_eq!(user.id, account.user.id);
    assert_eq!(expires, w.svc.now() + Duration::days(30));

    // The verification message carries a link with the token.
    let sent = w.h.mailer.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to.as_str(), "Ann@example.com");
    let token = sent[0]
        .text
        .split("verify-email?token=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    assert!(!format!("{:?}", sent[0]).contains(token));

    let verified = w.svc.accounts.verify_email(token).await.unwrap();
    assert!(verified.user.email_verified_at.is_some());
    assert!(
        matches!(
            w.svc.accounts.verify_email(token).await,
            Err(AccountError::InvalidToken)
        ),
        "single use"
    );
    assert!(matches!(
        w.svc.accounts.verify_email("nope").await,
        Err(AccountError::InvalidToken)
    ));

    // The same email in another case is taken.
    assert!(matches!(
        w.svc
            .accounts
            .sign_up(NewAccount::from_text("ann@example.com", "another-password", None).unwrap())
            .await,
        Err(AccountError::EmailTaken)
    ));

    for (email, password) in [
        ("ann@example.com", "wrong-password"),
        ("nobody@example.com", "s3cret-password"),
    ] {
        assert!(matches!(
            w.svc.accounts.log_in(email, password).await,
            Err(AccountError::InvalidCredentials)
        ));
    }
    let (again, session2) = w
        .svc
        .accounts
        .log_in("ANN@example.com", "s3cret-password")
        .await
        .unwrap();
    assert_eq!(again.user.id, account.user.id);
    assert!(again.user.email_verified_at.is_some());

    w.svc
        .accounts
        .log_out(session.token.expose())
        .await
        .unwrap();
    assert!(matches!(
        w.svc.accounts.resolve_session(session.token.expose()).await,
        Err(AccountError::Unauthorized)
    ));
    w.svc
        .accounts
        .resolve_session(session2.token.expose())
        .await
        .unwrap();
    w.h.clock.advance(Duration::days(30));
    assert!(matches!(
        w.svc
            .accounts
            .resolve_session(session2.token.expose())
            .await,
        Err(AccountError::Unauthorized)
    ));
}

#[tokio::test]
async fn verification_tokens_expire_after_a_day() {
    let w = world();
    w.svc
        .accounts
        .sign_up(NewAccount::from_text("late@example.com", "password123", None).unwrap())
        .await
        .unwrap();
    let text = w.h.mailer.sent()[0].text.clone();
    let token = text
        .split("token=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    w.h.clock.advance(Duration::hours(24));
    assert!(matches!(
        w.svc.accounts.verify_email(&token).await,
        Err(AccountError::InvalidToken)
    ));
}

#[test]
fn sign_up_reports_every_bad_field() {
    let Err(errors) = NewAccount::from_text("not-an-email", "short", Some(&"n".repeat(300))) else {
        panic!("expected a validation error")
    };
    let fields: Vec<Field> = errors.issues().iter().map(|i| i.field).collect();
    assert_eq!(fields, [Field::Email, Field::Password, Field::UserName]);
}

#[tokio::test]
async fn operators_update_users() {
    let w = world();
    let caller = w
        .user_caller("op@example.com", false, SignupFlow::Free)
        .await;
    let account = w
        .svc
        .accounts
        .update_user(
            "OP@example.com",
            UserUpdate {
                verified: Some(true),
                signup_flow: Some(SignupFlow::PaidTrial),
                subscription_status: Some(SubscriptionStatus::PastDue),
                plan_expires_at: Some(Some(w.svc.now() + Duration::days(7))),
            },
        )
        .await
        .unwrap();
    assert_eq!(account.user.id, caller.user().unwrap().id);
    assert!(account.user.email_verified_at.is_some());
    assert_eq!(account.user.signup_flow, SignupFlow::PaidTrial);
    assert_eq!(
        account.user.subscription_status,
        SubscriptionStatus::PastDue
    );
    assert!(matches!(
        w.svc
            .accounts
            .update_user("ghost@example.com", UserUpdate::default())
            .await,
        Err(AccountError::NotFound)
    ));
}

#[tokio::test]
async fn bootstrap_happens_once() {
    let w = world();
    let boot = w.svc.accounts.bootstrap().await.unwrap().unwrap();
    assert_eq!(boot.organization.plan, Plan::Enterprise);
    assert_eq!(boot.organization.name.as_str(), "Default");
    w.svc
        .accounts
        .resolve_api_key(boot.secret.expose())
        .await
        .unwrap();
    assert!(w.svc.accounts.bootstrap().await.unwrap().is_none());
}

#[tokio::test]
async fn an_unreachable_store_is_unavailable() {
    let w = world();
    let caller = w.key_caller(Plan::Free).await;
    w.h.store.set_down(true);
    assert!(matches!(
        w.svc.clients.create_client(&caller, named("X")).await,
        Err(ClientError::Unavailable(_))
    ));
    assert!(matches!(
        w.svc
            .clients
            .list_clients(&caller, &ClientQuery::default())
            .await,
        Err(ClientError::Unavailable(_))
    ));
    w.h.store.set_down(false);
    w.svc
        .clients
        .create_client(&caller, named("X"))
        .await
        .unwrap();
}

#[test]
fn sign_up_reports_wrong_types_with_the_other_issues() {
    let Err(errors) = NewAccount::parse(
        Input::Other(clientele_domain::Received::Number),
        Input::Missing,
        Input::Other(clientele_domain::Received::Boolean),
    ) else {
        panic!("expected a validation error")
    };
    let codes: Vec<_> = errors
        .issues()
        .iter()
        .map(|i| (i.field, i.kind.code(), i.message.as_str()))
        .collect();
    assert_eq!(
        codes,
        [
            (
                Field::Email,
                "invalid_type",
                "Expected string, received number"
            ),
            (Field::Password, "invalid_type", "Required"),
            (
                Field::UserName,
                "invalid_type",
                "Expected string, received boolean"
            ),
        ]
    );
}

#[tokio::test]
async fn purging_deletes_only_what_expired() {
    let w = world();
    let caller = w.key_caller(Plan::Enterprise).await;
    w.svc
        .accounts
        .sign_up(NewAccount::from_text("purge@example.com", "password123", None).unwrap())
        .await
        .unwrap();
    let org = caller.organization_id();
    let (begun, fence) = w.svc.idempotency.begin(org, "k", "f").await.unwrap();
    assert_eq!(begun, Begin::Started);
    w.svc
        .idempotency
        .complete(&fence, &response(201, "kept"))
        .await;
    assert_eq!(
        w.svc.purge_expired().await.unwrap(),
        Some(clientele_ports::Purged::default())
    );

    w.h.clock.advance(Duration::hours(24)); // the key and the verification token expire
    let purged = w.svc.purge_expired().await.unwrap().unwrap();
    assert_eq!(
        (purged.idempotency, purged.verifications, purged.sessions),
        (1, 1, 0)
    );
    w.h.clock.advance(Duration::days(29)); // and then the session
    assert_eq!(w.svc.purge_expired().await.unwrap().unwrap().sessions, 1);
}

#[tokio::test]
async fn a_mail_outage_does_not_strand_a_sign_up() {
    let w = world();
    w.h.mailer.set_failing(true);
    let (account, session) = w
        .svc
        .accounts
        .sign_up(NewAccount::from_text("outage@example.com", "password123", None).unwrap())
        .await
        .expect("the account is created although the message could not be sent");
    assert!(w.h.mailer.sent().is_empty());
    let (user, _) = w
        .svc
        .accounts
        .resolve_session(session.token.expose())
        .await
        .unwrap();
    // Asking again while mail is down is a 503-class error, not a 500, and says it is mail.
    let err = w.svc.accounts.resend_verification(&user).await.unwrap_err();
    assert!(matches!(err, AccountError::Unavailable(_)), "{err:?}");
    let chain = clientele_ports::error_chain(&err);
    assert!(
        chain.contains("sending mail failed") && !chain.contains("database"),
        "{chain}"
    );
    w.h.mailer.set_failing(false);
    assert!(w.svc.accounts.resend_verification(&user).await.unwrap());
    let text = w.h.mailer.sent()[0].text.clone();
    let token = text
        .split("token=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let verified = w.svc.accounts.verify_email(&token).await.unwrap();
    assert_eq!(verified.user.id, account.user.id);
    assert!(
        !w.svc
            .accounts
            .resend_verification(&verified.user)
            .await
            .unwrap(),
        "already verified"
    );
    assert_eq!(w.h.mailer.sent().len(), 1);
}
