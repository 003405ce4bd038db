//! Several instances on one database (contract §6): rate limits and login throttling are the
//! installation's, concurrent starts bootstrap one organization. And the operator's metrics.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use clientele_domain::Plan;
use clientele_server::{Settings, spawn};
use common::{Backend, TestApp, TestDb};
use serde_json::json;

/// Waits until at least `margin` seconds remain in the current minute, so that a test counting
/// in one-minute windows (aligned on the database's clock, the same machine's) stays in one.
async fn within_one_window(margin: u64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let left = 60 - now % 60;
    if left < margin {
        actix_web::rt::time::sleep(std::time::Duration::from_secs(left + 1)).await;
    }
}

async fn post(http: &awc::Client, url: String, key: &str, body: String) -> (u16, Option<u64>) {
    let res = http
        .post(url)
        .insert_header(("X-API-Key", key))
        .insert_header(("Content-Type", "application/json"))
        .send_body(body)
        .await
        .expect("sent");
    let remaining = res
        .headers()
        .get("ratelimit-remaining")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (res.status().as_u16(), remaining)
}

/// A key with a create limit of 10 a minute gets exactly 10 creates through two instances
/// together, and every answer says how many are left of the one allowance.
#[actix_web::test]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn two_instances_share_a_keys_rate_limit_postgres() {
    let app = TestApp::start_with(Backend::Postgres, Plan::Enterprise, |s| {
        s.create_rate_limit = 10;
    })
    .await;
    let mut settings = Settings::for_tests(app.db.url());
    settings.create_rate_limit = 10;
    let second = spawn(settings).await.expect("second instance");
    within_one_window(20).await;
    let mut results = Vec::new();
    for i in 0..24 {
        let base = if i % 2 == 0 {
            app.server.url()
        } else {
            second.url()
        };
        let body = json!({"name": format!("Shared {i}"), "type": "t", "subscription_plan": "p"})
            .to_string();
        results.push(post(&app.http, format!("{base}/v1/clients"), &app.key, body).await);
    }
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 10, "{results:?}");
    assert!(results[10..].iter().all(|(s, _)| *s == 429), "{results:?}");
    let remaining: Vec<u64> = results[..10].iter().map(|(_, r)| r.unwrap()).collect();
    assert_eq!(remaining, (0..10).rev().collect::<Vec<_>>(), "one count");
    // Concurrent hits are atomic too: another key, 20 at once over both instances.
    let (_, key) = common::new_org(&app.server, Plan::Enterprise).await;
    within_one_window(20).await;
    let attempts = (0..20).map(|i| {
        let base = if i % 2 == 0 {
            app.server.url()
        } else {
            second.url()
        };
        let body = json!({"name": format!("Burst {i}"), "type": "t", "subscription_plan": "p"})
            .to_string();
        let (http, key) = (app.http.clone(), key.clone());
        async move { post(&http, format!("{base}/v1/clients"), &key, body).await }
    });
    let mut statuses = Vec::new();
    for f in attempts.collect::<Vec<_>>() {
        statuses.push(actix_web::rt::spawn(f));
    }
    let mut ok = 0;
    for s in statuses {
        let (status, _) = s.await.unwrap();
        assert!(status == 201 || status == 429, "{status}");
        ok += usize::from(status == 201);
    }
    assert_eq!(ok, 10);
}

/// A key revoked through one instance is refused by another from its next request on, for a
/// client read (the key and the client in one round trip) as for any other request.
#[actix_web::test]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn revocation_is_seen_by_another_instance_postgres() {
    let app = TestApp::start(Backend::Postgres, Plan::Enterprise).await;
    let second = spawn(Settings::for_tests(app.db.url()))
        .await
        .expect("second instance");
    let get = |base: String, path: String| {
        let (http, key) = (app.http.clone(), app.key.clone());
        async move {
            http.get(format!("{base}{path}"))
                .insert_header(("X-API-Key", key))
                .send()
                .await
                .expect("sent")
                .status()
                .as_u16()
        }
    };
    let created = app
        .call(
            "POST",
            "/v1/clients",
            Some(r#"{"name": "Everywhere", "type": "t", "subscription_plan": "p"}"#),
        )
        .await
        .json();
    let path = format!("/v1/clients/{}", created["data"]["id"].as_str().unwrap());
    assert_eq!(get(second.url(), path.clone()).await, 200);
    app.revoke_own_key().await;
    for p in [path.as_str(), "/v1/clients", "/v1/auth/me"] {
        assert_eq!(get(second.url(), p.to_owned()).await, 401, "{p}");
        assert_eq!(get(app.server.url(), p.to_owned()).await, 401, "{p}");
    }
}

