//! The repository ports. Every method is scoped by organization where the data belongs to one.
//!
//! Implementations must make [`ClientRepository::create_client`] atomic: the plan limit and the
//! name's uniqueness are decided and the row inserted in one step, so concurrent creators (in one
//! process or many) can never exceed the limit or duplicate a name.
//!
//! A storage adapter implements every trait here, and [`Store`] on top (`clientele-adapters-diesel`
//! does, for SQLite and PostgreSQL; `memory::MemoryStore` of the `testing` feature does, in
//! memory). The `testing` feature's `contract` module is the executable form of these promises:
//! an implementation that passes it behaves as the use cases expect.
//!
//! # Errors
//! Every method may answer [`RepoError::Unavailable`] (the database cannot be reached) and
//! [`RepoError::Unexpected`] (anything else); each method's documentation names the other
//! variants it answers.

use async_trait::async_trait;
use clientele_domain::{
    ApiKey, ApiKeyId, Client, ClientId, ClientPatch, ClientQuery, Cursor, Email, Limit, NewClient,
    Organization, OrganizationId, Plan, PlanLimits, User, UserId,
};
use time::{Duration, OffsetDateTime};

use crate::error::RepoError;
use crate::secrets::SecretHash;

/// A client to insert, with everything the use case decided (the repository adds the slug).
#[derive(Debug, Clone)]
pub struct ClientRecord {
    /// The new client's id: a UUIDv7 for an API key or a program, a CUID2 for a user.
    pub id: ClientId,
    /// The organization the client belongs to.
    pub organization_id: OrganizationId,
    /// The user who created it; `None` for an API key or a program.
    pub created_by: Option<UserId>,
    /// The client's validated fields.
    pub client: NewClient,
    /// The creation time, also the new client's `updated_at` and `last_active_at`.
    pub created_at: OffsetDateTime,
}

/// How the plan limit applies to one create. The organization's plan is read by the repository
/// under the same lock as the count; `cap` replaces it (e.g. [`Plan::Free`] for an expired trial).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitRule {
    /// The client limit of every plan.
    pub limits: PlanLimits,
    /// The plan that applies instead of the organization's, if any.
    pub cap: Option<Plan>,
}

impl LimitRule {
    /// The plan whose limit applies to an organization on `plan`.
    #[must_use]
    pub fn plan(&self, plan: Plan) -> Plan {
        self.cap.unwrap_or(plan)
    }

    /// Whether a create in an organization on `plan` has a limit to check (and so must count the
    /// organization's clients exactly before it inserts).
    #[must_use]
    pub fn is_limited(&self, plan: Plan) -> bool {
        self.limits.limit(self.plan(plan)) != Limit::Unlimited
    }

    /// The plans on which a create has no limit to check, in the order of [`Plan::ALL`].
    #[must_use]
    pub fn unlimited_plans(&self) -> Vec<Plan> {
        Plan::ALL
            .into_iter()
            .filter(|p| !self.is_limited(*p))
            .collect()
    }

    /// Whether an organization on `plan` holding `current` clients may add one.
    ///
    /// # Errors
    /// [`RepoError::LimitReached`] when it may not.
    pub fn admit(&self, plan: Plan, current: u64) -> Result<(), RepoError> {
        Ok(self.limits.admit(self.plan(plan), current)?)
    }
}

/// One page of a list, and how many rows match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientPage {
    /// The page: at most the query's `limit` clients from its `offset` (or after its `cursor`),
    /// newest first.
    pub clients: Vec<Client>,
    /// How many clients match the query's filters, whatever the page.
    pub total: u64,
    /// Where the next page starts (after this page's last client), or `None` on the last page.
    pub next_cursor: Option<Cursor>,
}

