//! `Idempotency-Key` records.

use async_trait::async_trait;
use clientele_ports::{
    Begin, IdempotencyClaim, IdempotencyFence, IdempotencyStore, RepoError, StoredResponse,
};
use diesel::prelude::*;
use time::OffsetDateTime;

use crate::connection::{DbConn, per_backend};
use crate::error::{Failure, corrupt};
use crate::models::to_db;
use crate::schema::idempotency_keys as k;
use crate::store::DieselStore;

/// Keeps `response` for the claim of `key` made at `claimed_at`, if the record still carries that
/// claim (the fencing token) and no response; `false` when it was taken over.
pub(crate) fn complete_fenced(
    c: &mut DbConn,
    org: &str,
    key: &str,
    claimed_at: time::PrimitiveDateTime,
    response: &StoredResponse,
) -> QueryResult<bool> {
    let stored = diesel::update(
        k::table
            .find((org, key))
            .filter(k::locked_at.eq(claimed_at))
            .filter(k::response_status.is_null()),
    )
    .set((
        k::response_status.eq(Some(i32::from(response.status))),
        k::response_body.eq(Some(response.body.clone())),
    ))
    .execute(c)?;
    Ok(stored == 1)
}

/// Deletes the records expired at `now`; returns how many.
pub(crate) fn delete_expired(c: &mut DbConn, now: time::PrimitiveDateTime) -> QueryResult<u64> {
    let n = diesel::delete(k::table.filter(k::expires_at.le(now))).execute(c)?;
    Ok(u64::try_from(n).unwrap_or(u64::MAX))
}

/// Claims the key, or reads why it cannot be claimed.
///
/// One upsert decides: a new key is inserted; an existing record is taken over only when it has
/// expired, or when it is an abandoned claim (no response `stale_after` after it was taken). Its first statement writes, so on SQLite it holds the write lock, and on PostgreSQL
/// the conflicting row stays locked for the read that follows.
fn begin(conn: &mut DbConn, claim: &Claim) -> Result<Begin, Failure> {
    // `DO UPDATE ... WHERE`: the upsert's filter, not `QueryDsl`'s.
    use diesel::query_dsl::methods::FilterDsl as _;
    let now = to_db(claim.now);
    let expires_at = to_db(claim.now + claim.ttl);
    let stale_before = to_db(claim.now - claim.stale_after);
    let org = claim.organization_id.as_str();
    let key = claim.key.as_str();
    let fingerprint = claim.fingerprint.as_str();
    conn.transaction(|c| {
        let claimed: Option<String> = per_backend!(c, |c| diesel::insert_into(k::table)
            .values((
                k::organization_id.eq(org),
                k::idempotency_key.eq(key),
                k::fingerprint.eq(fingerprint),
                k::locked_at.eq(now),
                k::expires_at.eq(expires_at),
            ))
            .on_conflict((k::organization_id, k::idempotency_key))
            .do_update()
            .set((
                k::fingerprint.eq(fingerprint),
                k::response_status.eq(None::<i32>),
                k::response_body.eq(None::<Vec<u8>>),
                k::locked_at.eq(now),
                k::expires_at.eq(expires_at),
            ))
            .filter(
                k::expires_at.le(now).or(k::response_status
                    .is_null()
                    .and(k::locked_at.le(stale_before))),
            )
            .returning(k::idempotency_key)
            .get_result(c)
            .optional())?;
        if claimed.is_some() {
            return Ok(Begin::Started);
        }
        let (stored_fingerprint, status, body): (String, Option<i32>, Option<Vec<u8>>) = k::table
            .find((org, key))
            .select((k::fingerprint, k::response_status, k::response_body))
            .get_result(c)?;
        if stored_fingerprint != fingerprint {
            return Ok(Begin::Mismatch);
        }
        match status {
            None => Ok(Begin::InProgress),
            Some(status) => Ok(Begin::Replay(StoredResponse {
                status: u16::try_from(status).map_err(|_| corrupt("response status", status))?,
                body: body.unwrap_or_default(),
            })),
        }
    })
}

/// An owned copy of a claim, for the blocking task.
struct Claim {
    organization_id: String,
    key: String,
    fingerprint: String,
    now: OffsetDateTime,
    ttl: time::Duration,
    stale_after: time::Duration,
}

#[async_trait]
impl IdempotencyStore for DieselStore {
    async fn begin_idempotent(&self, claim: &IdempotencyClaim<'_>) -> Result<Begin, RepoError> {
        let claim = Claim {
            organization_id: claim.organization_id.to_string(),
            key: claim.key.to_owned(),
            fingerprint: claim.fingerprint.to_owned(),
            now: claim.now,
            ttl: claim.ttl,
            stale_after: claim.stale_after,
        };
        self.run(move |c| begin(c, &claim)).await
    }

    async fn complete_idempotent(
        &self,
        fence: &IdempotencyFence,
        response: &StoredResponse,
    ) -> Result<(), RepoError> {
        let (org, key) = (fence.organization_id.to_string(), fence.key.clone());
        let claimed_at = to_db(fence.claimed_at);
        let response = response.clone();
        self.run(move |c| {
            if complete_fenced(c, &org, &key, claimed_at, &response)? {
                Ok(())
            } else {
                Err(RepoError::NotFound.into())
            }
        })
        .await
    }

    async fn release_idempotent(&self, fence: &IdempotencyFence) -> Result<(), RepoError> {
        let (org, key) = (fence.organization_id.to_string(), fence.key.clone());
        let claimed_at = to_db(fence.claimed_at);
        self.run(move |c| {
            diesel::delete(
                k::table
                    .find((&org, &key))
                    .filter(k::locked_at.eq(claimed_at))
                    .filter(k::response_status.is_null()),
            )
            .execute(c)?;
            Ok(())
        })
        .await
    }

    async fn purge_idempotent(&self, now: OffsetDateTime) -> Result<u64, RepoError> {
        let now = to_db(now);
        self.run(move |c| Ok(delete_expired(c, now)?)).await
    }
}
