//! The client use cases: the app API's access gate, then one atomic repository call that applies
//! the plan limit and the name's uniqueness.

use std::sync::Arc;

use clientele_domain::{
    Client, ClientId, ClientPatch, ClientQuery, NewClient, OrganizationId, Plan, PlanLimits, Usage,
    UserId,
};

use super::Caller;
use crate::error::ClientError;
use crate::infra::{Clock, IdGenerator, RandomIds, SystemClock};
use crate::repos::{
    ClientPage, ClientRecord, ClientRepository, IdempotencyFence, LimitRule, RenderResponse, Store,
};

/// The clients of an organization, over a [`ClientRepository`].
///
/// Every call acts within the [`Caller`]'s organization: another organization's client is
/// `NotFound`. Creates apply the access gate (for users), then the plan limit and the name's
/// uniqueness in one atomic repository call, so concurrent creates never exceed the limit. The
/// service needs no hasher and no mailer; see the crate's front page for an example.
pub struct ClientService<R> {
    repo: R,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
    limits: PlanLimits,
}

impl<R: Clone> Clone for ClientService<R> {
    fn clone(&self) -> Self {
        Self {
            repo: self.repo.clone(),
            clock: self.clock.clone(),
            ids: self.ids.clone(),
            limits: self.limits,
        }
    }
}

impl<R> std::fmt::Debug for ClientService<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientService")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// Permission to create one client, decided by [`ClientService::authorize_create`]: the access
/// gate passed, and the id, creator and plan cap of the new client are fixed. A surface that must
/// answer the gate before reading the body (the app API: 403 before 400) asks for it first.
#[derive(Debug)]
pub struct CreateGrant {
    organization_id: OrganizationId,
    id: ClientId,
    created_by: Option<UserId>,
    cap: Option<Plan>,
}

impl<R: ClientRepository> ClientService<R> {
    /// Client use cases over `repo` with the system clock, random ids and the default plan limits.
    pub fn new(repo: R) -> Self {
        Self::with(
            repo,
            Arc::new(SystemClock),
            Arc::new(RandomIds),
            PlanLimits::default(),
        )
    }

    /// Client use cases with every collaborator given.
    pub fn with(
        repo: R,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGenerator>,
        limits: PlanLimits,
    ) -> Self {
        Self {
            repo,
            clock,
            ids,
            limits,
        }
    }

    /// The access gate of a create (app users must pass `User::may_add_clients`), and the new
    /// client's id: UUIDv7 for API keys and programs, CUID2 for users.
    ///
    /// # Errors
    /// `VerificationRequired`, `Unexpected` (an id that does not parse).
    pub fn authorize_create(&self, caller: &Caller) -> Result<CreateGrant, ClientError> {
        let (id, created_by, cap) = match caller {
            Caller::ApiKey(_) | Caller::Organization(_) => {
                (ClientId::from_uuid(self.ids.uuid()), None, None)
            }
            Caller::User(user) => {
                let now = self.clock.now();
                user.may_add_clients(now)?;
                let id = self
                    .ids
                    .cuid()
                    .parse()
                    .map_err(|e| ClientError::Unexpected(Box::new(e)))?;
                (id, Some(user.id.clone()), user.plan_cap(now))
            }
        };
        Ok(CreateGrant {
            organization_id: caller.organization_id(),
            id,
            created_by,
            cap,
        })
    }

    /// Creates the client a grant allows, in one atomic insert that applies the plan limit and
    /// the name's uniqueness.
    ///
    /// # Errors
    /// `LimitReached`, `NameTaken`, `NotFound` (the organization), `Unavailable`, `Unexpected`.
    pub async fn create(
        &self,
        grant: CreateGrant,
        client: NewClient,
    ) -> Result<Client, ClientError> {
        let (record, rule) = self.record(grant, client);
        Ok(self.repo.create_client(record, rule).await?)
    }

    /// The record and limit rule of a granted create.
    fn record(&self, grant: CreateGrant, client: NewClient) -> (ClientRecord, LimitRule) {
        let record = ClientRecord {
            id: grant.id,
            organization_id: grant.organization_id,
            created_by: grant.created_by,
            client,
            created_at: self.clock.now(),
        };
        let rule = LimitRule {
            limits: self.limits,
            cap: grant.cap,
        };
        (record, rule)
    }

    /// [`Self::authorize_create`], then [`Self::create`].
    ///
    /// # Errors
    /// `VerificationRequired`, `LimitReached`, `NameTaken`, `NotFound` (the organization),
    /// `Unavailable`, `Unexpected`.
    pub async fn create_client(
        &self,
        caller: &Caller,
        client: NewClient,
    ) -> Result<Client, ClientError> {
        let grant = self.authorize_create(caller)?;
        self.create(grant, client).await
    }

    /// How much of its plan the caller's organization uses. The plan is the organization's, or
    /// for a user the one that applies to them (an expired trial counts as free).
    ///
    /// # Errors
    /// `NotFound` (the organization), storage errors.
    pub async fn usage(&self, caller: &Caller) -> Result<Usage, ClientError> {
        let (plan, used) = self.repo.plan_usage(caller.organization_id()).await?;
        let plan = match caller {
            Caller::User(user) => user.effective_plan(plan, self.clock.now()),
            Caller::ApiKey(_) | Caller::Organization(_) => plan,
        };
        Ok(self.limits.usage(plan, used))
    }

    /// The client `id` of the caller's organization.
    ///
    /// # Errors
    /// `NotFound` (also for another organization's client), storage errors.
    pub async fn get_client(&self, caller: &Caller, id: &ClientId) -> Result<Client, ClientError> {
        Ok(self.repo.get_client(caller.organization_id(), id).await?)
    }

    /// The page of the caller's clients that `query` asks for, newest first, and how many match
    /// in all ([`ClientRepository::list_clients`]).
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_clients(
        &self,
        caller: &Caller,
        query: &ClientQuery,
    ) -> Result<ClientPage, ClientError> {
        Ok(self
            .repo
            .list_clients(caller.organization_id(), query)
            .await?)
    }

    /// Applies a partial update and returns the client as stored. An empty one returns the
    /// client unchanged (`updated_at` included). The slug never changes.
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
            return Ok(self.repo.get_client(org, id).await?);
        }
        Ok(self
            .repo
            .update_client(org, id, patch, self.clock.now())
            .await?)
    }

    /// Deletes a client, freeing its place under the plan limit.
    ///
    /// # Errors
    /// `NotFound`, storage errors.
    pub async fn delete_client(&self, caller: &Caller, id: &ClientId) -> Result<(), ClientError> {
        Ok(self
            .repo
            .delete_client(caller.organization_id(), id)
            .await?)
    }
}

impl<S: Store> ClientService<S> {
    /// [`Self::create`] for a request holding the idempotency claim `fence`: the response
    /// `render` makes of the client is kept in the create's own transaction
    /// ([`Store::create_client_idempotent`]), so a crash never leaves a created client without
    /// its response, and a claim taken over cannot create a second client.
    ///
    /// # Errors
    /// As [`Self::create`]; `Unavailable` when the claim was taken over meanwhile.
    pub async fn create_idempotent(
        &self,
        grant: CreateGrant,
        client: NewClient,
        fence: &IdempotencyFence,
        render: RenderResponse,
    ) -> Result<Client, ClientError> {
        let (record, rule) = self.record(grant, client);
        Ok(self
            .repo
            .create_client_idempotent(record, rule, fence, render)
            .await?)
    }
}
