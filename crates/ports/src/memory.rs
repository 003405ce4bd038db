//! In-memory implementations of the driven ports (feature `testing`): every storage port, and
//! doubles of the clock, the password hasher and the mailer.
//!
//! They behave like the database will: one lock guards all state, so the plan limit and the
//! case-insensitive name uniqueness are decided atomically with the insert, exactly as a
//! transaction would; secrets are kept only as hashes. The [`contract`](crate::contract) suite
//! runs against [`MemoryStore`] as against SQLite and PostgreSQL, so, as far as the suite
//! checks, a use case behaves over it as it does over a database.
//!
//! - [`MemoryStore`]: every storage port ([`Store`]), which can be taken down to test outages;
//! - [`ManualClock`]: a clock the test sets and advances (expiries, trials);
//! - [`FakeHasher`]: a fast [`PasswordHasher`];
//! - [`MemoryMailer`]: a [`Mailer`] that keeps the messages, or fails on demand;
//! - [`Harness`]: all of them wired into [`Services`](crate::Services).
//!
//! Nothing here persists, and nothing is meant for production.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use clientele_domain::{
    ApiKey, ApiKeyId, Client, ClientId, ClientPatch, ClientQuery, Cursor, Email, Organization,
    OrganizationId, Plan, Slug, SlugAttempt, User, slug_attempts,
};
use time::{Duration, OffsetDateTime};

use crate::error::{InfraError, RepoError};
use crate::infra::{Clock, Mailer, Message, PasswordHasher, truncate_to_millis};
use crate::repos::{
    ApiKeyStore, Begin, ClientPage, ClientRecord, ClientRepository, Credentials, IdempotencyClaim,
    IdempotencyFence, IdempotencyStore, LimitRule, OrganizationRepository, SessionRecord,
    SessionStore, Store, StoredResponse, UserRepository, VerificationRecord,
};
use crate::secrets::SecretHash;

#[derive(Debug, Default)]
struct State {
    organizations: Vec<Organization>,
    clients: Vec<Client>,
    slug_counters: HashMap<(OrganizationId, String), u64>,
    users: Vec<(User, String)>,
    verifications: Vec<VerificationRecord>,
    sessions: Vec<SessionRecord>,
    api_keys: Vec<(ApiKey, SecretHash)>,
    idempotency: HashMap<(OrganizationId, String), IdempotencyRecord>,
    /// When set, every call fails with `Unavailable` (to test outages).
    down: bool,
}

#[derive(Debug, Clone)]
struct IdempotencyRecord {
    fingerprint: String,
    response: Option<StoredResponse>,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
}

/// Every storage port in memory. Cheap to clone (the clones share state, as two connection
/// pools share one database).
///
/// One mutex guards all the state, and each call holds it from its first read to its last
/// write: that is how it mirrors the atomicity of the database's transactions (the plan limit
/// and the name's uniqueness are decided with the insert, so concurrent creators cannot exceed
/// the limit).
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
}

impl MemoryStore {
    /// An empty store (no organizations), up.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Simulates the database going away (`true`: every call fails with
    /// [`RepoError::Unavailable`]) or coming back (`false`, with its data).
    pub fn set_down(&self, down: bool) {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .down = down;
    }

    fn lock(&self) -> Result<MutexGuard<'_, State>, RepoError> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.down {
            return Err(RepoError::unavailable("the in-memory store is down"));
        }
        Ok(state)
    }
}

impl State {
    fn organization_mut(&mut self, id: OrganizationId) -> Result<&mut Organization, RepoError> {
        self.organizations
            .iter_mut()
            .find(|o| o.id == id)
            .ok_or(RepoError::NotFound)
    }

    fn client_index(&self, org: OrganizationId, id: &ClientId) -> Result<usize, RepoError> {
        self.clients
            .iter()
            .position(|c| c.organization_id == org && &c.id == id)
            .ok_or(RepoError::NotFound)
    }

    fn name_taken(&self, org: OrganizationId, key: &str, except: Option<&ClientId>) -> bool {
        self.clients
            .iter()
            .any(|c| c.organization_id == org && c.name.key() == key && Some(&c.id) != except)
    }

