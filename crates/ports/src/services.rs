//! The use cases (application services), generic over the storage port.
//!
//! Each method is one thing a caller can do. Validation of request shapes happens before (the
//! surfaces parse requests into domain values); the rules that need storage or time happen here
//! or, when they must be atomic, inside one repository call.

use std::sync::Arc;

use clientele_domain::{
    ApiKey, ApiKeyId, ApiKeyName, Client, ClientId, ClientPatch, ClientQuery, Collector, Email,
    Environment, Expected, Field, Input, Issue, NewClient, Organization, OrganizationId,
    OrganizationName, Password, Plan, PlanLimits, Received, SignupFlow, SubscriptionStatus, User,
    UserId, UserName,
};
use time::{Duration, OffsetDateTime};

use crate::error::{AccountError, ClientError};
use crate::infra::{Clock, IdGenerator, Mailer, Message, PasswordHasher};
use crate::repos::{
    Begin, ClientPage, ClientRecord, IdempotencyClaim, LimitRule, SessionRecord, Store,
    StoredResponse, VerificationRecord,
};
use crate::secrets::{Secret, SecretHash, api_key_display_prefix, looks_like_api_key};

/// Tunables of the use cases.
#[derive(Debug, Clone)]
pub struct Config {
    pub plan_limits: PlanLimits,
    pub session_ttl: Duration,
    pub verification_ttl: Duration,
    pub idempotency_ttl: Duration,
    /// After how long an unfinished idempotent request is considered abandoned.
    pub idempotency_stale_after: Duration,
    /// `last_used_at` of an API key is written at most this often.
    pub key_touch_interval: Duration,
    /// The public base URL of the web app, for links in emails (`{base}/verify-email?token=...`).
    pub public_url: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            plan_limits: PlanLimits::default(),
            session_ttl: Duration::days(30),
            verification_ttl: Duration::hours(24),
            idempotency_ttl: Duration::hours(24),
            idempotency_stale_after: Duration::seconds(60),
            key_touch_interval: Duration::seconds(60),
            public_url: "http://127.0.0.1:8080".to_owned(),
        }
    }
}

/// Who is asking: an API key (management API) or a signed-in user (app API).
#[derive(Debug, Clone)]
pub enum Caller {
    ApiKey(ApiKey),
    User(User),
}

impl Caller {
    #[must_use]
    pub fn organization_id(&self) -> OrganizationId {
        match self {
            Self::ApiKey(k) => k.organization_id,
            Self::User(u) => u.organization_id,
        }
    }

    #[must_use]
    pub fn user(&self) -> Option<&User> {
        match self {
            Self::ApiKey(_) => None,
            Self::User(u) => Some(u),
        }
    }
}

/// An `Idempotency-Key` and the fingerprint of the request that carries it.
#[derive(Debug, Clone)]
pub struct IdempotencyRequest {
    pub key: String,
    pub fingerprint: String,
}

/// The response of an idempotent create: freshly produced, or replayed from the first request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replayable {
    Fresh(StoredResponse),
    Replayed(StoredResponse),
}

/// A signed-in user with the plan that applies to them, and their session.
#[derive(Debug, Clone)]
pub struct Account {
    pub user: User,
    pub plan: Plan,
}

/// A new session's token (for the cookie) and expiry.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: Secret,
    pub expires_at: OffsetDateTime,
}

/// A sign-up request's fields, before parsing (absent, `null`, a string, or another JSON type).
#[derive(Clone, Default)]
pub struct SignUpInput {
    pub email: Input,
    pub password: Input,
    pub name: Input,
}

impl SignUpInput {
    /// From plain strings (the command line, tests).
    #[must_use]
    pub fn new(email: &str, password: &str, name: Option<&str>) -> Self {
        Self {
            email: Input::text(email),
            password: Input::text(password),
            name: name.map_or(Input::Missing, Input::text),
        }
    }
}

impl std::fmt::Debug for SignUpInput {
    /// The password is never shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignUpInput")
            .field("email", &self.email)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A user to create from the command line.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub password: String,
    pub name: Option<String>,
    pub organization: Option<OrganizationId>,
    pub verified: bool,
    pub signup_flow: SignupFlow,
}

/// Operator changes to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub verified: Option<bool>,
    pub signup_flow: Option<SignupFlow>,
    pub subscription_status: Option<SubscriptionStatus>,
    pub plan_expires_at: Option<Option<OffsetDateTime>>,
}

