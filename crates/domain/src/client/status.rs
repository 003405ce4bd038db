//! A client's lifecycle state.

use std::fmt;
use std::str::FromStr;

use crate::validation::{Field, Issue};

/// A client's lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Status {
    /// `active`: the default.
    #[default]
    Active,
    /// `inactive`.
    Inactive,
    /// `trial`.
    Trial,
    /// `churned`.
    Churned,
    /// `pending`.
    Pending,
}

impl Status {
    /// Every status's wire name, in declaration order.
    pub const NAMES: &'static [&'static str] =
        &["active", "inactive", "trial", "churned", "pending"];

    /// The wire name: one of [`Status::NAMES`].
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Trial => "trial",
            Self::Churned => "churned",
            Self::Pending => "pending",
        }
    }

    /// Parses one of [`Status::NAMES`], exactly (lowercase; surrounding whitespace ignored).
    ///
    /// # Errors
    /// `invalid_enum_value` on the status.
    pub fn parse(raw: &str) -> Result<Self, Issue> {
        raw.parse()
            .map_err(|()| Issue::invalid_enum(Field::Status, Self::NAMES, raw))
    }
}

impl FromStr for Status {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim() {
            "active" => Self::Active,
            "inactive" => Self::Inactive,
            "trial" => Self::Trial,
            "churned" => Self::Churned,
            "pending" => Self::Pending,
            _ => return Err(()),
        })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::IssueKind;

    #[test]
    fn every_status_parses() {
        for (raw, status) in [
            ("active", Status::Active),
            ("inactive", Status::Inactive),
            ("trial", Status::Trial),
            ("churned", Status::Churned),
            ("pending", Status::Pending),
        ] {
            assert_eq!(Status::parse(raw), Ok(status));
            assert_eq!(status.as_str(), raw);
            assert_eq!(status.to_string(), raw);
        }
        assert_eq!(Status::parse(" trial "), Ok(Status::Trial));
        assert_eq!(Status::default(), Status::Active);
    }

    #[test]
    fn invalid_status_lists_the_options() {
        for raw in ["deleted", "Active", "", "ACTIVE"] {
            let issue = Status::parse(raw).expect_err(raw);
            assert_eq!(issue.field, Field::Status);
            assert_eq!(
                issue.kind,
                IssueKind::InvalidEnumValue {
                    options: &["active", "inactive", "trial", "churned", "pending"],
                    received: raw.to_owned()
                }
            );
        }
        assert_eq!(
            Status::parse("gone").expect_err("gone").message,
            "Invalid enum value. Expected 'active' | 'inactive' | 'trial' | 'churned' | 'pending', received 'gone'"
        );
    }
}