/// Clients, always within one organization: a client of another organization is `NotFound`.
#[async_trait]
pub trait ClientRepository: Send + Sync {
    /// Inserts a client in one transaction: admits it under the organization's plan limit
    /// (`LimitReached`, checked first), enforces the case-insensitive name's uniqueness within the
    /// organization (`NameTaken`), and gives it the first free slug of its name's base.
    ///
    /// The three are one atomic step: however many creators race, in one process or in several
    /// sharing the database, the organization never exceeds its limit and no name is taken twice.
    /// A create that fails leaves the count as it was. The organization's plan is read inside
    /// the same step; `limit` says which limits apply to it.
    ///
    /// # Errors
    /// `NotFound` (no such organization), `LimitReached`, `NameTaken`, `Unavailable`,
    /// `Unexpected`.
    async fn create_client(
        &self,
        record: ClientRecord,
        limit: LimitRule,
    ) -> Result<Client, RepoError>;

    /// The client `id` of `org`.
    ///
    /// # Errors
    /// `NotFound` for an unknown id or another organization's client.
    async fn get_client(&self, org: OrganizationId, id: &ClientId) -> Result<Client, RepoError>;

    /// The page `query` asks for, newest first (creation time, then id), and the total.
    ///
    /// The status, business type and subscription plan filters compare for equality; the search
    /// is a case-insensitive substring of the name or the display name, with `%`, `_` and `\`
    /// taken literally.
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected` (an unknown organization has no clients).
    async fn list_clients(
        &self,
        org: OrganizationId,
        query: &ClientQuery,
    ) -> Result<ClientPage, RepoError>;

    /// Applies `patch` at `now` (its `updated_at`) and returns the client as stored. The slug
    /// never changes; a new name is unique within the organization, compared case-insensitively.
    ///
    /// # Errors
    /// `NotFound`, `NameTaken`.
    async fn update_client(
        &self,
        org: OrganizationId,
        id: &ClientId,
        patch: ClientPatch,
        now: OffsetDateTime,
    ) -> Result<Client, RepoError>;

    /// Deletes the client and frees its place under the plan limit.
    ///
    /// # Errors
    /// `NotFound` (also for another organization's client).
    async fn delete_client(&self, org: OrganizationId, id: &ClientId) -> Result<(), RepoError>;

    /// The organization's plan and how many clients it holds, read in one step without counting
    /// rows.
    ///
    /// # Errors
    /// `NotFound` for an unknown organization.
    async fn plan_usage(&self, org: OrganizationId) -> Result<(Plan, u64), RepoError>;
}

/// Organizations (tenants).
#[async_trait]
pub trait OrganizationRepository: Send + Sync {
    /// Inserts an organization, with no clients. Names need not be unique.
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected`.
    async fn create_organization(&self, org: &Organization) -> Result<(), RepoError>;
    /// The organization `id`.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_organization(&self, id: OrganizationId) -> Result<Organization, RepoError>;
    /// All organizations, oldest first.
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected`.
    async fn list_organizations(&self) -> Result<Vec<Organization>, RepoError>;
    /// Moves the organization to `plan` and returns it as stored. Clients it already holds
    /// beyond the new plan's limit are kept; only further creates are refused.
    ///
    /// # Errors
    /// `NotFound`.
    async fn set_plan(&self, id: OrganizationId, plan: Plan) -> Result<Organization, RepoError>;
    /// Whether there is at least one organization (the bootstrap creates one when not).
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected`.
    async fn any_organization(&self) -> Result<bool, RepoError>;
}

/// A user's stored credential: the user and the password hash, which never leaves the use cases.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The user.
    pub user: User,
    /// The [`PasswordHasher`](crate::PasswordHasher)'s hash of the user's password.
    pub password_hash: String,
}

/// A pending email verification: only the token's hash is stored.
#[derive(Debug, Clone)]
pub struct VerificationRecord {
    /// The hash of the token sent in the message.
    pub token_hash: SecretHash,
    /// The user whose email the token verifies.
    pub user_id: UserId,
    /// From when the token is refused (and may be purged).
    pub expires_at: OffsetDateTime,
}

