//! Shared test support: a real server on `127.0.0.1:0` per test, on a temporary SQLite file or a
//! fresh PostgreSQL database, and a small HTTP client on awc.
//!
//! PostgreSQL: `TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`) names
//! a server where a database `clientele_test_<uuid>` is created per test and dropped after. With
//! `CI` set, an unreachable server fails the test; without, the PostgreSQL variant is skipped
//! with one line on stderr.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr
)]

use std::path::PathBuf;
use std::sync::Once;

use awc::http::StatusCode;
use awc::http::header::HeaderMap;
use clientele_domain::{Environment, OrganizationId, Plan};
use clientele_server::{RunningServer, Settings, spawn};
use diesel::{Connection as _, PgConnection, RunQueryDsl as _};
use serde_json::Value;

pub const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database that exists for one test.
#[derive(Debug)]
pub enum TestDb {
    Sqlite {
        dir: PathBuf,
        url: String,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

impl TestDb {
    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } | Self::Postgres { url, .. } => url,
        }
    }

    /// A fresh database, or `None` when PostgreSQL is not reachable outside CI.
    pub fn create(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir()
                    .join(format!("clientele-test-{}", uuid::Uuid::new_v4().simple()));
                std::fs::create_dir_all(&dir).expect("temp dir");
                let url = format!("sqlite://{}", dir.join("test.db").display());
                Some(Self::Sqlite { dir, url })
            }
            Backend::Postgres => {
                let admin_url = without_tls(
                    &std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_PG.to_owned()),
                );
                let mut admin = match PgConnection::establish(&admin_url) {
                    Ok(c) => c,
                    Err(e) => {
                        if std::env::var_os("CI").is_some() {
                            panic!("PostgreSQL is required under CI but unreachable: {e}");
                        }
                        static ONCE: Once = Once::new();
                        let e = e
                            .to_string()
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ");
                        ONCE.call_once(|| {
                            // Straight to the process's stderr: libtest captures `eprintln!` of
                            // passing tests, and this line must be seen.
                            use std::io::Write as _;
                            let _ = writeln!(
                                std::io::stderr(),
                                "skipped: PostgreSQL tests of clientele-server: cannot connect to \
                                 TEST_DATABASE_URL ({e}); start PostgreSQL or set \
                                 TEST_DATABASE_URL=postgres://... to run them (CI=1 makes this a \
                                 failure)"
                            );
                        });
                        return None;
                    }
                };
                let name = format!("clientele_test_{}", uuid::Uuid::new_v4().simple());
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("create test database");
                let url = replace_database(&admin_url, &name);
                Some(Self::Postgres {
                    admin_url,
                    name,
                    url,
                })
            }
        }
    }

    /// PostgreSQL only: refuses new connections and closes the open ones.
    pub fn take_down(&self) {
        if let Self::Postgres {
            admin_url, name, ..
        } = self
        {
            let mut admin = PgConnection::establish(admin_url).expect("admin connection");
            diesel::sql_query(format!(
                "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false"
            ))
            .execute(&mut admin)
            .expect("disallow connections");
            diesel::sql_query(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            ))
            .execute(&mut admin)
            .expect("terminate connections");
        }
    }

    /// PostgreSQL only: accepts connections again.
    pub fn bring_up(&self) {
        if let Self::Postgres {
            admin_url, name, ..
        } = self
        {
            let mut admin = PgConnection::establish(admin_url).expect("admin connection");
            diesel::sql_query(format!("ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true"))
                .execute(&mut admin)
                .expect("allow connections");
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            Self::Sqlite { dir, .. } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Self::Postgres {
                admin_url, name, ..
            } => {
                if let Ok(mut admin) = PgConnection::establish(admin_url) {
                    let _ =
                        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut admin);
                }
            }
        }
    }
}

/// `url` with `sslmode=disable` unless it names a mode. The tests talk to a local server, where TLS
/// buys nothing, and libpq's OpenSSL state is torn down by an `atexit` handler while pool and
/// server threads still hold TLS connections: a test binary could crash *after* its tests passed.
pub fn without_tls(url: &str) -> String {
    if url.contains("sslmode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

/// `postgres://user@host:port/db?x` with the database replaced.
pub fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

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
    /// organization on `plan` with one key. `None`: PostgreSQL skipped (see the module doc).
    pub async fn start_with(
        backend: Backend,
        plan: Plan,
        tweak: impl FnOnce(&mut Settings),
    ) -> Option<Self> {
        let db = TestDb::create(backend)?;
        let mut settings = Settings::for_tests(db.url());
        tweak(&mut settings);
        let server = spawn(settings).await.expect("server starts");
        let (org, key) = new_org(&server, plan).await;
        Some(Self {
            server,
            key,
            org,
            http: awc::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .finish(),
            db,
        })
    }

    pub async fn start(backend: Backend, plan: Plan) -> Option<Self> {
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
                let app = TestApp::start_with(Backend::Sqlite, $plan, $tweak)
                    .await
                    .expect("sqlite");
                super::$scenario(app).await;
            }

            #[actix_web::test]
            async fn postgres() {
                if let Some(app) = TestApp::start_with(Backend::Postgres, $plan, $tweak).await {
                    super::$scenario(app).await;
                }
            }
        }
    };
}
