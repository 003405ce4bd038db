//! The repository ports. Every method is scoped by organization where the data belongs to one.
//!
//! Implementations must make [`ClientRepository::create_client`] atomic: the plan limit and the
//! name's uniqueness are decided and the row inserted in one step, so concurrent creators (in one
//! process or many) can never exceed the limit or duplicate a name.

use async_trait::async_trait;
use clientele_domain::{
    ApiKey, ApiKeyId, Client, ClientId, ClientPatch, ClientQuery, Email, NewClient, Organization,
    OrganizationId, Plan, PlanLimits, User, UserId,
};
use time::{Duration, OffsetDateTime};

use crate::error::RepoError;
use crate::secrets::SecretHash;

/// A client to insert, with everything the use case decided.
#[derive(Debug, Clone)]
pub struct ClientRecord {
    pub id: ClientId,
    pub organization_id: OrganizationId,
    pub created_by: Option<UserId>,
    pub client: NewClient,
    pub created_at: OffsetDateTime,
}

/// How the plan limit applies to one create. The organization's plan is read by the repository
/// under the same lock as the count; `cap` replaces it (e.g. [`Plan::Free`] for an expired trial).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitRule {
    pub limits: PlanLimits,
    pub cap: Option<Plan>,
}

impl LimitRule {
    /// The plan whose limit applies to an organization on `plan`.
    #[must_use]
    pub fn plan(&self, plan: Plan) -> Plan {
        self.cap.unwrap_or(plan)
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
    pub clients: Vec<Client>,
    pub total: u64,
}

/// Clients, always within one organization.
#[async_trait]
pub trait ClientRepository: Send + Sync {
    /// Inserts a client in one transaction: admits it under the organization's plan limit
    /// (`LimitReached`, checked first), enforces the case-insensitive name's uniqueness within the
    /// organization (`NameTaken`), and gives it the first free slug of its name's base.
    async fn create_client(
        &self,
        record: ClientRecord,
        limit: LimitRule,
    ) -> Result<Client, RepoError>;

    /// `NotFound` for an unknown id or another organization's client.
    async fn get_client(&self, org: OrganizationId, id: &ClientId) -> Result<Client, RepoError>;

    /// The page `query` asks for, newest first (creation time, then id), and the total.
    async fn list_clients(
        &self,
        org: OrganizationId,
        query: &ClientQuery,
    ) -> Result<ClientPage, RepoError>;

    /// Applies `patch` at `now` (`NotFound`, `NameTaken`).
    async fn update_client(
        &self,
        org: OrganizationId,
        id: &ClientId,
        patch: ClientPatch,
        now: OffsetDateTime,
    ) -> Result<Client, RepoError>;

    /// Deletes the client and frees its place under the plan limit (`NotFound`).
    async fn delete_client(&self, org: OrganizationId, id: &ClientId) -> Result<(), RepoError>;

    /// The organization's plan and how many clients it holds, read in one step without counting
    /// rows (`NotFound` for an unknown organization).
    async fn plan_usage(&self, org: OrganizationId) -> Result<(Plan, u64), RepoError>;
}

/// Organizations (tenants).
#[async_trait]
pub trait OrganizationRepository: Send + Sync {
    async fn create_organization(&self, org: &Organization) -> Result<(), RepoError>;
    async fn get_organization(&self, id: OrganizationId) -> Result<Organization, RepoError>;
    /// All organizations, oldest first.
    async fn list_organizations(&self) -> Result<Vec<Organization>, RepoError>;
    async fn set_plan(&self, id: OrganizationId, plan: Plan) -> Result<Organization, RepoError>;
    /// Whether there is at least one organization (the bootstrap creates one when not).
    async fn any_organization(&self) -> Result<bool, RepoError>;
}

/// A user's stored credential: the user and the password hash, which never leaves the use cases.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

/// A pending email verification: only the token's hash is stored.
#[derive(Debug, Clone)]
pub struct VerificationRecord {
    pub token_hash: SecretHash,
    pub user_id: UserId,
    pub expires_at: OffsetDateTime,
}

/// Users, their credentials and their email-verification tokens.
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Inserts a user (`EmailTaken` when the email, compared case-insensitively, exists), with a
    /// new organization first when `new_organization` is given, in one transaction.
    async fn create_user(
        &self,
        user: &User,
        password_hash: &str,
        new_organization: Option<&Organization>,
    ) -> Result<(), RepoError>;
    async fn get_user(&self, id: &UserId) -> Result<User, RepoError>;
    /// The user with this email (case-insensitive) and the password hash.
    async fn find_credentials(&self, email: &Email) -> Result<Option<Credentials>, RepoError>;
    /// Stores the operator-settable fields of `user` (verification, flow, subscription, trial end).
    async fn update_user(&self, user: &User) -> Result<(), RepoError>;
    async fn add_verification(&self, record: &VerificationRecord) -> Result<(), RepoError>;
    /// Consumes a verification token that has not expired at `now` (deleting it: single use) and
    /// marks its user verified, atomically. `NotFound` for an unknown, used or expired token.
    async fn consume_verification(
        &self,
        token_hash: &SecretHash,
        now: OffsetDateTime,
    ) -> Result<User, RepoError>;
    /// Deletes verification tokens expired at `now`; returns how many.
    async fn purge_verifications(&self, now: OffsetDateTime) -> Result<u64, RepoError>;
}

