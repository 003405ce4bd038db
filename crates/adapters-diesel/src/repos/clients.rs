//! Clients: the atomic create (plan limit, name uniqueness, slug), list, update, delete.

use async_trait::async_trait;
use clientele_domain::{
    Client, ClientId, ClientPatch, ClientQuery, Cursor, OrganizationId, Plan, Slug, SlugAttempt,
    slug_attempts,
};
use clientele_ports::{ClientPage, ClientRecord, ClientRepository, LimitRule, RepoError};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use time::OffsetDateTime;

use crate::connection::{Backend, DbConn, MultiBackend, per_backend};
use crate::error::{Failure, corrupt};
use crate::models::{ClientChanges, ClientRow, NewClientRow, parse_plan};
use crate::schema::{client_counts, clients, organizations, slug_counters};
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
    // How many of the policy's attempts the one-statement create already made (0 or 1).
    let attempted = match conn {
        #[cfg(feature = "postgres")]
        DbConn::Pg(pg) if completion.is_none() => {
            match create_at_once(pg, &mut row, &base, limit)? {
                AtOnce::Created(created) => return created.into_domain(),
                AtOnce::FirstSlugTaken => 1,
                AtOnce::NotTried => 0,
            }
        }
        _ => 0,
    };
    conn.transaction(|c| {
        // The limit before the name: LimitReached wins over NameTaken. Any error rolls the
        // transaction back, the count with it.
        let count_after = admit_and_count(c, &org, limit)?;
        // The domain's allocation policy: numbered slugs from the base's counter, then the base
        // tagged with the id.
        for attempt in slug_attempts(&base, &record.id).skip(attempted) {
            let slug = match attempt {
                SlugAttempt::Numbered { step } => {
                    base.nth(next_slug_number(c, &org, base.as_str(), step)?)
                }
                SlugAttempt::Exact(slug) => slug,
            };
            row.slug = slug.as_str().to_owned();
            // A unique violation on the name aborts with NameTaken; a taken slug inserts nothing.
            if let Some(inserted) = insert_unless_slug_taken(c, &row)? {
                if count_after {
                    add_to_count(c, &org, shard_of(&row.id), 1)?;
                }
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

// ------------------------------------------------------------------------------ counting

/// How many rows of `client_counts` an organization's count may be spread over on PostgreSQL
/// (migration 6): enough that 16–64 concurrent creators of one organization seldom pick the same
/// row, few enough that summing them is one short index range.
const COUNT_SHARDS: u32 = 32;

/// The shard every create of a limited plan counts on, first in its transaction (its row lock
/// serialises them), and every create and delete on SQLite. On PostgreSQL nothing else counts on
/// it, and everything else counts on its spread shard as its last write, so no two writers ever
/// wait for each other's shards in opposite orders (no deadlock with the name and slug indexes).
const LOCK_SHARD: i16 = 0;

/// The shard a create on a plan without a limit (or a delete) counts on: on PostgreSQL spread by
/// the client's id, whose tail is random; on SQLite always [`LOCK_SHARD`].
fn spread_shard(conn: &DbConn, id: &str) -> i16 {
    match conn.backend() {
        Backend::Postgres => shard_of(id),
        Backend::Sqlite => LOCK_SHARD,
    }
}

/// A shard other than [`LOCK_SHARD`], by a hash of the id.
fn shard_of(id: &str) -> i16 {
    let hash = id
        .bytes()
        .fold(0_u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    i16::try_from(1 + hash % (COUNT_SHARDS - 1)).unwrap_or(1)
}

/// Adds `delta` to the organization's `shard` (creating it), holding its row lock to the commit.
fn add_to_count(conn: &mut DbConn, org: &str, shard: i16, delta: i64) -> Result<(), Failure> {
    use client_counts::dsl as k;
    per_backend!(conn, |c| diesel::insert_into(k::client_counts)
        .values((
            k::organization_id.eq(org),
            k::shard.eq(shard),
            k::n.eq(delta)
        ))
        .on_conflict((k::organization_id, k::shard))
        .do_update()
        .set(k::n.eq(k::n + delta))
        .execute(c))?;
    Ok(())
}

/// The sum of `client_counts` rows as a `BIGINT` (0 for none), alike on both backends.
const COUNT_SUM: &str = "CAST(COALESCE(SUM(n), 0) AS BIGINT)";

/// The organization's client count: the sum of its shards.
fn count_of(conn: &mut DbConn, org: &str) -> Result<i64, Failure> {
    Ok(client_counts::table
        .filter(client_counts::organization_id.eq(org))
        .select(sql::<BigInt>(COUNT_SUM))
        .get_result(conn)?)
}

fn as_count(n: i64) -> Result<u64, Failure> {
    u64::try_from(n).map_err(|_| corrupt("client count", n))
}

/// The organization's plan as a create reads it. On PostgreSQL under a key-share lock: creates
/// share it, while a plan change ([`lock_for_plan_change`]) waits for the creates under way and
/// they for it, so every create decides under the plan it commits under.
fn plan_for_create(conn: &mut DbConn, org: &str) -> Result<Plan, Failure> {
    let query = organizations::table.find(org).select(organizations::plan);
    let plan: String = match conn {
        #[cfg(feature = "postgres")]
        DbConn::Pg(c) => {
            plan_lock(c, org, false)?;
            query.for_key_share().get_result(c)?
        }
        #[cfg(feature = "sqlite")]
        DbConn::Sqlite(c) => query.get_result(c)?,
    };
    parse_plan(&plan)
}

/// The class (first key) of the organization's plan lock on PostgreSQL: a transaction-level
/// advisory lock on `(PLAN_LOCK, hashtext(organization id))`, shared by creates and exclusive for
/// a plan change. The row lock alone would let a plan change starve: a key-share request does
/// not queue behind a waiting `FOR UPDATE`, while the advisory lock's queue is fair.
#[cfg(feature = "postgres")]
const PLAN_LOCK: i32 = 0x636c_6965; // "clie"

/// Takes the organization's plan lock, shared (a create) or exclusive (a plan change), waiting.
#[cfg(feature = "postgres")]
fn plan_lock(pg: &mut diesel::PgConnection, org: &str, exclusive: bool) -> Result<(), Failure> {
    let sql = if exclusive {
        "SELECT pg_advisory_xact_lock($1, hashtext($2))::text AS locked"
    } else {
        "SELECT pg_advisory_xact_lock_shared($1, hashtext($2))::text AS locked"
    };
    diesel::sql_query(sql)
        .bind::<diesel::sql_types::Integer, _>(PLAN_LOCK)
        .bind::<Text, _>(org)
        .execute(pg)?;
    Ok(())
}

/// Locks the organization for a plan change: on PostgreSQL the plan lock, exclusive (new creates
/// queue behind it), then the row `FOR UPDATE`, which waits for the creates under way (they hold
/// [`plan_for_create`]'s key-share lock; an `UPDATE` of the plan alone would not wait for them).
/// SQLite has one writer at a time already.
pub(crate) fn lock_for_plan_change(conn: &mut DbConn, org: &str) -> Result<(), Failure> {
    #[cfg(feature = "postgres")]
    if let DbConn::Pg(c) = conn {
        plan_lock(c, org, true)?;
        organizations::table
            .find(org)
            .select(organizations::id)
            .for_update()
            .get_result::<String>(c)?;
    }
    #[cfg(not(feature = "postgres"))]
    let _ = (conn, org);
    Ok(())
}

/// Admits the new client under the plan's limit, as the create's first step, and counts it now or
/// says how to count it after the insert.
///
/// - SQLite: adds to shard 0 first, a write, so concurrent creators queue on the database's write
///   lock (no read-to-write upgrade, no "database is locked"), then reads the plan and the exact
///   count.
/// - PostgreSQL, limited plan: adds to shard 0, whose row lock serialises the organization's
///   limited creates through their commits, then sums the shards: exact across instances.
/// - PostgreSQL, no limit: nothing serialises; the caller counts on the client's spread shard
///   after the insert, its last write (`true`: count after).
fn admit_and_count(conn: &mut DbConn, org: &str, limit: LimitRule) -> Result<bool, Failure> {
    let sqlite = conn.backend() == Backend::Sqlite;
    if sqlite {
        add_to_count(conn, org, LOCK_SHARD, 1)?;
    }
    let plan = plan_for_create(conn, org)?;
    if !limit.is_limited(plan) {
        return Ok(!sqlite);
    }
    if !sqlite {
        add_to_count(conn, org, LOCK_SHARD, 1)?;
    }
    let current = as_count(count_of(conn, org)? - 1)?;
    limit.admit(plan, current)?;
    Ok(false)
}

/// What [`create_at_once`] did.
#[cfg(feature = "postgres")]
enum AtOnce {
    /// The client, created and counted.
    Created(Box<ClientRow>),
    /// It took the base's new counter (number 1) but the base itself is taken: the policy's
    /// first attempt is made, the transaction goes on from the second.
    FirstSlugTaken,
    /// Nothing done: the transaction decides from the first attempt.
    NotTried,
}

/// The whole create in one statement, when it needs no transaction: the organization's plan has
/// no limit (checked in the statement, under the key-share lock of [`plan_for_create`] and its
/// plan lock, taken without waiting: a plan change under way sends the create to the
/// transaction), the base's slug counter is new (so the policy's first number is 1: the base
/// itself) and that slug is free. It takes the counter, inserts the client and counts it on a
/// spread shard, committing in one round trip. When the base's slug is taken, the counter stays
/// at 1, as the policy's first attempt leaves it, and the transaction goes on from the second.
#[cfg(feature = "postgres")]
fn create_at_once(
    pg: &mut diesel::PgConnection,
    row: &mut NewClientRow,
    base: &Slug,
    limit: LimitRule,
) -> Result<AtOnce, Failure> {
    let unlimited: Vec<&'static str> = limit
        .unlimited_plans()
        .into_iter()
        .map(Plan::as_str)
        .collect();
    if unlimited.is_empty() {
        return Ok(AtOnce::NotTried);
    }
    row.slug = base.nth(1).as_str().to_owned();
    let (counter_taken, created): (i64, Option<ClientRow>) = at_once::CreateAtOnce {
        row,
        unlimited,
        base: base.as_str(),
        shard: shard_of(&row.id),
    }
    .get_result(pg)?;
    Ok(match created {
        Some(created) => AtOnce::Created(Box::new(created)),
        None if counter_taken > 0 => AtOnce::FirstSlugTaken,
        None => AtOnce::NotTried,
    })
}

/// [`create_at_once`]'s statement as a query of its own: its SQL is fixed (only its parameters
/// vary), so diesel keeps it prepared on each connection like its own queries, and PostgreSQL
/// parses and plans it once per connection, not once per create.
#[cfg(feature = "postgres")]
mod at_once {
    use diesel::pg::Pg;
    use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
    use diesel::sql_types::{Array, BigInt, Integer, Nullable, SmallInt, Text, Timestamp};
    use diesel::{PgConnection, QueryResult, RunQueryDsl};

    use crate::models::NewClientRow;

    /// The clients' columns in `schema.rs`'s order: what the statement inserts and returns.
    const COLUMNS: &str = "organization_id, id, created_by, name, name_key, slug, display_name, \
        display_name_key, business_type, subscription_plan, status, contact_person, \
        contact_email, phone_number, domain, created_at, last_active_at, updated_at";

    /// The parameters of one create.
    pub(super) struct CreateAtOnce<'a> {
        pub(super) row: &'a NewClientRow,
        pub(super) unlimited: Vec<&'static str>,
        pub(super) base: &'a str,
        pub(super) shard: i16,
    }

    impl QueryId for CreateAtOnce<'_> {
        type QueryId = CreateAtOnce<'static>;
        const HAS_STATIC_QUERY_ID: bool = true;
    }

    impl Query for CreateAtOnce<'_> {
        /// Whether the base's counter was taken, and the client when it was created.
        type SqlType = (BigInt, Nullable<crate::schema::clients::SqlType>);
    }

    impl RunQueryDsl<PgConnection> for CreateAtOnce<'_> {}

    impl QueryFragment<Pg> for CreateAtOnce<'_> {
        fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
            let r = self.row;
            out.push_sql("WITH org AS (SELECT id FROM organizations WHERE id = ");
            out.push_bind_param::<Text, _>(&r.organization_id)?;
            out.push_sql(" AND plan = ANY(");
            out.push_bind_param::<Array<Text>, _>(&self.unlimited)?;
            out.push_sql(") AND pg_try_advisory_xact_lock_shared(");
            out.push_bind_param::<Integer, _>(&super::PLAN_LOCK)?;
            out.push_sql(", hashtext(");
            out.push_bind_param::<Text, _>(&r.organization_id)?;
            out.push_sql(
                ")) FOR KEY SHARE), \
                 counter AS (INSERT INTO slug_counters (organization_id, base, last) \
                 SELECT id, ",
            );
            out.push_bind_param::<Text, _>(&self.base)?;
            out.push_sql(
                ", 1 FROM org ON CONFLICT (organization_id, base) DO NOTHING \
                 RETURNING organization_id), \
                 inserted AS (INSERT INTO clients (",
            );
            out.push_sql(COLUMNS);
            out.push_sql(") SELECT organization_id");
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(&r.id)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<Text>, _>(&r.created_by)?;
            for text in [&r.name, &r.name_key, &r.slug] {
                out.push_sql(", ");
                out.push_bind_param::<Text, _>(text)?;
            }
            for text in [&r.display_name, &r.display_name_key, &r.business_type] {
                out.push_sql(", ");
                out.push_bind_param::<Nullable<Text>, _>(text)?;
            }
            out.push_sql(", ");
            out.push_bind_param::<Nullable<Text>, _>(&r.subscription_plan)?;
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(&r.status)?;
            for text in [
                &r.contact_person,
                &r.contact_email,
                &r.phone_number,
                &r.domain,
            ] {
                out.push_sql(", ");
                out.push_bind_param::<Nullable<Text>, _>(text)?;
            }
            for at in [&r.created_at, &r.last_active_at, &r.updated_at] {
                out.push_sql(", ");
                out.push_bind_param::<Timestamp, _>(at)?;
            }
            out.push_sql(" FROM counter ON CONFLICT (organization_id, slug) DO NOTHING RETURNING ");
            out.push_sql(COLUMNS);
            out.push_sql(
                "), \
                 counted AS (INSERT INTO client_counts (organization_id, shard, n) \
                 SELECT organization_id, ",
            );
            out.push_bind_param::<SmallInt, _>(&self.shard)?;
            out.push_sql(
                ", 1 FROM inserted ON CONFLICT (organization_id, shard) \
                 DO UPDATE SET n = client_counts.n + 1) \
                 SELECT (SELECT count(*) FROM counter), inserted.* \
                 FROM (SELECT 1) AS one LEFT JOIN inserted ON true",
            );
            Ok(())
        }
    }
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

/// How many characters a search needs for SQLite's trigram index (migration 6) to serve it.
const TRIGRAM: usize = 3;

/// `key` as an FTS5 phrase: in double quotes, its own doubled. For the trigram tokenizer a phrase
/// matches the rows whose indexed text holds it as a substring.
fn fts_phrase(key: &str) -> String {
    format!("\"{}\"", key.replace('"', "\"\""))
}

/// The organization's clients that match the query's filters, on `backend`.
fn matching<'a>(
    org: &'a str,
    q: &'a ClientQuery,
    backend: Backend,
) -> clients::BoxedQuery<'a, MultiBackend> {
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
        let key = clientele_domain::name_key(search);
        if backend == Backend::Sqlite && key.chars().count() >= TRIGRAM {
            // The trigram index narrows the rows to those whose keys hold the search; the LIKE
            // below still decides, so the results are the scan's.
            query = query.filter(
                sql::<Bool>(
                    "clients.rowid IN (SELECT rowid FROM clients_search \
                     WHERE clients_search MATCH ",
                )
                .bind::<Text, _>(fts_phrase(&key))
                .sql(")"),
            );
        }
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
        let backend = c.backend();
        let mut page = matching(org, q, backend);
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
            // O(1): the organization's count, kept by every create and delete.
            count_of(c, org)?
        } else if q.cursor.is_none() && !more && (len > 0 || offset == 0) {
            // The last page of an offset walk (or an empty first page): its total is known.
            offset.saturating_add(len)
        } else {
            matching(org, q, backend).count().get_result::<i64>(c)?
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
        // The delete first: on SQLite a write, the database's write lock.
        let deleted = diesel::delete(
            clients::table
                .filter(clients::organization_id.eq(org))
                .filter(clients::id.eq(id)),
        )
        .execute(c)?;
        if deleted == 0 {
            return Err(RepoError::NotFound.into());
        }
        add_to_count(c, org, spread_shard(c, id), -1)
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
                .select((
                    organizations::plan,
                    sql::<BigInt>(&format!(
                        "(SELECT {COUNT_SUM} FROM client_counts \
                          WHERE client_counts.organization_id = organizations.id)"
                    )),
                ))
                .get_result(c)?;
            Ok((parse_plan(&plan)?, as_count(count)?))
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

    #[test]
    fn fts_phrases_quote_the_search() {
        assert_eq!(super::fts_phrase("acme co"), "\"acme co\"");
        assert_eq!(super::fts_phrase("a\"b"), "\"a\"\"b\"");
    }
}