/// What [`Services::purge_expired`] deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub idempotency: u64,
    pub sessions: u64,
    pub verifications: u64,
}

/// The bootstrap's result: the operator's organization and its first key, shown once.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    pub organization: Organization,
    pub key: ApiKey,
    pub secret: Secret,
}

/// Clientele's use cases over a storage adapter `S`.
pub struct Services<S> {
    store: S,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
    hasher: Arc<dyn PasswordHasher>,
    mailer: Arc<dyn Mailer>,
    config: Config,
}

impl<S> std::fmt::Debug for Services<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<S: Store> Services<S> {
    pub fn new(
        store: S,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGenerator>,
        hasher: Arc<dyn PasswordHasher>,
        mailer: Arc<dyn Mailer>,
        config: Config,
    ) -> Self {
        Self {
            store,
            clock,
            ids,
            hasher,
            mailer,
            config,
        }
    }

    #[must_use]
    pub fn store(&self) -> &S {
        &self.store
    }

    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    #[must_use]
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    // ---------------------------------------------------------------- clients

    /// Creates a client for `caller`: the access gate (app users), then one atomic insert that
    /// applies the plan limit and the name's uniqueness. API-key creations get a UUIDv7 id, user
    /// creations a CUID2.
    ///
    /// # Errors
    /// `VerificationRequired`, `LimitReached`, `NameTaken`, `Unavailable`, `Unexpected`.
    pub async fn create_client(
        &self,
        caller: &Caller,
        client: NewClient,
    ) -> Result<Client, ClientError> {
        let now = self.clock.now();
        let (id, created_by, cap) = match caller {
            Caller::ApiKey(_) => (ClientId::from_uuid(self.ids.uuid()), None, None),
            Caller::User(user) => {
                user.may_add_clients(now)?;
                let id = self
                    .ids
                    .cuid()
                    .parse()
                    .map_err(|e| ClientError::Unexpected(Box::new(e)))?;
                (id, Some(user.id.clone()), user.plan_cap(now))
            }
        };
        let record = ClientRecord {
            id,
            organization_id: caller.organization_id(),
            created_by,
            client,
            created_at: now,
        };
        let rule = LimitRule {
            limits: self.config.plan_limits,
            cap,
        };
        Ok(self.store.create_client(record, rule).await?)
    }

    /// [`Services::create_client`] under an `Idempotency-Key`: the first request runs and its
    /// response (as `render` makes it) is kept; a repeat with the same fingerprint gets that response
    /// back without creating anything; a repeat with another fingerprint is refused. Transient
    /// failures are not kept, so the client may retry them with the same key.
    ///
    /// # Errors
    /// `IdempotencyKeyReused`, `IdempotencyKeyInUse`, or the storage's errors on the key itself.
    pub async fn create_client_idempotent<R>(
        &self,
        caller: &Caller,
        client: NewClient,
        request: &IdempotencyRequest,
        render: R,
    ) -> Result<Replayable, ClientError>
    where
        R: FnOnce(&Result<Client, ClientError>) -> StoredResponse + Send,
    {
        let org = caller.organization_id();
        let claim = IdempotencyClaim {
            organization_id: org,
            key: &request.key,
            fingerprint: &request.fingerprint,
            now: self.clock.now(),
            ttl: self.config.idempotency_ttl,
            stale_after: self.config.idempotency_stale_after,
        };
        match self.store.begin_idempotent(&claim).await? {
            Begin::Replay(response) => return Ok(Replayable::Replayed(response)),
            Begin::Mismatch => return Err(ClientError::IdempotencyKeyReused),
            Begin::InProgress => return Err(ClientError::IdempotencyKeyInUse),
            Begin::Started => {}
        }
        let result = self.create_client(caller, client).await;
        let response = render(&result);
        let transient = matches!(
            result,
            Err(ClientError::Unavailable(_) | ClientError::Unexpected(_))
        );
        let kept = if transient {
            self.store.release_idempotent(org, &request.key).await
        } else {
            self.store
                .complete_idempotent(org, &request.key, &response)
                .await
        };
        if let Err(e) = kept {
            // The client exists (or the failure stands); only the replay record is missing, and the
            // claim expires by itself. The caller still gets the true outcome.
            tracing::warn!(error = %e, "could not record the idempotent response");
        }
        Ok(Replayable::Fresh(response))
    }

