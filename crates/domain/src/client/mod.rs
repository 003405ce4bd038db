//! The Client entity, its value objects, and the parsing of create and update requests — one
//! question per file:
//!
//! - `name`: what a client's name is, and when two names are the same;
//! - `slug`: how a name becomes a URL handle, and which slugs a create tries;
//! - `status`: a client's lifecycle state;
//! - `fields`: the other free-text fields (display name, business type, plan label, contact);
//! - `schema`: which fields a surface requires, and a request's fields before parsing;
//! - `create`: a client to create, and the parsing of a create request;
//! - `patch`: what an update changes, and the parsing of an update request;
//! - `query`: a list request, and the parsing of its query parameters.
//!
//! This file holds the [`Client`] entity itself.

use time::OffsetDateTime;

use crate::contact::{Email, PhoneNumber, Website};
use crate::ids::{ClientId, OrganizationId, UserId};

mod create;
mod fields;
mod name;
mod patch;
mod query;
mod schema;
mod slug;
mod status;

pub use create::NewClient;
pub use fields::{BusinessType, ContactPerson, DisplayName, PlanLabel};
pub use name::{ClientName, name_key};
pub use patch::{ClientPatch, Patch};
pub use query::{ClientQuery, ClientQueryInput, Cursor};
pub use schema::{ClientInput, ClientSchema};
pub use slug::{Slug, SlugAttempt, slug_attempts};
pub use status::Status;

/// A client of an agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// Its identity, never changed.
    pub id: ClientId,
    /// The organization (tenant) that holds it, never changed.
    pub organization_id: OrganizationId,
    /// The user who created it through the app API; `None` for API-key creations.
    pub created_by: Option<UserId>,
    /// Its name, unique within the organization compared case-insensitively.
    pub name: ClientName,
    /// Its URL handle, derived from the name at creation and never changed (a rename keeps it).
    pub slug: Slug,
    /// A public-facing label; [`Client::display_name`] falls back to the name.
    pub display_name: Option<DisplayName>,
    /// Free-text business type (`automotive`).
    pub business_type: Option<BusinessType>,
    /// The client's own subscription-plan label (metadata, not the organization's plan).
    pub subscription_plan: Option<PlanLabel>,
    /// Its lifecycle state.
    pub status: Status,
    /// Its contact person.
    pub contact_person: Option<ContactPerson>,
    /// Its contact email.
    pub contact_email: Option<Email>,
    /// Its phone number, normalised.
    pub phone_number: Option<PhoneNumber>,
    /// Its website, normalised.
    pub domain: Option<Website>,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When it was last active; stores start it at the creation time, and [`Client::apply`]
    /// does not change it.
    pub last_active_at: OffsetDateTime,
    /// When it was last changed; [`Client::apply`] sets it.
    pub updated_at: OffsetDateTime,
}

impl Client {
    /// The public label: the display name, or the name when there is none.
    #[must_use]
    pub fn display_name(&self) -> &str {
        self.display_name
            .as_ref()
            .map_or(self.name.as_str(), DisplayName::as_str)
    }

    /// Applies a validated update at `now`. The id, organization, creator and slug never change.
    pub fn apply(&mut self, patch: ClientPatch, now: OffsetDateTime) {
        let ClientPatch {
            name,
            display_name,
            business_type,
            subscription_plan,
            status,
            contact_person,
            contact_email,
            phone_number,
            domain,
        } = patch;
        if let Some(name) = name {
            self.name = name;
        }
        if let Some(status) = status {
            self.status = status;
        }
        display_name.apply_to(&mut self.display_name);
        business_type.apply_to(&mut self.business_type);
        subscription_plan.apply_to(&mut self.subscription_plan);
        contact_person.apply_to(&mut self.contact_person);
        contact_email.apply_to(&mut self.contact_email);
        phone_number.apply_to(&mut self.phone_number);
        domain.apply_to(&mut self.domain);
        self.updated_at = now;
    }
}

