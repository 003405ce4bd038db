//! A client to create, and the parsing of a create request.

use super::{
    BusinessType, ClientInput, ClientName, ClientSchema, ContactPerson, DisplayName, PlanLabel,
    Status,
};
use crate::contact::{Email, PhoneNumber, Website};
use crate::validation::{Collector, Expected, Field, Input, Issue, Received, ValidationErrors};

/// A validated client to create: the fields of a [`Client`](super::Client) a request gives. The
/// store adds the id, organization, creator, slug and timestamps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClient {
    /// The name.
    pub name: ClientName,
    /// The display name, if given.
    pub display_name: Option<DisplayName>,
    /// The business type, if given.
    pub business_type: Option<BusinessType>,
    /// The subscription-plan label, if given.
    pub subscription_plan: Option<PlanLabel>,
    /// The status; [`Status::Active`] when not given.
    pub status: Status,
    /// The contact person, if given.
    pub contact_person: Option<ContactPerson>,
    /// The contact email, if given.
    pub contact_email: Option<Email>,
    /// The phone number, if given, normalised.
    pub phone_number: Option<PhoneNumber>,
    /// The website, if given, normalised.
    pub domain: Option<Website>,
}

impl NewClient {
    /// A client with only a name, every optional field absent and the default status.
    #[must_use]
    pub fn named(name: ClientName) -> Self {
        Self {
            name,
            display_name: None,
            business_type: None,
            subscription_plan: None,
            status: Status::Active,
            contact_person: None,
            contact_email: None,
            phone_number: None,
            domain: None,
        }
    }

    /// Parses a create request under `schema`, reporting every failed rule.
    ///
    /// The name and the fields `schema` requires must be strings (an empty one fails its own
    /// rule). Every other field may be absent, `null`, empty or whitespace, and is then `None`
    /// (the status is then [`Status::Active`]); a value of another JSON type is an
    /// `invalid_type` issue. Values are trimmed and normalised by their value objects.
    ///
    /// # Errors
    /// Every issue of the request, in field order.
    pub fn parse(input: ClientInput, schema: &ClientSchema) -> Result<Self, ValidationErrors> {
        let mut c = Collector::new();
        let name_min = schema.name_min;
        let field = |c: &mut Collector, f: Field, input: Input| -> FieldValue {
            create_field(c, f, input, f == Field::Name || schema.requires(f))
        };
        let name = field(&mut c, Field::Name, input.name)
            .parse(&mut c, |s| ClientName::parse_min(s, name_min));
        let display_name =
            field(&mut c, Field::DisplayName, input.display_name).parse(&mut c, DisplayName::parse);
        let business_type = field(&mut c, Field::BusinessType, input.business_type)
            .parse(&mut c, BusinessType::parse);
        let subscription_plan = field(&mut c, Field::SubscriptionPlan, input.subscription_plan)
            .parse(&mut c, PlanLabel::parse);
        let status = field(&mut c, Field::Status, input.status).parse(&mut c, Status::parse);
        let contact_person = field(&mut c, Field::ContactPerson, input.contact_person)
            .parse(&mut c, ContactPerson::parse);
        let contact_email = field(&mut c, Field::ContactEmail, input.contact_email)
            .parse(&mut c, |s| Email::parse(Field::ContactEmail, s));
        let phone_number =
            field(&mut c, Field::PhoneNumber, input.phone_number).parse(&mut c, PhoneNumber::parse);
        let domain = field(&mut c, Field::Domain, input.domain).parse(&mut c, Website::parse);
        c.check()?;
        let Some(Some(name)) = name else {
            // Unreachable: the name is always required, so a missing one recorded an issue.
            return Err(ValidationErrors::single(Issue::invalid_type(
                Field::Name,
                Expected::String,
                Received::Undefined,
            )));
        };
        Ok(Self {
            name,
            display_name: display_name.flatten(),
            business_type: business_type.flatten(),
            subscription_plan: subscription_plan.flatten(),
            status: status.flatten().unwrap_or_default(),
            contact_person: contact_person.flatten(),
            contact_email: contact_email.flatten(),
            phone_number: phone_number.flatten(),
            domain: domain.flatten(),
        })
    }
}

/// A field's raw state after the presence check: `Absent` (fine), `Failed` (issue recorded), or
/// text to parse.
enum FieldValue {
    Absent,
    Failed,
    Text(String),
}

impl FieldValue {
    /// `Some(Some(v))` parsed, `Some(None)` absent, `None` failed (the issue is in `c`).
    fn parse<T>(
        self,
        c: &mut Collector,
        parse: impl FnOnce(&str) -> Result<T, Issue>,
    ) -> Option<Option<T>> {
        match self {
            Self::Absent => Some(None),
            Self::Failed => None,
            Self::Text(s) => c.take(parse(&s)).map(Some),
        }
    }
}

