//! The one error type of both HTTP surfaces and its rendering: the policy and the responses here,
//! the JSON bodies in `bodies`, the mapping from the use cases' errors in `mapping`.
//!
//! Policy:
//! - every error body is JSON `{"error": <human text>, "code": <machine code>, ...}` (contract §3);
//! - the public text is written here by hand, never taken from a lower layer's `Display`;
//! - [`ApiError::Internal`] logs the full cause chain (`tracing::error!`) and shows nothing of it;
//!   [`ApiError::Unavailable`] logs the chain as a warning and answers 503 with `Retry-After`;
//! - the mapping is one exhaustive `match`: a new variant does not compile until it is rendered.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use clientele_domain::{LimitReached, ValidationErrors};
use clientele_ports::{BoxError, StoredResponse, error_chain};

use crate::surface::Surface;

mod bodies;
mod mapping;

pub use bodies::{
    AppForbiddenBody, AppPlanLimitBody, BadRequestBody, ErrorBody, PlanLimitBody,
    ValidationErrorBody, VerificationRequiredBody, ZodIssue,
};

/// Seconds a client is told to wait after a 503.
pub const UNAVAILABLE_RETRY_AFTER: u64 = 5;

/// The 404 message of a client (both surfaces).
pub const CLIENT_NOT_FOUND: &str = "Client not found";
/// The app API's 404 message on writes to a client (the seed's wording).
pub const CLIENT_NOT_FOUND_OR_UNAUTHORIZED: &str = "Client not found or unauthorized";