/// Users, their credentials and their email-verification tokens.
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Inserts a user with their password hash, with a new organization first when
    /// `new_organization` is given (the user's own), in one transaction: either both are stored
    /// or neither.
    ///
    /// # Errors
    /// `EmailTaken` when the email, compared case-insensitively, exists; `NotFound` when
    /// `new_organization` is `None` and the user's organization does not exist.
    async fn create_user(
        &self,
        user: &User,
        password_hash: &str,
        new_organization: Option<&Organization>,
    ) -> Result<(), RepoError>;
    /// The user with this email (case-insensitive) and the password hash; `None` for an unknown
    /// email.
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected`.
    async fn find_credentials(&self, email: &Email) -> Result<Option<Credentials>, RepoError>;
    /// Stores the operator-settable fields of `user` (verification, flow, subscription, trial end,
    /// `updated_at`).
    ///
    /// # Errors
    /// `NotFound`.
    async fn update_user(&self, user: &User) -> Result<(), RepoError>;
    /// Stores a pending verification (a user may have several; each is single use).
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected`.
    async fn add_verification(&self, record: &VerificationRecord) -> Result<(), RepoError>;
    /// Consumes a verification token that has not expired at `now` (deleting it: single use) and
    /// marks its user verified, atomically; an email already verified keeps its first time.
    /// Returns the user as stored.
    ///
    /// # Errors
    /// `NotFound` for an unknown, used or expired token.
    async fn consume_verification(
        &self,
        token_hash: &SecretHash,
        now: OffsetDateTime,
    ) -> Result<User, RepoError>;
    /// Deletes verification tokens expired at `now`; returns how many.
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected`.
    async fn purge_verifications(&self, now: OffsetDateTime) -> Result<u64, RepoError>;
}

/// A session, stored under its token's hash.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    /// The hash of the session token (the cookie's value).
    pub token_hash: SecretHash,
    /// The signed-in user.
    pub user_id: UserId,
    /// The user's organization.
    pub organization_id: OrganizationId,
    /// When the session was opened.
    pub created_at: OffsetDateTime,
    /// From when the session is refused (and may be purged).
    pub expires_at: OffsetDateTime,
}

/// App API sessions.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores a new session.
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected`.
    async fn create_session(&self, session: &SessionRecord) -> Result<(), RepoError>;
    /// The user of a session that has not expired at `now`, and when it expires; `None` for an
    /// unknown or expired session.
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected`.
    async fn resolve_session(
        &self,
        token_hash: &SecretHash,
        now: OffsetDateTime,
    ) -> Result<Option<(User, OffsetDateTime)>, RepoError>;
    /// Deletes the session; deleting an unknown one is not an error.
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected`.
    async fn delete_session(&self, token_hash: &SecretHash) -> Result<(), RepoError>;
    /// Deletes sessions expired at `now`; returns how many.
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected`.
    async fn purge_sessions(&self, now: OffsetDateTime) -> Result<u64, RepoError>;
}

/// Management API keys, stored under their hash.
#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    /// Stores a new key under the hash of its secret.
    ///
    /// # Errors
    /// `NotFound` when the key's organization does not exist.
    async fn create_api_key(&self, key: &ApiKey, hash: &SecretHash) -> Result<(), RepoError>;
    /// The key with this hash, revoked or not; `None` for an unknown hash.
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected`.
    async fn find_api_key(&self, hash: &SecretHash) -> Result<Option<ApiKey>, RepoError>;
    /// An organization's keys, revoked ones included, oldest first (empty for an unknown
    /// organization).
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected`.
    async fn list_api_keys(&self, org: OrganizationId) -> Result<Vec<ApiKey>, RepoError>;
    /// Revokes a key (keeping the first revocation time when already revoked) and returns it as
    /// stored.
    ///
    /// # Errors
    /// `NotFound`.
    async fn revoke_api_key(&self, id: ApiKeyId, now: OffsetDateTime) -> Result<ApiKey, RepoError>;
    /// Records a use of the key at `now` (its `last_used_at`); an unknown key is not an error.
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected`.
    async fn touch_api_key(&self, id: ApiKeyId, now: OffsetDateTime) -> Result<(), RepoError>;
}