/// Helpers the unit tests of this module's files share.
#[cfg(test)]
mod test_support {
    use std::fmt;

    use super::{ClientInput, ClientPatch, ClientSchema};
    use crate::validation::{Issue, ValidationErrors};

    pub(super) fn issues(result: Result<impl fmt::Debug, ValidationErrors>) -> Vec<Issue> {
        result.expect_err("invalid request").into_issues()
    }

    pub(super) fn patch(input: ClientInput, schema: &ClientSchema) -> ClientPatch {
        ClientPatch::parse(input, schema).expect("valid patch")
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::test_support::patch;
    use super::*;
    use crate::validation::Input;

    const CREATED: OffsetDateTime = datetime!(2024-03-15 10:30:00 UTC);
    const LATER: OffsetDateTime = datetime!(2024-03-16 08:00:00 UTC);

    fn client() -> Client {
        Client {
            id: "tz4a98xxat96iws9zmbrgj3a".parse().expect("cuid2"),
            organization_id: "0190f1a2-3b4c-7d5e-8f60-718293a4b5c6"
                .parse()
                .expect("uuid"),
            created_by: None,
            name: ClientName::from_trusted("Acme".to_owned()),
            slug: Slug::derive("Acme"),
            display_name: Some(DisplayName::from_trusted("ACME Inc.".to_owned())),
            business_type: Some(BusinessType::from_trusted("automotive".to_owned())),
            subscription_plan: Some(PlanLabel::from_trusted("Pro".to_owned())),
            status: Status::Active,
            contact_person: Some(ContactPerson::from_trusted("Jane".to_owned())),
            contact_email: Some(Email::from_trusted("jane@acme.com".to_owned())),
            phone_number: None,
            domain: Some(Website::from_trusted("https://acme.com".to_owned())),
            created_at: CREATED,
            last_active_at: CREATED,
            updated_at: CREATED,
        }
    }

    #[test]
    fn display_name_falls_back_to_the_name() {
        let mut c = client();
        assert_eq!(c.display_name(), "ACME Inc.");
        c.display_name = None;
        assert_eq!(c.display_name(), "Acme");
    }

    #[test]
    fn apply_changes_only_what_the_patch_says() {
        let mut c = client();
        let before = c.clone();
        let p = patch(
            ClientInput {
                name: Input::text("Acme Renamed"),
                status: Input::text("inactive"),
                display_name: Input::Null,
                phone_number: Input::text("+4930123456"),
                ..ClientInput::default()
            },
            &ClientSchema::MANAGEMENT,
        );
        c.apply(p, LATER);
        assert_eq!(c.name.as_str(), "Acme Renamed");
        assert_eq!(c.status, Status::Inactive);
        assert_eq!(c.display_name, None);
        assert_eq!(
            c.phone_number.as_ref().map(PhoneNumber::as_str),
            Some("+4930123456")
        );
        assert_eq!(c.updated_at, LATER);
        // Unchanged: identity, slug, creation, and every kept field.
        assert_eq!(c.id, before.id);
        assert_eq!(c.organization_id, before.organization_id);
        assert_eq!(c.created_by, before.created_by);
        assert_eq!(c.slug.as_str(), "acme");
        assert_eq!(c.created_at, CREATED);
        assert_eq!(c.last_active_at, CREATED);
        assert_eq!(c.business_type, before.business_type);
        assert_eq!(c.subscription_plan, before.subscription_plan);
        assert_eq!(c.contact_person, before.contact_person);
        assert_eq!(c.contact_email, before.contact_email);
        assert_eq!(c.domain, before.domain);
    }

    #[test]
    fn apply_of_an_empty_patch_only_touches_updated_at() {
        let mut c = client();
        c.apply(ClientPatch::default(), LATER);
        assert_eq!(
            c,
            Client {
                updated_at: LATER,
                ..client()
            }
        );
    }
}