    /// The first free slug of the domain's allocation policy, within the organization.
    fn next_slug(
        &mut self,
        org: OrganizationId,
        base: &Slug,
        id: &ClientId,
    ) -> Result<Slug, RepoError> {
        for attempt in slug_attempts(base, id) {
            let slug = match attempt {
                SlugAttempt::Numbered { step } => {
                    let n = self
                        .slug_counters
                        .entry((org, base.as_str().to_owned()))
                        .or_insert(0);
                    *n += step;
                    base.nth(*n)
                }
                SlugAttempt::Exact(slug) => slug,
            };
            if !self
                .clients
                .iter()
                .any(|c| c.organization_id == org && c.slug == slug)
            {
                return Ok(slug);
            }
        }
        Err(RepoError::unexpected(format!(
            "no free slug for {base}, even tagged with the id"
        )))
    }
}

#[async_trait]
impl ClientRepository for MemoryStore {
    async fn create_client(
        &self,
        record: ClientRecord,
        limit: LimitRule,
    ) -> Result<Client, RepoError> {
        let mut s = self.lock()?;
        let org = record.organization_id;
        let plan = s.organization_mut(org)?.plan;
        let current = s
            .clients
            .iter()
            .filter(|c| c.organization_id == org)
            .count() as u64;
        limit.admit(plan, current)?;
        let new = record.client;
        if s.name_taken(org, &new.name.key(), None) {
            return Err(RepoError::NameTaken);
        }
        let slug = s.next_slug(org, &Slug::derive(new.name.as_str()), &record.id)?;
        let client = Client {
            id: record.id,
            organization_id: org,
            created_by: record.created_by,
            name: new.name,
            slug,
            display_name: new.display_name,
            business_type: new.business_type,
            subscription_plan: new.subscription_plan,
            status: new.status,
            contact_person: new.contact_person,
            contact_email: new.contact_email,
            phone_number: new.phone_number,
            domain: new.domain,
            created_at: record.created_at,
            last_active_at: record.created_at,
            updated_at: record.created_at,
        };
        s.clients.push(client.clone());
        Ok(client)
    }

    async fn get_client(&self, org: OrganizationId, id: &ClientId) -> Result<Client, RepoError> {
        let s = self.lock()?;
        let i = s.client_index(org, id)?;
        Ok(s.clients[i].clone())
    }

    async fn list_clients(
        &self,
        org: OrganizationId,
        query: &ClientQuery,
    ) -> Result<ClientPage, RepoError> {
        let s = self.lock()?;
        let search = query.search.as_deref().map(str::to_lowercase);
        let mut matching: Vec<&Client> = s
            .clients
            .iter()
            .filter(|c| c.organization_id == org)
            .filter(|c| query.status.is_none_or(|st| c.status == st))
            .filter(|c| {
                query
                    .business_type
                    .as_deref()
                    .is_none_or(|t| c.business_type.as_ref().is_some_and(|b| b.as_str() == t))
            })
            .filter(|c| {
                query.subscription_plan.as_deref().is_none_or(|p| {
                    c.subscription_plan
                        .as_ref()
                        .is_some_and(|l| l.as_str() == p)
                })
            })
            .filter(|c| {
                search.as_deref().is_none_or(|q| {
                    c.name.as_str().to_lowercase().contains(q)
                        || c.display_name().to_lowercase().contains(q)
                })
            })
            .collect();
        matching.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
        let total = matching.len() as u64;
        let limit = query.limit as usize;
        let mut clients: Vec<Client> = matching
            .into_iter()
            .filter(|c| {
                query
                    .cursor
                    .as_ref()
                    .is_none_or(|after| (c.created_at, &c.id) < (after.created_at, &after.id))
            })
            .skip(usize::try_from(query.offset).unwrap_or(usize::MAX))
            .take(limit + 1)
            .cloned()
            .collect();
        let next_cursor = (clients.len() > limit).then(|| {
            clients.truncate(limit);
            clients
                .last()
                .map(|c| Cursor::after(c.created_at, c.id.clone()))
        });
        Ok(ClientPage {
            clients,
            total,
            next_cursor: next_cursor.flatten(),
        })
    }

    async fn update_client(
        &self,
        org: OrganizationId,
        id: &ClientId,
        patch: ClientPatch,
        now: OffsetDateTime,
    ) -> Result<Client, RepoError> {
        let mut s = self.lock()?;
        let i = s.client_index(org, id)?;
        if let Some(name) = &patch.name
            && s.name_taken(org, &name.key(), Some(id))
        {
            return Err(RepoError::NameTaken);
        }
        let client = &mut s.clients[i];
        client.apply(patch, now);
        Ok(client.clone())
    }

    async fn delete_client(&self, org: OrganizationId, id: &ClientId) -> Result<(), RepoError> {
        let mut s = self.lock()?;
        let i = s.client_index(org, id)?;
        s.clients.remove(i);
        Ok(())
    }

