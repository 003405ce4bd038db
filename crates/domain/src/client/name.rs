//! A client's name, and when two names are the same.

use std::fmt;

use crate::text::bounded;
use crate::validation::{Field, Issue};

/// A client's name: trimmed, 1–200 characters, unique within its organization compared
/// case-insensitively ([`ClientName::key`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientName(String);

impl ClientName {
    /// Fewest characters after trimming (the management API's minimum; the app API asks for 2).
    pub const MIN: usize = 1;
    /// Most characters after trimming.
    pub const MAX: usize = 200;

    /// Trims and checks `min..=200` characters (`min` is 1 on the management API, 2 on the app API).
    ///
    /// A `min` below 1 counts as 1.
    ///
    /// # Errors
    /// `too_small` / `too_big` on the name, or `invalid_string` (regex) when it contains control
    /// characters.
    pub fn parse_min(raw: &str, min: usize) -> Result<Self, Issue> {
        bounded(Field::Name, raw, min.max(Self::MIN), Self::MAX).map(Self)
    }

    /// [`ClientName::parse_min`] with the contract's minimum of 1.
    ///
    /// # Errors
    /// As [`ClientName::parse_min`].
    pub fn parse(raw: &str) -> Result<Self, Issue> {
        Self::parse_min(raw, Self::MIN)
    }

    /// Restores a value this crate produced earlier (e.g. read back from storage), unchecked.
    #[must_use]
    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    /// The name, trimmed.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The normalised form that uniqueness compares: the trimmed name, lowercased.
    #[must_use]
    pub fn key(&self) -> String {
        name_key(&self.0)
    }
}

/// The uniqueness key of any name: trimmed and lowercased (Unicode-aware).
#[must_use]
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

impl fmt::Display for ClientName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ClientSchema;
    use crate::validation::{Expected, IssueKind, StringCheck};

    fn name(raw: &str) -> Result<String, Issue> {
        ClientName::parse(raw).map(|n| n.as_str().to_owned())
    }

    fn name_app(raw: &str) -> Result<String, Issue> {
        ClientName::parse_min(raw, ClientSchema::APP.name_min).map(|n| n.as_str().to_owned())
    }

    #[test]
    fn name_length_boundaries() {
        assert_eq!(name(""), Err(Issue::too_short(Field::Name, 1)));
        assert_eq!(name("a").as_deref(), Ok("a"));
        assert_eq!(name("ab").as_deref(), Ok("ab"));
        let n200 = "n".repeat(200);
        assert_eq!(name(&n200).as_deref(), Ok(n200.as_str()));
        let issue = name(&"n".repeat(201)).expect_err("201");
        assert_eq!(issue, Issue::too_long(Field::Name, 200));
        assert_eq!(
            issue.kind,
            IssueKind::TooBig {
                maximum: 200,
                of: Expected::String
            }
        );
    }

    #[test]
    fn name_length_counts_characters_not_bytes() {
        let n200 = "é".repeat(200);
        assert_eq!(name(&n200).as_deref(), Ok(n200.as_str()));
        assert_eq!(
            name(&"é".repeat(201)),
            Err(Issue::too_long(Field::Name, 200))
        );
    }

    #[test]
    fn app_name_needs_two_characters() {
        let issue = name_app("a").expect_err("one character");
        assert_eq!(issue.message, "Name must be at least 2 characters");
        assert_eq!(
            issue.kind,
            IssueKind::TooSmall {
                minimum: 2,
                of: Expected::String
            }
        );
        assert_eq!(
            name_app(" a ").expect_err("trimmed to one").message,
            "Name must be at least 2 characters"
        );
        assert_eq!(
            name_app("").expect_err("empty").message,
            "Name must be at least 2 characters"
        );
        assert_eq!(name_app("ab").as_deref(), Ok("ab"));
        assert_eq!(
            name_app(&"n".repeat(201)),
            Err(Issue::too_long(Field::Name, 200))
        );
    }

    #[test]
    fn name_minimum_never_below_one() {
        assert_eq!(
            ClientName::parse_min("", 0),
            Err(Issue::too_short(Field::Name, 1))
        );
    }

    #[test]
    fn name_is_trimmed() {
        assert_eq!(name("  Acme Corp \t\n").as_deref(), Ok("Acme Corp"));
        assert_eq!(
            name(&format!("  {}  ", "n".repeat(200))).as_deref(),
            Ok("n".repeat(200).as_str())
        );
        assert_eq!(name("   "), Err(Issue::too_short(Field::Name, 1)));
        assert_eq!(
            name("\u{3000}\u{a0}"),
            Err(Issue::too_short(Field::Name, 1))
        );
    }

    #[test]
    fn name_refuses_control_characters() {
        let issue = name("Acme\u{0}Corp").expect_err("NUL");
        assert_eq!(
            issue.kind,
            IssueKind::InvalidString {
                validation: StringCheck::Regex
            }
        );
        assert_eq!(issue.field, Field::Name);
        assert!(name("Acme\nCorp").is_err());
        assert!(name("Acme\u{85}Corp").is_err());
    }

    #[test]
    fn name_key_is_case_insensitive_and_trimmed() {
        let a = ClientName::parse("  ACME Corp ").expect("valid");
        let b = ClientName::parse("acme corp").expect("valid");
        assert_ne!(a, b);
        assert_eq!(a.key(), "acme corp");
        assert_eq!(a.key(), b.key());
        assert_eq!(name_key(" ÉCOLE Zürich "), "école zürich");
        assert_eq!(name_key("ÉCOLE"), name_key("école"));
        assert_ne!(name_key("acme"), name_key("acme corp"));
        assert_eq!(ClientName::from_trusted("X".to_owned()).to_string(), "X");
    }
}
