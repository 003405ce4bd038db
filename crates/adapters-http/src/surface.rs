//! The two HTTP surfaces and how each spells the domain's fields.
//!
//! The domain reports every failed rule against a [`Field`]; a surface renders it under its own
//! name: snake_case on the management API (`/v1`), camelCase on the app API (`/api`).

use clientele_domain::{ClientInput, ClientQueryInput, Field};

use crate::body::JsonObject;
use crate::respond::query_pairs;

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
                Field::Environment => "environment",
                Field::Cursor => "cursor",
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
                Field::Environment => "environment",
                Field::Cursor => "cursor",
            },
        }
    }
}

impl Surface {
    /// The list parameters this surface exposes, from a query string under this surface's names
    /// (the last occurrence of a repeated one wins; unknown ones are ignored; malformed
    /// percent-encoding is decoded lossily). The app API answers a whole page (the most a page may
    /// hold) when no `limit` is given.
    #[must_use]
    pub fn query_input(self, query: &str) -> ClientQueryInput {
        let mut input = ClientQueryInput::default();
        for (k, v) in query_pairs(query) {
            let field = [
                Field::Status,
                Field::BusinessType,
                Field::SubscriptionPlan,
                Field::Query,
                Field::Limit,
                Field::Offset,
                Field::Cursor,
            ]
            .into_iter()
            .find(|f| self.field_name(*f) == k);
            let slot = match (self, field) {
                (_, Some(Field::Query)) => &mut input.search,
                (_, Some(Field::Limit)) => &mut input.limit,
                (_, Some(Field::Offset)) => &mut input.offset,
                (_, Some(Field::Cursor)) => &mut input.cursor,
                (Self::Management, Some(Field::Status)) => &mut input.status,
                (Self::Management, Some(Field::BusinessType)) => &mut input.business_type,
                (Self::Management, Some(Field::SubscriptionPlan)) => &mut input.subscription_plan,
                _ => continue,
            };
            *slot = Some(v);
        }
        if self == Self::App && input.limit.is_none() {
            input.limit = Some(clientele_domain::ClientQuery::MAX_LIMIT.to_string());
        }
        input
    }

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

    #[test]
    fn query_parameters_map_to_the_domain() {
        let q = Surface::Management
            .query_input("status=trial&type=auto%20motive&q=abc&limit=5&offset=10&x=1&limit=7");
        assert_eq!(q.status.as_deref(), Some("trial"));
        assert_eq!(q.business_type.as_deref(), Some("auto motive"));
        assert_eq!(q.search.as_deref(), Some("abc"));
        assert_eq!(q.limit.as_deref(), Some("7"));
        assert_eq!(q.offset.as_deref(), Some("10"));
        let bad = Surface::Management.query_input("q=%ZZ%FF&limit=%");
        assert!(bad.search.is_some());
    }

    #[test]
    fn the_app_list_takes_search_and_paging_only() {
        let q = Surface::App.query_input("q=acme&status=trial&offset=3&subscription_plan=x");
        assert_eq!(q.search.as_deref(), Some("acme"));
        assert_eq!(q.offset.as_deref(), Some("3"));
        assert_eq!((q.status, q.subscription_plan), (None, None));
        assert_eq!(q.limit.as_deref(), Some("200"), "a whole page by default");
        assert_eq!(
            Surface::App.query_input("limit=5").limit.as_deref(),
            Some("5")
        );
        assert_eq!(Surface::Management.query_input("").limit, None);
    }

    /// The render structs spell every field the surface takes as [`Surface::field_name`] does
    /// (serde and utoipa need the names on the struct fields; this holds them to the one list).
    #[test]
    fn rendering_uses_the_parsing_names() {
        use clientele_domain::{
            BusinessType, Client, ClientName, ContactPerson, DisplayName, Email, PhoneNumber,
            PlanLabel, Slug, Status, Website,
        };
        let now = time::OffsetDateTime::UNIX_EPOCH;
        let client = Client {
            id: "01936f0e-8f5c-7d4a-9b1e-2f3a4b5c6d7e".parse().expect("id"),
            organization_id: "01936f0e-8f5c-7d4a-9b1e-2f3a4b5c6d7f".parse().expect("org"),
            created_by: None,
            name: ClientName::parse("Acme").expect("name"),
            slug: Slug::derive("Acme"),
            display_name: Some(DisplayName::parse("ACME").expect("display")),
            business_type: Some(BusinessType::parse("auto").expect("type")),
            subscription_plan: Some(PlanLabel::parse("Pro").expect("plan")),
            status: Status::Trial,
            contact_person: Some(ContactPerson::parse("Jane").expect("person")),
            contact_email: Some(Email::parse(Field::ContactEmail, "j@a.io").expect("email")),
            phone_number: Some(PhoneNumber::parse("+15551234567").expect("phone")),
            domain: Some(Website::parse("a.io").expect("domain")),
            created_at: now,
            last_active_at: now,
            updated_at: now,
        };
        let fields = [
            Field::Name,
            Field::DisplayName,
            Field::BusinessType,
            Field::SubscriptionPlan,
            Field::Status,
            Field::ContactPerson,
            Field::ContactEmail,
            Field::PhoneNumber,
            Field::Domain,
        ];
        let management =
            serde_json::to_value(crate::management::ManagementClient::from(&client)).expect("json");
        for field in fields {
            let name = Surface::Management.field_name(field);
            assert!(management.get(name).is_some(), "{name} in {management}");
        }
        let app = serde_json::to_value(crate::app::AppClient::from(&client)).expect("json");
        let mut body = crate::body::JsonObject::parse(app.to_string().as_bytes()).expect("object");
        let input = Surface::App.client_input(&mut body);
        for (field, taken) in [
            (Field::Name, &input.name),
            (Field::Domain, &input.domain),
            (Field::ContactPerson, &input.contact_person),
            (Field::ContactEmail, &input.contact_email),
        ] {
            assert!(
                matches!(taken, clientele_domain::Input::Text(_)),
                "{} is rendered under the name it is read from",
                Surface::App.field_name(field)
            );
        }
    }
}
