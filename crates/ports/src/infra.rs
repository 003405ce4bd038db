//! The non-storage driven ports: time, identifiers and secrets, password hashing, mail.
//!
//! The use cases hold them as `Arc<dyn ...>`. This crate provides the production [`Clock`]
//! ([`SystemClock`]) and [`IdGenerator`] ([`RandomIds`]), which need nothing from outside; a
//! [`PasswordHasher`] and a [`Mailer`] come from whoever wires the
//! [`AccountService`](crate::AccountService) (the server: argon2id, SMTP or files). The
//! `testing` feature adds doubles of each (`memory::ManualClock`, `memory::FakeHasher`,
//! `memory::MemoryMailer`).

use std::fmt;

use async_trait::async_trait;
use clientele_domain::Email;
use rand::RngExt as _;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::InfraError;
use crate::secrets::{API_KEY_PREFIX, API_KEY_RANDOM_LEN, Secret};

/// The current time, as the use cases see it: every timestamp they store and every expiry they
/// check comes from here.
pub trait Clock: Send + Sync {
    /// The current instant. Implementations should answer whole milliseconds in UTC (see
    /// [`truncate_to_millis`]): what every storage backend keeps exactly, so a value reads back
    /// equal to what was written.
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
///
/// Ids must be unique; secrets must be unguessable (they are credentials). Only the secrets'
/// hashes are stored ([`Secret::hash`]).
pub trait IdGenerator: Send + Sync {
    /// A time-ordered UUID (v7).
    fn uuid(&self) -> Uuid;
    /// A CUID2 (the ids of users, and of clients created by users). It must parse as a
    /// [`ClientId`](clientele_domain::ClientId) and a [`UserId`](clientele_domain::UserId); a
    /// use case that gets one that does not fails with `Unexpected`.
    fn cuid(&self) -> String;
    /// A session or verification token: 256 random bits, URL-safe. The use cases refuse tokens
    /// longer than 256 characters before any lookup.
    fn token(&self) -> Secret;
    /// A management API key: `vox_mgmt_` and 32 random base62 characters ([`API_KEY_PREFIX`],
    /// [`API_KEY_RANDOM_LEN`]). A presented key of another shape is refused without a lookup, so
    /// an implementation must keep this shape.
    fn api_key(&self) -> Secret;
}

/// Identifiers from the operating system's randomness: UUIDv7, CUID2, and tokens and keys of 43
/// and 32 random base62 characters.
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
///
/// The hash is stored with the user and given back to [`verify`](Self::verify); its format is
/// the implementation's own.
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// A new salted hash of `password`.
    ///
    /// # Errors
    /// [`InfraError`] when hashing cannot be done (the use cases report it as `Unexpected`).
    async fn hash(&self, password: &str) -> Result<String, InfraError>;
    /// Whether `password` matches `hash`. With `hash = None` it spends the same time and answers
    /// `false`, so an unknown email cannot be told from a wrong password.
    ///
    /// # Errors
    /// [`InfraError`] when verifying cannot be done (not for a mismatch, which is `Ok(false)`).
    async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, InfraError>;
}

/// A message to send: one recipient, a subject and a plain-text body.
///
/// Its `Debug` shows the recipient and the subject, never the body (which may carry a token).
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    /// The recipient.
    pub to: Email,
    /// The subject line.
    pub subject: String,
    /// The plain-text body (the use cases write CRLF line endings).
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

/// Outgoing mail (email verification messages).
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends `message`, or hands it to whatever delivers it.
    ///
    /// # Errors
    /// [`InfraError`] when the message cannot be sent; the account use cases report it as
    /// [`AccountError::Unavailable`](crate::AccountError::Unavailable) (or, on a sign-up, log it
    /// and go on: the account exists).
    async fn send(&self, message: Message) -> Result<(), InfraError>;
}
