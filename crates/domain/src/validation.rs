//! One validation-error model for every rule of every request.
//!
//! Each failed rule becomes an [`Issue`] that carries the field it concerns, its zod-style code and
//! parameters, and a human message. Parsers collect every issue of a request into
//! [`ValidationErrors`], so the HTTP layer only renders them (in the surface's own field names).

use std::fmt;

/// A request field a rule can concern. Surfaces map these to their own names
/// (`contact_email` on the management API, `contactEmail` on the app API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// A client's name, an organization's name, or an API key's label.
    Name,
    /// A client's display name.
    DisplayName,
    /// A client's business type.
    BusinessType,
    /// A client's subscription-plan label.
    SubscriptionPlan,
    /// A client's lifecycle status, or the status filter of a list request.
    Status,
    /// A client's contact person.
    ContactPerson,
    /// A client's contact email.
    ContactEmail,
    /// A client's phone number.
    PhoneNumber,
    /// A client's website.
    Domain,
    /// A user's login email.
    Email,
    /// A user's password.
    Password,
    /// A user's display name.
    UserName,
    /// A token a request carries (e.g. an email-verification token).
    Token,
    /// The page size of a list request.
    Limit,
    /// The page offset of a list request.
    Offset,
    /// The search text of a list request.
    Query,
    /// The `Idempotency-Key` request header.
    IdempotencyKey,
    /// An API key's environment.
    Environment,
    /// A list's paging cursor.
    Cursor,
}

impl Field {
    /// The noun used in messages ("Name must be at least 2 characters").
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Name => "Name",
            Self::DisplayName => "Display name",
            Self::BusinessType => "Type",
            Self::SubscriptionPlan => "Subscription plan",
            Self::Status => "Status",
            Self::ContactPerson => "Contact name",
            Self::ContactEmail | Self::Email => "Email",
            Self::PhoneNumber => "Phone number",
            Self::Domain => "Domain",
            Self::Password => "Password",
            Self::UserName => "Name",
            Self::Token => "Token",
            Self::Limit => "Limit",
            Self::Offset => "Offset",
            Self::Query => "Query",
            Self::IdempotencyKey => "Idempotency-Key",
            Self::Environment => "Environment",
            Self::Cursor => "Cursor",
        }
    }
}

/// The JSON type a value arrived as (zod's `received`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Received {
    /// Absent.
    Undefined,
    /// `null`.
    Null,
    /// A string.
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl Received {
    /// zod's spelling: `undefined`, `null`, `string`, `number`, `boolean`, `array`, `object`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Undefined => "undefined",
            Self::Null => "null",
            Self::String => "string",
            Self::Number => "number",
            Self::Boolean => "boolean",
            Self::Array => "array",
            Self::Object => "object",
        }
    }
}

/// The type a value was expected to be (zod's `expected`), and the `type` of a size rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expected {
    /// A string (and, in a size rule, a length in characters).
    String,
    /// A number.
    Number,
}

impl Expected {
    /// zod's spelling: `string` or `number`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Number => "number",
        }
    }
}

/// The format an `invalid_string` issue failed (zod's `validation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StringCheck {
    /// Not an email address.
    Email,
    /// Not a URL.
    Url,
    /// Not matching the field's pattern (phone numbers, control characters).
    Regex,
}

impl StringCheck {
    /// zod's spelling: `email`, `url` or `regex`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Url => "url",
            Self::Regex => "regex",
        }
    }
}

/// What rule failed, with the parameters a zod issue carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueKind {
    /// `too_small`: shorter (or smaller) than `minimum`, inclusive.
    TooSmall {
        /// The fewest characters (or the smallest number) allowed.
        minimum: i64,
        /// Whether the rule counts characters of a string or bounds a number.
        of: Expected,
    },
    /// `too_big`: longer (or larger) than `maximum`, inclusive.
    TooBig {
        /// The most characters (or the largest number) allowed.
        maximum: i64,
        /// Whether the rule counts characters of a string or bounds a number.
        of: Expected,
    },
    /// `invalid_type`: absent, `null` or of another JSON type.
    InvalidType {
        /// The type the field must have.
        expected: Expected,
        /// What arrived instead ([`Received::Undefined`] when the field was absent).
        received: Received,
    },
    /// `invalid_string`: not an email, URL, or not matching the field's pattern.
    InvalidString {
        /// The format that failed.
        validation: StringCheck,
    },
    /// `invalid_enum_value`: not one of `options`.
    InvalidEnumValue {
        /// Every accepted value, in their wire spelling.
        options: &'static [&'static str],
        /// The value that arrived, as given.
        received: String,
    },
}

