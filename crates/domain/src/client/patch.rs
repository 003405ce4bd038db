//! What an update changes, and the parsing of an update request.

use super::{
    BusinessType, ClientInput, ClientName, ClientSchema, ContactPerson, DisplayName, PlanLabel,
    Status,
};
use crate::contact::{Email, PhoneNumber, Website};
use crate::validation::{Collector, Expected, Field, Input, Issue, ValidationErrors};

/// What an update does to one optional field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    /// Absent from the request: unchanged.
    #[default]
    Keep,
    /// `null` (or empty): cleared.
    Clear,
    /// A new value.
    Set(T),
}

impl<T> Patch<T> {
    /// Applies this change to `slot`.
    pub fn apply_to(self, slot: &mut Option<T>) {
        match self {
            Self::Keep => {}
            Self::Clear => *slot = None,
            Self::Set(v) => *slot = Some(v),
        }
    }

    /// Whether this leaves the field unchanged.
    #[must_use]
    pub const fn is_keep(&self) -> bool {
        matches!(self, Self::Keep)
    }
}

/// A validated partial update: absent fields are kept, `null` clears an optional field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientPatch {
    /// A new name, or `None` to keep it (a name cannot be cleared).
    pub name: Option<ClientName>,
    /// The change to the display name.
    pub display_name: Patch<DisplayName>,
    /// The change to the business type.
    pub business_type: Patch<BusinessType>,
    /// The change to the subscription-plan label.
    pub subscription_plan: Patch<PlanLabel>,
    /// A new status, or `None` to keep it (a status cannot be cleared).
    pub status: Option<Status>,
    /// The change to the contact person.
    pub contact_person: Patch<ContactPerson>,
    /// The change to the contact email.
    pub contact_email: Patch<Email>,
    /// The change to the phone number.
    pub phone_number: Patch<PhoneNumber>,
    /// The change to the website.
    pub domain: Patch<Website>,
}

impl ClientPatch {
    /// Parses an update under `schema`: the fields it requires on create (and the name and status)
    /// cannot be cleared; the others can, with `null` or an empty string.
    ///
    /// # Errors
    /// Every issue of the request, in field order.
    pub fn parse(input: ClientInput, schema: &ClientSchema) -> Result<Self, ValidationErrors> {
        let mut c = Collector::new();
        let clearable = |f: Field| !schema.requires(f) && f != Field::Name && f != Field::Status;
        let name_min = schema.name_min;
        let name = update_field(&mut c, Field::Name, input.name, false)
            .parse(&mut c, |s| ClientName::parse_min(s, name_min));
        macro_rules! patch {
            ($f:expr, $input:expr, $parse:expr) => {
                update_field(&mut c, $f, $input, clearable($f)).patch(&mut c, $parse)
            };
        }
        let display_name = patch!(Field::DisplayName, input.display_name, DisplayName::parse);
        let business_type = patch!(
            Field::BusinessType,
            input.business_type,
            BusinessType::parse
        );
        let subscription_plan = patch!(
            Field::SubscriptionPlan,
            input.subscription_plan,
            PlanLabel::parse
        );
        let status =
            update_field(&mut c, Field::Status, input.status, false).parse(&mut c, Status::parse);
        let contact_person = patch!(
            Field::ContactPerson,
            input.contact_person,
            ContactPerson::parse
        );
        let contact_email = patch!(Field::ContactEmail, input.contact_email, |s| Email::parse(
            Field::ContactEmail,
            s
        ));
        let phone_number = patch!(Field::PhoneNumber, input.phone_number, PhoneNumber::parse);
        let domain = patch!(Field::Domain, input.domain, Website::parse);
        c.finish(|| Self {
            name: name.flatten(),
            display_name: display_name.unwrap_or_default(),
            business_type: business_type.unwrap_or_default(),
            subscription_plan: subscription_plan.unwrap_or_default(),
            status: status.flatten(),
            contact_person: contact_person.unwrap_or_default(),
            contact_email: contact_email.unwrap_or_default(),
            phone_number: phone_number.unwrap_or_default(),
            domain: domain.unwrap_or_default(),
        })
    }