    /// # Errors
    /// `NotFound` (also for another organization's client), storage errors.
    pub async fn get_client(&self, caller: &Caller, id: &ClientId) -> Result<Client, ClientError> {
        Ok(self.store.get_client(caller.organization_id(), id).await?)
    }

    /// # Errors
    /// Storage errors.
    pub async fn list_clients(
        &self,
        caller: &Caller,
        query: &ClientQuery,
    ) -> Result<ClientPage, ClientError> {
        Ok(self
            .store
            .list_clients(caller.organization_id(), query)
            .await?)
    }

    /// Applies a partial update. An empty one returns the client unchanged.
    ///
    /// # Errors
    /// `NotFound`, `NameTaken`, storage errors.
    pub async fn update_client(
        &self,
        caller: &Caller,
        id: &ClientId,
        patch: ClientPatch,
    ) -> Result<Client, ClientError> {
        let org = caller.organization_id();
        if patch.is_empty() {
            return Ok(self.store.get_client(org, id).await?);
        }
        Ok(self
            .store
            .update_client(org, id, patch, self.clock.now())
            .await?)
    }

    /// Deletes a client, freeing its place under the plan limit.
    ///
    /// # Errors
    /// `NotFound`, storage errors.
    pub async fn delete_client(&self, caller: &Caller, id: &ClientId) -> Result<(), ClientError> {
        Ok(self
            .store
            .delete_client(caller.organization_id(), id)
            .await?)
    }

    // ---------------------------------------------------------------- credentials

    /// The caller of a management API key. Revoked and unknown keys are refused. `last_used_at`
    /// is written at most once per `key_touch_interval`, not on every request.
    ///
    /// # Errors
    /// `Unauthorized`, storage errors.
    pub async fn resolve_api_key(&self, presented: &str) -> Result<Caller, AccountError> {
        if !looks_like_api_key(presented) {
            return Err(AccountError::Unauthorized);
        }
        let key = self
            .store
            .find_api_key(&SecretHash::of(presented))
            .await?
            .filter(|k| k.revoked_at.is_none())
            .ok_or(AccountError::Unauthorized)?;
        let now = self.clock.now();
        let stale = key
            .last_used_at
            .is_none_or(|at| now - at >= self.config.key_touch_interval);
        if stale && let Err(e) = self.store.touch_api_key(key.id, now).await {
            tracing::warn!(error = %e, key_id = %key.id, "could not record the key's last use");
        }
        Ok(Caller::ApiKey(key))
    }

    /// The user of a session token and when the session expires.
    ///
    /// # Errors
    /// `Unauthorized` for an unknown or expired session, storage errors.
    pub async fn resolve_session(
        &self,
        token: &str,
    ) -> Result<(User, OffsetDateTime), AccountError> {
        if token.is_empty() || token.len() > 256 {
            return Err(AccountError::Unauthorized);
        }
        self.store
            .resolve_session(&SecretHash::of(token), self.clock.now())
            .await?
            .ok_or(AccountError::Unauthorized)
    }

