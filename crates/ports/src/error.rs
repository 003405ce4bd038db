//! The errors of the driven ports and of the use cases. They know nothing of diesel or HTTP.
//!
//! - [`RepoError`]: what a repository port answers besides success; every storage adapter maps
//!   its own failures onto it;
//! - [`InfraError`]: a failure of another driven port (the password hasher, the mailer);
//! - [`ClientError`]: the errors of the client use cases ([`ClientService`](crate::ClientService));
//! - [`AccountError`]: the errors of the organization and account use cases
//!   ([`OrganizationService`](crate::OrganizationService),
//!   [`AccountService`](crate::AccountService)).
//!
//! `From<RepoError>` turns a storage answer into the use cases' error, so a use case is a `?`
//! away from its repository. A surface decides how each variant is shown; the variants that
//! carry a cause (`Unavailable`, `Unexpected`) keep it as their
//! [`source`](std::error::Error::source) for the log ([`error_chain`]), and their message says
//! nothing of it.

use clientele_domain::{LimitReached, ValidationErrors, VerificationRequired};

/// Any error, boxed, for the cause chain of an infrastructure failure.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `outer: inner: innermost`: an error and its sources on one line, for a log line or a
/// one-line message. The one cause-chain formatter of the workspace.
///
/// ```
/// use clientele_ports::{RepoError, error_chain};
///
/// let e = RepoError::unavailable("connection refused");
/// assert_eq!(error_chain(&e), "the database is unavailable: connection refused");
/// ```
#[must_use]
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// What a repository can answer besides success.
///
/// Storage adapters map their own failures onto these variants (a unique violation on a client's
/// name is `NameTaken`, a refused connection is `Unavailable`, ...), so the use cases never see
/// a database's error. Each method of a repository port says which variants it answers besides
/// `Unavailable` and `Unexpected`, which any of them may answer.
///
/// The enum is `#[non_exhaustive]`: a match outside this crate needs a wildcard arm. Inside it,
/// `From<RepoError>` for [`ClientError`] and [`AccountError`] matches every variant, so a new one
/// is given a meaning for each use case before it compiles.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RepoError {
    /// No such row for this organization (or at all).
    #[error("not found")]
    NotFound,
    /// Another client of the organization has that name (compared case-insensitively).
    #[error("a client of this organization already has that name")]
    NameTaken,
    /// Another user has that email (compared case-insensitively).
    #[error("an account with this email already exists")]
    EmailTaken,
    /// The organization holds as many clients as its plan allows.
    #[error(transparent)]
    LimitReached(#[from] LimitReached),
    /// The database cannot be reached (connection refused, pool timeout, closed connection).
    #[error("the database is unavailable")]
    Unavailable(#[source] BoxError),
    /// Anything else: a bug or a broken invariant. Logged with its cause chain, never shown.
    #[error("unexpected storage error")]
    Unexpected(#[source] BoxError),
}

impl RepoError {
    /// Wraps an unexpected error (anything that converts into a [`BoxError`], a message
    /// included) as [`RepoError::Unexpected`].
    pub fn unexpected(e: impl Into<BoxError>) -> Self {
        Self::Unexpected(e.into())
    }

    /// Wraps an availability error (anything that converts into a [`BoxError`], a message
    /// included) as [`RepoError::Unavailable`].
    pub fn unavailable(e: impl Into<BoxError>) -> Self {
        Self::Unavailable(e.into())
    }
}

/// A failure of an infrastructure port other than storage (password hashing, mail).
///
/// Its message is `"{what} failed"`; the cause is its [`source`](std::error::Error::source).
/// The account use cases turn it into [`AccountError::Unexpected`], except a mail transport
/// that fails, which is [`AccountError::Unavailable`] (an outage of a dependency, like the
/// database's).
#[derive(Debug, thiserror::Error)]
#[error("{what} failed")]
pub struct InfraError {
    /// What was being done, as the subject of "failed": `"password hashing"`, `"sending mail"`.
    pub what: &'static str,
    /// Why it failed.
    #[source]
    pub source: BoxError,
}

/// The cause of an [`InfraError`] that says "too much at once, try again": a bounded resource
/// (e.g. the password hasher's concurrent hashes) stayed full for longer than its wait.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("busy: too many at once")]
pub struct Overloaded;

impl InfraError {
    /// `what` could not start in time because its resource is full: a transient failure (the use
    /// cases answer it as `Unavailable`, a 503 with `Retry-After` over HTTP).
    #[must_use]
    pub fn overloaded(what: &'static str) -> Self {
        Self {
            what,
            source: Box::new(Overloaded),
        }
    }

    /// Whether this failure is [`Overloaded`]: transient, worth retrying.
    #[must_use]
    pub fn is_overloaded(&self) -> bool {
        self.source.is::<Overloaded>()
    }
}

/// The errors of the client use cases ([`ClientService`](crate::ClientService)), whatever the
/// caller (management API, app API, or a program using the crates directly).
///
/// Not `#[non_exhaustive]`: the HTTP adapter matches every variant on purpose, so that a new
/// variant does not compile until it has a response.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// A value broke the domain's rules: every failed rule, in field order. The client use cases
    /// take values already parsed and never return it themselves; it is here so that a caller
    /// parsing its input into domain values reports through the same error (`From`).
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// A signed-in user may not create clients yet (the access gate:
    /// [`User::may_add_clients`](clientele_domain::User::may_add_clients)).
    #[error(transparent)]
    VerificationRequired(#[from] VerificationRequired),
    /// The organization holds as many clients as the plan that applies allows; carries the count
    /// and the limit.
    #[error(transparent)]
    LimitReached(LimitReached),
    /// Another client of the organization has that name (compared case-insensitively, after
    /// trimming).
    #[error("a client of this organization already has that name")]
    NameTaken,
    /// No such client in the caller's organization (another organization's client is not found
    /// either), or, for a create or [`usage`](crate::ClientService::usage), no such
    /// organization.
    #[error("client not found")]
    NotFound,
    /// The database cannot be reached; the cause is the [`source`](std::error::Error::source).
    /// Worth retrying later.
    #[error("the database is unavailable")]
    Unavailable(#[source] BoxError),
    /// A bug or a broken invariant; the cause is the [`source`](std::error::Error::source), for
    /// the log, never for the caller.
    #[error("unexpected error")]
    Unexpected(#[source] BoxError),
}

impl From<RepoError> for ClientError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => Self::NotFound,
            RepoError::NameTaken => Self::NameTaken,
            RepoError::LimitReached(l) => Self::LimitReached(l),
            RepoError::Unavailable(e) => Self::Unavailable(e),
            RepoError::EmailTaken => {
                Self::Unexpected("email uniqueness on a client operation".into())
            }
            RepoError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

/// The errors of the organization, account and administration use cases
/// ([`OrganizationService`](crate::OrganizationService),
/// [`AccountService`](crate::AccountService)).
///
/// Not `#[non_exhaustive]`: the HTTP adapter matches every variant on purpose, so that a new
/// variant does not compile until it has a response.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// An input broke the domain's rules (an organization, user or key name, an email, a
    /// password): every failed rule, in field order.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// Unknown email or wrong password: the two are not told apart.
    #[error("Invalid email or password")]
    InvalidCredentials,
    /// The app API's access gate: the user may not create clients (nor keys) yet.
    #[error(transparent)]
    VerificationRequired(#[from] VerificationRequired),
    /// The user's trial has ended (their creates count as the free plan): they may not take an
    /// API key, whose creates would count against the organization's own plan instead.
    #[error("the trial has ended")]
    TrialEnded,
    /// No, unknown, revoked or expired credential.
    #[error("Unauthorized")]
    Unauthorized,
    /// Another user has that email (compared case-insensitively).
    #[error("an account with this email already exists")]
    EmailTaken,
    /// Unknown, used or expired verification token.
    #[error("invalid or expired token")]
    InvalidToken,
    /// No such organization, user or API key (another organization's key is not found either).
    #[error("not found")]
    NotFound,
    /// The database or the mail transport cannot be reached, or a bounded resource stayed full;
    /// the cause — which says which — is the [`source`](std::error::Error::source). Worth
    /// retrying later.
    #[error("unavailable")]
    Unavailable(#[source] BoxError),
    /// A bug, a broken invariant or a failing password hasher; the cause is the
    /// [`source`](std::error::Error::source), for the log, never for the caller.
    #[error("unexpected error")]
    Unexpected(#[source] BoxError),
}

impl From<RepoError> for AccountError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => Self::NotFound,
            RepoError::EmailTaken => Self::EmailTaken,
            RepoError::Unavailable(e) => Self::Unavailable(Box::new(RepoError::Unavailable(e))),
            RepoError::NameTaken => {
                Self::Unexpected("name uniqueness on an account operation".into())
            }
            RepoError::LimitReached(l) => Self::Unexpected(Box::new(l)),
            RepoError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

impl From<InfraError> for AccountError {
    /// An overloaded resource is `Unavailable` (try again later); any other failure `Unexpected`.
    fn from(e: InfraError) -> Self {
        if e.is_overloaded() {
            Self::Unavailable(Box::new(e))
        } else {
            Self::Unexpected(Box::new(e))
        }
    }
}