    /// Whether the update changes nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.status.is_none()
            && self.display_name.is_keep()
            && self.business_type.is_keep()
            && self.subscription_plan.is_keep()
            && self.contact_person.is_keep()
            && self.contact_email.is_keep()
            && self.phone_number.is_keep()
            && self.domain.is_keep()
    }
}

/// An update field's raw state: kept, cleared, failed, or text to parse.
enum UpdateValue {
    Keep,
    Clear,
    Failed,
    Text(String),
}

impl UpdateValue {
    fn parse<T>(
        self,
        c: &mut Collector,
        parse: impl FnOnce(&str) -> Result<T, Issue>,
    ) -> Option<Option<T>> {
        self.patch(c, parse).map(|p| match p {
            Patch::Set(v) => Some(v),
            Patch::Keep | Patch::Clear => None,
        })
    }

    fn patch<T>(
        self,
        c: &mut Collector,
        parse: impl FnOnce(&str) -> Result<T, Issue>,
    ) -> Option<Patch<T>> {
        match self {
            Self::Keep => Some(Patch::Keep),
            Self::Clear => Some(Patch::Clear),
            Self::Failed => None,
            Self::Text(s) => c.take(parse(&s)).map(Patch::Set),
        }
    }
}

fn update_field(c: &mut Collector, field: Field, input: Input, clearable: bool) -> UpdateValue {
    match input {
        Input::Missing => UpdateValue::Keep,
        Input::Text(s) if clearable && s.trim().is_empty() => UpdateValue::Clear,
        Input::Null if clearable => UpdateValue::Clear,
        Input::Text(s) => UpdateValue::Text(s),
        other => {
            c.push(Issue::invalid_type(
                field,
                Expected::String,
                other.received(),
            ));
            UpdateValue::Failed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_support::{issues, patch};
    use crate::validation::{Received, StringCheck};

    #[test]
    fn empty_patch_keeps_everything() {
        let p = patch(ClientInput::default(), &ClientSchema::MANAGEMENT);
        assert!(p.is_empty());
        assert_eq!(p, ClientPatch::default());
    }

    #[test]
    fn patch_sets_values() {
        let p = patch(
            ClientInput {
                name: Input::text(" New Name "),
                status: Input::text("churned"),
                phone_number: Input::text("555 123 4567"),
                domain: Input::text("new.io"),
                ..ClientInput::default()
            },
            &ClientSchema::MANAGEMENT,
        );
        assert!(!p.is_empty());
        assert_eq!(
            p.name,
            Some(ClientName::from_trusted("New Name".to_owned()))
        );
        assert_eq!(p.status, Some(Status::Churned));
        assert_eq!(
            p.phone_number,
            Patch::Set(PhoneNumber::from_trusted("5551234567".to_owned()))
        );
        assert_eq!(
            p.domain,
            Patch::Set(Website::from_trusted("https://new.io".to_owned()))
        );
        assert_eq!(p.display_name, Patch::Keep);
    }

    #[test]
    fn null_or_empty_clears_optional_fields() {
        for blank in [Input::Null, Input::text(""), Input::text("  ")] {
            let p = patch(
                ClientInput {
                    display_name: blank.clone(),
                    contact_person: blank.clone(),
                    contact_email: blank.clone(),
                    phone_number: blank.clone(),
                    domain: blank.clone(),
                    ..ClientInput::default()
                },
                &ClientSchema::MANAGEMENT,
            );
            assert_eq!(
                p,
                ClientPatch {
                    display_name: Patch::Clear,
                    contact_person: Patch::Clear,
                    contact_email: Patch::Clear,
                    phone_number: Patch::Clear,
                    domain: Patch::Clear,
                    ..ClientPatch::default()
                },
                "{blank:?}"
            );
            assert!(!p.is_empty());
        }
    }

    #[test]
    fn null_on_name_status_and_required_fields_is_invalid_type() {
        let input = ClientInput {
            name: Input::Null,
            business_type: Input::Null,
            subscription_plan: Input::Null,
            status: Input::Null,
            ..ClientInput::default()
        };
        let null = |f| Issue::invalid_type(f, Expected::String, Received::Null);
        assert_eq!(
            issues(ClientPatch::parse(input, &ClientSchema::MANAGEMENT)),
            [
                null(Field::Name),
                null(Field::BusinessType),
                null(Field::SubscriptionPlan),
                null(Field::Status)
            ]
        );
    }

    #[test]
    fn empty_name_and_required_fields_are_too_short_on_update() {
        let input = ClientInput {
            name: Input::text(" "),
            business_type: Input::text(""),
            status: Input::text(""),
            ..ClientInput::default()
        };
        assert_eq!(
            issues(ClientPatch::parse(input, &ClientSchema::MANAGEMENT)),
            [
                Issue::too_short(Field::Name, 1),
                Issue::too_short(Field::BusinessType, 1),
                Issue::invalid_enum(Field::Status, Status::NAMES, ""),
            ]
        );
    }

    #[test]
    fn patch_issues_are_in_field_order() {
        let input = ClientInput {
            name: Input::Other(Received::Number),
            display_name: Input::text("d".repeat(256)),
            business_type: Input::text("b".repeat(101)),
            subscription_plan: Input::Other(Received::Array),
            status: Input::text("gone"),
            contact_person: Input::text("c".repeat(256)),
            contact_email: Input::text("a@b"),
            phone_number: Input::text("12"),
            domain: Input::text("javascript:alert(1)"),
        };
        let got = issues(ClientPatch::parse(input, &ClientSchema::MANAGEMENT));
        let fields: Vec<Field> = got.iter().map(|i| i.field).collect();
        assert_eq!(
            fields,
            [
                Field::Name,
                Field::DisplayName,
                Field::BusinessType,
                Field::SubscriptionPlan,
                Field::Status,
                Field::ContactPerson,
                Field::ContactEmail,
                Field::PhoneNumber,
                Field::Domain,
            ]
        );
    }

    #[test]
    fn app_patch_cannot_clear_domain_but_can_clear_contacts() {
        let input = ClientInput {
            domain: Input::Null,
            contact_email: Input::Null,
            ..ClientInput::default()
        };
        assert_eq!(
            issues(ClientPatch::parse(input, &ClientSchema::APP)),
            [Issue::invalid_type(
                Field::Domain,
                Expected::String,
                Received::Null
            )]
        );
        let p = patch(
            ClientInput {
                contact_email: Input::Null,
                contact_person: Input::text(""),
                ..ClientInput::default()
            },
            &ClientSchema::APP,
        );
        assert_eq!(p.contact_email, Patch::Clear);
        assert_eq!(p.contact_person, Patch::Clear);
        let short = ClientPatch::parse(
            ClientInput {
                name: Input::text("A"),
                domain: Input::text(""),
                ..ClientInput::default()
            },
            &ClientSchema::APP,
        );
        assert_eq!(
            issues(short),
            [
                Issue::too_short(Field::Name, 2),
                Issue::invalid_string(Field::Domain, StringCheck::Url, "Must be a valid URL"),
            ]
        );
    }

    #[test]
    fn patch_apply_to() {
        let mut slot = Some(1);
        Patch::Keep.apply_to(&mut slot);
        assert_eq!(slot, Some(1));
        Patch::Set(2).apply_to(&mut slot);
        assert_eq!(slot, Some(2));
        Patch::Clear.apply_to(&mut slot);
        assert_eq!(slot, None);
        assert!(Patch::<u8>::default().is_keep());
        assert!(!Patch::Set(1).is_keep());
    }
}