    async fn plan_usage(&self, org: OrganizationId) -> Result<(Plan, u64), RepoError> {
        let mut s = self.lock()?;
        let plan = s.organization_mut(org)?.plan;
        let used = s
            .clients
            .iter()
            .filter(|c| c.organization_id == org)
            .count() as u64;
        Ok((plan, used))
    }
}

#[async_trait]
impl OrganizationRepository for MemoryStore {
    async fn create_organization(&self, org: &Organization) -> Result<(), RepoError> {
        self.lock()?.organizations.push(org.clone());
        Ok(())
    }

    async fn get_organization(&self, id: OrganizationId) -> Result<Organization, RepoError> {
        Ok(self.lock()?.organization_mut(id)?.clone())
    }

    async fn list_organizations(&self) -> Result<Vec<Organization>, RepoError> {
        let mut all = self.lock()?.organizations.clone();
        all.sort_by_key(|o| (o.created_at, o.id));
        Ok(all)
    }

    async fn set_plan(&self, id: OrganizationId, plan: Plan) -> Result<Organization, RepoError> {
        let mut s = self.lock()?;
        let org = s.organization_mut(id)?;
        org.plan = plan;
        Ok(org.clone())
    }

    async fn any_organization(&self) -> Result<bool, RepoError> {
        Ok(!self.lock()?.organizations.is_empty())
    }
}

#[async_trait]
impl UserRepository for MemoryStore {
    async fn create_user(
        &self,
        user: &User,
        password_hash: &str,
        new_organization: Option<&Organization>,
    ) -> Result<(), RepoError> {
        let mut s = self.lock()?;
        let key = user.email.key();
        if s.users.iter().any(|(u, _)| u.email.key() == key) {
            return Err(RepoError::EmailTaken);
        }
        match new_organization {
            Some(org) => s.organizations.push(org.clone()),
            None => {
                s.organization_mut(user.organization_id)?;
            }
        }
        s.users.push((user.clone(), password_hash.to_owned()));
        Ok(())
    }

    async fn find_credentials(&self, email: &Email) -> Result<Option<Credentials>, RepoError> {
        let s = self.lock()?;
        let key = email.key();
        Ok(s.users
            .iter()
            .find(|(u, _)| u.email.key() == key)
            .map(|(user, hash)| Credentials {
                user: user.clone(),
                password_hash: hash.clone(),
            }))
    }

    async fn update_user(&self, user: &User) -> Result<(), RepoError> {
        let mut s = self.lock()?;
        let slot = s
            .users
            .iter_mut()
            .find(|(u, _)| u.id == user.id)
            .ok_or(RepoError::NotFound)?;
        slot.0 = user.clone();
        Ok(())
    }

    async fn add_verification(&self, record: &VerificationRecord) -> Result<(), RepoError> {
        self.lock()?.verifications.push(record.clone());
        Ok(())
    }

    async fn consume_verification(
        &self,
        token_hash: &SecretHash,
        now: OffsetDateTime,
    ) -> Result<User, RepoError> {
        let mut s = self.lock()?;
        // An expired token is refused but kept, as the database keeps it until the purge.
        let i = s
            .verifications
            .iter()
            .position(|v| &v.token_hash == token_hash && v.expires_at > now)
            .ok_or(RepoError::NotFound)?;
        let record = s.verifications.remove(i);
        let (user, _) = s
            .users
            .iter_mut()
            .find(|(u, _)| u.id == record.user_id)
            .ok_or(RepoError::NotFound)?;
        if user.email_verified_at.is_none() {
            user.email_verified_at = Some(now);
            user.updated_at = now;
        }
        Ok(user.clone())
    }

