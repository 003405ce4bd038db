//! Identities: organizations and API keys are UUIDs, users are CUID2s, clients either.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// The id could not be parsed. Surfaces answer 404 for a path id that is not even well formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed {kind} id")]
pub struct MalformedId {
    pub kind: &'static str,
}

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident, $kind:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            #[must_use]
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            #[must_use]
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = MalformedId;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::try_parse(s.trim()).map(Self).map_err(|_| MalformedId { kind: $kind })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }
    };
}

uuid_id!(
    /// An organization (the tenant).
    OrganizationId,
    "organization"
);
uuid_id!(
    /// An API key record (not the secret key itself).
    ApiKeyId,
    "api key"
);

/// Whether `s` has the shape of a CUID2: a lowercase letter, then lowercase letters and digits,
/// 2 to 32 characters in all.
#[must_use]
pub fn is_cuid2(s: &str) -> bool {
    let bytes = s.as_bytes();
    (2..=32).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// A user, identified by a CUID2.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(String);

impl UserId {
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for UserId {
    type Err = MalformedId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if is_cuid2(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(MalformedId { kind: "user" })
        }
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A client: a UUID (hyphenated, lowercase; management API) or a CUID2 (app API).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId(String);

impl ClientId {
    #[must_use]
    pub fn from_uuid(id: Uuid) -> Self {
        Self(id.hyphenated().to_string())
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ClientId {
    type Err = MalformedId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Ok(id) = Uuid::try_parse(s) {
            Ok(Self::from_uuid(id))
        } else if is_cuid2(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(MalformedId { kind: "client" })
        }
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
