//! Clientele's driven ports and use cases.
//!
//! - [`repos`]: the storage ports (clients, organizations, users, sessions, API keys, idempotency
//!   records), and [`repos::Store`], all of them at once;
//! - [`infra`]: the clock, the id and secret generator, the password hasher, the mailer;
//! - [`services`]: the use cases, one service per aggregate ([`ClientService`],
//!   [`OrganizationService`], [`AccountService`], [`IdempotencyService`]), and [`Services`], all
//!   of them over one store;
//! - `memory` (feature `testing`): in-memory implementations that behave like the database.
//!
//! Nothing here knows actix, diesel or r2d2.

#[cfg(feature = "testing")]
pub mod contract;
pub mod error;
pub mod infra;
#[cfg(feature = "testing")]
pub mod memory;
pub mod repos;
pub mod secrets;
pub mod services;

pub use error::{AccountError, BoxError, ClientError, InfraError, RepoError, error_chain};
pub use infra::{Clock, IdGenerator, Mailer, Message, PasswordHasher, RandomIds, SystemClock};
pub use repos::{
    ApiKeyStore, Begin, ClientPage, ClientRecord, ClientRepository, Credentials, IdempotencyClaim,
    IdempotencyStore, LimitRule, OrganizationRepository, SessionRecord, SessionStore, Store,
    StoredResponse, UserRepository, VerificationRecord,
};
pub use secrets::{Secret, SecretHash};
pub use services::{
    Account, AccountService, Bootstrap, Caller, ClientService, Config, CreateGrant,
    IdempotencyService, KeyGrant, NewSession, NewUser, OrganizationService, Purged, Services,
    UserUpdate,
};
