//! From the use cases' errors (and actix's body errors) to [`ApiError`]: one exhaustive `match`
//! per source.

use clientele_domain::ValidationErrors;
use clientele_ports::{AccountError, ClientError};

use super::ApiError;
use crate::surface::Surface;

impl ApiError {
    /// Maps a client use case's error; `not_found` is the surface's message for a 404
    /// ([`CLIENT_NOT_FOUND`](super::CLIENT_NOT_FOUND) or
    /// [`CLIENT_NOT_FOUND_OR_UNAUTHORIZED`](super::CLIENT_NOT_FOUND_OR_UNAUTHORIZED)).
    #[must_use]
    pub fn client(surface: Surface, e: ClientError, not_found: &'static str) -> Self {
        match e {
            ClientError::Validation(errors) => Self::Validation { surface, errors },
            ClientError::VerificationRequired(_) => Self::VerificationRequired,
            ClientError::LimitReached(reached) => Self::PlanLimitReached { surface, reached },
            ClientError::NameTaken => Self::NameTaken,
            ClientError::NotFound => Self::NotFound(not_found),
            ClientError::Unavailable(e) => Self::Unavailable(e),
            ClientError::Unexpected(e) => Self::Internal(e),
        }
    }

    /// Maps an account or credential use case's error.
    #[must_use]
    pub fn account(surface: Surface, e: AccountError) -> Self {
        match e {
            AccountError::Validation(errors) => Self::Validation { surface, errors },
            AccountError::InvalidCredentials => Self::InvalidCredentials,
            AccountError::VerificationRequired(_) => Self::VerificationRequired,
            AccountError::TrialEnded => Self::TrialEnded,
            AccountError::Unauthorized => Self::Unauthorized,
            AccountError::EmailTaken => Self::EmailTaken,
            AccountError::InvalidToken => Self::InvalidToken,
            AccountError::NotFound => Self::NotFound("Not found"),
            AccountError::Unavailable(e) => Self::Unavailable(e),
            AccountError::Unexpected(e) => Self::Internal(e),
        }
    }

    /// A validation error of one or more issues.
    #[must_use]
    pub fn validation(surface: Surface, errors: ValidationErrors) -> Self {
        Self::Validation { surface, errors }
    }
}

impl From<actix_web::error::JsonPayloadError> for ApiError {
    fn from(e: actix_web::error::JsonPayloadError) -> Self {
        use actix_web::error::JsonPayloadError as E;
        match e {
            E::ContentType => Self::UnsupportedMediaType,
            E::Overflow { limit } | E::OverflowKnownLength { limit, .. } => {
                Self::PayloadTooLarge { limit }
            }
            _ => Self::InvalidJson,
        }
    }
}
