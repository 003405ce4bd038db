//! Organizations, users, API keys, and the app API's access gate.

use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;

use crate::contact::Email;
use crate::ids::{ApiKeyId, OrganizationId, UserId};
use crate::plan::Plan;
use crate::text::bounded_text;
use crate::validation::{Field, Issue};

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
    pub id: OrganizationId,
    pub name: OrganizationName,
    pub plan: Plan,
    pub created_at: OffsetDateTime,
}

/// Declares a closed set of names with their wire spelling.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const NAMES: &'static [&'static str] = &[$($text),+];

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
                        stringify!($name),
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

named_enum!(
    /// How a user signed up. Set only by an operator or a billing integration.
    SignupFlow { Free => "FREE", PaidTrial => "PAID_TRIAL" }
);

named_enum!(
    /// The user's paid subscription, as the billing integration reports it.
    SubscriptionStatus {
        None => "none",
        Active => "active",
        PastDue => "past_due",
        Canceled => "canceled",
    }
);

named_enum!(
    /// Where an API key may be used.
    Environment { Production => "production", Sandbox => "sandbox" }
);

/// A member of one organization. The password hash is not part of it: it never leaves the
/// credential store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub organization_id: OrganizationId,
    pub email: Email,
    pub name: Option<UserName>,
    pub signup_flow: SignupFlow,
    pub email_verified_at: Option<OffsetDateTime>,
    pub subscription_status: SubscriptionStatus,
    pub plan_expires_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
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
        if self.subscription_status != SubscriptionStatus::Active && self.trial_expired(now) {
            Plan::Free
        } else {
            organization_plan
        }
    }
}

/// A management API key's record. The secret itself is shown once at creation and never stored;
/// only its SHA-256 hash (kept by the key store) and this short display prefix are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub organization_id: OrganizationId,
    pub name: ApiKeyName,
    pub environment: Environment,
    pub prefix: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// A password as a user typed it: 8–128 characters. Never trimmed, never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN: usize = 8;
    pub const MAX: usize = 128;

    /// Checks the length.
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
