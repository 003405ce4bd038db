//! Error policy of the adapter.
//!
//! - Every diesel error is turned into a port error in ONE place, [`classify`]: a unique violation
//!   is recognised by the index it hit (`NameTaken`, `EmailTaken`; any other one is a bug: slug
//!   clashes are resolved before they can raise one), a
//!   foreign-key violation means the referenced row does not exist (`NotFound`), a closed or
//!   refused connection, a pool timeout and SQLite's "database is locked" are `Unavailable`
//!   (transient: the HTTP layer answers 503), everything else is `Unexpected` with its cause.
//! - Inside a unit of work, code returns `Failure`, which carries either a raw diesel error (to
//!   be classified when it leaves the adapter) or an already-decided port error (`LimitReached`).
//! - Setting a store up (URL, connection, migrations) fails with [`StoreError`], whose message
//!   names the database (password redacted) and the backend's own error.

use clientele_domain::LimitReached;
use clientele_ports::{BoxError, RepoError};
use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error as DieselError};

/// The unique indexes whose violation means something to a caller. On PostgreSQL the index name
/// is reported; on SQLite only the message, which names the indexed columns.
const CLIENT_NAME: (&str, &str) = ("clients_name_key_uq", "clients.name_key");
const USER_EMAIL: (&str, &str) = ("users_email_key_uq", "users.email_key");

/// Messages of errors that mean the database is unreachable, for the errors diesel does not
/// classify as `ClosedConnection` (SQLite, and PostgreSQL's administrator shutdown).
const UNAVAILABLE_MESSAGES: &[&str] = &[
    "database is locked",
    "unable to open database file",
    "terminating connection",
    "server closed the connection",
    "connection to server",
    "could not connect",
    "no connection to the server",
    "the database system is shutting down",
    "the database system is starting up",
    "connection refused",
];

fn hits(info: &dyn DatabaseErrorInformation, (index, columns): (&str, &str)) -> bool {
    info.constraint_name() == Some(index) || info.message().contains(columns)
}

/// Turns a diesel error into the port's error. The one place that decides what a database error
/// means.
#[must_use]
pub fn classify(e: DieselError) -> RepoError {
    match &e {
        DieselError::NotFound => RepoError::NotFound,
        DieselError::DatabaseError(kind, info) => match kind {
            DatabaseErrorKind::UniqueViolation if hits(info.as_ref(), CLIENT_NAME) => {
                RepoError::NameTaken
            }
            DatabaseErrorKind::UniqueViolation if hits(info.as_ref(), USER_EMAIL) => {
                RepoError::EmailTaken
            }
            DatabaseErrorKind::ForeignKeyViolation => RepoError::NotFound,
            DatabaseErrorKind::ClosedConnection => RepoError::unavailable(e),
            _ if is_unavailable_message(info.message()) => RepoError::unavailable(e),
            _ => RepoError::unexpected(e),
        },
        // A transaction that could not be rolled back: the connection is gone.
        DieselError::BrokenTransactionManager => RepoError::unavailable(e),
        _ => RepoError::unexpected(e),
    }
}

fn is_unavailable_message(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    UNAVAILABLE_MESSAGES.iter().any(|m| message.contains(m))
}

/// What a unit of work inside the adapter fails with.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A database error, classified when it leaves the adapter.
    Db(DieselError),
    /// A decision already taken (`LimitReached`, corrupt data, ...).
    Repo(RepoError),
}

impl From<DieselError> for Failure {
    fn from(e: DieselError) -> Self {
        Self::Db(e)
    }
}

impl From<RepoError> for Failure {
    fn from(e: RepoError) -> Self {
        Self::Repo(e)
    }
}

impl From<LimitReached> for Failure {
    fn from(e: LimitReached) -> Self {
        Self::Repo(RepoError::LimitReached(e))
    }
}

impl From<Failure> for RepoError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Db(e) => classify(e),
            Failure::Repo(e) => e,
        }
    }
}

/// A row that does not convert back into the domain: the database holds something this code
/// never writes.
pub(crate) fn corrupt(what: &str, value: impl std::fmt::Display) -> Failure {
    Failure::Repo(RepoError::unexpected(format!(
        "corrupt {what} in the database: {value}"
    )))
}

/// Setting a store up failed: opening its pool, or migrating it. (Once open, the store's calls
/// answer [`clientele_ports::RepoError`].) Every message names the database without its password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The URL is none of the accepted forms (the redacted URL).
    #[error(
        "unsupported database URL {0:?}: expected postgres://..., sqlite://PATH, sqlite:PATH or a file path"
    )]
    UnsupportedUrl(String),
    /// No connection could be opened (refused, unknown host, bad credentials, a backend this
    /// build lacks, ...).
    #[error("cannot connect to the database at {target}: {source}")]
    Connect {
        /// The database, without its password.
        target: String,
        /// The backend's own error.
        #[source]
        source: BoxError,
    },
    /// A migration failed; the database is left at the last migration that applied.
    #[error("migrating the database at {target} failed: {source}")]
    Migration {
        /// The database, without its password.
        target: String,
        /// The failing migration's error.
        #[source]
        source: BoxError,
    },
    /// The database stopped answering while a setup step ran.
    #[error("the database at {target} is unavailable: {source}")]
    Unavailable {
        /// The database, without its password.
        target: String,
        /// The cause.
        #[source]
        source: BoxError,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Info {
        message: &'static str,
        constraint: Option<&'static str>,
    }

    impl DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.message
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            self.constraint
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn db(
        kind: DatabaseErrorKind,
        message: &'static str,
        constraint: Option<&'static str>,
    ) -> DieselError {
        DieselError::DatabaseError(
            kind,
            Box::new(Info {
                message,
                constraint,
            }),
        )
    }

    #[test]
    fn unique_violations_by_index() {
        let sqlite = db(
            DatabaseErrorKind::UniqueViolation,
            "UNIQUE constraint failed: clients.organization_id, clients.name_key",
            None,
        );
        assert!(matches!(classify(sqlite), RepoError::NameTaken));
        let pg = db(
            DatabaseErrorKind::UniqueViolation,
            "duplicate key value violates unique constraint \"users_email_key_uq\"",
            Some("users_email_key_uq"),
        );
        assert!(matches!(classify(pg), RepoError::EmailTaken));
        let slug = db(
            DatabaseErrorKind::UniqueViolation,
            "UNIQUE constraint failed: clients.slug",
            None,
        );
        assert!(matches!(classify(slug), RepoError::Unexpected(_)));
    }

    #[test]
    fn availability() {
        let closed = db(DatabaseErrorKind::ClosedConnection, "server closed", None);
        assert!(matches!(classify(closed), RepoError::Unavailable(_)));
        let locked = db(DatabaseErrorKind::Unknown, "database is locked", None);
        assert!(matches!(classify(locked), RepoError::Unavailable(_)));
        let admin = db(
            DatabaseErrorKind::Unknown,
            "terminating connection due to administrator command",
            None,
        );
        assert!(matches!(classify(admin), RepoError::Unavailable(_)));
        let fk = db(
            DatabaseErrorKind::ForeignKeyViolation,
            "FOREIGN KEY constraint failed",
            None,
        );
        assert!(matches!(classify(fk), RepoError::NotFound));
        assert!(matches!(
            classify(DieselError::NotFound),
            RepoError::NotFound
        ));
        let check = db(
            DatabaseErrorKind::CheckViolation,
            "CHECK constraint failed",
            None,
        );
        assert!(matches!(classify(check), RepoError::Unexpected(_)));
    }
}
