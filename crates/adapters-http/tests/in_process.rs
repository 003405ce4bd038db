//! The HTTP layer in process, over the in-memory store: the checks whose order or failure mode
//! is hard to provoke on a real database (503 when the store is down, the order of checks).
//! The full contract suite runs against real servers in `crates/server/tests/`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use clientele_adapters_http::{AppState, HttpSettings, RateLimits, app};
use clientele_domain::{Environment, Plan};
use clientele_ports::Config;
use clientele_ports::memory::{Harness, MemoryStore};
use serde_json::{Value, json};

struct Fixture {
    store: MemoryStore,
    key: String,
    state: AppState<MemoryStore>,
}

async fn fixture(limits: RateLimits) -> Fixture {
    let harness = Harness::new();
    let services = Arc::new(harness.services(Config::default()));
    let org = services
        .organizations
        .create_organization("Acme", Plan::Free)
        .await
        .unwrap();
    let (_, secret) = services
        .accounts
        .create_api_key(org.id, "test", Environment::Production)
        .await
        .unwrap();
    let state = AppState::new(
        services,
        HttpSettings {
            rate_limits: limits,
            ..HttpSettings::default()
        },
    );
    Fixture {
        store: harness.store,
        key: secret.expose().to_owned(),
        state,
    }
}

async fn json_of(res: ServiceResponse) -> Value {
    let bytes = test::read_body(res).await;
    serde_json::from_slice(&bytes).unwrap_or_else(|_| panic!("not JSON: {bytes:?}"))
}

const OFF: RateLimits = RateLimits {
    create_per_minute: 0,
    other_per_minute: 0,
    auth_per_minute: 0,
    login_per_minute: 0,
};

