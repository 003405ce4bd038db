//! Which fields a surface requires, and a create or update request's fields before parsing.

use super::{BusinessType, ClientName, ContactPerson, DisplayName, PlanLabel};
use crate::contact::{Email, Website};
use crate::validation::{Field, Input};

/// Which fields a surface requires on create (the others are optional, and clearable with `null`
/// on update) and how short a name may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientSchema {
    /// The fewest characters of a name (trimmed); the most is always [`ClientName::MAX`].
    pub name_min: usize,
    /// The fields a create must carry. The name is required whether listed or not.
    pub required: &'static [Field],
}

impl ClientSchema {
    /// The management API: `name`, `type`, `subscription_plan` required; names of 1+ characters.
    pub const MANAGEMENT: Self = Self {
        name_min: 1,
        required: &[Field::Name, Field::BusinessType, Field::SubscriptionPlan],
    };
    /// Only the name required (1+ characters): for programs using the crates directly.
    pub const NAME_ONLY: Self = Self {
        name_min: 1,
        required: &[Field::Name],
    };
    /// The app API: `name` (2+ characters) and `domain` required.
    pub const APP: Self = Self {
        name_min: 2,
        required: &[Field::Name, Field::Domain],
    };

    /// Whether a create must carry `field`.
    #[must_use]
    pub fn requires(&self, field: Field) -> bool {
        self.required.contains(&field)
    }

    /// The fewest and most characters of a client field's text under this schema (`None` for
    /// fields without a length rule: status, phone). An optional field's fewest is 0: empty
    /// counts as absent. The value objects' own bounds, stated once: documentation (OpenAPI)
    /// reads them here.
    #[must_use]
    pub fn length(&self, field: Field) -> Option<(usize, usize)> {
        let (min, max) = match field {
            Field::Name => (self.name_min, ClientName::MAX),
            Field::DisplayName => (DisplayName::MIN, DisplayName::MAX),
            Field::BusinessType => (BusinessType::MIN, BusinessType::MAX),
            Field::SubscriptionPlan => (PlanLabel::MIN, PlanLabel::MAX),
            Field::ContactPerson => (ContactPerson::MIN, ContactPerson::MAX),
            Field::ContactEmail => (1, Email::MAX),
            Field::Domain => (1, Website::MAX),
            _ => return None,
        };
        Some((if self.requires(field) { min } else { 0 }, max))
    }
}

/// A create or update request's fields, before parsing. A surface fills in the fields it exposes;
/// the others stay [`Input::Missing`] (the default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInput {
    /// The name ([`Field::Name`]).
    pub name: Input,
    /// The display name ([`Field::DisplayName`]).
    pub display_name: Input,
    /// The business type ([`Field::BusinessType`]).
    pub business_type: Input,
    /// The subscription-plan label ([`Field::SubscriptionPlan`]).
    pub subscription_plan: Input,
    /// The status ([`Field::Status`]).
    pub status: Input,
    /// The contact person ([`Field::ContactPerson`]).
    pub contact_person: Input,
    /// The contact email ([`Field::ContactEmail`]).
    pub contact_email: Input,
    /// The phone number ([`Field::PhoneNumber`]).
    pub phone_number: Input,
    /// The website ([`Field::Domain`]).
    pub domain: Input,
}
