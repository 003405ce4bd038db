//! The JSON bodies of errors (contract §3), and zod's issue shape.

use clientele_domain::{Issue, IssueKind};
use serde::Serialize;
use utoipa::ToSchema;

use crate::surface::Surface;

/// `{"error", "code"}`: the body of every error without extra fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Human-readable text.
    #[schema(example = "Unauthorized")]
    pub error: String,
    /// Machine-readable code.
    #[schema(example = "unauthorized")]
    pub code: &'static str,
}

/// 400 `validation_error`: every failed rule of the request.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationErrorBody {
    #[schema(example = "Validation error")]
    pub error: String,
    #[schema(example = "validation_error")]
    pub code: &'static str,
    pub details: Vec<ZodIssue>,
}

/// A 400 (documentation): `validation_error` with its `details`, or `invalid_json` /
/// `invalid_token` without them.
#[derive(Debug, Serialize, ToSchema)]
pub struct BadRequestBody {
    #[schema(example = "Validation error")]
    pub error: String,
    /// `validation_error`, `invalid_json` or `invalid_token`.
    #[schema(example = "validation_error")]
    pub code: String,
    /// Every failed rule (`validation_error` only).
    #[schema(nullable = false)]
    pub details: Option<Vec<ZodIssue>>,
}

/// A 403 of the app API's create (documentation): `verification_required` (with
/// `requiresVerification` and `verificationRequired`), `plan_limit_reached` (with `currentCount`,
/// `limit`, `upgradeRequired`) or `forbidden`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppForbiddenBody {
    #[schema(example = "Please verify your email before adding clients")]
    pub error: String,
    #[schema(example = "verification_required")]
    pub code: String,
    #[schema(nullable = false)]
    pub requires_verification: Option<bool>,
    #[schema(nullable = false)]
    pub verification_required: Option<bool>,
    #[schema(nullable = false)]
    pub current_count: Option<u64>,
    #[schema(nullable = false)]
    pub limit: Option<u32>,
    #[schema(nullable = false)]
    pub upgrade_required: Option<bool>,
}

/// 403 `plan_limit_reached` on the management API.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanLimitBody {
    #[schema(example = "You have reached your plan limit of 3 clients")]
    pub error: String,
    #[schema(example = "plan_limit_reached")]
    pub code: &'static str,
    pub current_count: u64,
    pub limit: u32,
    pub upgrade_required: bool,
}

/// 403 `plan_limit_reached` on the app API.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppPlanLimitBody {
    pub error: String,
    pub code: &'static str,
    pub current_count: u64,
    pub limit: u32,
    pub upgrade_required: bool,
}

/// 403 `verification_required` on the app API.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerificationRequiredBody {
    pub error: String,
    pub code: &'static str,
    pub requires_verification: bool,
    pub verification_required: bool,
}

/// One failed rule, in zod's issue shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ZodIssue {
    TooSmall {
        minimum: i64,
        #[serde(rename = "type")]
        of: &'static str,
        inclusive: bool,
        exact: bool,
        message: String,
        path: Vec<String>,
    },
    TooBig {
        maximum: i64,
        #[serde(rename = "type")]
        of: &'static str,
        inclusive: bool,
        exact: bool,
        message: String,
        path: Vec<String>,
    },
    InvalidType {
        expected: &'static str,
        received: &'static str,
        message: String,
        path: Vec<String>,
    },
    InvalidString {
        validation: &'static str,
        message: String,
        path: Vec<String>,
    },
    InvalidEnumValue {
        options: Vec<&'static str>,
        received: String,
        message: String,
        path: Vec<String>,
    },
}

impl ZodIssue {
    /// Renders a domain issue with `surface`'s field name as the path.
    #[must_use]
    pub fn from_issue(surface: Surface, issue: &Issue) -> Self {
        let path = vec![surface.field_name(issue.field).to_owned()];
        let message = issue.message.clone();
        match &issue.kind {
            IssueKind::TooSmall { minimum, of } => Self::TooSmall {
                minimum: *minimum,
                of: of.as_str(),
                inclusive: true,
                exact: false,
                message,
                path,
            },
            IssueKind::TooBig { maximum, of } => Self::TooBig {
                maximum: *maximum,
                of: of.as_str(),
                inclusive: true,
                exact: false,
                message,
                path,
            },
            IssueKind::InvalidType { expected, received } => Self::InvalidType {
                expected: expected.as_str(),
                received: received.as_str(),
                message,
                path,
            },
            IssueKind::InvalidString { validation } => Self::InvalidString {
                validation: validation.as_str(),
                message,
                path,
            },
            IssueKind::InvalidEnumValue { options, received } => Self::InvalidEnumValue {
                options: options.to_vec(),
                received: received.clone(),
                message,
                path,
            },
        }
    }
}
