//! Organizations, users, API keys, and the app API's access gate.

use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;

use crate::contact::Email;
use crate::ids::{ApiKeyId, OrganizationId, UserId};
use crate::plan::Plan;
use crate::text::bounded_text;
use crate::validation::{Collector, Expected, Field, Input, Issue, Received, ValidationErrors};

bounded_text!(
    /// An organization's name: trimmed, 1–200 characters.
    OrganizationName,
    Field::Name,
    1,
    200
);
bounded_text!(
    /// A user's display name: trimmed, 1–255 characters.
    UserName,
    Field::UserName,
    1,
    255
);
bounded_text!(
    /// An API key's label: trimmed, 1–100 characters.
    ApiKeyName,
    Field::Name,
    1,
    100
);

/// The tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    /// Its identity.
    pub id: OrganizationId,
    /// Its name.
    pub name: OrganizationName,
    /// Its plan, which caps how many clients it may hold.
    pub plan: Plan,
    /// When it was created.
    pub created_at: OffsetDateTime,
}

/// Declares a closed set of names with their wire spelling. Parsing ([`str::parse`]) accepts
/// exactly one of `NAMES` (surrounding whitespace ignored) and fails with a one-line message.
macro_rules! named_enum {
    (
        $(#[$meta:meta])* $name:ident {
            $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value's wire spelling, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The wire spelling: one of [`Self::NAMES`].
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim() {
                    $($text => Ok(Self::$variant),)+
                    other => Err(format!(
                        "invalid {} {other:?}; expected one of {}",
                        human_name(stringify!($name)),
                        Self::NAMES.join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// A type's name in words for people: `SubscriptionStatus` → `subscription status`.
fn human_name(type_name: &str) -> String {
    let mut out = String::with_capacity(type_name.len() + 4);
    for (i, c) in type_name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

named_enum!(
    /// How a user signed up. Set only by an operator or a billing integration.
    ///
    /// Parsed ([`str::parse`]) from its wire spelling, case-sensitive, surrounding whitespace
    /// ignored: `FREE`, `PAID_TRIAL`.
    SignupFlow {
        /// `FREE`: without an active subscription, adding clients needs a verified email.
        Free => "FREE",
        /// `PAID_TRIAL`: adding clients is open while the trial runs (until `plan_expires_at`).
        PaidTrial => "PAID_TRIAL",
    }
);

named_enum!(
    /// The user's paid subscription, as the billing integration reports it.
    ///
    /// Parsed ([`str::parse`]) from its wire spelling, case-sensitive, surrounding whitespace
    /// ignored: `none`, `active`, `past_due`, `canceled`.
    SubscriptionStatus {
        /// `none`: no paid subscription.
        None => "none",
        /// `active`: the only status that opens the access gate on its own.
        Active => "active",
        /// `past_due`.
        PastDue => "past_due",
        /// `canceled`.
        Canceled => "canceled",
    }
);

named_enum!(
    /// Where an API key may be used.
    ///
    /// Parsed ([`str::parse`]) from its wire spelling, case-sensitive, surrounding whitespace
    /// ignored: `production`, `sandbox`.
    Environment {
        /// `production`: the default for a new key.
        Production => "production",
        /// `sandbox`.
        Sandbox => "sandbox",
    }
);

/// A member of one organization. The password hash is not part of it: it never leaves the
/// credential store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Its identity.
    pub id: UserId,
    /// The organization it belongs to.
    pub organization_id: OrganizationId,
    /// Its login email.
    pub email: Email,
    /// Its display name, if given.
    pub name: Option<UserName>,
    /// How it signed up.
    pub signup_flow: SignupFlow,
    /// When its email was verified; `None` while unverified.
    pub email_verified_at: Option<OffsetDateTime>,
    /// Its paid subscription.
    pub subscription_status: SubscriptionStatus,
    /// When its trial ends (see [`User::trial_expired`]); `None`: it never ends.
    pub plan_expires_at: Option<OffsetDateTime>,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When it was last changed.
    pub updated_at: OffsetDateTime,
}

/// The app API refuses to add clients for this user until the email is verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Please verify your email before adding clients")]
pub struct VerificationRequired;

impl User {
    /// Whether the user's trial (`plan_expires_at`) has passed at `now`.
    #[must_use]
    pub fn trial_expired(&self, now: OffsetDateTime) -> bool {
        self.plan_expires_at.is_some_and(|at| at <= now)
    }

    /// The access gate for creating clients: an active subscription, or a running `PAID_TRIAL`,
    /// or a verified email. An expired trial counts as the free flow, which needs the email.
    ///
    /// # Errors
    /// [`VerificationRequired`] when none holds.
    pub fn may_add_clients(&self, now: OffsetDateTime) -> Result<(), VerificationRequired> {
        let active = self.subscription_status == SubscriptionStatus::Active;
        let trial = self.signup_flow == SignupFlow::PaidTrial && !self.trial_expired(now);
        if active || trial || self.email_verified_at.is_some() {
            Ok(())
        } else {
            Err(VerificationRequired)
        }
    }

    /// The plan whose limit applies when this user adds a client to an organization on
    /// `organization_plan`: a trial that has expired (without an active subscription) counts as free.
    #[must_use]
    pub fn effective_plan(&self, organization_plan: Plan, now: OffsetDateTime) -> Plan {
        self.plan_cap(now).unwrap_or(organization_plan)
    }

    /// The plan that replaces the organization's for this user's creates, if any: the free plan
    /// once a trial has expired without an active subscription.
    #[must_use]
    pub fn plan_cap(&self, now: OffsetDateTime) -> Option<Plan> {
        (self.subscription_status != SubscriptionStatus::Active && self.trial_expired(now))
            .then_some(Plan::Free)
    }
}

/// A management API key's record. The secret itself is shown once at creation and never stored;
/// only its SHA-256 hash (kept by the key store) and this short display prefix are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// The record's identity (not the secret).
    pub id: ApiKeyId,
    /// The organization the key acts for.
    pub organization_id: OrganizationId,
    /// Its label.
    pub name: ApiKeyName,
    /// Where it may be used.
    pub environment: Environment,
    /// The start of the secret, for recognising the key in a list.
    pub prefix: String,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// When it was last used, if ever.
    pub last_used_at: Option<OffsetDateTime>,
    /// When it was revoked; `None` while it is valid.
    pub revoked_at: Option<OffsetDateTime>,
}

/// A password as a user typed it: 8–128 characters. Never trimmed, never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Fewest characters.
    pub const MIN: usize = 8;
    /// Most characters.
    pub const MAX: usize = 128;

    /// Checks the length, in characters, of the password as typed.
    ///
    /// # Errors
    /// `too_small` / `too_big` on the password field.
    pub fn parse(raw: &str) -> Result<Self, Issue> {
        let len = raw.chars().count();
        if len < Self::MIN {
            Err(Issue::too_short(Field::Password, Self::MIN))
        } else if len > Self::MAX {
            Err(Issue::too_long(Field::Password, Self::MAX))
        } else {
            Ok(Self(raw.to_owned()))
        }
    }

    /// The secret, for the password hasher only.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A new API key's label and environment, parsed from a request (the app API's `POST /api/keys`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiKey {
    /// The label.
    pub name: ApiKeyName,
    /// Where the key may be used.
    pub environment: Environment,
}

impl NewApiKey {
    /// The label of a key created without one.
    pub const DEFAULT_NAME: &'static str = "API key";

    /// Parses both fields, reporting every failed rule: `name` is an optional string
    /// ([`Self::DEFAULT_NAME`] when absent, `null` or blank), `environment` an optional
    /// `production` (the default) or `sandbox`.
    ///
    /// # Errors
    /// Every issue of the two fields.
    pub fn parse(name: Input, environment: Input) -> Result<Self, ValidationErrors> {
        let mut c = Collector::new();
        let name = match name {
            Input::Missing | Input::Null => Some(Self::DEFAULT_NAME.to_owned()),
            Input::Text(n) if n.trim().is_empty() => Some(Self::DEFAULT_NAME.to_owned()),
            Input::Text(n) => Some(n),
            Input::Other(received) => {
                c.push(Issue::invalid_type(Field::Name, Expected::String, received));
                None
            }
        }
        .and_then(|n| c.take(ApiKeyName::parse(&n)));
        let environment = match environment {
            Input::Missing | Input::Null => Some(Environment::Production),
            Input::Text(e) => c.take(
                e.parse()
                    .map_err(|_| Issue::invalid_enum(Field::Environment, Environment::NAMES, &e)),
            ),
            Input::Other(received) => {
                c.push(Issue::invalid_type(
                    Field::Environment,
                    Expected::String,
                    received,
                ));
                None
            }
        };
        c.check()?;
        match (name, environment) {
            (Some(name), Some(environment)) => Ok(Self { name, environment }),
            // Unreachable: a missing value recorded an issue, so `check` returned it.
            _ => Err(ValidationErrors::single(Issue::invalid_type(
                Field::Name,
                Expected::String,
                Received::Undefined,
            ))),
        }
    }
}

/// A new account's credentials, parsed: what a sign-up (or an operator's `users create`) gives.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// The login email.
    pub email: Email,
    /// The password, as typed.
    pub password: Password,
    /// The display name, if given.
    pub name: Option<UserName>,
}

impl NewAccount {
    /// Parses the fields of a sign-up, reporting every failed rule: `email` and `password` are
    /// required strings, `name` an optional one (absent, `null` or blank means none).
    ///
    /// # Errors
    /// Every issue of the three fields.
    pub fn parse(email: Input, password: Input, name: Input) -> Result<Self, ValidationErrors> {
        let mut c = Collector::new();
        let email = c
            .required_text(Field::Email, email)
            .and_then(|s| c.take(Email::parse(Field::Email, &s)));
        let password = c
            .required_text(Field::Password, password)
            .and_then(|s| c.take(Password::parse(&s)));
        let name = match name {
            Input::Missing | Input::Null => Some(None),
            Input::Text(n) if n.trim().is_empty() => Some(None),
            Input::Text(n) => c.take(UserName::parse(&n)).map(Some),
            Input::Other(received) => {
                c.push(Issue::invalid_type(
                    Field::UserName,
                    Expected::String,
                    received,
                ));
                None
            }
        };
        c.check()?;
        match (email, password, name) {
            (Some(email), Some(password), Some(name)) => Ok(Self {
                email,
                password,
                name,
            }),
            // Unreachable: a missing value recorded an issue, so `check` returned it.
            _ => Err(ValidationErrors::single(Issue::invalid_type(
                Field::Email,
                Expected::String,
                Received::Undefined,
            ))),
        }
    }

    /// From plain strings (the command line, tests).
    ///
    /// # Errors
    /// As [`Self::parse`].
    pub fn from_text(
        email: &str,
        password: &str,
        name: Option<&str>,
    ) -> Result<Self, ValidationErrors> {
        Self::parse(
            Input::text(email),
            Input::text(password),
            name.map_or(Input::Missing, Input::text),
        )
    }
}

#[cfg(test)]
mod tests {
    use time::Duration;
    use time::macros::datetime;

    use super::*;
    use crate::validation::{Expected, IssueKind};

    const NOW: OffsetDateTime = datetime!(2024-03-15 10:30:00 UTC);

    fn user(flow: SignupFlow, verified: bool, subscription: SubscriptionStatus) -> User {
        User {
            id: "tz4a98xxat96iws9zmbrgj3a".parse().expect("cuid2"),
            organization_id: "0190f1a2-3b4c-7d5e-8f60-718293a4b5c6"
                .parse()
                .expect("uuid"),
            email: Email::parse(Field::Email, "u@example.com").expect("email"),
            name: None,
            signup_flow: flow,
            email_verified_at: verified.then_some(NOW - Duration::days(1)),
            subscription_status: subscription,
            plan_expires_at: None,
            created_at: NOW - Duration::days(10),
            updated_at: NOW - Duration::days(10),
        }
    }

    fn trial(expires_in: Duration, verified: bool) -> User {
        User {
            plan_expires_at: Some(NOW + expires_in),
            ..user(SignupFlow::PaidTrial, verified, SubscriptionStatus::None)
        }
    }

    #[test]
    fn active_subscription_passes_the_gate() {
        for flow in [SignupFlow::Free, SignupFlow::PaidTrial] {
            let mut u = user(flow, false, SubscriptionStatus::Active);
            u.plan_expires_at = Some(NOW - Duration::days(1));
            assert_eq!(u.may_add_clients(NOW), Ok(()), "{flow}");
        }
    }

    #[test]
    fn running_trial_passes_the_gate_unverified() {
        assert_eq!(trial(Duration::days(3), false).may_add_clients(NOW), Ok(()));
        assert_eq!(
            trial(Duration::seconds(1), false).may_add_clients(NOW),
            Ok(())
        );
        let open_ended = user(SignupFlow::PaidTrial, false, SubscriptionStatus::None);
        assert_eq!(open_ended.may_add_clients(NOW), Ok(()));
    }

    #[test]
    fn expired_trial_counts_as_free() {
        assert_eq!(
            trial(Duration::days(-1), false).may_add_clients(NOW),
            Err(VerificationRequired)
        );
        // Expiring exactly now is expired.
        assert_eq!(
            trial(Duration::ZERO, false).may_add_clients(NOW),
            Err(VerificationRequired)
        );
        assert_eq!(trial(Duration::days(-1), true).may_add_clients(NOW), Ok(()));
    }

    #[test]
    fn free_flow_needs_a_verified_email() {
        assert_eq!(
            user(SignupFlow::Free, true, SubscriptionStatus::None).may_add_clients(NOW),
            Ok(())
        );
        assert_eq!(
            user(SignupFlow::Free, false, SubscriptionStatus::None).may_add_clients(NOW),
            Err(VerificationRequired)
        );
        assert_eq!(
            VerificationRequired.to_string(),
            "Please verify your email before adding clients"
        );
    }

    #[test]
    fn past_due_and_canceled_behave_like_none() {
        for status in [SubscriptionStatus::PastDue, SubscriptionStatus::Canceled] {
            assert_eq!(
                user(SignupFlow::Free, false, status).may_add_clients(NOW),
                Err(VerificationRequired),
                "{status}"
            );
            assert_eq!(
                user(SignupFlow::Free, true, status).may_add_clients(NOW),
                Ok(())
            );
            let mut expired = trial(Duration::days(-1), false);
            expired.subscription_status = status;
            assert_eq!(expired.may_add_clients(NOW), Err(VerificationRequired));
            assert_eq!(expired.effective_plan(Plan::Agency, NOW), Plan::Free);
        }
    }

    #[test]
    fn effective_plan() {
        assert_eq!(
            trial(Duration::days(2), false).effective_plan(Plan::Professional, NOW),
            Plan::Professional
        );
        assert_eq!(
            trial(Duration::days(-2), true).effective_plan(Plan::Professional, NOW),
            Plan::Free
        );
        let mut paid = trial(Duration::days(-2), true);
        paid.subscription_status = SubscriptionStatus::Active;
        assert_eq!(
            paid.effective_plan(Plan::Professional, NOW),
            Plan::Professional
        );
        let free = user(SignupFlow::Free, true, SubscriptionStatus::None);
        assert_eq!(free.effective_plan(Plan::Starter, NOW), Plan::Starter);
        assert!(!free.trial_expired(NOW));
        assert!(trial(Duration::ZERO, false).trial_expired(NOW));
        assert!(!trial(Duration::nanoseconds(1), false).trial_expired(NOW));
    }

    #[test]
    fn password_length_boundaries() {
        assert_eq!(
            Password::parse("1234567"),
            Err(Issue::too_short(Field::Password, 8))
        );
        assert_eq!(
            Password::parse("12345678").map(|p| p.expose().to_owned()),
            Ok("12345678".to_owned())
        );
        let max = "p".repeat(128);
        assert_eq!(Password::parse(&max).map(|p| p.expose().len()), Ok(128));
        let issue = Password::parse(&"p".repeat(129)).expect_err("129");
        assert_eq!(issue, Issue::too_long(Field::Password, 128));
        assert_eq!(
            issue.kind,
            IssueKind::TooBig {
                maximum: 128,
                of: Expected::String
            }
        );
        assert_eq!(
            Password::parse("").expect_err("empty").message,
            "Password must be at least 8 characters"
        );
    }

    #[test]
    fn password_is_never_trimmed_and_counts_characters() {
        assert_eq!(
            Password::parse("  pass  ").map(|p| p.expose().to_owned()),
            Ok("  pass  ".to_owned())
        );
        // Eight characters of two bytes each.
        assert!(Password::parse("éééééééé").is_ok());
        assert!(Password::parse("ééééééé").is_err());
    }

    #[test]
    fn password_debug_is_redacted() {
        let p = Password::parse("hunter2hunter2").expect("valid");
        let debug = format!("{p:?}");
        assert_eq!(debug, "Password(***)");
        assert!(!format!("{:?}", Some(&p)).contains("hunter2"));
    }

    #[test]
    fn named_enums_parse_their_wire_spelling() {
        assert_eq!("FREE".parse::<SignupFlow>(), Ok(SignupFlow::Free));
        assert_eq!(
            " PAID_TRIAL ".parse::<SignupFlow>(),
            Ok(SignupFlow::PaidTrial)
        );
        assert_eq!(
            "free".parse::<SignupFlow>(),
            Err("invalid signup flow \"free\"; expected one of FREE, PAID_TRIAL".to_owned())
        );
        for (raw, status) in [
            ("none", SubscriptionStatus::None),
            ("active", SubscriptionStatus::Active),
            ("past_due", SubscriptionStatus::PastDue),
            ("canceled", SubscriptionStatus::Canceled),
        ] {
            assert_eq!(raw.parse::<SubscriptionStatus>(), Ok(status));
            assert_eq!(status.to_string(), raw);
        }
        assert!("cancelled".parse::<SubscriptionStatus>().is_err());
        assert_eq!("sandbox".parse::<Environment>(), Ok(Environment::Sandbox));
        assert_eq!(Environment::Production.as_str(), "production");
        assert!("prod".parse::<Environment>().is_err());
        assert_eq!(SignupFlow::NAMES, &["FREE", "PAID_TRIAL"]);
    }

    #[test]
    fn account_text_bounds() {
        assert_eq!(
            OrganizationName::parse(" Acme ").map(OrganizationName::into_inner),
            Ok("Acme".to_owned())
        );
        assert_eq!(
            OrganizationName::parse(""),
            Err(Issue::too_short(Field::Name, 1))
        );
        assert!(OrganizationName::parse(&"o".repeat(200)).is_ok());
        assert_eq!(
            OrganizationName::parse(&"o".repeat(201)),
            Err(Issue::too_long(Field::Name, 200))
        );
        assert!(UserName::parse(&"u".repeat(255)).is_ok());
        assert_eq!(
            UserName::parse(&"u".repeat(256)),
            Err(Issue::too_long(Field::UserName, 255))
        );
        assert!(ApiKeyName::parse(&"k".repeat(100)).is_ok());
        assert_eq!(
            ApiKeyName::parse(&"k".repeat(101)),
            Err(Issue::too_long(Field::Name, 100))
        );
        assert_eq!(
            ApiKeyName::parse("ci").map(|n| n.to_string()),
            Ok("ci".to_owned())
        );
    }

    #[test]
    fn new_api_keys_default_and_report_every_issue() {
        let key = NewApiKey::parse(Input::Missing, Input::Null).expect("valid");
        assert_eq!(key.name.as_str(), NewApiKey::DEFAULT_NAME);
        assert_eq!(key.environment, Environment::Production);
        let key = NewApiKey::parse(Input::text(" CI "), Input::text("sandbox")).expect("valid");
        assert_eq!(
            (key.name.as_str(), key.environment),
            ("CI", Environment::Sandbox)
        );
        let blank = NewApiKey::parse(Input::text("  "), Input::Missing).expect("valid");
        assert_eq!(blank.name.as_str(), NewApiKey::DEFAULT_NAME);
        let errors = NewApiKey::parse(Input::text("x".repeat(101)), Input::text("prod"))
            .expect_err("invalid");
        let fields: Vec<_> = errors
            .issues()
            .iter()
            .map(|i| (i.field, i.kind.code()))
            .collect();
        assert_eq!(
            fields,
            [
                (Field::Name, "too_big"),
                (Field::Environment, "invalid_enum_value")
            ]
        );
        let errors = NewApiKey::parse(
            Input::Other(Received::Number),
            Input::Other(Received::Boolean),
        )
        .expect_err("invalid");
        assert_eq!(errors.issues().len(), 2);
    }
}
