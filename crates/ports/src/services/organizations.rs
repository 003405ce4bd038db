//! The organization use cases: tenants and their plans.

use std::sync::Arc;

use clientele_domain::{Organization, OrganizationId, OrganizationName, Plan, ValidationErrors};

use crate::error::AccountError;
use crate::infra::{Clock, IdGenerator, RandomIds, SystemClock};
use crate::repos::OrganizationRepository;

/// Organizations (tenants), over an [`OrganizationRepository`].
///
/// An organization is the unit of tenancy: its clients, users and API keys belong to it, and its
/// [`Plan`] sets how many clients it may hold. Errors are [`AccountError`]s.
pub struct OrganizationService<R> {
    repo: R,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
}

impl<R: Clone> Clone for OrganizationService<R> {
    fn clone(&self) -> Self {
        Self {
            repo: self.repo.clone(),
            clock: self.clock.clone(),
            ids: self.ids.clone(),
        }
    }
}

impl<R> std::fmt::Debug for OrganizationService<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrganizationService")
            .finish_non_exhaustive()
    }
}

impl<R: OrganizationRepository> OrganizationService<R> {
    /// Organization use cases over `repo` with the system clock and random ids.
    pub fn new(repo: R) -> Self {
        Self::with(repo, Arc::new(SystemClock), Arc::new(RandomIds))
    }

    /// Organization use cases with every collaborator given.
    pub fn with(repo: R, clock: Arc<dyn Clock>, ids: Arc<dyn IdGenerator>) -> Self {
        Self { repo, clock, ids }
    }

    /// Creates an organization named `name` (trimmed and checked as an
    /// [`OrganizationName`]) on `plan`, with a new id and the clock's time.
    ///
    /// # Errors
    /// `Validation` (name), storage errors.
    pub async fn create_organization(
        &self,
        name: &str,
        plan: Plan,
    ) -> Result<Organization, AccountError> {
        let name = OrganizationName::parse(name).map_err(ValidationErrors::single)?;
        let org = self.new_organization(name, plan);
        self.repo.create_organization(&org).await?;
        Ok(org)
    }

    /// A new organization's record, not stored yet (a sign-up stores it with its first user).
    pub(crate) fn new_organization(&self, name: OrganizationName, plan: Plan) -> Organization {
        Organization {
            id: OrganizationId::from_uuid(self.ids.uuid()),
            name,
            plan,
            created_at: self.clock.now(),
        }
    }

    /// The organization `id`.
    ///
    /// # Errors
    /// `NotFound`, storage errors.
    pub async fn get_organization(&self, id: OrganizationId) -> Result<Organization, AccountError> {
        Ok(self.repo.get_organization(id).await?)
    }

    /// All organizations, oldest first.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_organizations(&self) -> Result<Vec<Organization>, AccountError> {
        Ok(self.repo.list_organizations().await?)
    }

    /// Moves the organization to `plan` and returns it. The new plan's limit applies to the next
    /// creates; clients already held are kept.
    ///
    /// # Errors
    /// `NotFound`, storage errors.
    pub async fn set_plan(
        &self,
        id: OrganizationId,
        plan: Plan,
    ) -> Result<Organization, AccountError> {
        Ok(self.repo.set_plan(id, plan).await?)
    }

    /// Whether there is at least one organization.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn any_organization(&self) -> Result<bool, AccountError> {
        Ok(self.repo.any_organization().await?)
    }
}