/// A response kept for an `Idempotency-Key`: opaque to the use cases, which store it and hand it
/// back unread. The surface that rendered it is the one that replays it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// The status the surface answered (an HTTP status, for the HTTP adapter).
    pub status: u16,
    /// The bytes of the body the surface answered.
    pub body: Vec<u8>,
}

/// What [`IdempotencyStore::begin_idempotent`] found.
///
/// Not `#[non_exhaustive]`: the HTTP adapter answers each outcome and matches them all on
/// purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// The key is new (or its record expired, or its holder was abandoned): it is now held by us.
    Started,
    /// The same request completed before: replay this.
    Replay(StoredResponse),
    /// The key was used with another request.
    Mismatch,
    /// The same key is held by a request still being processed.
    InProgress,
}

/// Which claim a request holds: the key and when it was claimed. The claim time is the fencing
/// token: a response is kept only while the record still carries it, so a request whose claim was
/// taken over (it was presumed abandoned) cannot also complete it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyFence {
    /// The organization the key belongs to.
    pub organization_id: OrganizationId,
    /// The `Idempotency-Key`.
    pub key: String,
    /// When this request claimed it ([`IdempotencyClaim::now`]).
    pub claimed_at: OffsetDateTime,
}

/// How a surface renders the response of a created client, to be kept for replays in the
/// create's own transaction ([`Store::create_client_idempotent`]).
pub type RenderResponse = std::sync::Arc<dyn Fn(&Client) -> StoredResponse + Send + Sync>;

/// A new idempotency claim.
#[derive(Debug, Clone)]
pub struct IdempotencyClaim<'a> {
    /// The organization the key belongs to: keys are per organization.
    pub organization_id: OrganizationId,
    /// The `Idempotency-Key` as presented.
    pub key: &'a str,
    /// A hash of the request (its canonical body), to tell a replay from a reuse.
    pub fingerprint: &'a str,
    /// The time of the claim.
    pub now: OffsetDateTime,
    /// How long a completed record is kept.
    pub ttl: Duration,
    /// After how long an unfinished claim is considered abandoned and may be taken over.
    pub stale_after: Duration,
}

