//! Shared helpers for the free-text value objects.

use crate::validation::{Field, Issue, StringCheck};

/// Trims `raw` and checks it holds `min..=max` characters and no control characters.
pub(crate) fn bounded(field: Field, raw: &str, min: usize, max: usize) -> Result<String, Issue> {
    let trimmed = raw.trim();
    let len = trimmed.chars().count();
    if len < min {
        return Err(Issue::too_short(field, min));
    }
    if len > max {
        return Err(Issue::too_long(field, max));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(Issue::invalid_string(
            field,
            StringCheck::Regex,
            format!("{} must not contain control characters", field.label()),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Declares a trimmed, length-bounded text value object.
macro_rules! bounded_text {
    ($(#[$meta:meta])* $name:ident, $field:expr, $min:expr, $max:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Fewest characters after trimming.
            pub const MIN: usize = $min;
            /// Most characters after trimming.
            pub const MAX: usize = $max;

            /// Trims and checks the length ([`Self::MIN`] to [`Self::MAX`] characters) and that
            /// no control character remains.
            ///
            /// # Errors
            /// The failed rule, as an issue on its field: `too_small`, `too_big`, or
            /// `invalid_string` (regex) for a control character.
            pub fn parse(raw: &str) -> Result<Self, $crate::validation::Issue> {
                $crate::text::bounded($field, raw, Self::MIN, Self::MAX).map(Self)
            }

            /// Restores a value this crate produced earlier (e.g. read back from storage),
            /// unchecked.
            #[must_use]
            pub fn from_trusted(value: String) -> Self {
                Self(value)
            }

            /// The text, trimmed.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The text, trimmed, by value.
            #[must_use]
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

pub(crate) use bounded_text;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::IssueKind;

    #[test]
    fn trims_and_keeps_inner_spaces() {
        assert_eq!(
            bounded(Field::Name, "  a  b \t\n", 1, 5).as_deref(),
            Ok("a  b")
        );
    }

    #[test]
    fn bounds_are_inclusive_and_count_characters() {
        assert_eq!(bounded(Field::Name, "éé", 2, 2).as_deref(), Ok("éé"));
        assert_eq!(
            bounded(Field::Name, "é", 2, 3),
            Err(Issue::too_short(Field::Name, 2))
        );
        assert_eq!(
            bounded(Field::Name, "éééé", 2, 3),
            Err(Issue::too_long(Field::Name, 3))
        );
    }

    #[test]
    fn whitespace_only_is_too_short() {
        assert_eq!(
            bounded(Field::Name, " \t ", 1, 3),
            Err(Issue::too_short(Field::Name, 1))
        );
    }

    #[test]
    fn control_characters_are_refused() {
        for raw in ["a\u{0}b", "a\nb", "a\u{7f}b", "a\u{1b}[31m"] {
            let issue = bounded(Field::Name, raw, 1, 200).expect_err(raw);
            assert_eq!(
                issue.kind,
                IssueKind::InvalidString {
                    validation: StringCheck::Regex
                },
                "{raw:?}"
            );
            assert_eq!(issue.message, "Name must not contain control characters");
        }
    }
}
