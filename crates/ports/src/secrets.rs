//! Secrets: API keys, session and verification tokens. Only their SHA-256 is ever stored; their
//! `Debug` never shows them.

use std::fmt;

use sha2::{Digest, Sha256};

/// The prefix every management API key starts with.
pub const API_KEY_PREFIX: &str = "vox_mgmt_";
/// Random base62 characters after the prefix.
pub const API_KEY_RANDOM_LEN: usize = 32;

/// A secret shown to its owner once (an API key, a session or verification token).
///
/// Its `Debug` prints `Secret(***)`, so a secret logged by mistake is not disclosed; reading it
/// takes [`expose`](Self::expose). Only its [`hash`](Self::hash) is stored.
///
/// ```
/// use clientele_ports::Secret;
///
/// let secret = Secret::new("vox_mgmt_0123456789abcdefghijklmnopqrstuv".to_owned());
/// assert_eq!(format!("{secret:?}"), "Secret(***)");
/// assert_eq!(secret.hash().as_str().len(), 64);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value (normally made by an [`IdGenerator`](crate::IdGenerator)).
    #[must_use]
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The secret itself, to hand to its owner (a response body, a cookie, an email).
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The hash under which it is stored and looked up.
    #[must_use]
    pub fn hash(&self) -> SecretHash {
        SecretHash::of(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The lowercase hex SHA-256 of a secret: what the stores keep and look up, never the secret.
/// A presented secret is looked up by hashing it the same way ([`SecretHash::of`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretHash(String);

impl SecretHash {
    /// Hashes a presented secret for lookup.
    #[must_use]
    pub fn of(secret: &str) -> Self {
        let digest = Sha256::digest(secret.as_bytes());
        let mut hex = String::with_capacity(64);
        for b in digest {
            use fmt::Write as _;
            let _ = write!(hex, "{b:02x}");
        }
        Self(hex)
    }

    /// Restores a hash this crate produced earlier (read back from storage). Not checked: the
    /// value must be a hash made by [`SecretHash::of`].
    #[must_use]
    pub fn from_trusted(value: String) -> Self {
        Self(value)
    }

    /// The 64 lowercase hex digits, to store.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `key` has the shape of a management API key, so garbage is refused without a lookup.
#[must_use]
pub fn looks_like_api_key(key: &str) -> bool {
    key.strip_prefix(API_KEY_PREFIX).is_some_and(|rest| {
        rest.len() == API_KEY_RANDOM_LEN && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// The display prefix stored with a key: `vox_mgmt_` and the first 4 random characters.
#[must_use]
pub fn api_key_display_prefix(key: &str) -> String {
    key.chars().take(API_KEY_PREFIX.len() + 4).collect()
}