/// The presence rules of a create: a required field must be a string (an empty one goes on to its
/// parser, which says why it is too short or invalid); an optional one may be absent, `null`, empty
/// or whitespace.
fn create_field(c: &mut Collector, field: Field, input: Input, required: bool) -> FieldValue {
    match input {
        Input::Text(s) if required || !s.trim().is_empty() => FieldValue::Text(s),
        Input::Text(_) | Input::Missing | Input::Null if !required => FieldValue::Absent,
        other => {
            c.push(Issue::invalid_type(
                field,
                Expected::String,
                other.received(),
            ));
            FieldValue::Failed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_support::issues;
    use crate::validation::StringCheck;

    fn management_input() -> ClientInput {
        ClientInput {
            name: Input::text("Acme Corp"),
            business_type: Input::text("automotive"),
            subscription_plan: Input::text("Pro"),
            ..ClientInput::default()
        }
    }

    fn app_input() -> ClientInput {
        ClientInput {
            name: Input::text("Acme Corp"),
            domain: Input::text("acme.com"),
            ..ClientInput::default()
        }
    }

    fn required(field: Field) -> Issue {
        Issue::invalid_type(field, Expected::String, Received::Undefined)
    }

    #[test]
    fn management_create_minimal() {
        let c = NewClient::parse(management_input(), &ClientSchema::MANAGEMENT).expect("valid");
        assert_eq!(
            c,
            NewClient {
                business_type: Some(BusinessType::from_trusted("automotive".to_owned())),
                subscription_plan: Some(PlanLabel::from_trusted("Pro".to_owned())),
                ..NewClient::named(ClientName::from_trusted("Acme Corp".to_owned()))
            }
        );
        assert_eq!(c.status, Status::Active);
    }

    #[test]
    fn management_create_full_is_normalised() {
        let input = ClientInput {
            name: Input::text("  Acme Corp  "),
            display_name: Input::text(" ACME "),
            business_type: Input::text(" automotive "),
            subscription_plan: Input::text(" Pro "),
            status: Input::text("trial"),
            contact_person: Input::text(" Jane Doe "),
            contact_email: Input::text(" Jane@ACME.com "),
            phone_number: Input::text("+1 (555) 123-4567"),
            domain: Input::text("Acme.com/About"),
        };
        let c = NewClient::parse(input, &ClientSchema::MANAGEMENT).expect("valid");
        assert_eq!(c.name.as_str(), "Acme Corp");
        assert_eq!(
            c.display_name.as_ref().map(DisplayName::as_str),
            Some("ACME")
        );
        assert_eq!(
            c.business_type.as_ref().map(BusinessType::as_str),
            Some("automotive")
        );
        assert_eq!(
            c.subscription_plan.as_ref().map(PlanLabel::as_str),
            Some("Pro")
        );
        assert_eq!(c.status, Status::Trial);
        assert_eq!(
            c.contact_person.as_ref().map(ContactPerson::as_str),
            Some("Jane Doe")
        );
        assert_eq!(
            c.contact_email.as_ref().map(Email::as_str),
            Some("Jane@acme.com")
        );
        assert_eq!(
            c.phone_number.as_ref().map(PhoneNumber::as_str),
            Some("+15551234567")
        );
        assert_eq!(
            c.domain.as_ref().map(Website::as_str),
            Some("https://acme.com/About")
        );
    }

    #[test]
    fn management_create_required_fields_missing() {
        let got = issues(NewClient::parse(
            ClientInput::default(),
            &ClientSchema::MANAGEMENT,
        ));
        assert_eq!(
            got,
            [
                required(Field::Name),
                required(Field::BusinessType),
                required(Field::SubscriptionPlan)
            ]
        );
        assert!(got.iter().all(|i| i.message == "Required"));
    }

    #[test]
    fn required_fields_of_other_types() {
        for received in [
            Received::Null,
            Received::Number,
            Received::Boolean,
            Received::Array,
            Received::Object,
        ] {
            let input = ClientInput {
                name: if received == Received::Null {
                    Input::Null
                } else {
                    Input::Other(received)
                },
                ..management_input()
            };
            let got = issues(NewClient::parse(input, &ClientSchema::MANAGEMENT));
            assert_eq!(
                got,
                [Issue::invalid_type(Field::Name, Expected::String, received)],
                "{received:?}"
            );
            assert_eq!(
                got[0].message,
                format!("Expected string, received {}", received.as_str())
            );
        }
    }

    #[test]
    fn required_empty_strings_report_their_rule() {
        let input = ClientInput {
            name: Input::text("  "),
            business_type: Input::text(""),
            subscription_plan: Input::text(" "),
            ..ClientInput::default()
        };
        assert_eq!(
            issues(NewClient::parse(input, &ClientSchema::MANAGEMENT)),
            [
                Issue::too_short(Field::Name, 1),
                Issue::too_short(Field::BusinessType, 1),
                Issue::too_short(Field::SubscriptionPlan, 1),
            ]
        );
    }

    #[test]
    fn optional_empty_null_or_whitespace_is_absent() {
        for blank in [
            Input::Missing,
            Input::Null,
            Input::text(""),
            Input::text(" \t "),
        ] {
            let input = ClientInput {
                display_name: blank.clone(),
                status: blank.clone(),
                contact_person: blank.clone(),
                contact_email: blank.clone(),
                phone_number: blank.clone(),
                domain: blank.clone(),
                ..management_input()
            };
            let c = NewClient::parse(input, &ClientSchema::MANAGEMENT).expect("valid");
            assert_eq!(c.display_name, None);
            assert_eq!(c.status, Status::Active);
            assert_eq!(c.contact_person, None);
            assert_eq!(c.contact_email, None);
            assert_eq!(c.phone_number, None);
            assert_eq!(c.domain, None, "{blank:?}");
        }
    }

    #[test]
    fn optional_fields_of_other_types_are_invalid_type() {
        let input = ClientInput {
            display_name: Input::Other(Received::Number),
            status: Input::Other(Received::Boolean),
            domain: Input::Other(Received::Array),
            contact_email: Input::Other(Received::Object),
            ..management_input()
        };
        assert_eq!(
            issues(NewClient::parse(input, &ClientSchema::MANAGEMENT)),
            [
                Issue::invalid_type(Field::DisplayName, Expected::String, Received::Number),
                Issue::invalid_type(Field::Status, Expected::String, Received::Boolean),
                Issue::invalid_type(Field::ContactEmail, Expected::String, Received::Object),
                Issue::invalid_type(Field::Domain, Expected::String, Received::Array),
            ]
        );
    }

    #[test]
    fn five_bad_fields_yield_five_issues_in_field_order() {
        let input = ClientInput {
            name: Input::text(""),
            display_name: Input::text("d".repeat(256)),
            business_type: Input::text("automotive"),
            subscription_plan: Input::text("Pro"),
            status: Input::text("gone"),
            contact_person: Input::text("Jane"),
            contact_email: Input::text("not-an-email"),
            phone_number: Input::text("12"),
            domain: Input::text("https://acme.com"),
        };
        let got = issues(NewClient::parse(input, &ClientSchema::MANAGEMENT));
        assert_eq!(
            got,
            [
                Issue::too_short(Field::Name, 1),
                Issue::too_long(Field::DisplayName, 255),
                Issue::invalid_enum(Field::Status, Status::NAMES, "gone"),
                Issue::invalid_string(
                    Field::ContactEmail,
                    StringCheck::Email,
                    "Must be a valid email"
                ),
                Issue::invalid_string(
                    Field::PhoneNumber,
                    StringCheck::Regex,
                    "Phone number must be 7-15 digits with an optional leading +"
                ),
            ]
        );
    }

    #[test]
    fn app_create() {
        let c = NewClient::parse(
            ClientInput {
                contact_person: Input::text("Jane"),
                contact_email: Input::text("jane@Acme.com"),
                ..app_input()
            },
            &ClientSchema::APP,
        )
        .expect("valid");
        assert_eq!(c.name.as_str(), "Acme Corp");
        assert_eq!(
            c.domain.as_ref().map(Website::as_str),
            Some("https://acme.com")
        );
        assert_eq!(
            c.contact_email.as_ref().map(Email::as_str),
            Some("jane@acme.com")
        );
        assert_eq!(c.business_type, None);
        assert_eq!(c.subscription_plan, None);
    }

    #[test]
    fn app_create_requires_name_and_domain_only() {
        assert_eq!(
            issues(NewClient::parse(ClientInput::default(), &ClientSchema::APP)),
            [required(Field::Name), required(Field::Domain)]
        );
        let input = ClientInput {
            domain: Input::Null,
            ..app_input()
        };
        assert_eq!(
            issues(NewClient::parse(input, &ClientSchema::APP)),
            [Issue::invalid_type(
                Field::Domain,
                Expected::String,
                Received::Null
            )]
        );
    }

    #[test]
    fn app_create_uses_the_seed_messages() {
        let input = ClientInput {
            name: Input::text("A"),
            domain: Input::text("not a url"),
            contact_email: Input::text("nope"),
            ..ClientInput::default()
        };
        let got = issues(NewClient::parse(input, &ClientSchema::APP));
        let messages: Vec<&str> = got.iter().map(|i| i.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Name must be at least 2 characters",
                "Must be a valid email",
                "Must be a valid URL"
            ]
        );
        let fields: Vec<Field> = got.iter().map(|i| i.field).collect();
        assert_eq!(fields, [Field::Name, Field::ContactEmail, Field::Domain]);
        // An empty required domain is not a valid URL either.
        let input = ClientInput {
            domain: Input::text(""),
            ..app_input()
        };
        assert_eq!(
            issues(NewClient::parse(input, &ClientSchema::APP)),
            [Issue::invalid_string(
                Field::Domain,
                StringCheck::Url,
                "Must be a valid URL"
            )]
        );
    }
}
