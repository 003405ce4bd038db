//! The two HTTP surfaces and how each spells the domain's fields.
//!
//! The domain reports every failed rule against a [`Field`]; a surface renders it under its own
//! name: snake_case on the management API (`/v1`), camelCase on the app API (`/api`).

use clientele_domain::Field;

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