/// `Idempotency-Key` records, kept per organization until they expire.
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims the key atomically, or tells why not: of two concurrent claims of one key, one
    /// is `Started` and the other sees it. An expired record, or an unfinished claim older than
    /// `stale_after`, counts as absent (and is replaced by the new claim). Otherwise a record of
    /// another fingerprint is a `Mismatch`, a completed one a `Replay`, an unfinished one
    /// `InProgress`.
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected`.
    async fn begin_idempotent(&self, claim: &IdempotencyClaim<'_>) -> Result<Begin, RepoError>;
    /// Stores the response of the claim `fence`, to be replayed until the record expires — only
    /// while the record is still that claim (its time) and has no response: a request whose
    /// claim was taken over cannot overwrite the one that took it.
    ///
    /// # Errors
    /// `NotFound` when there is no such claim.
    async fn complete_idempotent(
        &self,
        fence: &IdempotencyFence,
        response: &StoredResponse,
    ) -> Result<(), RepoError>;
    /// Gives up the unfinished claim `fence` whose request failed transiently, so a retry may run
    /// it again; releasing a claim that is gone, completed or taken over changes nothing.
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected`.
    async fn release_idempotent(&self, fence: &IdempotencyFence) -> Result<(), RepoError>;
    /// Deletes records expired at `now`; returns how many.
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected`.
    async fn purge_idempotent(&self, now: OffsetDateTime) -> Result<u64, RepoError>;
}

/// Every repository port at once: what a storage adapter provides, and what
/// [`Services`](crate::Services) and [`AccountService`](crate::AccountService) are built on.
/// [`Services::new`](crate::Services::new) gives each service a clone of the store, so clones
/// must share one database.
#[async_trait]
pub trait Store:
    ClientRepository
    + OrganizationRepository
    + UserRepository
    + SessionStore
    + ApiKeyStore
    + IdempotencyStore
    + Send
    + Sync
    + 'static
{
    /// Whether the database answers (for readiness checks).
    ///
    /// # Errors
    /// `Unavailable` when it does not.
    async fn ping(&self) -> Result<(), RepoError>;

    /// Creates a client (as [`ClientRepository::create_client`]) and keeps `render`'s response
    /// for the claim `fence`, in one transaction, so that a crash leaves either both or neither:
    /// a retry then replays the response, or runs the create again — never a second client.
    /// When the claim was taken over meanwhile (the record no longer carries `fence`'s time),
    /// nothing is created and the error is `Unavailable` (the retry that took it over answers).
    /// This default, for a store of one process, creates and then keeps the response.
    ///
    /// # Errors
    /// As [`ClientRepository::create_client`].
    async fn create_client_idempotent(
        &self,
        record: ClientRecord,
        limit: LimitRule,
        fence: &IdempotencyFence,
        render: RenderResponse,
    ) -> Result<Client, RepoError> {
        let client = self.create_client(record, limit).await?;
        self.complete_idempotent(fence, &render(&client)).await?;
        Ok(client)
    }

    /// The API key stored under `hash` (revoked or not) and, in the same step, the client `id` of
    /// the key's organization (`None` when it has none): what reading one client through a key
    /// needs, which a shared store answers in one database round trip. `None` for an unknown
    /// hash. This default asks [`ApiKeyStore::find_api_key`], then
    /// [`ClientRepository::get_client`] for a key that is not revoked.
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected`.
    async fn find_api_key_and_client(
        &self,
        hash: &SecretHash,
        id: &ClientId,
    ) -> Result<Option<(ApiKey, Option<Client>)>, RepoError> {
        let Some(key) = self.find_api_key(hash).await? else {
            return Ok(None);
        };
        if key.revoked_at.is_some() {
            return Ok(Some((key, None)));
        }
        match self.get_client(key.organization_id, id).await {
            Ok(client) => Ok(Some((key, Some(client)))),
            Err(RepoError::NotFound) => Ok(Some((key, None))),
            Err(e) => Err(e),
        }
    }

    /// Deletes what expired before `now` (idempotency records, sessions, verification tokens),
    /// unless another instance is doing it: `None` then. A store shared by several processes
    /// overrides it to take a database lock; this default suits a store of one process.
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected`.
    async fn purge_expired(&self, now: OffsetDateTime) -> Result<Option<Purged>, RepoError> {
        Ok(Some(Purged {
            idempotency: self.purge_idempotent(now).await?,
            sessions: self.purge_sessions(now).await?,
            verifications: self.purge_verifications(now).await?,
        }))
    }

    /// Creates `organization` and its first API `key` (stored under `hash`) only if there is no
    /// organization yet, atomically: of several processes bootstrapping one empty database at
    /// once, exactly one gets `true`. This default suits a store of one process (it checks, then
    /// inserts); a shared store overrides it to do both under a database lock.
    ///
    /// # Errors
    /// Only `Unavailable`, `Unexpected`.
    async fn bootstrap(
        &self,
        organization: &Organization,
        key: &ApiKey,
        hash: &SecretHash,
    ) -> Result<bool, RepoError> {
        if self.any_organization().await? {
            return Ok(false);
        }
        self.create_organization(organization).await?;
        self.create_api_key(key, hash).await?;
        Ok(true)
    }
}

/// What [`Store::purge_expired`] deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Expired `Idempotency-Key` records deleted.
    pub idempotency: u64,
    /// Expired sessions deleted.
    pub sessions: u64,
    /// Expired verification tokens deleted.
    pub verifications: u64,
}
