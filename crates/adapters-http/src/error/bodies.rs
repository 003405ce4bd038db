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
    /// Always `Validation error`.
    #[schema(example = "Validation error")]
    pub error: String,
    /// Always `validation_error`.
    #[schema(example = "validation_error")]
    pub code: &'static str,
    /// Every failed rule, with the surface's field names as paths.
    pub details: Vec<ZodIssue>,
}

/// A 400 (documentation): `validation_error` with its `details`, or `invalid_json` /
/// `invalid_token` without them.
#[derive(Debug, Serialize, ToSchema)]
pub struct BadRequestBody {
    /// Human-readable text.
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
    /// Human-readable text.
    #[schema(example = "Please verify your email before adding clients")]
    pub error: String,
    /// `verification_required`, `plan_limit_reached` or `forbidden`.
    #[schema(example = "verification_required")]
    pub code: String,
    /// `true` (`verification_required` only).
    #[schema(nullable = false)]
    pub requires_verification: Option<bool>,
    /// `true` (`verification_required` only).
    #[schema(nullable = false)]
    pub verification_required: Option<bool>,
    /// Clients the organization holds (`plan_limit_reached` only).
    #[schema(nullable = false)]
    pub current_count: Option<u64>,
    /// The plan's client limit (`plan_limit_reached` only).
    #[schema(nullable = false)]
    pub limit: Option<u32>,
    /// `true` (`plan_limit_reached` only).
    #[schema(nullable = false)]
    pub upgrade_required: Option<bool>,
}

/// 403 `plan_limit_reached` on the management API.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanLimitBody {
    /// `You have reached your plan limit of {limit} clients`.
    #[schema(example = "You have reached your plan limit of 3 clients")]
    pub error: String,
    /// Always `plan_limit_reached`.
    #[schema(example = "plan_limit_reached")]
    pub code: &'static str,
    /// Clients the organization holds.
    pub current_count: u64,
    /// The plan's client limit.
    pub limit: u32,
    /// Always `true`.
    pub upgrade_required: bool,
}

/// 403 `plan_limit_reached` on the app API.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppPlanLimitBody {
    /// `You have reached your plan limit of {limit} clients`.
    pub error: String,
    /// Always `plan_limit_reached`.
    pub code: &'static str,
    /// Clients the organization holds.
    pub current_count: u64,
    /// The plan's client limit.
    pub limit: u32,
    /// Always `true`.
    pub upgrade_required: bool,
}

/// 403 `verification_required` on the app API.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerificationRequiredBody {
    /// `Please verify your email before adding clients`.
    pub error: String,
    /// Always `verification_required`.
    pub code: &'static str,
    /// Always `true`.
    pub requires_verification: bool,
    /// Always `true` (the same flag under a second name).
    pub verification_required: bool,
}

/// One failed rule, in zod's issue shape: `code` names the rule, `message` is human-readable
/// text, `path` holds the field's name on the surface (one element).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ZodIssue {
    /// `too_small`: shorter (or smaller) than `minimum`.
    TooSmall {
        /// The fewest characters (or the smallest number) allowed.
        minimum: i64,
        /// `string` (a length) or `number` (a value).
        #[serde(rename = "type")]
        of: &'static str,
        /// Whether `minimum` itself is allowed: always `true`.
        inclusive: bool,
        /// Whether the length must be exactly `minimum`: always `false`.
        exact: bool,
        /// Human-readable text.
        message: String,
        /// The field's name on the surface.
        path: Vec<String>,
    },
    /// `too_big`: longer (or larger) than `maximum`.
    TooBig {
        /// The most characters (or the largest number) allowed.
        maximum: i64,
        /// `string` (a length) or `number` (a value).
        #[serde(rename = "type")]
        of: &'static str,
        /// Whether `maximum` itself is allowed: always `true`.
        inclusive: bool,
        /// Whether the length must be exactly `maximum`: always `false`.
        exact: bool,
        /// Human-readable text.
        message: String,
        /// The field's name on the surface.
        path: Vec<String>,
    },
    /// `invalid_type`: absent, `null` or of another JSON type.
    InvalidType {
        /// The type the field must have: `string` or `number`.
        expected: &'static str,
        /// What arrived: `undefined` (absent), `null`, `string`, `number`, `boolean`, `array`
        /// or `object`.
        received: &'static str,
        /// Human-readable text.
        message: String,
        /// The field's name on the surface.
        path: Vec<String>,
    },
    /// `invalid_string`: not an email, not a URL, or not matching the field's pattern.
    InvalidString {
        /// The format that failed: `email`, `url` or `regex`.
        validation: &'static str,
        /// Human-readable text.
        message: String,
        /// The field's name on the surface.
        path: Vec<String>,
    },
    /// `invalid_enum_value`: not one of `options`.
    InvalidEnumValue {
        /// Every accepted value.
        options: Vec<&'static str>,
        /// The value that arrived, as given.
        received: String,
        /// Human-readable text.
        message: String,
        /// The field's name on the surface.
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
