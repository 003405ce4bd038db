//! Shared test support: a real server on `127.0.0.1:0` per test, on a temporary SQLite file or a
//! fresh PostgreSQL database, and a small HTTP client on awc.
//!
//! The databases come from `clientele-test-support` (a copy of a migrated SQLite file, or a
//! PostgreSQL database created from a migrated template). The PostgreSQL variants are
//! `#[ignore]`d: `scripts/test.sh` includes them when PostgreSQL answers (always under `CI`).

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr
)]

use awc::http::StatusCode;
use awc::http::header::HeaderMap;
use clientele_domain::{Environment, OrganizationId, Plan};
use clientele_server::{RunningServer, Settings, spawn};
use serde_json::Value;

pub use clientele_test_support::{Backend, TestDb};

/// A running server with an organization and a key, and the database under it.
pub struct TestApp {
    pub server: RunningServer,
    pub key: String,
    pub org: OrganizationId,
    pub http: awc::Client,
    // Dropped last: the server stops before its database goes.
    pub db: TestDb,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Res {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {} {:?}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestApp {
    /// A server on a fresh database of `backend` with `settings` tweaked by `tweak`, and an
    /// organization on `plan` with one key.
    pub async fn start_with(
        backend: Backend,
        plan: Plan,
        tweak: impl FnOnce(&mut Settings),
    ) -> Self {
        let db = TestDb::new(backend);
        let mut settings = Settings::for_tests(db.url());
        tweak(&mut settings);
        let server = spawn(settings).await.expect("server starts");
        let (org, key) = new_org(&server, plan).await;
        Self {
            server,
            key,
            org,
            http: awc::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .finish(),
            db,
        }
    }

    pub async fn start(backend: Backend, plan: Plan) -> Self {
        Self::start_with(backend, plan, |_| {}).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    /// Sends a request: `headers` as given (the key is not added automatically).
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Res {
        let method = awc::http::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http.request(method, self.url(path));
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        let mut res = match body {
            Some(b) => req.send_body(b.to_vec()).await,
            None => req.send().await,
        }
        .expect("request sent");
        let body = res.body().limit(8 << 20).await.expect("body read").to_vec();
        Res {
            status: res.status(),
            headers: res.headers().clone(),
            body,
        }
    }

    /// Revokes this app's own key (found through `GET /v1/auth/me`), as an operator would.
    pub async fn revoke_own_key(&self) {
        let me = self.call("GET", "/v1/auth/me", None).await.json();
        let id: clientele_domain::ApiKeyId = me["api_key_id"]
            .as_str()
            .expect("the key's id")
            .parse()
            .expect("a key id");
        self.server
            .services
            .accounts
            .revoke_api_key(id)
            .await
            .expect("revoke");
    }

    /// A request authenticated with this app's key; a body is sent as `application/json`.
    pub async fn call(&self, method: &str, path: &str, body: Option<&str>) -> Res {
        self.call_as(&self.key, method, path, body).await
    }

    pub async fn call_as(&self, key: &str, method: &str, path: &str, body: Option<&str>) -> Res {
        let mut headers = vec![("X-API-Key", key)];
        if body.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        self.send(method, path, &headers, body.map(str::as_bytes))
            .await
    }

    /// Creates a client named `name` (valid otherwise) and returns its body's `data`.
    pub async fn create(&self, name: &str) -> Value {
        let res = self
            .call(
                "POST",
                "/v1/clients",
                Some(&serde_json::json!({"name": name, "type": "agency", "subscription_plan": "Pro"}).to_string()),
            )
            .await;
        assert_eq!(res.status, 201, "{:?}", String::from_utf8_lossy(&res.body));
        res.json()["data"].clone()
    }
}

/// A new organization on `plan` and a key for it, through the use cases.
pub async fn new_org(server: &RunningServer, plan: Plan) -> (OrganizationId, String) {
    let org = server
        .services
        .organizations
        .create_organization("Test org", plan)
        .await
        .expect("organization");
    let (_, secret) = server
        .services
        .accounts
        .create_api_key(org.id, "test key", Environment::Production)
        .await
        .expect("key");
    (org.id, secret.expose().to_owned())
}

/// Runs a scenario on SQLite and on PostgreSQL: `both!(name, Plan::Free)` expects
/// `async fn name(app: TestApp)` in scope.
#[macro_export]
macro_rules! both {
    ($scenario:ident, $plan:expr) => {
        $crate::both!($scenario, $plan, |_s: &mut clientele_server::Settings| {});
    };
    ($scenario:ident, $plan:expr, $tweak:expr) => {
        mod $scenario {
            use super::*;

            #[actix_web::test]
            async fn sqlite() {
                let app = TestApp::start_with(Backend::Sqlite, $plan, $tweak).await;
                super::$scenario(app).await;
            }

            #[actix_web::test]
            #[ignore = "needs PostgreSQL: scripts/test.sh runs it when PostgreSQL answers"]
            async fn postgres() {
                let app = TestApp::start_with(Backend::Postgres, $plan, $tweak).await;
                super::$scenario(app).await;
            }
        }
    };
}
