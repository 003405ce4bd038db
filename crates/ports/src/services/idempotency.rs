//! `Idempotency-Key` records: claim a key, then keep the response a surface produced for it.
//!
//! The records hold what the surface answered (a status and a body, opaque here): replaying a
//! first response means answering the same bytes, which only the surface can produce. So the
//! surface drives: it claims the key here, runs the use case, renders the outcome, and keeps it
//! here (docs/decisions/0007-idempotency-in-the-surface.md). Calls go one way: surface → ports.

use std::sync::Arc;

use clientele_domain::OrganizationId;
use time::Duration;

use super::Config;
use crate::error::RepoError;
use crate::infra::Clock;
use crate::repos::{Begin, IdempotencyClaim, IdempotencyFence, IdempotencyStore, StoredResponse};

/// `Idempotency-Key` records per organization, over an [`IdempotencyStore`].
pub struct IdempotencyService<S> {
    store: S,
    clock: Arc<dyn Clock>,
    ttl: Duration,
    stale_after: Duration,
}

impl<S> std::fmt::Debug for IdempotencyService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdempotencyService")
            .field("ttl", &self.ttl)
            .field("stale_after", &self.stale_after)
            .finish_non_exhaustive()
    }
}

impl<S: IdempotencyStore> IdempotencyService<S> {
    /// Records kept `config.idempotency_ttl`; claims abandoned after `idempotency_stale_after`.
    pub fn new(store: S, clock: Arc<dyn Clock>, config: &Config) -> Self {
        Self {
            store,
            clock,
            ttl: config.idempotency_ttl,
            stale_after: config.idempotency_stale_after,
        }
    }

    /// Claims `key` for a request whose canonical form hashes to `fingerprint`, or says why not:
    /// a completed request with the same fingerprint is replayed, another fingerprint is a
    /// mismatch, a claim still running is in progress. With `Begin::Started`, the fence is what
    /// [`ClientService::create_idempotent`](crate::ClientService::create_idempotent) takes.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn begin(
        &self,
        org: OrganizationId,
        key: &str,
        fingerprint: &str,
    ) -> Result<(Begin, IdempotencyFence), RepoError> {
        let now = self.clock.now();
        let begun = self
            .store
            .begin_idempotent(&IdempotencyClaim {
                organization_id: org,
                key,
                fingerprint,
                now,
                ttl: self.ttl,
                stale_after: self.stale_after,
            })
            .await?;
        let fence = IdempotencyFence {
            organization_id: org,
            key: key.to_owned(),
            claimed_at: now,
        };
        Ok((begun, fence))
    }

    /// Keeps the response of a claimed key, to be replayed. (Failing to keep it is logged, not
    /// returned: the request's own outcome stands, and the claim expires by itself.)
    pub async fn complete(&self, fence: &IdempotencyFence, response: &StoredResponse) {
        if let Err(e) = self.store.complete_idempotent(fence, response).await {
            tracing::warn!(error = %e, "could not record the idempotent response");
        }
    }

    /// Gives up a claim whose request failed transiently, so that a retry runs it again.
    pub async fn release(&self, fence: &IdempotencyFence) {
        if let Err(e) = self.store.release_idempotent(fence).await {
            tracing::warn!(error = %e, "could not release the idempotency claim");
        }
    }
}
