//! The account use cases: users and their credentials, sessions, email verification, API keys,
//! and the operator's bootstrap.

use std::sync::Arc;

use clientele_domain::{
    ApiKey, ApiKeyId, ApiKeyName, Client, ClientId, Email, Environment, Field, Organization,
    OrganizationId, OrganizationName, Password, Plan, SignupFlow, SubscriptionStatus, User,
    UserName, ValidationErrors,
};
use time::{Duration, OffsetDateTime};

use super::{Caller, Config, OrganizationService};
use crate::error::{AccountError, RepoError, error_chain};
use crate::infra::{Clock, IdGenerator, Mailer, Message, PasswordHasher};
use crate::repos::{
    ApiKeyStore, OrganizationRepository, SessionRecord, SessionStore, UserRepository,
    VerificationRecord,
};
use crate::secrets::{Secret, SecretHash, api_key_display_prefix, looks_like_api_key};
use clientele_domain::account::{NewAccount, NewApiKey};

/// A user with the plan that applies to them.
#[derive(Debug, Clone)]
pub struct Account {
    /// The user.
    pub user: User,
    /// The plan whose limit applies to the user's creates: their organization's, or the free
    /// plan once a trial has expired without an active subscription.
    pub plan: Plan,
}

/// A new session's token (for the cookie) and expiry.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The session token, shown once (only its hash is stored); its `Debug` hides it.
    pub token: Secret,
    /// When the session expires.
    pub expires_at: OffsetDateTime,
}

/// A user to create from the command line ([`AccountService::create_user`]), as plain text: the
/// use case parses it. Its `Debug` hides the password.
#[derive(Clone)]
pub struct NewUser {
    /// The email, unique among users (compared case-insensitively).
    pub email: String,
    /// The password, checked against the domain's rules, then only its hash is stored.
    pub password: String,
    /// The user's name, if any.
    pub name: Option<String>,
    /// The organization to join; `None` creates the user's own on the free plan, named after
    /// them (or their email).
    pub organization: Option<OrganizationId>,
    /// Whether the email counts as verified from now on.
    pub verified: bool,
    /// How the user signed up (free, or a paid trial).
    pub signup_flow: SignupFlow,
}

impl std::fmt::Debug for NewUser {
    /// The password is never shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("email", &self.email)
            .field("password", &"***")
            .field("name", &self.name)
            .field("organization", &self.organization)
            .field("verified", &self.verified)
            .field("signup_flow", &self.signup_flow)
            .finish()
    }
}

/// Operator changes to a user ([`AccountService::update_user`]); `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    /// `Some(true)` marks the email verified (keeping an earlier verification time),
    /// `Some(false)` unverified.
    pub verified: Option<bool>,
    /// The new sign-up flow.
    pub signup_flow: Option<SignupFlow>,
    /// The new subscription status.
    pub subscription_status: Option<SubscriptionStatus>,
    /// The new end of the trial: `Some(None)` removes it, `Some(Some(t))` sets it.
    pub plan_expires_at: Option<Option<OffsetDateTime>>,
}

/// Permission to create one API key, decided by [`AccountService::authorize_api_key`].
#[derive(Debug)]
pub struct KeyGrant {
    organization_id: OrganizationId,
}

/// The bootstrap's result: the operator's organization and its first key, shown once.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    /// The operator's organization, `Default`, on the enterprise plan.
    pub organization: Organization,
    /// Its first API key, `Bootstrap key`, for production.
    pub key: ApiKey,
    /// The key's secret: shown once, only its hash is stored; its `Debug` hides it.
    pub secret: Secret,
}

/// Users, sessions, email verification and API keys, over the account stores, with the password
/// hasher and the mailer.
///
/// Passwords reach only the [`PasswordHasher`]; tokens and keys are made by the
/// [`IdGenerator`], handed out once, and stored as their SHA-256 ([`SecretHash`]).
pub struct AccountService<S> {
    store: S,
    organizations: OrganizationService<S>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
    hasher: Arc<dyn PasswordHasher>,
    mailer: Arc<dyn Mailer>,
    session_ttl: Duration,
    verification_ttl: Duration,
    key_touch_interval: Duration,
    verification_url: Option<String>,
}