impl IssueKind {
    /// The zod issue code: `too_small`, `too_big`, `invalid_type`, `invalid_string` or
    /// `invalid_enum_value`.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::TooSmall { .. } => "too_small",
            Self::TooBig { .. } => "too_big",
            Self::InvalidType { .. } => "invalid_type",
            Self::InvalidString { .. } => "invalid_string",
            Self::InvalidEnumValue { .. } => "invalid_enum_value",
        }
    }
}

/// One failed rule of a request. Made by this type's constructors ([`Issue::too_short`], ...),
/// which also write the message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Issue {
    /// The field the rule concerns.
    pub field: Field,
    /// The rule that failed, with its zod code and parameters.
    pub kind: IssueKind,
    /// A human message (`Name must be at least 2 characters`, `Required`).
    pub message: String,
}

impl Issue {
    /// A string shorter than `minimum` characters.
    #[must_use]
    pub fn too_short(field: Field, minimum: usize) -> Self {
        let unit = if minimum == 1 {
            "character"
        } else {
            "characters"
        };
        Self {
            field,
            kind: IssueKind::TooSmall {
                minimum: to_i64(minimum),
                of: Expected::String,
            },
            message: format!("{} must be at least {minimum} {unit}", field.label()),
        }
    }

    /// A string longer than `maximum` characters.
    #[must_use]
    pub fn too_long(field: Field, maximum: usize) -> Self {
        Self {
            field,
            kind: IssueKind::TooBig {
                maximum: to_i64(maximum),
                of: Expected::String,
            },
            message: format!("{} must be at most {maximum} characters", field.label()),
        }
    }

    /// A number below `minimum`.
    #[must_use]
    pub fn number_too_small(field: Field, minimum: i64) -> Self {
        Self {
            field,
            kind: IssueKind::TooSmall {
                minimum,
                of: Expected::Number,
            },
            message: format!("{} must be at least {minimum}", field.label()),
        }
    }

    /// A number above `maximum`.
    #[must_use]
    pub fn number_too_big(field: Field, maximum: i64) -> Self {
        Self {
            field,
            kind: IssueKind::TooBig {
                maximum,
                of: Expected::Number,
            },
            message: format!("{} must be at most {maximum}", field.label()),
        }
    }

    /// A value of the wrong JSON type, or a required one that is absent or `null`.
    #[must_use]
    pub fn invalid_type(field: Field, expected: Expected, received: Received) -> Self {
        let message = match received {
            Received::Undefined => "Required".to_owned(),
            other => format!(
                "Expected {}, received {}",
                expected.as_str(),
                other.as_str()
            ),
        };
        Self {
            field,
            kind: IssueKind::InvalidType { expected, received },
            message,
        }
    }

    /// A string that is not of the required format.
    #[must_use]
    pub fn invalid_string(
        field: Field,
        validation: StringCheck,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field,
            kind: IssueKind::InvalidString { validation },
            message: message.into(),
        }
    }

    /// A value outside an enumeration.
    #[must_use]
    pub fn invalid_enum(field: Field, options: &'static [&'static str], received: &str) -> Self {
        let expected = options
            .iter()
            .map(|o| format!("'{o}'"))
            .collect::<Vec<_>>()
            .join(" | ");
        Self {
            field,
            kind: IssueKind::InvalidEnumValue {
                options,
                received: received.to_owned(),
            },
            message: format!("Invalid enum value. Expected {expected}, received '{received}'"),
        }
    }
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Every failed rule of one request, in field order. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors(Vec<Issue>);

impl ValidationErrors {
    /// One failed rule.
    #[must_use]
    pub fn single(issue: Issue) -> Self {
        Self(vec![issue])
    }

    /// Every issue, in field order; at least one.
    #[must_use]
    pub fn issues(&self) -> &[Issue] {
        &self.0
    }

    /// Every issue, in field order, by value; at least one.
    #[must_use]
    pub fn into_issues(self) -> Vec<Issue> {
        self.0
    }

    /// Whether any issue concerns `field`.
    #[must_use]
    pub fn concerns(&self, field: Field) -> bool {
        self.0.iter().any(|i| i.field == field)
    }
}

impl fmt::Display for Issue {
    /// `Field: message`, as [`ValidationErrors`] lists each of its issues.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.field, self.message)
    }
}

/// One failed rule is an error on its own (a single value object's parse), so `?` carries it into
/// a `Box<dyn Error>`.
impl std::error::Error for Issue {}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for issue in &self.0 {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{:?}: {}", issue.field, issue.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// Collects issues while a request is parsed field by field.
#[derive(Debug, Default)]
pub struct Collector(Vec<Issue>);

impl Collector {
    /// A collector with no issue yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the value of a successful parse, records the issue of a failed one.
    pub fn take<T>(&mut self, result: Result<T, Issue>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(issue) => {
                self.0.push(issue);
                None
            }
        }
    }