#[actix_web::test]
async fn unauthenticated_comes_before_the_body() {
    let f = fixture(OFF).await;
    let svc = test::init_service(app(f.state.clone())).await;
    // No key and a non-JSON body: 401, not 415.
    let res = svc
        .call(
            TestRequest::post()
                .uri("/v1/clients")
                .insert_header(("content-type", "text/plain"))
                .set_payload("hello")
                .to_request(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        json_of(res).await,
        json!({"error": "Unauthorized", "code": "unauthorized"})
    );
    // With the key: 415.
    let res = svc
        .call(
            TestRequest::post()
                .uri("/v1/clients")
                .insert_header(("x-api-key", f.key.as_str()))
                .insert_header(("content-type", "text/plain"))
                .set_payload("hello")
                .to_request(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(json_of(res).await["code"], "unsupported_media_type");
}

#[actix_web::test]
async fn validation_comes_before_the_plan_limit_and_the_limit_before_the_name() {
    let f = fixture(OFF).await;
    let svc = test::init_service(app(f.state.clone())).await;
    let create = |name: &str| {
        TestRequest::post()
            .uri("/v1/clients")
            .insert_header(("x-api-key", f.key.as_str()))
            .set_json(json!({"name": name, "type": "t", "subscription_plan": "p"}))
            .to_request()
    };
    for name in ["a", "b", "c"] {
        assert_eq!(svc.call(create(name)).await.unwrap().status(), 201);
    }
    // At the limit (free: 3): an invalid body still gets its 400 first...
    let res = svc
        .call(
            TestRequest::post()
                .uri("/v1/clients")
                .insert_header(("x-api-key", f.key.as_str()))
                .set_json(json!({"name": ""}))
                .to_request(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    // ...and a taken name gets the 403, not the 409.
    let res = svc.call(create("A")).await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        json_of(res).await,
        json!({"error": "You have reached your plan limit of 3 clients",
               "code": "plan_limit_reached", "current_count": 3, "limit": 3,
               "upgrade_required": true})
    );
}

#[actix_web::test]
async fn store_down_is_503_with_retry_after() {
    let f = fixture(OFF).await;
    let svc = test::init_service(app(f.state.clone())).await;
    f.store.set_down(true);
    for req in [
        TestRequest::get()
            .uri("/v1/clients")
            .insert_header(("x-api-key", f.key.as_str()))
            .to_request(),
        TestRequest::get().uri("/ready").to_request(),
    ] {
        let res = svc.call(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(res.headers().contains_key("retry-after"));
        assert_eq!(
            json_of(res).await,
            json!({"error": "Service unavailable", "code": "unavailable"})
        );
    }
    // /health does not touch the store.
    let res = svc
        .call(TestRequest::get().uri("/health").to_request())
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    f.store.set_down(false);
    let res = svc
        .call(TestRequest::get().uri("/ready").to_request())
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[actix_web::test]
async fn unknown_routes_and_methods_are_json() {
    let f = fixture(OFF).await;
    let svc = test::init_service(app(f.state.clone())).await;
    let res = svc
        .call(TestRequest::get().uri("/nope").to_request())
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.headers().contains_key("x-request-id"));
    assert_eq!(
        json_of(res).await,
        json!({"error": "Not found", "code": "not_found"})
    );
    let res = svc
        .call(TestRequest::put().uri("/v1/clients").to_request())
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers().get("allow").unwrap(), "GET, POST");
    assert_eq!(json_of(res).await["code"], "method_not_allowed");
}

#[actix_web::test]
async fn rate_limit_applies_per_key_and_class() {
    let f = fixture(RateLimits {
        create_per_minute: 1,
        other_per_minute: 2,
        ..OFF
    })
    .await;
    let svc = test::init_service(app(f.state.clone())).await;
    let me = || {
        TestRequest::get()
            .uri("/v1/auth/me")
            .insert_header(("x-api-key", f.key.as_str()))
            .to_request()
    };
    let header = |res: &ServiceResponse, name: &str| -> u64 {
        res.headers()
            .get(name)
            .unwrap_or_else(|| panic!("{name} is missing"))
            .to_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    let res = svc.call(me()).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "ratelimit-limit"), 2);
    assert_eq!(header(&res, "ratelimit-remaining"), 1);
    assert!((1..=60).contains(&header(&res, "ratelimit-reset")));
    let res = svc.call(me()).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "ratelimit-remaining"), 0);
    let res = svc.call(me()).await.unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(header(&res, "ratelimit-remaining"), 0);
    assert!(
        svc.call(TestRequest::get().uri("/health").to_request())
            .await
            .unwrap()
            .headers()
            .get("ratelimit-limit")
            .is_none(),
        "an uncounted response has no RateLimit headers"
    );
    let wait: u64 = res
        .headers()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
    assert_eq!(json_of(res).await["code"], "rate_limited");
    // The create allowance is separate.
    let res = svc
        .call(
            TestRequest::post()
                .uri("/v1/clients")
                .insert_header(("x-api-key", f.key.as_str()))
                .set_json(json!({"name": "x", "type": "t", "subscription_plan": "p"}))
                .to_request(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}

/// The metrics' labels come from a closed set: made-up methods are `OTHER` and unknown paths
/// `<unmatched>`, so hostile requests cannot grow `/metrics` (one series per label set).
#[actix_web::test]
async fn metrics_labels_are_a_closed_set() {
    let f = fixture(OFF).await;
    let app = test::init_service(app(f.state.clone())).await;
    let metrics = |app| async move {
        let res = test::call_service(app, TestRequest::get().uri("/metrics").to_request()).await;
        String::from_utf8(test::read_body(res).await.to_vec()).unwrap()
    };
    for i in 0..40 {
        let method = actix_web::http::Method::from_bytes(format!("M{i}X").as_bytes()).unwrap();
        let req = TestRequest::default()
            .method(method)
            .uri(&format!("/nowhere/{i}"))
            .to_request();
        let _ = app.call(req).await;
    }
    let first = metrics(&app).await;
    for i in 40..80 {
        let method = actix_web::http::Method::from_bytes(format!("Q{i}Z").as_bytes()).unwrap();
        let req = TestRequest::default()
            .method(method)
            .uri(&format!("/v1/clients/{i}"))
            .to_request();
        let _ = app.call(req).await;
    }
    let _ = app
        .call(
            TestRequest::default()
                .method(actix_web::http::Method::from_bytes(b"BREW").unwrap())
                .uri("/nowhere/x")
                .to_request(),
        )
        .await;
    let second = metrics(&app).await;
    assert!(
        !first.contains("M0X") && !second.contains("Q40Z"),
        "no made-up method in the labels"
    );
    assert!(second.contains("method=\"OTHER\""), "{second}");
    let series = |text: &str| text.lines().filter(|l| l.contains("_count{")).count();
    // The first batch made one series (OTHER, <unmatched>, 404); the second one more
    // (OTHER, /v1/clients/{id}, 405); the last request none.
    assert!(
        series(&second) <= series(&first) + 2,
        "{} then {}",
        series(&first),
        series(&second)
    );
    assert!(!second.contains("/nowhere/"), "unknown paths collapse");
}

/// CORS answers the allowed origins only: the preflight of a credentialed write from a front end
/// on an allowed origin, and its actual responses; nothing for any other origin.
#[actix_web::test]
async fn cors_for_the_allowed_origins_only() {
    let f = fixture(OFF).await;
    let state = AppState::new(
        Arc::clone(&f.state.services),
        HttpSettings {
            allowed_origins: vec!["https://app.example.com".into()],
            ..HttpSettings::default()
        },
    );
    let app = test::init_service(app(state)).await;
    let preflight = |origin: &'static str| {
        TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/api/clients")
            .insert_header(("Origin", origin))
            .insert_header(("Access-Control-Request-Method", "POST"))
            .insert_header(("Access-Control-Request-Headers", "content-type"))
            .to_request()
    };
    let res = test::call_service(&app, preflight("https://app.example.com")).await;
    assert!(res.status().is_success(), "{}", res.status());
    let h = res.headers();
    assert_eq!(
        h.get("access-control-allow-origin").unwrap(),
        "https://app.example.com"
    );
    assert_eq!(h.get("access-control-allow-credentials").unwrap(), "true");
    assert!(
        h.get("access-control-allow-methods")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("POST")
    );
    let res = test::call_service(&app, preflight("https://evil.example")).await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "refused, with the contract's body"
    );
    assert!(
        res.headers()
            .keys()
            .all(|h| !h.as_str().starts_with("access-control-")),
        "no CORS header at all: {:?}",
        res.headers()
    );
    assert_eq!(json_of(res).await["code"], "forbidden");

    let get = |origin: &'static str| {
        TestRequest::get()
            .uri("/health")
            .insert_header(("Origin", origin))
            .to_request()
    };
    let res = test::call_service(&app, get("https://app.example.com")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers().get("access-control-allow-origin").unwrap(),
        "https://app.example.com"
    );
    let res = test::call_service(&app, get("https://evil.example")).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "other origins are served, without CORS headers"
    );
    assert!(
        res.headers()
            .keys()
            .all(|h| !h.as_str().starts_with("access-control-")),
        "{:?}",
        res.headers()
    );
}