impl<S> std::fmt::Debug for AccountService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountService")
            .field("session_ttl", &self.session_ttl)
            .field("verification_ttl", &self.verification_ttl)
            .finish_non_exhaustive()
    }
}

impl<S> AccountService<S>
where
    S: OrganizationRepository + UserRepository + SessionStore + ApiKeyStore,
{
    /// Account use cases; `organizations` creates the organization of a sign-up.
    pub fn new(
        store: S,
        organizations: OrganizationService<S>,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGenerator>,
        hasher: Arc<dyn PasswordHasher>,
        mailer: Arc<dyn Mailer>,
        config: &Config,
    ) -> Self {
        Self {
            store,
            organizations,
            clock,
            ids,
            hasher,
            mailer,
            session_ttl: config.session_ttl,
            verification_ttl: config.verification_ttl,
            key_touch_interval: config.key_touch_interval,
            verification_url: config.verification_url.clone(),
        }
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
        let key = self.store.find_api_key(&SecretHash::of(presented)).await?;
        self.admit_api_key(key).await
    }

    /// The caller of a key found by its hash, unless it is unknown or revoked; records its use
    /// at most once per `key_touch_interval`.
    async fn admit_api_key(&self, key: Option<ApiKey>) -> Result<Caller, AccountError> {
        let key = key
            .filter(|k| k.revoked_at.is_none())
            .ok_or(AccountError::Unauthorized)?;
        let now = self.clock.now();
        let stale = key
            .last_used_at
            .is_none_or(|at| now - at >= self.key_touch_interval);
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
    pub async fn sign_up(&self, new: NewAccount) -> Result<(Account, NewSession), AccountError> {
        let NewAccount {
            email,
            password,
            name,
        } = new;
        let now = self.clock.now();
        let organization = self.personal_organization(&email, name.as_ref());
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
            Err(RepoError::NotFound) => return Err(AccountError::InvalidToken),
            Err(e) => return Err(e.into()),
        };
        self.account(user).await
    }

    async fn open_session(&self, user: &User) -> Result<NewSession, AccountError> {
        let token = self.ids.token();
        let now = self.clock.now();
        let expires_at = now + self.session_ttl;
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
                expires_at: self.clock.now() + self.verification_ttl,
            })
            .await?;
        let how = match &self.verification_url {
            Some(page) => format!(
                "opening this link within 24 hours:\r\n\r\n{page}?token={}",
                token.expose()
            ),
            None => format!(
                "entering this code within 24 hours:\r\n\r\n{}",
                token.expose()
            ),
        };
        let message = Message {
            to: user.email.clone(),
            subject: "Verify your email address".to_owned(),
            text: format!(
                "Welcome to Clientele.\r\n\r\nPlease confirm your email address by {how}\r\n\r\n\
                 If you did not sign up, ignore this message.\r\n"
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

    /// The organization of a user who signs up on their own: named after them (or their email),
    /// on the free plan. Not stored yet: it is stored with the user, atomically.
    fn personal_organization(&self, email: &Email, name: Option<&UserName>) -> Organization {
        let label = name.map_or(email.as_str(), UserName::as_str);
        let name = OrganizationName::parse(label)
            .unwrap_or_else(|_| OrganizationName::from_trusted("Personal".to_owned()));
        self.organizations.new_organization(name, Plan::Free)
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
        let name = ApiKeyName::parse(name).map_err(ValidationErrors::single)?;
        self.store.get_organization(org).await?;
        let (key, secret) = self.new_api_key(org, name, environment);
        self.store.create_api_key(&key, &secret.hash()).await?;
        Ok((key, secret))
    }

    /// A new key of `org` and its secret, not stored yet.
    fn new_api_key(
        &self,
        org: OrganizationId,
        name: ApiKeyName,
        environment: Environment,
    ) -> (ApiKey, Secret) {
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
        (key, secret)
    }

    /// The access gate of a key creation by a caller (the app API): a user must pass the same
    /// gate as for creating a client, so an unverified account cannot obtain a key and create
    /// clients through the management API. A surface asks before reading the body (403 before
    /// 400), as for clients.
    ///
    /// # Errors
    /// `VerificationRequired`.
    pub fn authorize_api_key(&self, caller: &Caller) -> Result<KeyGrant, AccountError> {
        if let Some(user) = caller.user() {
            let now = self.clock.now();
            user.may_add_clients(now)?;
            if user.plan_cap(now).is_some() {
                return Err(AccountError::TrialEnded);
            }
        }
        Ok(KeyGrant {
            organization_id: caller.organization_id(),
        })
    }

    /// Creates the key a grant allows; the secret is returned once.
    ///
    /// # Errors
    /// `Validation` (name), `NotFound` (organization), storage errors.
    pub async fn create_api_key_for(
        &self,
        grant: KeyGrant,
        new: &NewApiKey,
    ) -> Result<(ApiKey, Secret), AccountError> {
        self.create_api_key(grant.organization_id, new.name.as_str(), new.environment)
            .await
    }

    /// Revokes a key of `org` (`NotFound` for another organization's key, which is not revealed).
    ///
    /// # Errors
    /// `NotFound`, storage errors.
    pub async fn revoke_api_key_of(
        &self,
        org: OrganizationId,
        id: ApiKeyId,
    ) -> Result<ApiKey, AccountError> {
        let keys = self.store.list_api_keys(org).await?;
        if !keys.iter().any(|k| k.id == id) {
            return Err(AccountError::NotFound);
        }
        self.revoke_api_key(id).await
    }

    /// The organization's keys, revoked ones included, oldest first.
    ///
    /// # Errors
    /// `NotFound` (organization), storage errors.
    pub async fn list_api_keys(&self, org: OrganizationId) -> Result<Vec<ApiKey>, AccountError> {
        self.store.get_organization(org).await?;
        Ok(self.store.list_api_keys(org).await?)
    }

    /// Revokes the key `id`, whatever its organization (the operator's command); revoking it
    /// again keeps the first revocation time. [`Self::revoke_api_key_of`] is the one for a caller.
    ///
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
        let NewAccount {
            email,
            password,
            name,
        } = NewAccount::from_text(&new.email, &new.password, new.name.as_deref())?;
        let now = self.clock.now();
        let (org, created) = match new.organization {
            Some(id) => (self.store.get_organization(id).await?, false),
            None => (self.personal_organization(&email, name.as_ref()), true),
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
        let email = Email::parse(Field::Email, email).map_err(ValidationErrors::single)?;
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
}

impl<S: crate::repos::Store> AccountService<S> {
    /// [`Self::resolve_api_key`], and the client `id` of the key's organization read in the same
    /// step (one database round trip on a shared store): `None` when the organization has no such
    /// client. Nothing of the client is shown to a refused key.
    ///
    /// # Errors
    /// `Unauthorized`, storage errors.
    pub async fn resolve_api_key_reading(
        &self,
        presented: &str,
        id: &ClientId,
    ) -> Result<(Caller, Option<Client>), AccountError> {
        if !looks_like_api_key(presented) {
            return Err(AccountError::Unauthorized);
        }
        let found = self
            .store
            .find_api_key_and_client(&SecretHash::of(presented), id)
            .await?;
        let (key, client) = found.map_or((None, None), |(k, c)| (Some(k), c));
        let caller = self.admit_api_key(key).await?;
        Ok((caller, client))
    }

    /// On a database without organizations: creates the operator's own (`Default`, enterprise)
    /// and its first API key. `None` when there already is one.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn bootstrap(&self) -> Result<Option<Bootstrap>, AccountError> {
        if self.store.any_organization().await? {
            return Ok(None);
        }
        let name = OrganizationName::parse("Default").map_err(ValidationErrors::single)?;
        let organization = self.organizations.new_organization(name, Plan::Enterprise);
        let (key, secret) = self.new_api_key(
            organization.id,
            ApiKeyName::parse("Bootstrap key").map_err(ValidationErrors::single)?,
            Environment::Production,
        );
        // Under the store's lock: of several instances starting at once, one creates it.
        if !self
            .store
            .bootstrap(&organization, &key, &secret.hash())
            .await?
        {
            return Ok(None);
        }
        Ok(Some(Bootstrap {
            organization,
            key,
            secret,
        }))
    }
}