    /// Records an issue.
    pub fn push(&mut self, issue: Issue) {
        self.0.push(issue);
    }

    /// The text of a required string field; anything else (absent, `null`, another type)
    /// records an `invalid_type` issue.
    pub fn required_text(&mut self, field: Field, input: Input) -> Option<String> {
        match input {
            Input::Text(s) => Some(s),
            other => {
                self.push(Issue::invalid_type(
                    field,
                    Expected::String,
                    other.received(),
                ));
                None
            }
        }
    }

    /// `Ok(())` when nothing failed.
    ///
    /// # Errors
    /// The collected issues, when there is at least one.
    pub fn check(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(self.0))
        }
    }

    /// `Ok(value)` when nothing failed; every issue otherwise.
    ///
    /// # Errors
    /// The collected issues, when there is at least one.
    pub fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, ValidationErrors> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(ValidationErrors(self.0))
        }
    }
}

/// A request field as the domain sees it, before parsing: absent, `null`, a string, or a value of
/// another JSON type. The HTTP layer builds these from the request body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Input {
    /// The field is absent (the default).
    #[default]
    Missing,
    /// The field is `null`.
    Null,
    /// The field is a string, as given (not trimmed).
    Text(String),
    /// The field is of another JSON type: a number, a boolean, an array or an object.
    Other(Received),
}

impl Input {
    /// Convenience for tests and library callers.
    #[must_use]
    pub fn text(s: impl Into<String>) -> Self {
        Self::Text(s.into())
    }

    /// What this input is, as zod would name it.
    #[must_use]
    pub const fn received(&self) -> Received {
        match self {
            Self::Missing => Received::Undefined,
            Self::Null => Received::Null,
            Self::Text(_) => Received::String,
            Self::Other(r) => *r,
        }
    }
}

impl From<Option<String>> for Input {
    fn from(value: Option<String>) -> Self {
        value.map_or(Self::Missing, Self::Text)
    }
}

impl From<&str> for Input {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_zod() {
        let cases = [
            (Issue::too_short(Field::Name, 2), "too_small"),
            (Issue::too_long(Field::Name, 200), "too_big"),
            (Issue::number_too_small(Field::Limit, 1), "too_small"),
            (Issue::number_too_big(Field::Limit, 200), "too_big"),
            (
                Issue::invalid_type(Field::Name, Expected::String, Received::Undefined),
                "invalid_type",
            ),
            (
                Issue::invalid_string(Field::Domain, StringCheck::Url, "x"),
                "invalid_string",
            ),
            (
                Issue::invalid_enum(Field::Status, &["a"], "b"),
                "invalid_enum_value",
            ),
        ];
        for (issue, code) in cases {
            assert_eq!(issue.kind.code(), code, "{issue:?}");
        }
    }

    #[test]
    fn too_short_carries_minimum_and_the_app_message() {
        let issue = Issue::too_short(Field::Name, 2);
        assert_eq!(issue.field, Field::Name);
        assert_eq!(
            issue.kind,
            IssueKind::TooSmall {
                minimum: 2,
                of: Expected::String
            }
        );
        assert_eq!(issue.message, "Name must be at least 2 characters");
    }

    #[test]
    fn too_short_of_one_is_singular() {
        assert_eq!(
            Issue::too_short(Field::BusinessType, 1).message,
            "Type must be at least 1 character"
        );
    }

    #[test]
    fn too_long_carries_maximum() {
        let issue = Issue::too_long(Field::DisplayName, 255);
        assert_eq!(
            issue.kind,
            IssueKind::TooBig {
                maximum: 255,
                of: Expected::String
            }
        );
        assert_eq!(issue.message, "Display name must be at most 255 characters");
    }

    #[test]
    fn too_short_saturates_huge_minimums() {
        let issue = Issue::too_short(Field::Name, usize::MAX);
        assert_eq!(
            issue.kind,
            IssueKind::TooSmall {
                minimum: i64::MAX,
                of: Expected::String
            }
        );
    }

    #[test]
    fn number_bounds_are_typed_number() {
        let small = Issue::number_too_small(Field::Offset, 0);
        assert_eq!(
            small.kind,
            IssueKind::TooSmall {
                minimum: 0,
                of: Expected::Number
            }
        );
        assert_eq!(small.message, "Offset must be at least 0");
        let big = Issue::number_too_big(Field::Limit, 200);
        assert_eq!(
            big.kind,
            IssueKind::TooBig {
                maximum: 200,
                of: Expected::Number
            }
        );
        assert_eq!(big.message, "Limit must be at most 200");
    }