    async fn purge_verifications(&self, now: OffsetDateTime) -> Result<u64, RepoError> {
        let mut s = self.lock()?;
        let before = s.verifications.len();
        s.verifications.retain(|v| v.expires_at > now);
        Ok((before - s.verifications.len()) as u64)
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn create_session(&self, session: &SessionRecord) -> Result<(), RepoError> {
        self.lock()?.sessions.push(session.clone());
        Ok(())
    }

    async fn resolve_session(
        &self,
        token_hash: &SecretHash,
        now: OffsetDateTime,
    ) -> Result<Option<(User, OffsetDateTime)>, RepoError> {
        let s = self.lock()?;
        let Some(session) = s
            .sessions
            .iter()
            .find(|x| &x.token_hash == token_hash && x.expires_at > now)
        else {
            return Ok(None);
        };
        Ok(s.users
            .iter()
            .find(|(u, _)| u.id == session.user_id)
            .map(|(u, _)| (u.clone(), session.expires_at)))
    }

    async fn delete_session(&self, token_hash: &SecretHash) -> Result<(), RepoError> {
        self.lock()?
            .sessions
            .retain(|x| &x.token_hash != token_hash);
        Ok(())
    }

    async fn purge_sessions(&self, now: OffsetDateTime) -> Result<u64, RepoError> {
        let mut s = self.lock()?;
        let before = s.sessions.len();
        s.sessions.retain(|x| x.expires_at > now);
        Ok((before - s.sessions.len()) as u64)
    }
}

#[async_trait]
impl ApiKeyStore for MemoryStore {
    async fn create_api_key(&self, key: &ApiKey, hash: &SecretHash) -> Result<(), RepoError> {
        let mut s = self.lock()?;
        s.organization_mut(key.organization_id)?;
        s.api_keys.push((key.clone(), hash.clone()));
        Ok(())
    }

    async fn find_api_key(&self, hash: &SecretHash) -> Result<Option<ApiKey>, RepoError> {
        let s = self.lock()?;
        Ok(s.api_keys
            .iter()
            .find(|(_, h)| h == hash)
            .map(|(k, _)| k.clone()))
    }

    async fn list_api_keys(&self, org: OrganizationId) -> Result<Vec<ApiKey>, RepoError> {
        let s = self.lock()?;
        let mut keys: Vec<ApiKey> = s
            .api_keys
            .iter()
            .filter(|(k, _)| k.organization_id == org)
            .map(|(k, _)| k.clone())
            .collect();
        keys.sort_by_key(|k| (k.created_at, k.id));
        Ok(keys)
    }

    async fn revoke_api_key(&self, id: ApiKeyId, now: OffsetDateTime) -> Result<ApiKey, RepoError> {
        let mut s = self.lock()?;
        let (key, _) = s
            .api_keys
            .iter_mut()
            .find(|(k, _)| k.id == id)
            .ok_or(RepoError::NotFound)?;
        key.revoked_at.get_or_insert(now);
        Ok(key.clone())
    }

    async fn touch_api_key(&self, id: ApiKeyId, now: OffsetDateTime) -> Result<(), RepoError> {
        let mut s = self.lock()?;
        if let Some((key, _)) = s.api_keys.iter_mut().find(|(k, _)| k.id == id) {
            key.last_used_at = Some(now);
        }
        Ok(())
    }
}

#[async_trait]
impl IdempotencyStore for MemoryStore {
    async fn begin_idempotent(&self, claim: &IdempotencyClaim<'_>) -> Result<Begin, RepoError> {
        let mut s = self.lock()?;
        let slot = (claim.organization_id, claim.key.to_owned());
        if let Some(existing) = s.idempotency.get(&slot) {
            let expired = existing.expires_at <= claim.now;
            let abandoned =
                existing.response.is_none() && existing.created_at + claim.stale_after <= claim.now;
            if !expired && !abandoned {
                return Ok(if existing.fingerprint != claim.fingerprint {
                    Begin::Mismatch
                } else if let Some(response) = &existing.response {
                    Begin::Replay(response.clone())
                } else {
                    Begin::InProgress
                });
            }
        }
        s.idempotency.insert(
            slot,
            IdempotencyRecord {
                fingerprint: claim.fingerprint.to_owned(),
                response: None,
                created_at: claim.now,
                expires_at: claim.now + claim.ttl,
            },
        );
        Ok(Begin::Started)
    }

    async fn complete_idempotent(
        &self,
        fence: &IdempotencyFence,
        response: &StoredResponse,
    ) -> Result<(), RepoError> {
        let mut s = self.lock()?;
        let record = s
            .idempotency
            .get_mut(&(fence.organization_id, fence.key.clone()))
            .filter(|r| r.created_at == fence.claimed_at && r.response.is_none())
            .ok_or(RepoError::NotFound)?;
        record.response = Some(response.clone());
        Ok(())
    }

    async fn release_idempotent(&self, fence: &IdempotencyFence) -> Result<(), RepoError> {
        let mut s = self.lock()?;
        let id = (fence.organization_id, fence.key.clone());
        // Only this unfinished claim: a completed response stays to be replayed, and a claim
        // that took this one over stays its own.
        if s.idempotency
            .get(&id)
            .is_some_and(|r| r.response.is_none() && r.created_at == fence.claimed_at)
        {
            s.idempotency.remove(&id);
        }
        Ok(())
    }

