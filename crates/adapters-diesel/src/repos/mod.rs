//! The repository ports, implemented on [`DieselStore`](crate::DieselStore).

mod accounts;
mod clients;
mod idempotency;

mod rate_limit;

use async_trait::async_trait;
use clientele_domain::{ApiKey, Client, ClientId, Organization};
use clientele_ports::{
    ClientRecord, IdempotencyFence, LimitRule, Purged, RenderResponse, RepoError, SecretHash, Store,
};
use diesel::connection::SimpleConnection as _;
use diesel::prelude::*;
use time::OffsetDateTime;

use crate::connection::DbConn;
use crate::models::{NewApiKeyRow, NewOrganizationRow, to_db};
use crate::store::DieselStore;

pub use rate_limit::SharedRateLimiter;

/// The PostgreSQL advisory lock key of the bootstrap, held for its transaction (several instances
/// starting on one empty database create one organization). Visible in `pg_locks` as `objid`.
pub const BOOTSTRAP_LOCK: i64 = 0x636c_6965_6e75;
/// The PostgreSQL advisory lock key of the expiry purge, held for its transaction and taken
/// without waiting: one instance purges at a time, the others skip that round.
pub const PURGE_LOCK: i64 = 0x636c_6965_6e76;

/// Takes the transaction-level advisory lock `key` if it is free.
#[cfg(feature = "postgres")]
fn try_xact_lock(pg: &mut diesel::PgConnection, key: i64) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        locked: bool,
    }
    Ok(
        diesel::sql_query(format!("SELECT pg_try_advisory_xact_lock({key}) AS locked"))
            .get_result::<Locked>(pg)?
            .locked,
    )
}

#[async_trait]
impl Store for DieselStore {
    async fn ping(&self) -> Result<(), RepoError> {
        self.run(|c| Ok(c.batch_execute("SELECT 1")?)).await
    }

    /// One transaction; on PostgreSQL under a transaction-level advisory lock taken without
    /// waiting (`None` when another instance holds it), so one purge runs at a time. Also drops
    /// the shared rate limiter's windows that ended over a day ago.
    async fn purge_expired(&self, now: OffsetDateTime) -> Result<Option<Purged>, RepoError> {
        let now = to_db(now);
        self.run(move |c| {
            Ok(c.transaction(|c| {
                #[cfg(feature = "postgres")]
                if let DbConn::Pg(pg) = c {
                    if !try_xact_lock(pg, PURGE_LOCK)? {
                        return Ok(None);
                    }
                    diesel::sql_query(
                        "DELETE FROM rate_limit_windows WHERE window_start < now() - interval '1 day'",
                    )
                    .execute(pg)?;
                }
                Ok::<_, diesel::result::Error>(Some(Purged {
                    idempotency: idempotency::delete_expired(c, now)?,
                    sessions: accounts::delete_expired_sessions(c, now)?,
                    verifications: accounts::delete_expired_verifications(c, now)?,
                }))
            })?)
        })
        .await
    }

    /// The create's transaction keeps the response too, fenced by the claim's time.
    async fn create_client_idempotent(
        &self,
        record: ClientRecord,
        limit: LimitRule,
        fence: &IdempotencyFence,
        render: RenderResponse,
    ) -> Result<Client, RepoError> {
        let completion = clients::Completion {
            key: fence.key.clone(),
            claimed_at: to_db(fence.claimed_at),
            render,
        };
        self.run(move |c| clients::create(c, &record, limit, Some(&completion)))
            .await
    }

    /// One statement: the key by its hash, left-joined with the client of its organization.
    async fn find_api_key_and_client(
        &self,
        hash: &SecretHash,
        id: &ClientId,
    ) -> Result<Option<(ApiKey, Option<Client>)>, RepoError> {
        let (hash, id) = (hash.as_str().to_owned(), id.to_string());
        self.run(move |c| accounts::find_api_key_and_client(c, &hash, &id))
            .await
    }

    /// One transaction holding the database's lock: PostgreSQL's advisory lock, SQLite's write
    /// lock (`BEGIN IMMEDIATE`), so that the check and the inserts are one step.
    async fn bootstrap(
        &self,
        organization: &Organization,
        key: &ApiKey,
        hash: &SecretHash,
    ) -> Result<bool, RepoError> {
        let org = NewOrganizationRow::from(organization);
        let key = NewApiKeyRow::new(key, hash);
        self.run(move |c| {
            Ok(c.transaction(|c| {
                match c {
                    #[cfg(feature = "postgres")]
                    DbConn::Pg(pg) => {
                        diesel::sql_query(format!(
                            "SELECT pg_advisory_xact_lock({BOOTSTRAP_LOCK})"
                        ))
                        .execute(pg)?;
                    }
                    // A first statement that writes takes SQLite's write lock for the
                    // transaction (a read first could not be upgraded once another writer
                    // committed).
                    #[cfg(feature = "sqlite")]
                    DbConn::Sqlite(lite) => {
                        diesel::sql_query("UPDATE organizations SET name = name WHERE 0 = 1")
                            .execute(lite)?;
                    }
                }
                accounts::insert_first_organization(c, &org, &key)
            })?)
        })
        .await
    }
}
