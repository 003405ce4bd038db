//! Identities: organizations and API keys are UUIDs, users are CUID2s, clients either.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// The id could not be parsed. Surfaces answer 404 for a path id that is not even well formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed {kind} id")]
#[non_exhaustive]
pub struct MalformedId {
    /// What the id was for: `organization`, `api key`, `user` or `client`.
    pub kind: &'static str,
}

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident, $kind:literal) => {
        $(#[$meta])*
        ///
        /// A UUID: parsed from any form [`Uuid::try_parse`] accepts (surrounding whitespace
        /// ignored), displayed hyphenated and lowercase.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps a UUID.
            #[must_use]
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// The UUID.
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

/// A user, identified by a CUID2 ([`is_cuid2`]). Parsed as given: no trimming, no case folding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(String);

impl UserId {
    /// The CUID2.
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
///
/// Parsing accepts any form [`Uuid::try_parse`] accepts and stores it hyphenated and lowercase;
/// anything else must be a CUID2 ([`is_cuid2`]), kept as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId(String);

impl ClientId {
    /// A UUID id, hyphenated and lowercase.
    #[must_use]
    pub fn from_uuid(id: Uuid) -> Self {
        Self(id.hyphenated().to_string())
    }

    /// The id as text: a hyphenated lowercase UUID or a CUID2.
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

#[cfg(test)]
mod tests {
    use super::*;

    const UUID: &str = "0190f1a2-3b4c-7d5e-8f60-718293a4b5c6";

    #[test]
    fn uuid_ids_parse_and_normalise() {
        let id: OrganizationId = UUID.parse().expect("uuid");
        assert_eq!(id.to_string(), UUID);
        let upper: OrganizationId = UUID.to_uppercase().parse().expect("uppercase uuid");
        assert_eq!(upper, id);
        assert_eq!(upper.to_string(), UUID);
        let padded: ApiKeyId = format!("  {UUID} ").parse().expect("padded uuid");
        assert_eq!(padded.to_string(), UUID);
        let simple: ApiKeyId = UUID.replace('-', "").parse().expect("simple form");
        assert_eq!(simple.to_string(), UUID);
        assert_eq!(*id.as_uuid(), Uuid::parse_str(UUID).expect("uuid"));
        assert_eq!(OrganizationId::from_uuid(*id.as_uuid()), id);
    }

    #[test]
    fn uuid_ids_reject_garbage() {
        for raw in [
            "",
            "x",
            "0190f1a2-3b4c-7d5e-8f60-718293a4b5c",
            "0190f1a2-3b4c-7d5e-8f60-718293a4b5cg",
            "ckl2x0abc0000qwerty",
        ] {
            assert_eq!(
                raw.parse::<OrganizationId>(),
                Err(MalformedId {
                    kind: "organization"
                }),
                "{raw}"
            );
            assert_eq!(
                raw.parse::<ApiKeyId>(),
                Err(MalformedId { kind: "api key" })
            );
        }
        assert_eq!(
            MalformedId { kind: "client" }.to_string(),
            "malformed client id"
        );
    }

    #[test]
    fn cuid2_shape() {
        assert!(is_cuid2("tz4a98xxat96iws9zmbrgj3a"));
        assert!(is_cuid2("ab"));
        assert!(is_cuid2(&format!("a{}", "0".repeat(31))));
        assert!(!is_cuid2("a"));
        assert!(!is_cuid2(&format!("a{}", "0".repeat(32))));
        assert!(!is_cuid2("1abc"));
        assert!(!is_cuid2("Abc"));
        assert!(!is_cuid2("abC"));
        assert!(!is_cuid2("ab-c"));
        assert!(!is_cuid2("ab_c"));
        assert!(!is_cuid2("abç"));
        assert!(!is_cuid2(""));
    }

    #[test]
    fn user_ids_are_cuid2() {
        let id: UserId = "tz4a98xxat96iws9zmbrgj3a".parse().expect("cuid2");
        assert_eq!(id.as_str(), "tz4a98xxat96iws9zmbrgj3a");
        assert_eq!(id.to_string(), "tz4a98xxat96iws9zmbrgj3a");
        for raw in ["", "TZ4A98", UUID, " tz4a98xxat96iws9zmbrgj3a"] {
            assert_eq!(
                raw.parse::<UserId>(),
                Err(MalformedId { kind: "user" }),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn client_ids_accept_either_form() {
        let from_uuid: ClientId = UUID.to_uppercase().parse().expect("uuid");
        assert_eq!(from_uuid.as_str(), UUID);
        assert_eq!(
            from_uuid,
            ClientId::from_uuid(Uuid::parse_str(UUID).expect("uuid"))
        );
        let from_cuid: ClientId = "tz4a98xxat96iws9zmbrgj3a".parse().expect("cuid2");
        assert_eq!(from_cuid.to_string(), "tz4a98xxat96iws9zmbrgj3a");
        for raw in [
            "",
            "not an id",
            "Tz4a98xxat96iws9zmbrgj3a",
            "../etc/passwd",
            "1",
        ] {
            assert_eq!(
                raw.parse::<ClientId>(),
                Err(MalformedId { kind: "client" }),
                "{raw:?}"
            );
        }
    }
}
