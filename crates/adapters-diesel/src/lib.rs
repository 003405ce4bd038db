//! Clientele's driven ports on diesel + r2d2, for SQLite (the embedded default) and PostgreSQL.
//!
//! [`DieselStore`] implements [`clientele_ports::Store`], and so every repository port: hand it
//! to the use cases of `clientele-ports`. Open a database by URL (`sqlite://PATH`,
//! `postgres://...`), apply the embedded migrations, and manage clients:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use clientele_adapters_diesel::{DieselStore, PoolOptions};
//! use clientele_domain::{ClientName, ClientQuery, NewClient, Plan};
//! use clientele_ports::{Caller, ClientService, OrganizationService};
//!
//! # let dir = std::env::temp_dir().join(format!("clientele-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! # let path = dir.join("clientele.db");
//! // A pool on an SQLite file (created when missing), migrated to the current schema.
//! let store = DieselStore::connect(&format!("sqlite://{}", path.display()), PoolOptions::default())?;
//! let applied = store.migrate().await?;
//! assert!(!applied.is_empty(), "a new file gets every migration");
//!
//! // An organization on the free plan, and its clients: no hasher, no mailer needed.
//! let org = OrganizationService::new(store.clone())
//!     .create_organization("Acme Agency", Plan::Free)
//!     .await?;
//! let clients = ClientService::new(store);
//! let caller = Caller::Organization(org.id);
//! let created = clients
//!     .create_client(&caller, NewClient::named(ClientName::parse("ABC Motors")?))
//!     .await?;
//! assert_eq!(created.slug.as_str(), "abc-motors");
//!
//! let page = clients.list_clients(&caller, &ClientQuery::default()).await?;
//! assert_eq!((page.total, page.clients[0].id.clone()), (1, created.id));
//! # drop(clients);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```
//!
//! - One code path for both backends through diesel's `MultiConnection`, with a per-backend
//!   `match` where the SQL differs (`ON CONFLICT`, pragmas, migrations).
//! - Each backend is a Cargo feature, both on by default: `sqlite` (bundled SQLite) and
//!   `postgres` (the system's libpq). With `default-features = false, features = ["sqlite"]`
//!   nothing links libpq.
//! - All blocking work runs on tokio's blocking pool; a pooled connection is taken inside it.
//! - Errors: [`StoreError`] for setting a store up, [`clientele_ports::RepoError`] for its calls;
//!   [`classify`] is the one mapping of diesel errors.

#![warn(missing_docs)]

mod connection;
pub mod error;
mod models;
mod repos;
mod schema;
mod store;

pub use connection::{Backend, PoolOptions, redact};
pub use error::{StoreError, classify};
pub use repos::{BOOTSTRAP_LOCK, PURGE_LOCK, SharedRateLimiter};
pub use store::{DieselStore, POSTGRES_MIGRATIONS, PoolStats, SQLITE_MIGRATIONS};
