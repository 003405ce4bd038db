//! Clientele's application layer: the driven ports and the use cases that drive them.
//!
//! Clientele is a multi-tenant registry of an agency's clients. This crate says what the
//! application does (create a client under the plan's limit, sign up, verify an email, keep an
//! `Idempotency-Key` response) and what it needs from the outside world to do it, as traits. It
//! implements none of the outside world: a storage adapter (`clientele-adapters-diesel`) and a
//! surface (`clientele-adapters-http`, or your own program) plug into it.
//!
//! # What it owns
//!
//! - [`repos`]: the storage ports, one per aggregate ([`ClientRepository`],
//!   [`OrganizationRepository`], [`UserRepository`], [`SessionStore`], [`ApiKeyStore`],
//!   [`IdempotencyStore`]), and [`Store`], all of them at once. A store must make
//!   [`ClientRepository::create_client`] atomic: the plan limit, the name's uniqueness and the
//!   insert are one step.
//! - [`infra`]: the other driven ports: the [`Clock`], the [`IdGenerator`], the
//!   [`PasswordHasher`], the [`Mailer`].
//! - [`services`]: the use cases, one service per aggregate, each generic over the ports it
//!   needs: [`ClientService`], [`OrganizationService`], [`AccountService`],
//!   [`IdempotencyService`]; and [`Services`], all of them over one store. Each use case takes a
//!   [`Caller`]: an API key, a signed-in user, or [`Caller::Organization`] for a program using the
//!   crates directly.
//! - [`rate_limit`]: the [`RateLimiter`] port (a counter per bucket over fixed windows) and
//!   [`LocalRateLimiter`], its in-process adapter.
//! - [`error`]: [`RepoError`] (what a store answers), [`ClientError`] and [`AccountError`] (what
//!   the use cases answer), and [`error_chain`].
//! - [`secrets`]: API keys and tokens ([`Secret`]), handed out once, stored only as their SHA-256
//!   ([`SecretHash`]), never shown by `Debug`.
//!
//! # What it never knows
//!
//! actix, HTTP (routes, statuses, what a response looks like), diesel, SQL, r2d2. Errors name no
//! technology; an `Idempotency-Key` record is a surface's rendered response, stored and handed
//! back unread.
//!
//! # Feature `testing`
//!
//! Off by default. It adds two modules, for the tests of this crate and of its users:
//!
//! - `memory`: in-memory implementations of every storage port that behave like the database
//!   (`MemoryStore`, whose one lock makes the plan limit and name uniqueness atomic as a
//!   transaction would), a `ManualClock`, a `FakeHasher`, a `MemoryMailer`, and a `Harness` that
//!   wires them into [`Services`];
//! - `contract`: the repository contract suite that every [`Store`] runs
//!   (`for_each_contract_test!`), the memory store included.
//!
//! # Example
//!
//! A program that manages clients needs an [`OrganizationService`] and a [`ClientService`] over
//! a store, and nothing else (no hasher, no mailer). Here the store is the in-memory one of the
//! `testing` feature; a real program takes a storage adapter's instead.
//!
//! ```
//! use clientele_domain::{ClientName, ClientQuery, NewClient, Plan, ValidationErrors};
//! use clientele_ports::memory::MemoryStore;
//! use clientele_ports::{Caller, ClientError, ClientService, OrganizationService};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let store = MemoryStore::new();
//! let org = OrganizationService::new(store.clone())
//!     .create_organization("Acme Agency", Plan::Free)
//!     .await?;
//!
//! let clients = ClientService::new(store);
//! let caller = Caller::Organization(org.id);
//! let name = ClientName::parse("ABC Motors").map_err(ValidationErrors::single)?;
//! let client = clients.create_client(&caller, NewClient::named(name)).await?;
//! assert_eq!(client.slug.as_str(), "abc-motors");
//!
//! let page = clients.list_clients(&caller, &ClientQuery::default()).await?;
//! assert_eq!(page.total, 1);
//! assert_eq!(page.clients[0].id, client.id);
//!
//! // The free plan holds 3 clients: the 4th is refused, atomically with the insert.
//! for name in ["Bravo Bikes", "Charlie Cars"] {
//!     let name = ClientName::parse(name).map_err(ValidationErrors::single)?;
//!     clients.create_client(&caller, NewClient::named(name)).await?;
//! }
//! let name = ClientName::parse("Delta Diesel").map_err(ValidationErrors::single)?;
//! match clients.create_client(&caller, NewClient::named(name)).await {
//!     Err(ClientError::LimitReached(reached)) => {
//!         assert_eq!((reached.current, reached.limit), (3, 3));
//!     }
//!     other => panic!("expected LimitReached, got {other:?}"),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! `clientele-adapters-diesel`'s `examples/embed.rs` creates and lists clients the same way over
//! an SQLite file.

#![warn(missing_docs)]

#[cfg(feature = "testing")]
pub mod contract;
pub mod error;
pub mod infra;
#[cfg(feature = "testing")]
pub mod memory;
pub mod rate_limit;
pub mod repos;
pub mod secrets;
pub mod services;

pub use error::{
    AccountError, BoxError, ClientError, InfraError, Overloaded, RepoError, error_chain,
};
pub use infra::{Clock, IdGenerator, Mailer, Message, PasswordHasher, RandomIds, SystemClock};
pub use rate_limit::{LocalRateLimiter, Quota, RateDecision, RateLimiter};
pub use repos::{
    ApiKeyStore, Begin, ClientPage, ClientRecord, ClientRepository, Credentials, IdempotencyClaim,
    IdempotencyFence, IdempotencyStore, LimitRule, OrganizationRepository, Purged, RenderResponse,
    SessionRecord, SessionStore, Store, StoredResponse, UserRepository, VerificationRecord,
};
pub use secrets::{Secret, SecretHash};
pub use services::{
    Account, AccountService, Bootstrap, Caller, ClientService, Config, CreateGrant,
    IdempotencyService, KeyGrant, NewSession, NewUser, OrganizationService, Services, UserUpdate,
};
