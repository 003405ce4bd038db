//! Organizations, users and their verification tokens, sessions, API keys.

use async_trait::async_trait;
use clientele_domain::{ApiKey, ApiKeyId, Client, Email, Organization, OrganizationId, Plan, User};
use clientele_ports::{
    ApiKeyStore, Credentials, OrganizationRepository, RepoError, SecretHash, SessionRecord,
    SessionStore, UserRepository, VerificationRecord,
};
use diesel::prelude::*;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::connection::DbConn;
use crate::error::Failure;
use crate::models::{
    ApiKeyRow, ClientRow, NewApiKeyRow, NewOrganizationRow, NewUserRow, OrganizationRow,
    UserChanges, UserRow, from_db, to_db,
};
use crate::schema::{api_keys, clients, organizations, sessions, users, verification_tokens};
use crate::store::DieselStore;

/// Deletes the verification tokens expired at `now`; returns how many.
pub(crate) fn delete_expired_verifications(
    c: &mut DbConn,
    now: PrimitiveDateTime,
) -> QueryResult<u64> {
    let n =
        diesel::delete(verification_tokens::table.filter(verification_tokens::expires_at.le(now)))
            .execute(c)?;
    Ok(u64::try_from(n).unwrap_or(u64::MAX))
}

/// Deletes the sessions expired at `now`; returns how many.
pub(crate) fn delete_expired_sessions(c: &mut DbConn, now: PrimitiveDateTime) -> QueryResult<u64> {
    let n = diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(c)?;
    Ok(u64::try_from(n).unwrap_or(u64::MAX))
}

/// Inserts the bootstrap organization and key unless an organization exists; in the caller's
/// transaction, which holds the lock that makes the check and the inserts one step.
pub(crate) fn insert_first_organization(
    c: &mut DbConn,
    org: &NewOrganizationRow,
    key: &NewApiKeyRow,
) -> QueryResult<bool> {
    let any = organizations::table
        .select(organizations::id)
        .first::<String>(c)
        .optional()?
        .is_some();
    if any {
        return Ok(false);
    }
    diesel::insert_into(organizations::table)
        .values(org)
        .execute(c)?;
    diesel::insert_into(api_keys::table)
        .values(key)
        .execute(c)?;
    Ok(true)
}

/// Fails with `NotFound` when a statement touched no row.
fn found(rows: usize) -> Result<(), Failure> {
    if rows == 0 {
        Err(RepoError::NotFound.into())
    } else {
        Ok(())
    }
}

#[async_trait]
impl OrganizationRepository for DieselStore {
    async fn create_organization(&self, org: &Organization) -> Result<(), RepoError> {
        let row = NewOrganizationRow::from(org);
        self.run(move |c| {
            diesel::insert_into(organizations::table)
                .values(&row)
                .execute(c)?;
            Ok(())
        })
        .await
    }

    async fn get_organization(&self, id: OrganizationId) -> Result<Organization, RepoError> {
        let id = id.to_string();
        self.run(move |c| {
            organizations::table
                .find(&id)
                .get_result::<OrganizationRow>(c)?
                .into_domain()
        })
        .await
    }

    async fn list_organizations(&self) -> Result<Vec<Organization>, RepoError> {
        self.run(|c| {
            organizations::table
                .order((organizations::created_at.asc(), organizations::id.asc()))
                .load::<OrganizationRow>(c)?
                .into_iter()
                .map(OrganizationRow::into_domain)
                .collect()
        })
        .await
    }

    async fn set_plan(&self, id: OrganizationId, plan: Plan) -> Result<Organization, RepoError> {
        let id = id.to_string();
        self.run(move |c| {
            c.transaction(|c| {
                super::clients::lock_for_plan_change(c, &id)?;
                diesel::update(organizations::table.find(&id))
                    .set(organizations::plan.eq(plan.as_str()))
                    .returning(organizations::all_columns)
                    .get_result::<OrganizationRow>(c)?
                    .into_domain()
            })
        })
        .await
    }

    async fn any_organization(&self) -> Result<bool, RepoError> {
        self.run(|c| {
            Ok(organizations::table
                .select(organizations::id)
                .first::<String>(c)
                .optional()?
                .is_some())
        })
        .await
    }
}

