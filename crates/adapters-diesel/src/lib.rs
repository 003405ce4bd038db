//! Clientele's driven ports on diesel + r2d2, for SQLite (the embedded default) and PostgreSQL.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use clientele_adapters_diesel::{DieselStore, PoolOptions};
//! use clientele_ports::Store as _;
//!
//! let store = DieselStore::connect("sqlite://clientele.db", PoolOptions::default())?;
//! let applied = store.migrate().await?;
//! store.ping().await?;
//! # let _ = applied; Ok(()) }
//! ```
//!
//! [`DieselStore`] implements [`clientele_ports::Store`], and so every repository port; hand it to
//! [`clientele_ports::Services`]. It knows nothing of HTTP.
//!
//! - One code path for both backends through diesel's `MultiConnection`, with a per-backend
//!   `match` where the SQL differs (`ON CONFLICT`, pragmas, migrations); see
//!   `docs/decisions/0002-persistence.md`.
//! - All blocking work runs on tokio's blocking pool; a pooled connection is taken inside it.
//! - Errors: see [`error`] for the policy, [`classify`] for the one mapping of diesel errors.

mod connection;
pub mod error;
mod models;
mod repos;
mod schema;
mod store;

pub use connection::{Backend, PoolOptions, redact};
pub use error::{StoreError, classify};
pub use store::{DieselStore, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
