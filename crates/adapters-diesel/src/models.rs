//! Rows as stored, and their explicit conversions from and to the domain's types. Every value
//! read back goes through the domain's `from_trusted`/`FromStr` constructors; a value the domain
//! refuses is reported as corrupt data, never silently mapped.

use std::str::FromStr;

use clientele_domain::{
    ApiKey, ApiKeyName, BusinessType, Client, ClientId, ClientName, ContactPerson, DisplayName,
    Email, Environment, Organization, OrganizationId, OrganizationName, PhoneNumber, Plan,
    PlanLabel, SignupFlow, Slug, Status, SubscriptionStatus, User, UserId, UserName, Website,
    name_key,
};
use clientele_ports::{ClientRecord, SecretHash};
use diesel::prelude::*;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::error::{Failure, corrupt};
use crate::schema::{api_keys, clients, organizations, users};

/// An instant as stored: UTC, without offset, truncated to the microsecond (what PostgreSQL
/// keeps), so both backends give back exactly the same value.
pub(crate) fn to_db(t: OffsetDateTime) -> PrimitiveDateTime {
    let utc = t.to_offset(UtcOffset::UTC);
    let nanos = utc.nanosecond();
    let time = utc
        .time()
        .replace_nanosecond(nanos - nanos % 1_000)
        .unwrap_or(utc.time());
    PrimitiveDateTime::new(utc.date(), time)
}

/// A stored instant, in UTC.
pub(crate) fn from_db(t: PrimitiveDateTime) -> OffsetDateTime {
    t.assume_utc()
}

fn parse<T: FromStr>(what: &str, value: &str) -> Result<T, Failure> {
    value.parse().map_err(|_| corrupt(what, value))
}

// ------------------------------------------------------------------ organizations

#[derive(Debug, Queryable)]
pub(crate) struct OrganizationRow {
    pub id: String,
    pub name: String,
    pub plan: String,
    pub created_at: PrimitiveDateTime,
}

impl OrganizationRow {
    pub(crate) fn into_domain(self) -> Result<Organization, Failure> {
        Ok(Organization {
            id: parse("organization id", &self.id)?,
            name: OrganizationName::from_trusted(self.name),
            plan: parse_plan(&self.plan)?,
            created_at: from_db(self.created_at),
        })
    }
}

pub(crate) fn parse_plan(plan: &str) -> Result<Plan, Failure> {
    parse("plan", plan)
}

#[derive(Debug, Insertable)]
#[diesel(table_name = organizations)]
pub(crate) struct NewOrganizationRow {
    pub id: String,
    pub name: String,
    pub plan: String,
    pub created_at: PrimitiveDateTime,
}

impl From<&Organization> for NewOrganizationRow {
    fn from(o: &Organization) -> Self {
        Self {
            id: o.id.to_string(),
            name: o.name.as_str().to_owned(),
            plan: o.plan.as_str().to_owned(),
            created_at: to_db(o.created_at),
        }
    }
}

// ------------------------------------------------------------------ users

#[derive(Debug, Queryable)]
pub(crate) struct UserRow {
    pub id: String,
    pub organization_id: String,
    pub email: String,
    pub _email_key: String,
    pub name: Option<String>,
    pub password_hash: String,
    pub signup_flow: String,
    pub email_verified_at: Option<PrimitiveDateTime>,
    pub subscription_status: String,
    pub plan_expires_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

impl UserRow {
    /// The user and the password hash.
    pub(crate) fn into_domain(self) -> Result<(User, String), Failure> {
        let user = User {
            id: parse::<UserId>("user id", &self.id)?,
            organization_id: parse::<OrganizationId>("organization id", &self.organization_id)?,
            email: Email::from_trusted(self.email),
            name: self.name.map(UserName::from_trusted),
            signup_flow: parse::<SignupFlow>("signup flow", &self.signup_flow)?,
            email_verified_at: self.email_verified_at.map(from_db),
            subscription_status: parse::<SubscriptionStatus>(
                "subscription status",
                &self.subscription_status,
            )?,
            plan_expires_at: self.plan_expires_at.map(from_db),
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
        };
        Ok((user, self.password_hash))
    }

