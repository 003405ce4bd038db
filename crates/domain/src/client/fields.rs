//! The client's other free-text fields: display name, business type, plan label, contact person.

use crate::text::bounded_text;
use crate::validation::Field;

bounded_text!(
    /// A public-facing label, ≤ 255 characters; the name stands in when there is none.
    DisplayName,
    Field::DisplayName,
    1,
    255
);
bounded_text!(
    /// Free-text business type (`automotive`), 1–100 characters.
    BusinessType,
    Field::BusinessType,
    1,
    100
);
bounded_text!(
    /// The client's subscription-plan label (`Pro`), 1–100 characters, stored as given (trimmed).
    /// Metadata only: unrelated to the organization's [`crate::Plan`].
    PlanLabel,
    Field::SubscriptionPlan,
    1,
    100
);
bounded_text!(
    /// The client's contact person, ≤ 255 characters.
    ContactPerson,
    Field::ContactPerson,
    1,
    255
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::Issue;

    #[test]
    fn display_name_up_to_255() {
        let ok = "d".repeat(255);
        assert_eq!(DisplayName::parse(&ok).map(DisplayName::into_inner), Ok(ok));
        assert_eq!(
            DisplayName::parse(&"d".repeat(256)),
            Err(Issue::too_long(Field::DisplayName, 255))
        );
        assert_eq!(
            DisplayName::parse(" Acme ").map(|d| d.as_str().to_owned()),
            Ok("Acme".to_owned())
        );
    }

    #[test]
    fn business_type_and_plan_label_1_to_100() {
        assert_eq!(
            BusinessType::parse(""),
            Err(Issue::too_short(Field::BusinessType, 1))
        );
        assert_eq!(
            BusinessType::parse("a").map(|b| b.to_string()),
            Ok("a".to_owned())
        );
        assert!(BusinessType::parse(&"b".repeat(100)).is_ok());
        assert_eq!(
            BusinessType::parse(&"b".repeat(101)),
            Err(Issue::too_long(Field::BusinessType, 100))
        );
        assert_eq!(
            PlanLabel::parse("  "),
            Err(Issue::too_short(Field::SubscriptionPlan, 1))
        );
        assert_eq!(
            PlanLabel::parse(" Pro Plus ").map(|p| p.as_ref().to_owned()),
            Ok("Pro Plus".to_owned())
        );
        assert!(PlanLabel::parse(&"p".repeat(100)).is_ok());
        assert_eq!(
            PlanLabel::parse(&"p".repeat(101)),
            Err(Issue::too_long(Field::SubscriptionPlan, 100))
        );
        assert_eq!(
            PlanLabel::parse(&"p".repeat(101)).expect_err("101").message,
            "Subscription plan must be at most 100 characters"
        );
    }

    #[test]
    fn contact_person_up_to_255() {
        assert!(ContactPerson::parse(&"c".repeat(255)).is_ok());
        assert_eq!(
            ContactPerson::parse(&"c".repeat(256)),
            Err(Issue::too_long(Field::ContactPerson, 255))
        );
        assert_eq!(ContactPerson::from_trusted("Jo".to_owned()).as_str(), "Jo");
    }
}