#[async_trait]
impl UserRepository for DieselStore {
    async fn create_user(
        &self,
        user: &User,
        password_hash: &str,
        new_organization: Option<&Organization>,
    ) -> Result<(), RepoError> {
        let row = NewUserRow::new(user, password_hash);
        let org = new_organization.map(NewOrganizationRow::from);
        self.run(move |c| {
            c.transaction(|c| {
                if let Some(org) = &org {
                    diesel::insert_into(organizations::table)
                        .values(org)
                        .execute(c)?;
                }
                // EmailTaken here rolls the new organization back.
                diesel::insert_into(users::table).values(&row).execute(c)?;
                Ok(())
            })
        })
        .await
    }

    async fn find_credentials(&self, email: &Email) -> Result<Option<Credentials>, RepoError> {
        let key = email.key();
        self.run(move |c| {
            users::table
                .filter(users::email_key.eq(&key))
                .get_result::<UserRow>(c)
                .optional()?
                .map(|row| {
                    let (user, password_hash) = row.into_domain()?;
                    Ok(Credentials {
                        user,
                        password_hash,
                    })
                })
                .transpose()
        })
        .await
    }

    async fn update_user(&self, user: &User) -> Result<(), RepoError> {
        let id = user.id.to_string();
        let changes = UserChanges::from(user);
        self.run(move |c| {
            found(
                diesel::update(users::table.find(&id))
                    .set(&changes)
                    .execute(c)?,
            )
        })
        .await
    }

    async fn add_verification(&self, record: &VerificationRecord) -> Result<(), RepoError> {
        let values = (
            verification_tokens::token_hash.eq(record.token_hash.as_str().to_owned()),
            verification_tokens::user_id.eq(record.user_id.to_string()),
            verification_tokens::expires_at.eq(to_db(record.expires_at)),
        );
        self.run(move |c| {
            diesel::insert_into(verification_tokens::table)
                .values(values)
                .execute(c)?;
            Ok(())
        })
        .await
    }

    async fn consume_verification(
        &self,
        token_hash: &SecretHash,
        now: OffsetDateTime,
    ) -> Result<User, RepoError> {
        let hash = token_hash.as_str().to_owned();
        let now = to_db(now);
        self.run(move |c| {
            c.transaction(|c| {
                // Deleting first makes the token single-use even under concurrent attempts.
                let user_id: String = diesel::delete(
                    verification_tokens::table
                        .filter(verification_tokens::token_hash.eq(&hash))
                        .filter(verification_tokens::expires_at.gt(now)),
                )
                .returning(verification_tokens::user_id)
                .get_result(c)?;
                diesel::update(
                    users::table
                        .find(&user_id)
                        .filter(users::email_verified_at.is_null()),
                )
                .set((
                    users::email_verified_at.eq(Some(now)),
                    users::updated_at.eq(now),
                ))
                .execute(c)?;
                users::table
                    .find(&user_id)
                    .get_result::<UserRow>(c)?
                    .into_user()
            })
        })
        .await
    }

    async fn purge_verifications(&self, now: OffsetDateTime) -> Result<u64, RepoError> {
        let now = to_db(now);
        self.run(move |c| Ok(delete_expired_verifications(c, now)?))
            .await
    }
}

#[async_trait]
impl SessionStore for DieselStore {
    async fn create_session(&self, session: &SessionRecord) -> Result<(), RepoError> {
        let values = (
            sessions::token_hash.eq(session.token_hash.as_str().to_owned()),
            sessions::organization_id.eq(session.organization_id.to_string()),
            sessions::user_id.eq(session.user_id.to_string()),
            sessions::created_at.eq(to_db(session.created_at)),
            sessions::expires_at.eq(to_db(session.expires_at)),
        );
        self.run(move |c| {
            diesel::insert_into(sessions::table)
                .values(values)
                .execute(c)?;
            Ok(())
        })
        .await
    }

    async fn resolve_session(
        &self,
        token_hash: &SecretHash,
        now: OffsetDateTime,
    ) -> Result<Option<(User, OffsetDateTime)>, RepoError> {
        let hash = token_hash.as_str().to_owned();
        let now = to_db(now);
        self.run(move |c| {
            sessions::table
                .inner_join(users::table)
                .filter(sessions::token_hash.eq(&hash))
                .filter(sessions::expires_at.gt(now))
                .select((users::all_columns, sessions::expires_at))
                .get_result::<(UserRow, PrimitiveDateTime)>(c)
                .optional()?
                .map(|(user, expires_at)| Ok((user.into_user()?, from_db(expires_at))))
                .transpose()
        })
        .await
    }