    #[test]
    fn invalid_type_undefined_says_required() {
        let issue = Issue::invalid_type(Field::BusinessType, Expected::String, Received::Undefined);
        assert_eq!(issue.message, "Required");
        assert_eq!(
            issue.kind,
            IssueKind::InvalidType {
                expected: Expected::String,
                received: Received::Undefined
            }
        );
    }

    #[test]
    fn invalid_type_names_what_was_received() {
        for (received, text) in [
            (Received::Null, "null"),
            (Received::String, "string"),
            (Received::Number, "number"),
            (Received::Boolean, "boolean"),
            (Received::Array, "array"),
            (Received::Object, "object"),
        ] {
            let issue = Issue::invalid_type(Field::Name, Expected::String, received);
            assert_eq!(issue.message, format!("Expected string, received {text}"));
            assert_eq!(received.as_str(), text);
        }
        assert_eq!(Received::Undefined.as_str(), "undefined");
    }

    #[test]
    fn string_checks_and_expected_spellings() {
        assert_eq!(StringCheck::Email.as_str(), "email");
        assert_eq!(StringCheck::Url.as_str(), "url");
        assert_eq!(StringCheck::Regex.as_str(), "regex");
        assert_eq!(Expected::String.as_str(), "string");
        assert_eq!(Expected::Number.as_str(), "number");
    }

    #[test]
    fn invalid_string_keeps_the_given_message() {
        let issue = Issue::invalid_string(
            Field::ContactEmail,
            StringCheck::Email,
            "Must be a valid email",
        );
        assert_eq!(
            issue.kind,
            IssueKind::InvalidString {
                validation: StringCheck::Email
            }
        );
        assert_eq!(issue.message, "Must be a valid email");
        assert_eq!(issue.field, Field::ContactEmail);
    }

    #[test]
    fn invalid_enum_lists_options_and_received() {
        let issue = Issue::invalid_enum(Field::Status, &["active", "inactive"], "gone");
        assert_eq!(
            issue.kind,
            IssueKind::InvalidEnumValue {
                options: &["active", "inactive"],
                received: "gone".to_owned()
            }
        );
        assert_eq!(
            issue.message,
            "Invalid enum value. Expected 'active' | 'inactive', received 'gone'"
        );
    }

    #[test]
    fn field_labels() {
        assert_eq!(Field::Name.label(), "Name");
        assert_eq!(Field::ContactEmail.label(), "Email");
        assert_eq!(Field::Email.label(), "Email");
        assert_eq!(Field::ContactPerson.label(), "Contact name");
        assert_eq!(Field::SubscriptionPlan.label(), "Subscription plan");
        assert_eq!(Field::BusinessType.label(), "Type");
        assert_eq!(Field::IdempotencyKey.label(), "Idempotency-Key");
    }

    #[test]
    fn collector_without_issues_finishes_with_the_value() {
        let mut c = Collector::new();
        assert_eq!(c.take::<u8>(Ok(7)), Some(7));
        assert_eq!(c.finish(|| 42), Ok(42));
        assert_eq!(Collector::new().check(), Ok(()));
    }

    #[test]
    fn collector_keeps_every_issue_in_order() {
        let mut c = Collector::new();
        assert_eq!(c.take::<u8>(Err(Issue::too_short(Field::Name, 1))), None);
        c.push(Issue::too_long(Field::Domain, 2048));
        let errors = c.finish(|| ()).expect_err("two issues");
        let fields: Vec<Field> = errors.issues().iter().map(|i| i.field).collect();
        assert_eq!(fields, [Field::Name, Field::Domain]);
        assert!(errors.concerns(Field::Domain));
        assert!(!errors.concerns(Field::Status));
        assert_eq!(
            errors.to_string(),
            "Name: Name must be at least 1 character; Domain: Domain must be at most 2048 characters"
        );
        assert_eq!(errors.into_issues().len(), 2);
    }

    #[test]
    fn collector_check_reports_issues() {
        let mut c = Collector::new();
        c.push(Issue::too_short(Field::Password, 8));
        let errors = c.check().expect_err("one issue");
        assert_eq!(
            errors,
            ValidationErrors::single(Issue::too_short(Field::Password, 8))
        );
    }

    #[test]
    fn input_received_and_conversions() {
        assert_eq!(Input::default(), Input::Missing);
        assert_eq!(Input::Missing.received(), Received::Undefined);
        assert_eq!(Input::Null.received(), Received::Null);
        assert_eq!(Input::text("x").received(), Received::String);
        assert_eq!(Input::Other(Received::Array).received(), Received::Array);
        assert_eq!(Input::from(None), Input::Missing);
        assert_eq!(
            Input::from(Some("a".to_owned())),
            Input::Text("a".to_owned())
        );
        assert_eq!(Input::from("b"), Input::Text("b".to_owned()));
    }
}
