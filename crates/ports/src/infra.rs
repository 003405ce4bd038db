//! The non-storage driven ports: time, identifiers and secrets, password hashing, mail.

use std::fmt;

use async_trait::async_trait;
use clientele_domain::Email;
use rand::RngExt as _;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::InfraError;
use crate::secrets::{API_KEY_PREFIX, API_KEY_RANDOM_LEN, Secret};

/// The current time.
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

/// The system's clock, in UTC, truncated to the millisecond (what every backend keeps exactly).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        truncate_to_millis(OffsetDateTime::now_utc())
    }
}

/// `t` with its sub-millisecond part dropped.
#[must_use]
pub fn truncate_to_millis(t: OffsetDateTime) -> OffsetDateTime {
    let nanos = t.nanosecond();
    t.replace_nanosecond(nanos - nanos % 1_000_000).unwrap_or(t)
}

/// Identifiers and secrets.
pub trait IdGenerator: Send + Sync {
    /// A time-ordered UUID (v7).
    fn uuid(&self) -> Uuid;
    /// A CUID2.
    fn cuid(&self) -> String;
    /// A session or verification token: 32 random bytes, URL-safe.
    fn token(&self) -> Secret;
    /// A management API key: `vox_mgmt_` and 32 random base62 characters.
    fn api_key(&self) -> Secret;
}

/// Identifiers from the operating system's randomness.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomIds;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

impl IdGenerator for RandomIds {
    fn uuid(&self) -> Uuid {
        Uuid::now_v7()
    }

    fn cuid(&self) -> String {
        cuid2::create_id()
    }

    fn token(&self) -> Secret {
        // 43 base62 characters carry 256 bits.
        Secret::new(random_base62(43))
    }

    fn api_key(&self) -> Secret {
        Secret::new(format!(
            "{API_KEY_PREFIX}{}",
            random_base62(API_KEY_RANDOM_LEN)
        ))
    }
}

fn random_base62(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(BASE62[rng.random_range(0..BASE62.len())]))
        .collect()
}

/// Password hashing (argon2id in production). Implementations run the work off the async executor.
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    async fn hash(&self, password: &str) -> Result<String, InfraError>;
    /// Whether `password` matches `hash`. With `hash = None` it spends the same time and answers
    /// `false`, so an unknown email cannot be told from a wrong password.
    async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, InfraError>;
}

/// A message to send.
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    pub to: Email,
    pub subject: String,
    pub text: String,
}

impl fmt::Debug for Message {
    /// The body may carry a token: never shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("to", &self.to)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// Outgoing mail.
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, message: Message) -> Result<(), InfraError>;
}