    pub(crate) fn into_user(self) -> Result<User, Failure> {
        self.into_domain().map(|(user, _)| user)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub(crate) struct NewUserRow {
    pub id: String,
    pub organization_id: String,
    pub email: String,
    pub email_key: String,
    pub name: Option<String>,
    pub password_hash: String,
    pub signup_flow: String,
    pub email_verified_at: Option<PrimitiveDateTime>,
    pub subscription_status: String,
    pub plan_expires_at: Option<PrimitiveDateTime>,
    pub created_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

impl NewUserRow {
    pub(crate) fn new(u: &User, password_hash: &str) -> Self {
        Self {
            id: u.id.to_string(),
            organization_id: u.organization_id.to_string(),
            email: u.email.as_str().to_owned(),
            email_key: u.email.key(),
            name: u.name.as_ref().map(|n| n.as_str().to_owned()),
            password_hash: password_hash.to_owned(),
            signup_flow: u.signup_flow.as_str().to_owned(),
            email_verified_at: u.email_verified_at.map(to_db),
            subscription_status: u.subscription_status.as_str().to_owned(),
            plan_expires_at: u.plan_expires_at.map(to_db),
            created_at: to_db(u.created_at),
            updated_at: to_db(u.updated_at),
        }
    }
}

/// The operator-settable fields of a user.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub(crate) struct UserChanges {
    pub signup_flow: String,
    pub email_verified_at: Option<PrimitiveDateTime>,
    pub subscription_status: String,
    pub plan_expires_at: Option<PrimitiveDateTime>,
    pub updated_at: PrimitiveDateTime,
}

impl From<&User> for UserChanges {
    fn from(u: &User) -> Self {
        Self {
            signup_flow: u.signup_flow.as_str().to_owned(),
            email_verified_at: u.email_verified_at.map(to_db),
            subscription_status: u.subscription_status.as_str().to_owned(),
            plan_expires_at: u.plan_expires_at.map(to_db),
            updated_at: to_db(u.updated_at),
        }
    }
}

// ------------------------------------------------------------------ API keys

#[derive(Debug, Queryable)]
pub(crate) struct ApiKeyRow {
    pub organization_id: String,
    pub id: String,
    pub name: String,
    pub environment: String,
    pub prefix: String,
    pub _key_hash: String,
    pub created_at: PrimitiveDateTime,
    pub last_used_at: Option<PrimitiveDateTime>,
    pub revoked_at: Option<PrimitiveDateTime>,
}

impl ApiKeyRow {
    pub(crate) fn into_domain(self) -> Result<ApiKey, Failure> {
        Ok(ApiKey {
            id: parse("api key id", &self.id)?,
            organization_id: parse("organization id", &self.organization_id)?,
            name: ApiKeyName::from_trusted(self.name),
            environment: parse::<Environment>("environment", &self.environment)?,
            prefix: self.prefix,
            created_at: from_db(self.created_at),
            last_used_at: self.last_used_at.map(from_db),
            revoked_at: self.revoked_at.map(from_db),
        })
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = api_keys)]
pub(crate) struct NewApiKeyRow {
    pub organization_id: String,
    pub id: String,
    pub name: String,
    pub environment: String,
    pub prefix: String,
    pub key_hash: String,
    pub created_at: PrimitiveDateTime,
    pub last_used_at: Option<PrimitiveDateTime>,
    pub revoked_at: Option<PrimitiveDateTime>,
}

impl NewApiKeyRow {
    pub(crate) fn new(k: &ApiKey, hash: &SecretHash) -> Self {
        Self {
            organization_id: k.organization_id.to_string(),
            id: k.id.to_string(),
            name: k.name.as_str().to_owned(),
            environment: k.environment.as_str().to_owned(),
            prefix: k.prefix.clone(),
            key_hash: hash.as_str().to_owned(),
            created_at: to_db(k.created_at),
            last_used_at: k.last_used_at.map(to_db),
            revoked_at: k.revoked_at.map(to_db),
        }
    }
}

// ------------------------------------------------------------------ clients

#[derive(Debug, Queryable, QueryableByName)]
#[diesel(table_name = clients)]
pub(crate) struct ClientRow {
    pub organization_id: String,
    pub id: String,
    pub created_by: Option<String>,
    pub name: String,
    #[diesel(column_name = name_key)]
    pub _name_key: String,
    pub slug: String,
    pub display_name: Option<String>,
    #[diesel(column_name = display_name_key)]
    pub _display_name_key: Option<String>,
    pub business_type: Option<String>,
    pub subscription_plan: Option<String>,
    pub status: String,
    pub contact_person: Option<String>,
    pub contact_email: Option<String>,
    pub phone_number: Option<String>,
    pub domain: Option<String>,
    pub created_at: PrimitiveDateTime,
    pub last_active_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

impl ClientRow {
    pub(crate) fn into_domain(self) -> Result<Client, Failure> {
        Ok(Client {
            id: parse::<ClientId>("client id", &self.id)?,
            organization_id: parse("organization id", &self.organization_id)?,
            created_by: self
                .created_by
                .map(|u| parse::<UserId>("user id", &u))
                .transpose()?,
            name: ClientName::from_trusted(self.name),
            slug: Slug::from_trusted(self.slug),
            display_name: self.display_name.map(DisplayName::from_trusted),
            business_type: self.business_type.map(BusinessType::from_trusted),
            subscription_plan: self.subscription_plan.map(PlanLabel::from_trusted),
            status: parse::<Status>("client status", &self.status)?,
            contact_person: self.contact_person.map(ContactPerson::from_trusted),
            contact_email: self.contact_email.map(Email::from_trusted),
            phone_number: self.phone_number.map(PhoneNumber::from_trusted),
            domain: self.domain.map(Website::from_trusted),
            created_at: from_db(self.created_at),
            last_active_at: from_db(self.last_active_at),
            updated_at: from_db(self.updated_at),
        })
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = clients)]
pub(crate) struct NewClientRow {
    pub organization_id: String,
    pub id: String,
    pub created_by: Option<String>,
    pub name: String,
    pub name_key: String,
    pub slug: String,
    pub display_name: Option<String>,
    pub display_name_key: Option<String>,
    pub business_type: Option<String>,
    pub subscription_plan: Option<String>,
    pub status: String,
    pub contact_person: Option<String>,
    pub contact_email: Option<String>,
    pub phone_number: Option<String>,
    pub domain: Option<String>,
    pub created_at: PrimitiveDateTime,
    pub last_active_at: PrimitiveDateTime,
    pub updated_at: PrimitiveDateTime,
}

fn text<T: AsRef<str>>(v: Option<&T>) -> Option<String> {
    v.map(|v| v.as_ref().to_owned())
}

impl NewClientRow {
    /// The row of a new client; its slug is filled in by the create transaction.
    pub(crate) fn new(r: &ClientRecord) -> Self {
        let c = &r.client;
        let created_at = to_db(r.created_at);
        Self {
            organization_id: r.organization_id.to_string(),
            id: r.id.to_string(),
            created_by: r.created_by.as_ref().map(ToString::to_string),
            name: c.name.as_str().to_owned(),
            name_key: c.name.key(),
            slug: String::new(),
            display_name: c.display_name.as_ref().map(|d| d.as_str().to_owned()),
            display_name_key: c.display_name.as_ref().map(|d| name_key(d.as_str())),
            business_type: text(c.business_type.as_ref()),
            subscription_plan: text(c.subscription_plan.as_ref()),
            status: c.status.as_str().to_owned(),
            contact_person: text(c.contact_person.as_ref()),
            contact_email: c.contact_email.as_ref().map(|e| e.as_str().to_owned()),
            phone_number: c.phone_number.as_ref().map(|p| p.as_str().to_owned()),
            domain: c.domain.as_ref().map(|d| d.as_str().to_owned()),
            created_at,
            last_active_at: created_at,
            updated_at: created_at,
        }
    }
}

/// A `ClientPatch` as one `UPDATE ... SET`: `None` leaves a column alone, `Some(None)` sets it to
/// `NULL`. A new name updates its key; a new display name its search key.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = clients)]
pub(crate) struct ClientChanges {
    pub name: Option<String>,
    pub name_key: Option<String>,
    pub display_name: Option<Option<String>>,
    pub display_name_key: Option<Option<String>>,
    pub business_type: Option<Option<String>>,
    pub subscription_plan: Option<Option<String>>,
    pub status: Option<String>,
    pub contact_person: Option<Option<String>>,
    pub contact_email: Option<Option<String>>,
    pub phone_number: Option<Option<String>>,
    pub domain: Option<Option<String>>,
    pub updated_at: Option<PrimitiveDateTime>,
}

/// `Keep` → leave the column, `Clear` → `NULL`, `Set(v)` → `v`.
fn patch<T>(p: clientele_domain::Patch<T>, f: impl Fn(&T) -> String) -> Option<Option<String>> {
    match p {
        clientele_domain::Patch::Keep => None,
        clientele_domain::Patch::Clear => Some(None),
        clientele_domain::Patch::Set(v) => Some(Some(f(&v))),
    }
}

impl ClientChanges {
    pub(crate) fn new(p: clientele_domain::ClientPatch, now: OffsetDateTime) -> Self {
        let display_name_key = match &p.display_name {
            clientele_domain::Patch::Keep => None,
            clientele_domain::Patch::Clear => Some(None),
            clientele_domain::Patch::Set(d) => Some(Some(name_key(d.as_str()))),
        };
        Self {
            name_key: p.name.as_ref().map(ClientName::key),
            name: p.name.map(|n| n.as_str().to_owned()),
            display_name: patch(p.display_name, |d| d.as_str().to_owned()),
            display_name_key,
            business_type: patch(p.business_type, |v| v.as_str().to_owned()),
            subscription_plan: patch(p.subscription_plan, |v| v.as_str().to_owned()),
            status: p.status.map(|s| s.as_str().to_owned()),
            contact_person: patch(p.contact_person, |v| v.as_str().to_owned()),
            contact_email: patch(p.contact_email, |v| v.as_str().to_owned()),
            phone_number: patch(p.phone_number, |v| v.as_str().to_owned()),
            domain: patch(p.domain, |v| v.as_str().to_owned()),
            updated_at: Some(to_db(now)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn instants_are_utc_microseconds() {
        let t = datetime!(2024-03-15 12:30:00.123456789 +02:00);
        let stored = to_db(t);
        assert_eq!(stored, datetime!(2024-03-15 10:30:00.123456));
        assert_eq!(from_db(stored), datetime!(2024-03-15 10:30:00.123456 UTC));
    }
}