/// Log-in attempts against one account are counted once for the installation.
#[actix_web::test]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn login_throttling_holds_across_instances_postgres() {
    let app = TestApp::start_with(Backend::Postgres, Plan::Free, |s| {
        s.login_rate_limit = 3;
    })
    .await;
    let mut settings = Settings::for_tests(app.db.url());
    settings.login_rate_limit = 3;
    let second = spawn(settings).await.expect("second instance");
    within_one_window(20).await;
    let mut statuses = Vec::new();
    for i in 0..5 {
        let base = if i % 2 == 0 {
            app.server.url()
        } else {
            second.url()
        };
        let res = app
            .http
            .post(format!("{base}/api/auth/login"))
            .insert_header(("Content-Type", "application/json"))
            .send_body(
                json!({"email": "target@example.com", "password": "guess-number-x"}).to_string(),
            )
            .await
            .expect("sent");
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    // An address of any length is a bucket like another (its hash): 401, not a database error.
    let res = app
        .http
        .post(format!("{}/api/auth/login", second.url()))
        .insert_header(("Content-Type", "application/json"))
        .send_body(
            json!({"email": format!("{}@example.com", "x".repeat(6000)), "password": "guess"})
                .to_string(),
        )
        .await
        .expect("sent");
    assert_eq!(res.status().as_u16(), 401);
}

/// Instances started at once on an empty database create one organization between them.
#[actix_web::test]
#[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
async fn concurrent_starts_bootstrap_one_organization_postgres() {
    for _ in 0..3 {
        let db = TestDb::empty(Backend::Postgres);
        let (a, b, c) = futures_join3(
            spawn(Settings::for_tests(db.url())),
            spawn(Settings::for_tests(db.url())),
            spawn(Settings::for_tests(db.url())),
        )
        .await;
        let servers = [a.unwrap(), b.unwrap(), c.unwrap()];
        let bootstrapped = servers.iter().filter(|s| s.bootstrap.is_some()).count();
        assert_eq!(bootstrapped, 1, "one instance bootstraps");
        let orgs = servers[0]
            .services
            .organizations
            .list_organizations()
            .await
            .unwrap();
        assert_eq!(orgs.len(), 1, "{orgs:?}");
        for s in servers {
            s.stop().await;
        }
    }
}

async fn futures_join3<A, B, C>(
    a: impl std::future::Future<Output = A>,
    b: impl std::future::Future<Output = B>,
    c: impl std::future::Future<Output = C>,
) -> (A, B, C) {
    tokio::join!(a, b, c)
}

/// `--metrics-bind`: `/metrics` moves to its own address, with the pool, mail, rate-limit and
/// build families.
#[actix_web::test]
async fn metrics_on_their_own_address() {
    let app = TestApp::start_with(Backend::Sqlite, Plan::Free, |s| {
        s.metrics_bind = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
        s.rate_limit = 1;
    })
    .await;
    assert_eq!(app.call("GET", "/v1/auth/me", None).await.status, 200);
    assert_eq!(app.call("GET", "/v1/auth/me", None).await.status, 429);
    assert_eq!(
        app.send("GET", "/metrics", &[], None).await.status,
        404,
        "not on the public address"
    );
    let addr = app.server.metrics_addr.expect("a metrics address");
    let mut res = app
        .http
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = String::from_utf8(res.body().await.unwrap().to_vec()).unwrap();
    for family in [
        "clientele_http_requests_total{method=\"GET\",route=\"/v1/auth/me\",status=\"429\"} 1",
        "clientele_rate_limited_total{limit=\"other\"} 1",
        "clientele_build_info{version=\"",
        "clientele_db_pool_connections{state=\"in_use\"}",
        "clientele_db_pool_connections{state=\"idle\"}",
        "clientele_db_pool_timeouts_total 0",
        "clientele_db_pool_checkouts_total",
        "clientele_mail_messages_total{result=\"sent\"} 0",
    ] {
        assert!(text.contains(family), "{family} missing from:\n{text}");
    }
    let res = app
        .http
        .get(format!("http://{addr}/v1/auth/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "only /metrics there");
}