/// Every error either surface answers.
#[derive(Debug)]
pub enum ApiError {
    /// 400 `invalid_json`: the body is not JSON, or not a JSON object.
    InvalidJson,
    /// 400 `validation_error`, with zod-style `details` in the surface's field names.
    Validation {
        /// The surface whose field names the `details` paths use.
        surface: Surface,
        /// The failed rules: one entry of `details` each.
        errors: ValidationErrors,
    },
    /// 400 `invalid_token`: unknown, used or expired verification token (app API).
    InvalidToken,
    /// 401 `unauthorized`: no, unknown, revoked or expired credential.
    Unauthorized,
    /// 401 `invalid_credentials`: wrong email or password (app API login).
    InvalidCredentials,
    /// 403 `verification_required`: the app API's access gate.
    VerificationRequired,
    /// 403 `plan_limit_reached`, with the counts in the surface's spelling.
    PlanLimitReached {
        /// The surface whose body is answered: [`PlanLimitBody`] (snake_case) or
        /// [`AppPlanLimitBody`] (camelCase).
        surface: Surface,
        /// The organization's client count and its plan's limit.
        reached: LimitReached,
    },
    /// 403 `trial_ended`: an expired trial may not take an API key (its creates count as free).
    TrialEnded,
    /// 403 `forbidden`: a cookie-authenticated write from an origin that is not allowed.
    Forbidden,
    /// 404 `not_found`, with the public message.
    NotFound(&'static str),
    /// 405 `method_not_allowed`, with the methods the resource allows.
    MethodNotAllowed(&'static str),
    /// 409 `name_taken`.
    NameTaken,
    /// 409 `email_taken` (app API signup).
    EmailTaken,
    /// 409 `idempotency_key_reused`: same key, another body.
    IdempotencyKeyReused,
    /// 409 `idempotency_key_in_use`: same key, first request still running.
    IdempotencyKeyInUse,
    /// 413 `payload_too_large`.
    PayloadTooLarge {
        /// The limit, in bytes (the message states it in whole KiB).
        limit: usize,
    },
    /// 408 `request_timeout`: the body did not arrive in time (the connection is closed).
    RequestTimeout,
    /// 415 `unsupported_media_type`.
    UnsupportedMediaType,
    /// 429 `rate_limited`, with `Retry-After` seconds.
    RateLimited {
        /// Seconds to wait, sent as `Retry-After`.
        retry_after: u64,
    },
    /// 503 `unavailable`: the database cannot be reached.
    Unavailable(BoxError),
    /// 500 `internal`: a bug or a broken invariant. Nothing of it is shown.
    Internal(BoxError),
}

impl ApiError {
    /// The machine code of the body.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::InvalidJson => "invalid_json",
            Self::Validation { .. } => "validation_error",
            Self::InvalidToken => "invalid_token",
            Self::Unauthorized => "unauthorized",
            Self::InvalidCredentials => "invalid_credentials",
            Self::VerificationRequired => "verification_required",
            Self::PlanLimitReached { .. } => "plan_limit_reached",
            Self::TrialEnded => "trial_ended",
            Self::Forbidden => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::MethodNotAllowed(_) => "method_not_allowed",
            Self::NameTaken => "name_taken",
            Self::EmailTaken => "email_taken",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::IdempotencyKeyInUse => "idempotency_key_in_use",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::RequestTimeout => "request_timeout",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::RateLimited { .. } => "rate_limited",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// The HTTP status.
    #[must_use]
    pub const fn status(&self) -> StatusCode {
        match self {
            Self::InvalidJson | Self::Validation { .. } | Self::InvalidToken => {
                StatusCode::BAD_REQUEST
            }
            Self::Unauthorized | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::VerificationRequired
            | Self::PlanLimitReached { .. }
            | Self::TrialEnded
            | Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::NameTaken
            | Self::EmailTaken
            | Self::IdempotencyKeyReused
            | Self::IdempotencyKeyInUse => StatusCode::CONFLICT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The human text of the body.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Self::InvalidJson => "Request body must be a valid JSON object".to_owned(),
            Self::Validation { .. } => "Validation error".to_owned(),
            Self::InvalidToken => "Invalid or expired token".to_owned(),
            Self::Unauthorized => "Unauthorized".to_owned(),
            Self::InvalidCredentials => "Invalid email or password".to_owned(),
            Self::VerificationRequired => {
                "Please verify your email before adding clients".to_owned()
            }
            Self::PlanLimitReached { reached, .. } => reached.to_string(),
            Self::TrialEnded => {
                "Your trial has ended: upgrade your plan to create API keys".to_owned()
            }
            Self::Forbidden => "Forbidden".to_owned(),
            Self::NotFound(message) => (*message).to_owned(),
            Self::MethodNotAllowed(_) => "Method not allowed".to_owned(),
            Self::NameTaken => "A client with this name already exists".to_owned(),
            Self::EmailTaken => "An account with this email already exists".to_owned(),
            Self::IdempotencyKeyReused => {
                "This Idempotency-Key was already used with a different request body".to_owned()
            }
            Self::IdempotencyKeyInUse => {
                "A request with this Idempotency-Key is still being processed".to_owned()
            }
            Self::PayloadTooLarge { limit } => {
                format!("Request body is larger than {} KiB", limit / 1024)
            }
            Self::RequestTimeout => "The request body was not received in time".to_owned(),
            Self::UnsupportedMediaType => "Content-Type must be application/json".to_owned(),
            Self::RateLimited { .. } => "Too many requests".to_owned(),
            Self::Unavailable(_) => "Service unavailable".to_owned(),
            Self::Internal(_) => "Internal server error".to_owned(),
        }
    }

    /// The JSON body, as bytes.
    #[must_use]
    pub fn body(&self) -> Vec<u8> {
        let error = self.message();
        let code = self.code();
        let value = match self {
            Self::Validation { surface, errors } => serde_json::to_vec(&ValidationErrorBody {
                error,
                code,
                details: errors
                    .issues()
                    .iter()
                    .map(|i| ZodIssue::from_issue(*surface, i))
                    .collect(),
            }),
            Self::PlanLimitReached {
                surface: Surface::Management,
                reached,
            } => serde_json::to_vec(&PlanLimitBody {
                error,
                code,
                current_count: reached.current,
                limit: reached.limit,
                upgrade_required: true,
            }),
            Self::PlanLimitReached {
                surface: Surface::App,
                reached,
            } => serde_json::to_vec(&AppPlanLimitBody {
                error,
                code,
                current_count: reached.current,
                limit: reached.limit,
                upgrade_required: true,
            }),
            Self::VerificationRequired => serde_json::to_vec(&VerificationRequiredBody {
                error,
                code,
                requires_verification: true,
                verification_required: true,
            }),
            Self::InvalidJson
            | Self::InvalidToken
            | Self::Unauthorized
            | Self::InvalidCredentials
            | Self::TrialEnded
            | Self::Forbidden
            | Self::NotFound(_)
            | Self::MethodNotAllowed(_)
            | Self::NameTaken
            | Self::EmailTaken
            | Self::IdempotencyKeyReused
            | Self::IdempotencyKeyInUse
            | Self::PayloadTooLarge { .. }
            | Self::RequestTimeout
            | Self::UnsupportedMediaType
            | Self::RateLimited { .. }
            | Self::Unavailable(_)
            | Self::Internal(_) => serde_json::to_vec(&ErrorBody { error, code }),
        };
        value.unwrap_or_else(|_| br#"{"error":"Internal server error","code":"internal"}"#.to_vec())
    }

    /// Logs what must be logged: the cause chain of a 500 (error) or a 503 (warning).
    fn log(&self) {
        match self {
            Self::Internal(e) => {
                tracing::error!(error.chain = %error_chain(e.as_ref()), "internal error");
            }
            Self::Unavailable(e) => {
                tracing::warn!(error.chain = %error_chain(e.as_ref()), "unavailable: a dependency (the database, mail) is down or a bounded resource is full");
            }
            _ => {}
        }
    }

    /// This error as a response to keep under an `Idempotency-Key` (and logs it like a response).
    #[must_use]
    pub fn to_stored(&self) -> StoredResponse {
        self.log();
        StoredResponse {
            status: self.status().as_u16(),
            body: self.body(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message(), self.code())
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Unavailable(e) | Self::Internal(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        let mut response = HttpResponse::build(self.status());
        response.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ));
        match self {
            Self::RateLimited { retry_after } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            Self::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, UNAVAILABLE_RETRY_AFTER.to_string()));
            }
            Self::MethodNotAllowed(allow) => {
                response.insert_header((header::ALLOW, *allow));
            }
            Self::RequestTimeout => {
                // The rest of the body may still come: the connection cannot be reused.
                response.force_close();
            }
            _ => {}
        }
        response.body(self.body())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use clientele_domain::{Expected, Field, Issue, Received, StringCheck};
    use serde_json::{Value, json};

    fn body(e: &ApiError) -> Value {
        serde_json::from_slice(&e.body()).unwrap()
    }

    #[test]
    fn validation_details_are_zod_issues_in_the_surface_names() {
        let mut c = clientele_domain::Collector::new();
        c.push(Issue::too_short(Field::Name, 2));
        c.push(Issue::invalid_type(
            Field::BusinessType,
            Expected::String,
            Received::Undefined,
        ));
        c.push(Issue::invalid_string(
            Field::ContactEmail,
            StringCheck::Email,
            "Must be a valid email",
        ));
        c.push(Issue::invalid_enum(
            Field::Status,
            &["active", "inactive"],
            "x",
        ));
        c.push(Issue::too_long(Field::ContactPerson, 255));
        let errors = c.check().unwrap_err();
        let mgmt = body(&ApiError::validation(Surface::Management, errors.clone()));
        assert_eq!(mgmt["error"], "Validation error");
        assert_eq!(mgmt["code"], "validation_error");
        assert_eq!(
            mgmt["details"][0],
            json!({"code": "too_small", "minimum": 2, "type": "string", "inclusive": true,
                   "exact": false, "message": "Name must be at least 2 characters", "path": ["name"]})
        );
        assert_eq!(
            mgmt["details"][1],
            json!({"code": "invalid_type", "expected": "string", "received": "undefined",
                   "message": "Required", "path": ["type"]})
        );
        assert_eq!(
            mgmt["details"][2],
            json!({"code": "invalid_string", "validation": "email",
                   "message": "Must be a valid email", "path": ["contact_email"]})
        );
        assert_eq!(mgmt["details"][3]["options"], json!(["active", "inactive"]));
        assert_eq!(mgmt["details"][3]["received"], "x");
        assert_eq!(mgmt["details"][4]["maximum"], 255);
        assert_eq!(mgmt["details"][4]["path"], json!(["contact_person"]));
        let app = body(&ApiError::validation(Surface::App, errors));
        assert_eq!(app["details"][2]["path"], json!(["contactEmail"]));
        assert_eq!(app["details"][4]["path"], json!(["contactName"]));
    }

    #[test]
    fn plan_limit_bodies_follow_the_surface() {
        let reached = LimitReached {
            current: 3,
            limit: 3,
        };
        assert_eq!(
            body(&ApiError::PlanLimitReached {
                surface: Surface::Management,
                reached
            }),
            json!({"error": "You have reached your plan limit of 3 clients",
                   "code": "plan_limit_reached", "current_count": 3, "limit": 3,
                   "upgrade_required": true})
        );
        assert_eq!(
            body(&ApiError::PlanLimitReached {
                surface: Surface::App,
                reached
            }),
            json!({"error": "You have reached your plan limit of 3 clients",
                   "code": "plan_limit_reached", "currentCount": 3, "limit": 3,
                   "upgradeRequired": true})
        );
    }

    #[test]
    fn internal_errors_show_nothing() {
        let e = ApiError::Internal("secret detail: password=hunter2".into());
        assert_eq!(
            body(&e),
            json!({"error": "Internal server error", "code": "internal"})
        );
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let r = e.error_response();
        assert_eq!(r.status(), 500);
    }

    #[test]
    fn unavailable_and_rate_limited_carry_retry_after() {
        let r = ApiError::Unavailable("down".into()).error_response();
        assert_eq!(r.status(), 503);
        assert_eq!(r.headers().get("retry-after").unwrap(), "5");
        let r = ApiError::RateLimited { retry_after: 42 }.error_response();
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers().get("retry-after").unwrap(), "42");
    }

    #[test]
    fn verification_required_has_both_flags() {
        assert_eq!(
            body(&ApiError::VerificationRequired),
            json!({"error": "Please verify your email before adding clients",
                   "code": "verification_required", "requiresVerification": true,
                   "verificationRequired": true})
        );
    }
}
