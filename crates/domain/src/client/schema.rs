//! Which fields a surface requires, and a create or update request's fields before parsing.

use crate::validation::{Field, Input};

/// Which fields a surface requires on create (the others are optional, and clearable with `null`
/// on update) and how short a name may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientSchema {
    pub name_min: usize,
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

    pub(super) fn requires(&self, field: Field) -> bool {
        self.required.contains(&field)
    }
}

/// A create or update request's fields, before parsing. A surface fills in the fields it exposes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInput {
    pub name: Input,
    pub display_name: Input,
    pub business_type: Input,
    pub subscription_plan: Input,
    pub status: Input,
    pub contact_person: Input,
    pub contact_email: Input,
    pub phone_number: Input,
    pub domain: Input,
}
