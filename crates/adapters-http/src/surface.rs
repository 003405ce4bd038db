//! The two HTTP surfaces and how each spells the domain's fields.
//!
//! The domain reports every failed rule against a [`Field`]; a surface renders it under its own
//! name: snake_case on the management API (`/v1`), camelCase on the app API (`/api`).

use clientele_domain::{ClientInput, Field};

use crate::body::JsonObject;

/// Which API a request came through. Decides field names in validation `details` and the shape
/// of the plan-limit body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Surface {
    /// `/v1/...`: server-to-server, API key, snake_case.
    Management,
    /// `/api/...`: the web app's backend, session cookie, camelCase.
    App,
}

impl Surface {
    /// The name of `field` in this surface's request and response bodies.
    #[must_use]
    pub const fn field_name(self, field: Field) -> &'static str {
        match self {
            Self::Management => match field {
                Field::Name | Field::UserName => "name",
                Field::DisplayName => "display_name",
                Field::BusinessType => "type",
                Field::SubscriptionPlan => "subscription_plan",
                Field::Status => "status",
                Field::ContactPerson => "contact_person",
                Field::ContactEmail => "contact_email",
                Field::PhoneNumber => "phone_number",
                Field::Domain => "domain",
                Field::Email => "email",
                Field::Password => "password",
                Field::Token => "token",
                Field::Limit => "limit",
                Field::Offset => "offset",
                Field::Query => "q",
                Field::IdempotencyKey => "Idempotency-Key",
            },
            Self::App => match field {
                Field::Name | Field::UserName => "name",
                Field::DisplayName => "displayName",
                Field::BusinessType => "type",
                Field::SubscriptionPlan => "subscriptionPlan",
                Field::Status => "status",
                Field::ContactPerson => "contactName",
                Field::ContactEmail => "contactEmail",
                Field::PhoneNumber => "phoneNumber",
                Field::Domain => "domain",
                Field::Email => "email",
                Field::Password => "password",
                Field::Token => "token",
                Field::Limit => "limit",
                Field::Offset => "offset",
                Field::Query => "q",
                Field::IdempotencyKey => "Idempotency-Key",
            },
        }
    }
}

impl Surface {
    /// The client fields this surface exposes, taken from a body under this surface's names
    /// (the names are [`Self::field_name`]'s, declared once).
    #[must_use]
    pub fn client_input(self, body: &mut JsonObject) -> ClientInput {
        let mut take = |field| body.take(self.field_name(field));
        match self {
            Self::Management => ClientInput {
                name: take(Field::Name),
                display_name: take(Field::DisplayName),
                business_type: take(Field::BusinessType),
                subscription_plan: take(Field::SubscriptionPlan),
                status: take(Field::Status),
                contact_person: take(Field::ContactPerson),
                contact_email: take(Field::ContactEmail),
                phone_number: take(Field::PhoneNumber),
                domain: take(Field::Domain),
            },
            Self::App => ClientInput {
                name: take(Field::Name),
                domain: take(Field::Domain),
                contact_person: take(Field::ContactPerson),
                contact_email: take(Field::ContactEmail),
                ..ClientInput::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_each_surface() {
        assert_eq!(Surface::Management.field_name(Field::BusinessType), "type");
        assert_eq!(
            Surface::Management.field_name(Field::PhoneNumber),
            "phone_number"
        );
        assert_eq!(
            Surface::Management.field_name(Field::ContactPerson),
            "contact_person"
        );
        assert_eq!(Surface::App.field_name(Field::ContactPerson), "contactName");
        assert_eq!(Surface::App.field_name(Field::ContactEmail), "contactEmail");
        assert_eq!(Surface::App.field_name(Field::Domain), "domain");
    }
}