    async fn purge_idempotent(&self, now: OffsetDateTime) -> Result<u64, RepoError> {
        let mut s = self.lock()?;
        let before = s.idempotency.len();
        s.idempotency.retain(|_, r| r.expires_at > now);
        Ok((before - s.idempotency.len()) as u64)
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn ping(&self) -> Result<(), RepoError> {
        self.lock().map(drop)
    }
}

/// A clock the test sets and advances. Clones share the time. The default starts at the
/// current time, truncated to the millisecond.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<OffsetDateTime>>);

impl Default for ManualClock {
    fn default() -> Self {
        Self::at(truncate_to_millis(OffsetDateTime::now_utc()))
    }
}

impl ManualClock {
    /// A clock that stands at `t` until moved.
    #[must_use]
    pub fn at(t: OffsetDateTime) -> Self {
        Self(Arc::new(Mutex::new(t)))
    }

    /// Moves the time on by `by` (back, for a negative duration).
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) += by;
    }

    /// Sets the time to `t`.
    pub fn set(&self, t: OffsetDateTime) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = t;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A fast password hasher for tests: a salted SHA-256, never the password itself. Not for
/// production (it is fast on purpose).
#[derive(Debug, Clone, Copy, Default)]
pub struct FakeHasher;

impl FakeHasher {
    fn digest(password: &str) -> String {
        format!(
            "fake${}",
            SecretHash::of(&format!("clientele-test-salt:{password}")).as_str()
        )
    }
}

#[async_trait]
impl PasswordHasher for FakeHasher {
    async fn hash(&self, password: &str) -> Result<String, InfraError> {
        Ok(Self::digest(password))
    }

    async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, InfraError> {
        let computed = Self::digest(password);
        Ok(hash.is_some_and(|h| h == computed))
    }
}

/// A mailer that keeps what it was asked to send, or fails on demand.
#[derive(Debug, Clone, Default)]
pub struct MemoryMailer {
    sent: Arc<Mutex<Vec<Message>>>,
    failing: Arc<std::sync::atomic::AtomicBool>,
}

impl MemoryMailer {
    /// Everything sent so far.
    #[must_use]
    pub fn sent(&self) -> Vec<Message> {
        self.sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Simulates a mail outage (`true`) or its end (`false`).
    pub fn set_failing(&self, failing: bool) {
        self.failing
            .store(failing, std::sync::atomic::Ordering::SeqCst);
    }
}

#[async_trait]
impl Mailer for MemoryMailer {
    async fn send(&self, message: Message) -> Result<(), InfraError> {
        if self.failing.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(InfraError {
                what: "sending mail",
                source: "the in-memory mailer is failing".into(),
            });
        }
        self.sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(message);
        Ok(())
    }
}

/// The in-memory test doubles wired into [`crate::Services`], with handles to observe them.
///
/// ```
/// use clientele_domain::Plan;
/// use clientele_ports::memory::Harness;
/// use clientele_ports::{AccountError, Config};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let harness = Harness::new();
/// let services = harness.services(Config::default());
/// services.organizations.create_organization("Acme Agency", Plan::Free).await?;
///
/// harness.store.set_down(true); // the database goes away
/// let refused = services.organizations.list_organizations().await;
/// assert!(matches!(refused, Err(AccountError::Unavailable(_))));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Harness {
    /// The store [`Harness::services`] uses.
    pub store: MemoryStore,
    /// The services' clock.
    pub clock: ManualClock,
    /// The services' mailer: what it sent, or make it fail.
    pub mailer: MemoryMailer,
}

impl Harness {
    /// Fresh doubles.
    #[must_use]
    pub fn new() -> Self {
        Self {
            store: MemoryStore::new(),
            clock: ManualClock::default(),
            mailer: MemoryMailer::default(),
        }
    }

    /// Use cases over `store` (any store) with this harness's clock and mailer, random ids and
    /// the fake hasher.
    pub fn services_over<S: Store + Clone>(
        &self,
        store: S,
        config: crate::Config,
    ) -> crate::Services<S> {
        crate::Services::new(
            store,
            Arc::new(self.clock.clone()),
            Arc::new(crate::RandomIds),
            Arc::new(FakeHasher),
            Arc::new(self.mailer.clone()),
            config,
        )
    }

    /// Use cases over the in-memory store.
    #[must_use]
    pub fn services(&self, config: crate::Config) -> crate::Services<MemoryStore> {
        self.services_over(self.store.clone(), config)
    }
}

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}
