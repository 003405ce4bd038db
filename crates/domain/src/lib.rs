//! Clientele's pure core: the Client entity and its value objects, organizations, users and API
//! keys, plan limits, the app API's access gate, and one validation-error model.
//!
//! No I/O, no async runtime, no HTTP, no SQL: every function here is a plain computation, so the
//! rules can be unit-tested in isolation and reused by any adapter.

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
    ClientSchema, ContactPerson, DisplayName, NewClient, Patch, PlanLabel, Slug, SlugAttempt,
    Status, name_key, slug_attempts,
};
pub use contact::{Email, PhoneNumber, Website};
pub use ids::{ApiKeyId, ClientId, MalformedId, OrganizationId, UserId, is_cuid2};
pub use plan::{Limit, LimitReached, Plan, PlanLimits, UnknownPlan, Usage};
pub use validation::{
    Collector, Expected, Field, Input, Issue, IssueKind, Received, StringCheck, ValidationErrors,
};
