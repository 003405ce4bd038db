//! The use cases (application services), one per aggregate, each generic over the storage ports
//! it needs:
//!
//! - [`ClientService`]: clients (the access gate, the plan limit, uniqueness), over a
//!   [`ClientRepository`](crate::ClientRepository);
//! - [`OrganizationService`]: tenants and their plans, over an
//!   [`OrganizationRepository`](crate::OrganizationRepository);
//! - [`AccountService`]: users, sessions, email verification and API keys, with the password
//!   hasher and the mailer;
//! - [`IdempotencyService`]: `Idempotency-Key` records, for a surface that replays responses.
//!
//! [`Services`] holds all of them over one [`Store`] (what the HTTP server uses). A program that
//! only manages clients builds a [`ClientService`] and an [`OrganizationService`] and needs no
//! hasher or mailer.
//!
//! Request shapes are parsed before (the surfaces turn bodies into domain values); the rules that
//! need storage or time happen here or, when they must be atomic, inside one repository call.

mod accounts;
mod clients;
mod idempotency;
mod organizations;

use std::sync::Arc;

use clientele_domain::{ApiKey, OrganizationId, PlanLimits, User};
use time::{Duration, OffsetDateTime};

pub use accounts::{Account, AccountService, Bootstrap, KeyGrant, NewSession, NewUser, UserUpdate};
pub use clients::{ClientService, CreateGrant};
pub use idempotency::IdempotencyService;
pub use organizations::OrganizationService;

use crate::error::RepoError;
use crate::infra::{Clock, IdGenerator, Mailer, PasswordHasher};
use crate::repos::{Purged, Store};

/// Tunables of the use cases. The defaults are the contract's; the server's command line starts
/// from them.
///
/// The defaults: [`PlanLimits::default`] (free 3, starter 5, professional 15, agency 50,
/// enterprise unlimited), sessions of 30 days, verification links of 24 hours, `Idempotency-Key`
/// records kept 24 hours and abandoned after 10 seconds, key uses recorded at most once a minute,
/// and no verification page (the message carries the token as a code; whoever serves a page sets
/// [`Config::verification_url`]). Build one with `Config { field: value, ..Config::default() }`.
#[derive(Debug, Clone)]
pub struct Config {
    /// The client limit of every plan.
    pub plan_limits: PlanLimits,
    /// How long a session lasts after sign-up or log-in.
    pub session_ttl: Duration,
    /// How long a verification link can be used.
    pub verification_ttl: Duration,
    /// How long the response of an `Idempotency-Key` is kept for replays.
    pub idempotency_ttl: Duration,
    /// After how long an unfinished idempotent request is considered abandoned.
    pub idempotency_stale_after: Duration,
    /// `last_used_at` of an API key is written at most this often.
    pub key_touch_interval: Duration,
    /// The address of the page that verifies an email, when there is one: the message then links
    /// to `{verification_url}?token=...`; without one it gives the token as a code. The service
    /// that serves the page says where it is (the HTTP adapter's `VERIFY_EMAIL_PATH` under the
    /// public URL, wired by the server).
    pub verification_url: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            plan_limits: PlanLimits::default(),
            session_ttl: Duration::days(30),
            verification_ttl: Duration::hours(24),
            idempotency_ttl: Duration::hours(24),
            idempotency_stale_after: Duration::seconds(10),
            key_touch_interval: Duration::seconds(60),
            verification_url: None,
        }
    }
}

/// Who is asking: an API key (management API), a signed-in user (app API), or a program acting
/// for an organization directly (the crates used as a library).
///
/// Every client use case acts within the caller's organization. Only a [`Caller::User`] is held
/// to the access gate ([`User::may_add_clients`](clientele_domain::User::may_add_clients)) and
/// may have a plan cap (an expired trial counts as free); an API key and a program act for the
/// organization as it is.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A management API key, normally from [`AccountService::resolve_api_key`] (which refuses
    /// unknown and revoked keys).
    ApiKey(ApiKey),
    /// A signed-in user, normally from [`AccountService::resolve_session`].
    User(User),
    /// A program using the crates directly, acting for this organization. No credential is
    /// checked: a program that links the crates is trusted with the organizations of its store.
    /// For an unknown organization, creates and [`ClientService::usage`] answer `NotFound` and
    /// lists are empty.
    Organization(OrganizationId),
}

impl Caller {
    /// The organization the caller acts within.
    #[must_use]
    pub fn organization_id(&self) -> OrganizationId {
        match self {
            Self::ApiKey(k) => k.organization_id,
            Self::User(u) => u.organization_id,
            Self::Organization(id) => *id,
        }
    }

    /// The signed-in user, for [`Caller::User`]; `None` otherwise.
    #[must_use]
    pub fn user(&self) -> Option<&User> {
        match self {
            Self::User(u) => Some(u),
            Self::ApiKey(_) | Self::Organization(_) => None,
        }
    }
}

/// Every use case over one store: what the HTTP server and the command line use.
///
/// Each service holds a clone of the store and shares the clock and the id generator. A program
/// that only manages clients does not need this: a [`ClientService`] and an
/// [`OrganizationService`] need no hasher and no mailer.
pub struct Services<S> {
    /// The client use cases, with [`Config::plan_limits`].
    pub clients: ClientService<S>,
    /// The organization use cases.
    pub organizations: OrganizationService<S>,
    /// The account use cases: users, sessions, email verification, API keys.
    pub accounts: AccountService<S>,
    /// `Idempotency-Key` records, for a surface that replays responses.
    pub idempotency: IdempotencyService<S>,
    store: S,
    clock: Arc<dyn Clock>,
}

impl<S> std::fmt::Debug for Services<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services").finish_non_exhaustive()
    }
}

impl<S: Store + Clone> Services<S> {
    /// Wires every use case over `store` (cloned into each service) with these collaborators and
    /// `config`.
    pub fn new(
        store: S,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGenerator>,
        hasher: Arc<dyn PasswordHasher>,
        mailer: Arc<dyn Mailer>,
        config: Config,
    ) -> Self {
        let organizations = OrganizationService::with(store.clone(), clock.clone(), ids.clone());
        Self {
            clients: ClientService::with(
                store.clone(),
                clock.clone(),
                ids.clone(),
                config.plan_limits,
            ),
            accounts: AccountService::new(
                store.clone(),
                organizations.clone(),
                clock.clone(),
                ids,
                hasher,
                mailer,
                &config,
            ),
            organizations,
            idempotency: IdempotencyService::new(store.clone(), clock.clone(), &config),
            store,
            clock,
        }
    }
}

impl<S: Store> Services<S> {
    /// The storage adapter.
    #[must_use]
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The use cases' clock.
    #[must_use]
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Deletes what has expired: `Idempotency-Key` records, sessions, verification tokens.
    /// (They are refused once expired whether purged or not; this only reclaims the space.)
    ///
    /// # Errors
    /// Storage errors.
    pub async fn purge_expired(&self) -> Result<Option<Purged>, RepoError> {
        self.store.purge_expired(self.clock.now()).await
    }

    /// Whether the database answers ([`Store::ping`]).
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn ping(&self) -> Result<(), RepoError> {
        self.store.ping().await
    }
}