    /// A user with the plan that applies to them.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn account(&self, user: User) -> Result<Account, AccountError> {
        let org = self.store.get_organization(user.organization_id).await?;
        let plan = user.effective_plan(org.plan, self.clock.now());
        Ok(Account { user, plan })
    }

    // ---------------------------------------------------------------- accounts

    /// Signs up: a new organization on the free plan, a user (flow `FREE`, unverified) in it, a
    /// verification email, and a session.
    ///
    /// # Errors
    /// `Validation` (email, password, name), `EmailTaken`, storage and infrastructure errors.
    pub async fn sign_up(&self, input: SignUpInput) -> Result<(Account, NewSession), AccountError> {
        let (email, password, name) = parse_account(input)?;
        let now = self.clock.now();
        let org_name = name.as_ref().map_or(email.as_str(), UserName::as_str);
        let organization = Organization {
            id: OrganizationId::from_uuid(self.ids.uuid()),
            name: OrganizationName::parse(org_name)
                .unwrap_or_else(|_| OrganizationName::from_trusted("Personal".to_owned())),
            plan: Plan::Free,
            created_at: now,
        };
        let user = self.new_user(email, name, organization.id, SignupFlow::Free, None, now)?;
        let hash = self.hasher.hash(password.expose()).await?;
        self.store
            .create_user(&user, &hash, Some(&organization))
            .await?;
        if let Err(e) = self.send_verification(&user).await {
            // The account exists: failing the sign-up now would strand it (a retry would find the
            // email taken). The user can ask for another message (`resend_verification`).
            tracing::warn!(user_id = %user.id, error = %error_chain(&e), "verification message not sent");
        }
        let session = self.open_session(&user).await?;
        Ok((
            Account {
                user,
                plan: Plan::Free,
            },
            session,
        ))
    }

    /// Logs in. An unknown email and a wrong password take the same time and give the same error.
    ///
    /// # Errors
    /// `InvalidCredentials`, storage and infrastructure errors.
    pub async fn log_in(
        &self,
        email: &str,
        password: &str,
    ) -> Result<(Account, NewSession), AccountError> {
        // Absurd inputs are refused before any work (and never reach the hasher).
        if password.len() > 4 * Password::MAX {
            return Err(AccountError::InvalidCredentials);
        }
        let credentials = match Email::parse(Field::Email, email) {
            Ok(email) => self.store.find_credentials(&email).await?,
            Err(_) => None,
        };
        let hash = credentials.as_ref().map(|c| c.password_hash.as_str());
        let matches = self.hasher.verify(password, hash).await?;
        let Some(credentials) = credentials.filter(|_| matches) else {
            return Err(AccountError::InvalidCredentials);
        };
        let session = self.open_session(&credentials.user).await?;
        Ok((self.account(credentials.user).await?, session))
    }

    /// Deletes the session server-side. Unknown tokens are fine (logging out twice).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn log_out(&self, token: &str) -> Result<(), AccountError> {
        Ok(self.store.delete_session(&SecretHash::of(token)).await?)
    }

    /// Consumes a verification token (single use, 24 hours) and marks the email verified.
    ///
    /// # Errors
    /// `InvalidToken`, storage errors.
    pub async fn verify_email(&self, token: &str) -> Result<Account, AccountError> {
        if token.is_empty() || token.len() > 256 {
            return Err(AccountError::InvalidToken);
        }
        let user = match self
            .store
            .consume_verification(&SecretHash::of(token), self.clock.now())
            .await
        {
            Ok(user) => user,
            Err(crate::error::RepoError::NotFound) => return Err(AccountError::InvalidToken),
            Err(e) => return Err(e.into()),
        };
        self.account(user).await
    }

    async fn open_session(&self, user: &User) -> Result<NewSession, AccountError> {
        let token = self.ids.token();
        let now = self.clock.now();
        let expires_at = now + self.config.session_ttl;
        self.store
            .create_session(&SessionRecord {
                token_hash: token.hash(),
                user_id: user.id.clone(),
                organization_id: user.organization_id,
                created_at: now,
                expires_at,
            })
            .await?;
        Ok(NewSession { token, expires_at })
    }

    async fn send_verification(&self, user: &User) -> Result<(), AccountError> {
        let token = self.ids.token();
        self.store
            .add_verification(&VerificationRecord {
                token_hash: token.hash(),
                user_id: user.id.clone(),
                expires_at: self.clock.now() + self.config.verification_ttl,
            })
            .await?;
        let link = format!(
            "{}/verify-email?token={}",
            self.config.public_url.trim_end_matches('/'),
            token.expose()
        );
        let message = Message {
            to: user.email.clone(),
            subject: "Verify your email address".to_owned(),
            text: format!(
                "Welcome to Clientele.\r\n\r\nPlease confirm your email address by opening this link \
                 within 24 hours:\r\n\r\n{link}\r\n\r\nIf you did not sign up, ignore this message.\r\n"
            ),
        };
        // A mail transport that fails is an outage of a dependency, like the database's: 503.
        self.mailer
            .send(message)
            .await
            .map_err(|e| AccountError::Unavailable(Box::new(e)))
    }

    /// Sends a new verification message to a user whose email is not verified yet (the link of
    /// the first one expired, or it never arrived). `Ok(false)`: the email is already verified.
    ///
    /// # Errors
    /// `Unavailable` when the message cannot be sent, storage errors.
    pub async fn resend_verification(&self, user: &User) -> Result<bool, AccountError> {
        if user.email_verified_at.is_some() {
            return Ok(false);
        }
        self.send_verification(user).await?;
        Ok(true)
    }

    fn new_user(
        &self,
        email: Email,
        name: Option<UserName>,
        organization_id: OrganizationId,
        signup_flow: SignupFlow,
        email_verified_at: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<User, AccountError> {
        Ok(User {
            id: self
                .ids
                .cuid()
                .parse()
                .map_err(|e| AccountError::Unexpected(Box::new(e)))?,
            organization_id,
            email,
            name,
            signup_flow,
            email_verified_at,
            subscription_status: SubscriptionStatus::None,
            plan_expires_at: None,
            created_at: now,
            updated_at: now,
        })
    }

    // ---------------------------------------------------------------- administration

    /// On a database without organizations: creates the operator's own (`Default`, enterprise)
    /// and its first API key. `None` when there already is one.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn bootstrap(&self) -> Result<Option<Bootstrap>, AccountError> {
        if self.store.any_organization().await? {
            return Ok(None);
        }
        let organization = self
            .create_organization("Default", Plan::Enterprise)
            .await?;
        let (key, secret) = self
            .create_api_key(organization.id, "Bootstrap key", Environment::Production)
            .await?;
        Ok(Some(Bootstrap {
            organization,
            key,
            secret,
        }))
    }

    /// # Errors
    /// `Validation` (name), storage errors.
    pub async fn create_organization(
        &self,
        name: &str,
        plan: Plan,
    ) -> Result<Organization, AccountError> {
        let name =
            OrganizationName::parse(name).map_err(clientele_domain::ValidationErrors::single)?;
        let org = Organization {
            id: OrganizationId::from_uuid(self.ids.uuid()),
            name,
            plan,
            created_at: self.clock.now(),
        };
        self.store.create_organization(&org).await?;
        Ok(org)
    }

    /// # Errors
    /// Storage errors.
    pub async fn list_organizations(&self) -> Result<Vec<Organization>, AccountError> {
        Ok(self.store.list_organizations().await?)
    }

    /// # Errors
    /// `NotFound`, storage errors.
    pub async fn set_plan(
        &self,
        id: OrganizationId,
        plan: Plan,
    ) -> Result<Organization, AccountError> {
        Ok(self.store.set_plan(id, plan).await?)
    }

    /// Creates an API key; the secret is returned once and only its hash is stored.
    ///
    /// # Errors
    /// `NotFound` (organization), `Validation` (name), storage errors.
    pub async fn create_api_key(
        &self,
        org: OrganizationId,
        name: &str,
        environment: Environment,
    ) -> Result<(ApiKey, Secret), AccountError> {
        let name = ApiKeyName::parse(name).map_err(clientele_domain::ValidationErrors::single)?;
        self.store.get_organization(org).await?;
        let secret = self.ids.api_key();
        let key = ApiKey {
            id: ApiKeyId::from_uuid(self.ids.uuid()),
            organization_id: org,
            name,
            environment,
            prefix: api_key_display_prefix(secret.expose()),
            created_at: self.clock.now(),
            last_used_at: None,
            revoked_at: None,
        };
        self.store.create_api_key(&key, &secret.hash()).await?;
        Ok((key, secret))
    }

    /// # Errors
    /// `NotFound` (organization), storage errors.
    pub async fn list_api_keys(&self, org: OrganizationId) -> Result<Vec<ApiKey>, AccountError> {
        self.store.get_organization(org).await?;
        Ok(self.store.list_api_keys(org).await?)
    }

    /// # Errors
    /// `NotFound`, storage errors.
    pub async fn revoke_api_key(&self, id: ApiKeyId) -> Result<ApiKey, AccountError> {
        Ok(self.store.revoke_api_key(id, self.clock.now()).await?)
    }

    /// Creates a user (operator), in `organization` or in a new one on the free plan.
    ///
    /// # Errors
    /// `Validation`, `EmailTaken`, `NotFound` (organization), storage errors.
    pub async fn create_user(&self, new: NewUser) -> Result<Account, AccountError> {
        let (email, password, name) = parse_account(SignUpInput::new(
            &new.email,
            &new.password,
            new.name.as_deref(),
        ))?;
        let now = self.clock.now();
        let (org, created) = match new.organization {
            Some(id) => (self.store.get_organization(id).await?, false),
            None => {
                let label = name.as_ref().map_or(email.as_str(), UserName::as_str);
                let org = Organization {
                    id: OrganizationId::from_uuid(self.ids.uuid()),
                    name: OrganizationName::parse(label)
                        .unwrap_or_else(|_| OrganizationName::from_trusted("Personal".to_owned())),
                    plan: Plan::Free,
                    created_at: now,
                };
                (org, true)
            }
        };
        let verified_at = new.verified.then_some(now);
        let user = self.new_user(email, name, org.id, new.signup_flow, verified_at, now)?;
        let hash = self.hasher.hash(password.expose()).await?;
        self.store
            .create_user(&user, &hash, created.then_some(&org))
            .await?;
        let plan = user.effective_plan(org.plan, now);
        Ok(Account { user, plan })
    }

    /// Applies operator changes to the user with `email`.
    ///
    /// # Errors
    /// `Validation` (email), `NotFound`, storage errors.
    pub async fn update_user(
        &self,
        email: &str,
        update: UserUpdate,
    ) -> Result<Account, AccountError> {
        let email = Email::parse(Field::Email, email)
            .map_err(clientele_domain::ValidationErrors::single)?;
        let mut user = self
            .store
            .find_credentials(&email)
            .await?
            .ok_or(AccountError::NotFound)?
            .user;
        let now = self.clock.now();
        if let Some(verified) = update.verified {
            user.email_verified_at = if verified {
                user.email_verified_at.or(Some(now))
            } else {
                None
            };
        }
        if let Some(flow) = update.signup_flow {
            user.signup_flow = flow;
        }
        if let Some(status) = update.subscription_status {
            user.subscription_status = status;
        }
        if let Some(expires) = update.plan_expires_at {
            user.plan_expires_at = expires;
        }
        user.updated_at = now;
        self.store.update_user(&user).await?;
        self.account(user).await
    }

    /// Looks up a user by id.
    ///
    /// # Errors
    /// `NotFound`, storage errors.
    pub async fn get_user(&self, id: &UserId) -> Result<User, AccountError> {
        Ok(self.store.get_user(id).await?)
    }

    /// Deletes what has expired: `Idempotency-Key` records, sessions, verification tokens.
    /// (They are refused once expired whether purged or not; this only reclaims the space.)
    ///
    /// # Errors
    /// Storage errors.
    pub async fn purge_expired(&self) -> Result<Purged, crate::error::RepoError> {
        let now = self.clock.now();
        Ok(Purged {
            idempotency: self.store.purge_idempotent(now).await?,
            sessions: self.store.purge_sessions(now).await?,
            verifications: self.store.purge_verifications(now).await?,
        })
    }

    /// Whether the database answers.
    ///
    /// # Errors
    /// `Unavailable`.
    pub async fn ping(&self) -> Result<(), crate::error::RepoError> {
        self.store.ping().await
    }
}