/// A session, stored under its token's hash.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub token_hash: SecretHash,
    pub user_id: UserId,
    pub organization_id: OrganizationId,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// App API sessions.
#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, session: &SessionRecord) -> Result<(), RepoError>;
    /// The user of a session that has not expired at `now`, and when it expires.
    async fn resolve_session(
        &self,
        token_hash: &SecretHash,
        now: OffsetDateTime,
    ) -> Result<Option<(User, OffsetDateTime)>, RepoError>;
    /// Deletes the session; deleting an unknown one is not an error.
    async fn delete_session(&self, token_hash: &SecretHash) -> Result<(), RepoError>;
    /// Deletes sessions expired at `now`; returns how many.
    async fn purge_sessions(&self, now: OffsetDateTime) -> Result<u64, RepoError>;
}

/// Management API keys, stored under their hash.
#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    async fn create_api_key(&self, key: &ApiKey, hash: &SecretHash) -> Result<(), RepoError>;
    /// The key with this hash, revoked or not.
    async fn find_api_key(&self, hash: &SecretHash) -> Result<Option<ApiKey>, RepoError>;
    /// An organization's keys, oldest first.
    async fn list_api_keys(&self, org: OrganizationId) -> Result<Vec<ApiKey>, RepoError>;
    /// Revokes a key (keeping the first revocation time when already revoked).
    async fn revoke_api_key(&self, id: ApiKeyId, now: OffsetDateTime) -> Result<ApiKey, RepoError>;
    /// Records a use of the key.
    async fn touch_api_key(&self, id: ApiKeyId, now: OffsetDateTime) -> Result<(), RepoError>;
}

/// A response kept for an `Idempotency-Key`: opaque to the use cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

/// What [`IdempotencyStore::begin_idempotent`] found.
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

/// A new idempotency claim.
#[derive(Debug, Clone)]
pub struct IdempotencyClaim<'a> {
    pub organization_id: OrganizationId,
    pub key: &'a str,
    /// A hash of the request (its canonical body), to tell a replay from a reuse.
    pub fingerprint: &'a str,
    pub now: OffsetDateTime,
    /// How long a completed record is kept.
    pub ttl: Duration,
    /// After how long an unfinished claim is considered abandoned and may be taken over.
    pub stale_after: Duration,
}

/// `Idempotency-Key` records, kept per organization until they expire.
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims the key atomically, or tells why not.
    async fn begin_idempotent(&self, claim: &IdempotencyClaim<'_>) -> Result<Begin, RepoError>;
    /// Stores the response of a claimed key.
    async fn complete_idempotent(
        &self,
        org: OrganizationId,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), RepoError>;
    /// Gives up a claim whose request failed transiently, so a retry may run it again.
    async fn release_idempotent(&self, org: OrganizationId, key: &str) -> Result<(), RepoError>;
    /// Deletes records expired at `now`; returns how many.
    async fn purge_idempotent(&self, now: OffsetDateTime) -> Result<u64, RepoError>;
}

/// Every repository port at once: what a storage adapter provides.
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
    async fn ping(&self) -> Result<(), RepoError>;
}