    async fn delete_session(&self, token_hash: &SecretHash) -> Result<(), RepoError> {
        let hash = token_hash.as_str().to_owned();
        self.run(move |c| {
            diesel::delete(sessions::table.find(&hash)).execute(c)?;
            Ok(())
        })
        .await
    }

    async fn purge_sessions(&self, now: OffsetDateTime) -> Result<u64, RepoError> {
        let now = to_db(now);
        self.run(move |c| Ok(delete_expired_sessions(c, now)?))
            .await
    }
}

/// The key with this hash and the client `id` of its organization, in one statement (a left
/// join on the client's primary key). A revoked key's client is not converted: it is not shown.
pub(super) fn find_api_key_and_client(
    conn: &mut DbConn,
    hash: &str,
    id: &str,
) -> Result<Option<(ApiKey, Option<Client>)>, Failure> {
    let found = api_keys::table
        .left_join(
            clients::table.on(clients::organization_id
                .eq(api_keys::organization_id)
                .and(clients::id.eq(id))),
        )
        .filter(api_keys::key_hash.eq(hash))
        .select((api_keys::all_columns, clients::all_columns.nullable()))
        .get_result::<(ApiKeyRow, Option<ClientRow>)>(conn)
        .optional()?;
    let Some((key, client)) = found else {
        return Ok(None);
    };
    let key = key.into_domain()?;
    let client = match client {
        Some(row) if key.revoked_at.is_none() => Some(row.into_domain()?),
        _ => None,
    };
    Ok(Some((key, client)))
}

#[async_trait]
impl ApiKeyStore for DieselStore {
    async fn create_api_key(&self, key: &ApiKey, hash: &SecretHash) -> Result<(), RepoError> {
        let row = NewApiKeyRow::new(key, hash);
        self.run(move |c| {
            diesel::insert_into(api_keys::table)
                .values(&row)
                .execute(c)?;
            Ok(())
        })
        .await
    }

    async fn find_api_key(&self, hash: &SecretHash) -> Result<Option<ApiKey>, RepoError> {
        let hash = hash.as_str().to_owned();
        self.run(move |c| {
            api_keys::table
                .filter(api_keys::key_hash.eq(&hash))
                .get_result::<ApiKeyRow>(c)
                .optional()?
                .map(ApiKeyRow::into_domain)
                .transpose()
        })
        .await
    }

    async fn list_api_keys(&self, org: OrganizationId) -> Result<Vec<ApiKey>, RepoError> {
        let org = org.to_string();
        self.run(move |c| {
            api_keys::table
                .filter(api_keys::organization_id.eq(&org))
                .order((api_keys::created_at.asc(), api_keys::id.asc()))
                .load::<ApiKeyRow>(c)?
                .into_iter()
                .map(ApiKeyRow::into_domain)
                .collect()
        })
        .await
    }

    async fn revoke_api_key(&self, id: ApiKeyId, now: OffsetDateTime) -> Result<ApiKey, RepoError> {
        let id = id.to_string();
        let now = to_db(now);
        self.run(move |c| {
            c.transaction(|c| {
                // Only the first revocation is recorded.
                diesel::update(
                    api_keys::table
                        .filter(api_keys::id.eq(&id))
                        .filter(api_keys::revoked_at.is_null()),
                )
                .set(api_keys::revoked_at.eq(Some(now)))
                .execute(c)?;
                api_keys::table
                    .filter(api_keys::id.eq(&id))
                    .get_result::<ApiKeyRow>(c)?
                    .into_domain()
            })
        })
        .await
    }

    async fn touch_api_key(&self, id: ApiKeyId, now: OffsetDateTime) -> Result<(), RepoError> {
        let id = id.to_string();
        let now = to_db(now);
        // An unknown (deleted) key has no use to record: not an error.
        self.run(move |c| {
            diesel::update(api_keys::table.filter(api_keys::id.eq(&id)))
                .set(api_keys::last_used_at.eq(Some(now)))
                .execute(c)?;
            Ok(())
        })
        .await
    }
}
