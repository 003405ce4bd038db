//! Clients: the atomic create (plan limit, name uniqueness, slug), list, update, delete.

use async_trait::async_trait;
use clientele_domain::{
    Client, ClientId, ClientPatch, ClientQuery, Cursor, OrganizationId, Plan, Slug, SlugAttempt,
    slug_attempts,
};
use clientele_ports::{ClientPage, ClientRecord, ClientRepository, LimitRule, RepoError};
use diesel::prelude::*;
use time::OffsetDateTime;

use crate::connection::{DbConn, MultiBackend, per_backend};
use crate::error::{Failure, corrupt};
use crate::models::{ClientChanges, ClientRow, NewClientRow, parse_plan};
use crate::schema::{clients, organizations, slug_counters};
use crate::store::DieselStore;

/// The escape character of `LIKE` patterns.
const LIKE_ESCAPE: char = '\\';

/// A response to keep with the create, for an idempotency claim: the key, the claim's time (the
/// fencing token), and how to render the created client.
pub(crate) struct Completion {
    pub(crate) key: String,
    pub(crate) claimed_at: time::PrimitiveDateTime,
    pub(crate) render: clientele_ports::RenderResponse,
}

pub(crate) fn create(
    conn: &mut DbConn,
    record: &ClientRecord,
    limit: LimitRule,
    completion: Option<&Completion>,
) -> Result<Client, Failure> {
    let org = record.organization_id.to_string();
    let mut row = NewClientRow::new(record);
    let base = Slug::derive(record.client.name.as_str());
    conn.transaction(|c| {
        // The first statement writes: on PostgreSQL it takes the organization's row lock, on
        // SQLite the database's write lock, so concurrent creators queue here (no read-to-write
        // lock upgrade, no "database is locked"), and the count below is exact.
        let (count, plan): (i64, String) = diesel::update(organizations::table.find(&org))
            .set(organizations::client_count.eq(organizations::client_count + 1))
            .returning((organizations::client_count, organizations::plan))
            .get_result(c)?;
        let current = u64::try_from(count - 1).map_err(|_| corrupt("client count", count))?;
        // The limit before the name: LimitReached wins over NameTaken. Any error rolls the
        // transaction back, the counter with it.
        limit.admit(parse_plan(&plan)?, current)?;
        // The domain's allocation policy: numbered slugs from the base's counter, then the base
        // tagged with the id.
        for attempt in slug_attempts(&base, &record.id) {
            let slug = match attempt {
                SlugAttempt::Numbered { step } => {
                    base.nth(next_slug_number(c, &org, base.as_str(), step)?)
                }
                SlugAttempt::Exact(slug) => slug,
            };
            row.slug = slug.as_str().to_owned();
            // A unique violation on the name aborts with NameTaken; a taken slug inserts nothing.
            if let Some(inserted) = insert_unless_slug_taken(c, &row)? {
                let client = inserted.into_domain()?;
                if let Some(done) = completion {
                    let response = (done.render)(&client);
                    if !super::idempotency::complete_fenced(
                        c,
                        &org,
                        &done.key,
                        done.claimed_at,
                        &response,
                    )? {
                        // Taken over by a retry: this create must not happen too.
                        return Err(RepoError::unavailable(
                            "the Idempotency-Key claim was taken over by a retry",
                        )
                        .into());
                    }
                }
                return Ok(client);
            }
        }
        Err(
            RepoError::unexpected(format!("no free slug for {base}, even tagged with the id"))
                .into(),
        )
    })
}

/// Hands out the next suffix number of `base` (1 for a new base), moving the counter by `step`.
fn next_slug_number(conn: &mut DbConn, org: &str, base: &str, step: u64) -> Result<u64, Failure> {
    use slug_counters::dsl as s;
    let step = i64::try_from(step).map_err(|_| corrupt("slug step", step))?;
    let n: i64 = per_backend!(conn, |c| diesel::insert_into(s::slug_counters)
        .values((
            s::organization_id.eq(org),
            s::base.eq(base),
            s::last.eq(1_i64)
        ))
        .on_conflict((s::organization_id, s::base))
        .do_update()
        .set(s::last.eq(s::last + step))
        .returning(s::last)
        .get_result(c))?;
    u64::try_from(n).map_err(|_| corrupt("slug counter", n))
}