/// `outer: inner: ...`, for a log line.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// Parses sign-up fields, reporting every failed rule: email and password are required strings,
/// the name an optional one.
fn parse_account(
    input: SignUpInput,
) -> Result<(Email, Password, Option<UserName>), clientele_domain::ValidationErrors> {
    let mut c = Collector::new();
    let email = required_text(&mut c, Field::Email, input.email)
        .and_then(|s| c.take(Email::parse(Field::Email, &s)));
    let password = required_text(&mut c, Field::Password, input.password)
        .and_then(|s| c.take(Password::parse(&s)));
    let name = match input.name {
        Input::Missing | Input::Null => Some(None),
        Input::Text(n) if n.trim().is_empty() => Some(None),
        Input::Text(n) => c.take(UserName::parse(&n)).map(Some),
        Input::Other(received) => {
            c.push(Issue::invalid_type(
                Field::UserName,
                Expected::String,
                received,
            ));
            None
        }
    };
    c.check()?;
    match (email, password, name) {
        (Some(e), Some(p), Some(n)) => Ok((e, p, n)),
        // Unreachable: a missing value recorded an issue, so `check` returned it.
        _ => Err(clientele_domain::ValidationErrors::single(
            Issue::invalid_type(Field::Email, Expected::String, Received::Undefined),
        )),
    }
}

/// A required string field, or an `invalid_type` issue.
fn required_text(c: &mut Collector, field: Field, input: Input) -> Option<String> {
    match input {
        Input::Text(s) => Some(s),
        other => {
            c.push(Issue::invalid_type(
                field,
                Expected::String,
                other.received(),
            ));
            None
        }
    }
}
