//! Clientele's pure core: the rules of an agency's registry of clients, as plain data and pure
//! functions.
//!
//! # What it owns
//!
//! - The [`Client`] entity and its value objects ([`ClientName`], [`Slug`], [`Status`],
//!   [`DisplayName`], ...), and the parsing of create, update and list requests
//!   ([`NewClient::parse`], [`ClientPatch::parse`], [`ClientQuery::parse`]) under the
//!   [`ClientSchema`] of the surface that received them.
//! - Contact values, each with its parsing and normalisation: [`Email`], [`PhoneNumber`],
//!   [`Website`].
//! - Organizations, users, API keys, passwords and their ids ([`account`], [`ids`]).
//! - Plans and their client limits: [`Plan`], [`PlanLimits`], [`Usage`], and [`LimitReached`]
//!   when an organization may not add a client.
//! - The app API's access gate: [`User::may_add_clients`] and [`User::effective_plan`] (an
//!   expired trial counts as the free plan).
//! - One validation-error model ([`validation`]): every failed rule is an [`Issue`] naming its
//!   [`Field`], with a zod-shaped [`IssueKind`] (code and parameters) and a human message. A parser
//!   reports all the issues of a request at once, in field order, as [`ValidationErrors`].
//!
//! # What it never does
//!
//! No I/O, no async runtime, no HTTP, no SQL: every function here is a plain computation, so the
//! rules can be unit-tested in isolation and reused by any adapter. An adapter builds the
//! [`Input`]s from a request, calls a parser, and renders or stores what comes back; it also maps
//! each [`Field`] to its surface's own name (`contact_email`, `contactEmail`).
//!
//! # Example: parsing a new client
//!
//! A request's fields arrive as [`Input`]s: absent, `null`, a string, or another JSON type. A
//! successful parse gives trimmed, normalised values:
//!
//! ```
//! use clientele_domain::{ClientInput, ClientSchema, Input, NewClient, Status};
//!
//! let input = ClientInput {
//!     name: Input::text("  Acme Corp "),
//!     business_type: Input::text("automotive"),
//!     subscription_plan: Input::text("Pro"),
//!     phone_number: Input::text("+1 (555) 123-4567"),
//!     domain: Input::text("acme.com"),
//!     ..ClientInput::default()
//! };
//! let client = NewClient::parse(input, &ClientSchema::MANAGEMENT)?;
//!
//! assert_eq!(client.name.as_str(), "Acme Corp");
//! assert_eq!(client.phone_number.as_ref().map(|p| p.as_str()), Some("+15551234567"));
//! assert_eq!(client.domain.as_ref().map(|d| d.as_str()), Some("https://acme.com"));
//! assert_eq!(client.status, Status::Active); // absent: the default
//! assert_eq!(client.contact_email, None);
//! # Ok::<(), clientele_domain::ValidationErrors>(())
//! ```
//!
//! A failed parse reports every failed rule, each with its field, zod code and message:
//!
//! ```
//! use clientele_domain::{
//!     ClientInput, ClientSchema, Expected, Field, Input, IssueKind, NewClient,
//! };
//!
//! let input = ClientInput {
//!     name: Input::text(" "),             // trimmed to nothing
//!     business_type: Input::Null,         // required on the management API
//!     subscription_plan: Input::text("Pro"),
//!     contact_email: Input::text("not-an-email"),
//!     ..ClientInput::default()
//! };
//! let errors = NewClient::parse(input, &ClientSchema::MANAGEMENT).expect_err("three issues");
//!
//! let issues: Vec<(Field, &str, &str)> = errors
//!     .issues()
//!     .iter()
//!     .map(|issue| (issue.field, issue.kind.code(), issue.message.as_str()))
//!     .collect();
//! assert_eq!(
//!     issues,
//!     [
//!         (Field::Name, "too_small", "Name must be at least 1 character"),
//!         (Field::BusinessType, "invalid_type", "Expected string, received null"),
//!         (Field::ContactEmail, "invalid_string", "Must be a valid email"),
//!     ]
//! );
//! // The kind carries zod's parameters too.
//! assert_eq!(
//!     errors.issues()[0].kind,
//!     IssueKind::TooSmall { minimum: 1, of: Expected::String }
//! );
//! assert!(errors.concerns(Field::ContactEmail));
//! ```
//!
//! # Example: plan limits
//!
//! ```
//! use clientele_domain::{Limit, Plan, PlanLimits};
//!
//! // Free 3, starter 5, professional 15, agency 50, enterprise unlimited.
//! let limits = PlanLimits::default();
//! let usage = limits.usage(Plan::Free, 2);
//! assert_eq!(format!("{} of {}", usage.used, usage.limit), "2 of 3");
//! assert_eq!(usage.remaining(), Some(1));
//!
//! // May an organization on the free plan holding 2 clients add one? Yes; holding 3, no.
//! assert_eq!(limits.admit(Plan::Free, 2), Ok(()));
//! let refused = limits.admit(Plan::Free, 3).expect_err("at the limit");
//! assert_eq!((refused.current, refused.limit), (3, 3));
//! assert_eq!(refused.to_string(), "You have reached your plan limit of 3 clients");
//!
//! // Limits can be overridden by configuration.
//! let limits = limits.with_override("free=10").expect("a valid override");
//! assert_eq!(limits.limit(Plan::Free), Limit::Max(10));
//! assert_eq!(limits.admit(Plan::Enterprise, 1_000_000), Ok(()));
//! ```

#![warn(missing_docs)]

pub mod account;
pub mod client;
pub mod contact;
pub mod ids;
pub mod plan;
mod text;
pub mod validation;

pub use account::{
    ApiKey, ApiKeyName, Environment, NewAccount, NewApiKey, Organization, OrganizationName,
    Password, SignupFlow, SubscriptionStatus, User, UserName, VerificationRequired,
};
pub use client::{
    BusinessType, Client, ClientInput, ClientName, ClientPatch, ClientQuery, ClientQueryInput,
    ClientSchema, ContactPerson, Cursor, DisplayName, NewClient, Patch, PlanLabel, Slug,
    SlugAttempt, Status, name_key, slug_attempts,
};
pub use contact::{Email, PhoneNumber, Website};
pub use ids::{ApiKeyId, ClientId, MalformedId, OrganizationId, UserId, is_cuid2};
pub use plan::{Limit, LimitReached, Plan, PlanLimits, UnknownPlan, Usage};
pub use validation::{
    Collector, Expected, Field, Input, Issue, IssueKind, Received, StringCheck, ValidationErrors,
};