/// Inserts the client, or nothing when its slug is taken (`ON CONFLICT (slug) DO NOTHING`: no
/// error, so no savepoint is needed to go on with the transaction).
fn insert_unless_slug_taken(
    conn: &mut DbConn,
    row: &NewClientRow,
) -> Result<Option<ClientRow>, Failure> {
    Ok(per_backend!(conn, |c| diesel::insert_into(clients::table)
        .values(row)
        .on_conflict((clients::organization_id, clients::slug))
        .do_nothing()
        .returning(clients::all_columns)
        .get_result::<ClientRow>(c)
        .optional())?)
}

fn get(conn: &mut DbConn, org: &str, id: &str) -> Result<Client, Failure> {
    clients::table
        .filter(clients::organization_id.eq(org))
        .filter(clients::id.eq(id))
        .get_result::<ClientRow>(conn)?
        .into_domain()
}

/// `search` as a `LIKE` pattern for a case-insensitive substring: lowercased like the stored
/// keys, with `\`, `%` and `_` escaped.
fn contains_pattern(search: &str) -> String {
    let mut pattern = String::with_capacity(search.len() + 2);
    pattern.push('%');
    for ch in clientele_domain::name_key(search).chars() {
        if matches!(ch, '\\' | '%' | '_') {
            pattern.push(LIKE_ESCAPE);
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

/// The organization's clients that match the query's filters.
fn matching<'a>(org: &'a str, q: &'a ClientQuery) -> clients::BoxedQuery<'a, MultiBackend> {
    let mut query = clients::table
        .filter(clients::organization_id.eq(org))
        .into_boxed();
    if let Some(status) = q.status {
        query = query.filter(clients::status.eq(status.as_str()));
    }
    if let Some(business_type) = &q.business_type {
        query = query.filter(clients::business_type.eq(business_type));
    }
    if let Some(plan) = &q.subscription_plan {
        query = query.filter(clients::subscription_plan.eq(plan));
    }
    if let Some(search) = &q.search {
        // The keys are lowercased in Rust (Unicode-aware), not with SQL lower(), which SQLite
        // applies to ASCII only. A missing display name falls back to the name, which is
        // searched anyway.
        let pattern = contains_pattern(search);
        query = query.filter(
            clients::name_key
                .like(pattern.clone())
                .escape(LIKE_ESCAPE)
                .or(clients::display_name_key
                    .like(pattern)
                    .escape(LIKE_ESCAPE)
                    .assume_not_null()),
        );
    }
    query
}

fn list(conn: &mut DbConn, org: &str, q: &ClientQuery) -> Result<ClientPage, Failure> {
    let limit = i64::from(q.limit);
    let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
    let unfiltered = q.status.is_none()
        && q.business_type.is_none()
        && q.subscription_plan.is_none()
        && q.search.is_none();
    conn.transaction(|c| {
        let mut page = matching(org, q);
        if let Some(after) = &q.cursor {
            // Seeks on the (organization_id, created_at DESC, id DESC) index: `created_at <= t`
            // bounds the range, the rest breaks ties by id. A cursor page costs what page 1 costs.
            let t = crate::models::to_db(after.created_at);
            let id = after.id.to_string();
            page = page.filter(
                clients::created_at
                    .le(t)
                    .and(clients::created_at.lt(t).or(clients::id.lt(id))),
            );
        }
        // One row more than the page: whether there is a next page, without counting.
        let mut rows: Vec<ClientRow> = page
            .order((clients::created_at.desc(), clients::id.desc()))
            .limit(limit + 1)
            .offset(offset)
            .load(c)?;
        let more = rows.len() > q.limit as usize;
        rows.truncate(q.limit as usize);
        let len = i64::try_from(rows.len()).unwrap_or(i64::MAX);
        let total = if unfiltered {
            // O(1): the organization keeps its count (the plan limit is checked against it).
            organizations::table
                .find(org)
                .select(organizations::client_count)
                .first::<i64>(c)
                .optional()?
                .unwrap_or(0)
        } else if q.cursor.is_none() && !more && (len > 0 || offset == 0) {
            // The last page of an offset walk (or an empty first page): its total is known.
            offset.saturating_add(len)
        } else {
            matching(org, q).count().get_result::<i64>(c)?
        };
        let clients: Vec<Client> = rows
            .into_iter()
            .map(ClientRow::into_domain)
            .collect::<Result<_, _>>()?;
        let next_cursor = more
            .then(|| {
                clients
                    .last()
                    .map(|l| Cursor::after(l.created_at, l.id.clone()))
            })
            .flatten();
        Ok(ClientPage {
            clients,
            total: u64::try_from(total).map_err(|_| corrupt("client total", total))?,
            next_cursor,
        })
    })
}

fn update(
    conn: &mut DbConn,
    org: &str,
    id: &str,
    patch: ClientPatch,
    now: OffsetDateTime,
) -> Result<Client, Failure> {
    let changes = ClientChanges::new(patch, now);
    diesel::update(
        clients::table
            .filter(clients::organization_id.eq(org))
            .filter(clients::id.eq(id)),
    )
    .set(&changes)
    .returning(clients::all_columns)
    .get_result::<ClientRow>(conn)?
    .into_domain()
}

fn delete(conn: &mut DbConn, org: &str, id: &str) -> Result<(), Failure> {
    conn.transaction(|c| {
        // The organization's row first, as on create (one lock order, no deadlock); an
        // organization without clients cannot be deleting one.
        let counted = diesel::update(
            organizations::table
                .find(org)
                .filter(organizations::client_count.gt(0)),
        )
        .set(organizations::client_count.eq(organizations::client_count - 1))
        .execute(c)?;
        let deleted = diesel::delete(
            clients::table
                .filter(clients::organization_id.eq(org))
                .filter(clients::id.eq(id)),
        )
        .execute(c)?;
        if counted == 0 || deleted == 0 {
            // Rolls the decrement back.
            return Err(RepoError::NotFound.into());
        }
        Ok(())
    })
}

#[async_trait]
impl ClientRepository for DieselStore {
    async fn create_client(
        &self,
        record: ClientRecord,
        limit: LimitRule,
    ) -> Result<Client, RepoError> {
        self.run(move |c| create(c, &record, limit, None)).await
    }

    async fn get_client(&self, org: OrganizationId, id: &ClientId) -> Result<Client, RepoError> {
        let (org, id) = (org.to_string(), id.to_string());
        self.run(move |c| get(c, &org, &id)).await
    }

    async fn list_clients(
        &self,
        org: OrganizationId,
        query: &ClientQuery,
    ) -> Result<ClientPage, RepoError> {
        let (org, query) = (org.to_string(), query.clone());
        self.run(move |c| list(c, &org, &query)).await
    }

    async fn update_client(
        &self,
        org: OrganizationId,
        id: &ClientId,
        patch: ClientPatch,
        now: OffsetDateTime,
    ) -> Result<Client, RepoError> {
        let (org, id) = (org.to_string(), id.to_string());
        self.run(move |c| update(c, &org, &id, patch, now)).await
    }

    async fn delete_client(&self, org: OrganizationId, id: &ClientId) -> Result<(), RepoError> {
        let (org, id) = (org.to_string(), id.to_string());
        self.run(move |c| delete(c, &org, &id)).await
    }

    async fn plan_usage(&self, org: OrganizationId) -> Result<(Plan, u64), RepoError> {
        let org = org.to_string();
        self.run(move |c| {
            let (plan, count): (String, i64) = organizations::table
                .find(&org)
                .select((organizations::plan, organizations::client_count))
                .get_result(c)?;
            let used = u64::try_from(count).map_err(|_| corrupt("client count", count))?;
            Ok((parse_plan(&plan)?, used))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("Acme"), "%acme%");
        assert_eq!(contains_pattern("100%_x\\"), "%100\\%\\_x\\\\%");
        assert_eq!(contains_pattern("ÉCOLE"), "%école%");
    }
}
