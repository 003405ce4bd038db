//! The errors of the driven ports and of the use cases. They know nothing of diesel or HTTP.

use clientele_domain::{LimitReached, ValidationErrors, VerificationRequired};

/// Any error, boxed, for the cause chain of an infrastructure failure.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `outer: inner: innermost`: an error and its sources on one line, for a log line or a
/// one-line message. The one cause-chain formatter of the workspace.
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
#[derive(Debug, thiserror::Error)]
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
    /// Wraps an unexpected error.
    pub fn unexpected(e: impl Into<BoxError>) -> Self {
        Self::Unexpected(e.into())
    }

    /// Wraps an availability error.
    pub fn unavailable(e: impl Into<BoxError>) -> Self {
        Self::Unavailable(e.into())
    }
}

/// A failure of an infrastructure port other than storage (password hashing, mail).
#[derive(Debug, thiserror::Error)]
#[error("{what} failed")]
pub struct InfraError {
    pub what: &'static str,
    #[source]
    pub source: BoxError,
}

/// The errors of the client use cases (both surfaces).
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    #[error(transparent)]
    VerificationRequired(#[from] VerificationRequired),
    #[error(transparent)]
    LimitReached(LimitReached),
    #[error("a client of this organization already has that name")]
    NameTaken,
    #[error("client not found")]
    NotFound,
    #[error("the database is unavailable")]
    Unavailable(#[source] BoxError),
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

/// The errors of the account and administration use cases.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// Unknown email or wrong password: the two are not told apart.
    #[error("Invalid email or password")]
    InvalidCredentials,
    /// The app API's access gate: the user may not create clients (nor keys) yet.
    #[error(transparent)]
    VerificationRequired(#[from] VerificationRequired),
    /// No, unknown, revoked or expired credential.
    #[error("Unauthorized")]
    Unauthorized,
    #[error("an account with this email already exists")]
    EmailTaken,
    /// Unknown, used or expired verification token.
    #[error("invalid or expired token")]
    InvalidToken,
    #[error("not found")]
    NotFound,
    #[error("the database is unavailable")]
    Unavailable(#[source] BoxError),
    #[error("unexpected error")]
    Unexpected(#[source] BoxError),
}

impl From<RepoError> for AccountError {
    fn from(e: RepoError) -> Self {
        match e {
            RepoError::NotFound => Self::NotFound,
            RepoError::EmailTaken => Self::EmailTaken,
            RepoError::Unavailable(e) => Self::Unavailable(e),
            RepoError::NameTaken => {
                Self::Unexpected("name uniqueness on an account operation".into())
            }
            RepoError::LimitReached(l) => Self::Unexpected(Box::new(l)),
            RepoError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

impl From<InfraError> for AccountError {
    fn from(e: InfraError) -> Self {
        Self::Unexpected(Box::new(e))
    }
}