/// Log-in is throttled per account (from any address) and per client address (whatever the
/// account); `X-Forwarded-For` counts only from a trusted proxy.
#[actix_web::test]
async fn login_is_throttled_per_account_and_per_address() {
    let mut f = fixture(RateLimits {
        auth_per_minute: 4,
        login_per_minute: 2,
        ..OFF
    })
    .await;
    let mut settings = (*f.state.settings).clone();
    settings.trusted_proxies = vec!["10.0.0.1/32".parse().unwrap()];
    f.state.settings = Arc::new(settings);
    let svc = test::init_service(app(f.state.clone())).await;
    let login = |email: &str, peer: &str, forwarded: Option<&str>| {
        let mut req = TestRequest::post()
            .uri("/api/auth/login")
            .peer_addr(peer.parse().unwrap())
            .set_json(json!({"email": email, "password": "wrong password"}));
        if let Some(f) = forwarded {
            req = req.insert_header(("x-forwarded-for", f));
        }
        req.to_request()
    };
    // Per account: the third attempt on ann@ is refused even from new addresses.
    for peer in ["192.0.2.1:1", "192.0.2.2:1"] {
        let res = svc
            .call(login("ann@example.com", peer, None))
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
    }
    let res = svc
        .call(login("ANN@example.com ", "192.0.2.3:1", None))
        .await
        .unwrap();
    assert_eq!(res.status(), 429, "the same account, however spelled");
    assert!(res.headers().get("retry-after").is_some());
    assert_eq!(json_of(res).await["code"], "rate_limited");
    // Per address: one address trying many accounts gets 4 attempts.
    for (i, expected) in [(0, 401), (1, 401), (2, 401), (3, 401), (4, 429)] {
        let res = svc
            .call(login(
                &format!("user{i}@example.com"),
                "198.51.100.7:1",
                None,
            ))
            .await
            .unwrap();
        assert_eq!(res.status(), expected, "attempt {i}");
    }
    // Behind the trusted proxy the forwarded address counts, not the proxy's; a client's own
    // X-Forwarded-For from an untrusted peer is ignored (its peer address is limited).
    for i in 0..4 {
        let res = svc
            .call(login(
                &format!("p{i}@example.com"),
                "10.0.0.1:1",
                Some(&format!("203.0.113.{i}")),
            ))
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "each forwarded client is counted apart");
    }
    let res = svc
        .call(login(
            "q@example.com",
            "198.51.100.7:1",
            Some("203.0.113.200"),
        ))
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        429,
        "an untrusted peer cannot pose as another client"
    );
}
