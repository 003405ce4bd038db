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

            /// Trims and checks the length.
            ///
            /// # Errors
            /// The failed rule, as an issue on its field.
            pub fn parse(raw: &str) -> Result<Self, $crate::validation::Issue> {
                $crate::text::bounded($field, raw, Self::MIN, Self::MAX).map(Self)
            }

            /// Restores a value this crate produced earlier (e.g. read back from storage).
            #[must_use]
            pub fn from_trusted(value: String) -> Self {
                Self(value)
            }

            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }

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
