//! The app API's response and request bodies (flat camelCase).

use clientele_domain::{ApiKey, Client, Usage};
use clientele_ports::Account;
use serde::Serialize;
use utoipa::ToSchema;

use crate::time_fmt::rfc3339_millis;

/// A user as the app API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppUser {
    /// The user's id: a CUID2.
    #[schema(example = "clx0a1b2c3d4e5f6g7h8i9j0k")]
    pub id: String,
    /// The login email, its domain part lowercased.
    #[schema(example = "ann@example.com")]
    pub email: String,
    /// The name given at sign-up, or `null`.
    pub name: Option<String>,
    /// When the email was verified (RFC 3339, UTC, with milliseconds), or `null`.
    #[schema(example = "2024-03-15T10:30:00.000Z")]
    pub email_verified: Option<String>,
    /// `FREE` or `PAID_TRIAL`.
    #[schema(example = "FREE")]
    pub signup_flow: String,
    /// The plan whose limit applies (an expired trial counts as `free`).
    #[schema(example = "free")]
    pub plan: String,
    /// The user's organization: a UUID.
    pub organization_id: String,
}

impl From<&Account> for AppUser {
    fn from(a: &Account) -> Self {
        let u = &a.user;
        Self {
            id: u.id.to_string(),
            email: u.email.as_str().to_owned(),
            name: u.name.as_ref().map(|n| n.as_str().to_owned()),
            email_verified: u.email_verified_at.map(rfc3339_millis),
            signup_flow: u.signup_flow.as_str().to_owned(),
            plan: a.plan.as_str().to_owned(),
            organization_id: u.organization_id.to_string(),
        }
    }
}

/// `{"user": user}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserEnvelope {
    /// The user.
    pub user: AppUser,
}

/// `GET /api/auth/session`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionBody {
    /// The signed-in user.
    pub user: AppUser,
    /// When the session expires: RFC 3339, UTC, with milliseconds.
    #[schema(example = "2024-04-14T10:30:00.000Z")]
    pub expires: String,
}

/// A client as the app API shows it (the seed's shape, without any OAuth token).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppClient {
    /// A CUID2 (created here) or a UUID (created through the management API).
    #[schema(example = "clx1a2b3c4d5e6f7g8h9i0j1k")]
    pub id: String,
    /// Its name, unique within the organization (compared case-insensitively).
    #[schema(example = "Acme Corporation")]
    pub name: String,
    /// The website, as an http(s) URL, or `null`.
    #[schema(example = "https://acme.com")]
    pub domain: Option<String>,
    /// The contact person's name, or `null`.
    #[schema(example = "John Doe")]
    pub contact_name: Option<String>,
    /// The contact email, or `null`.
    #[schema(example = "john@acme.com")]
    pub contact_email: Option<String>,
    /// The creating user; `null` for clients created with an API key.
    pub user_id: Option<String>,
    /// A read-only placeholder: always `false`.
    pub google_search_console_connected: bool,
    /// A read-only placeholder: always `false`.
    pub google_analytics_connected: bool,
    /// A read-only placeholder: always `null`.
    pub search_console_property_url: Option<String>,
    /// A read-only placeholder: always `null`.
    pub google_analytics_property_id: Option<String>,
    /// A read-only placeholder: always `null`.
    pub last_report_generated: Option<String>,
    /// A read-only placeholder: always `0`.
    pub total_reports_generated: u32,
    /// When it was created: RFC 3339, UTC, with milliseconds.
    #[schema(example = "2024-03-15T10:30:00.000Z")]
    pub created_at: String,
    /// When it was last changed: RFC 3339, UTC, with milliseconds.
    #[schema(example = "2024-03-15T10:30:00.000Z")]
    pub updated_at: String,
}

impl From<&Client> for AppClient {
    fn from(c: &Client) -> Self {
        Self {
            id: c.id.to_string(),
            name: c.name.as_str().to_owned(),
            domain: c.domain.as_ref().map(|d| d.as_str().to_owned()),
            contact_name: c.contact_person.as_ref().map(|p| p.as_str().to_owned()),
            contact_email: c.contact_email.as_ref().map(|e| e.as_str().to_owned()),
            user_id: c.created_by.as_ref().map(ToString::to_string),
            google_search_console_connected: false,
            google_analytics_connected: false,
            search_console_property_url: None,
            google_analytics_property_id: None,
            last_report_generated: None,
            total_reports_generated: 0,
            created_at: rfc3339_millis(c.created_at),
            updated_at: rfc3339_millis(c.updated_at),
        }
    }
}

/// `DELETE /api/clients/{id}` and `POST /api/auth/resend-verification`: what was done.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageBody {
    /// `Client deleted successfully`, `Verification email sent` or `Email already verified`.
    #[schema(example = "Client deleted successfully")]
    pub message: &'static str,
}

/// The body of `POST /api/clients` (documentation).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppClientRequest {
    /// Trimmed; unique within the organization (case-insensitive).
    #[schema(example = "Acme Corporation")]
    pub name: String,
    /// An http(s) URL or a bare host (`acme.com` → `https://acme.com`).
    #[schema(example = "https://acme.com")]
    pub domain: String,
    /// The contact person's name; empty or `null` counts as absent.
    #[schema(example = "John Doe")]
    pub contact_name: Option<String>,
    /// `local@domain.tld`; empty or `null` counts as absent.
    #[schema(example = "john@acme.com")]
    pub contact_email: Option<String>,
}

/// The body of `PUT /api/clients/{id}` (documentation): any subset of the four fields; `null`
/// or `""` clears `contactName` / `contactEmail`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppClientUpdateRequest {
    /// A new name; cannot be cleared.
    #[schema(example = "Acme Corporation", nullable = false)]
    pub name: Option<String>,
    /// A new website; cannot be cleared.
    #[schema(example = "https://acme.com", nullable = false)]
    pub domain: Option<String>,
    /// A new contact person; `null` clears it.
    #[schema(example = "John Doe")]
    pub contact_name: Option<String>,
    /// A new contact email; `null` clears it.
    #[schema(example = "john@acme.com")]
    pub contact_email: Option<String>,
}

/// The body of `POST /api/auth/signup` (documentation).
#[derive(Debug, Serialize, ToSchema)]
pub struct Credentials {
    /// The login email (`local@domain.tld`).
    #[schema(example = "ann@example.com", max_length = 255)]
    pub email: String,
    /// 8–128 characters.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
    /// The account's display name, optional (1–255 characters).
    #[schema(min_length = 1, max_length = 255)]
    pub name: Option<String>,
}

/// The body of `POST /api/auth/login` (documentation): any email and password are checked (a
/// wrong one is 401 `invalid_credentials`, whatever its length).
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginRequest {
    /// The login email.
    #[schema(example = "ann@example.com", min_length = 1)]
    pub email: String,
    /// The password.
    #[schema(min_length = 1)]
    pub password: String,
}

/// The body of `POST /api/auth/verify-email` (documentation).
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyEmailRequest {
    /// The token from the verification email's link.
    pub token: String,
}

/// `GET /api/usage`: what the web app reads to show "2 of 3 clients on the Free plan" and to
/// offer "Add client" or an upgrade.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppUsage {
    /// The organization's client count and limit.
    pub clients: AppClientUsage,
    /// The plan whose limit applies (an expired trial counts as `free`).
    #[schema(example = "free")]
    pub plan: &'static str,
    /// The plan's name as people read it: `Free`, `Starter`, `Professional`, `Agency` or
    /// `Enterprise`.
    #[schema(example = "Free")]
    pub plan_name: &'static str,
}

/// The client counts of [`AppUsage`].
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppClientUsage {
    /// Clients the organization holds.
    #[schema(example = 2)]
    pub used: u64,
    /// The plan's client limit; `null` on an unlimited plan.
    #[schema(example = 3)]
    pub limit: Option<u32>,
    /// Clients that may still be added (0 past the limit); `null` on an unlimited plan.
    #[schema(example = 1)]
    pub remaining: Option<u64>,
    /// Rounded, at most 100; 0 on an unlimited plan.
    #[schema(example = 67)]
    pub percentage: u64,
    /// Whether no client may be added (never on an unlimited plan).
    pub is_at_limit: bool,
    /// From 80 % of the limit (never on an unlimited plan).
    pub is_near_limit: bool,
}

impl From<&Usage> for AppUsage {
    fn from(u: &Usage) -> Self {
        Self {
            clients: AppClientUsage {
                used: u.used,
                limit: u.limit(),
                remaining: u.remaining(),
                percentage: u.percentage(),
                is_at_limit: u.is_at_limit(),
                is_near_limit: u.is_near_limit(),
            },
            plan: u.plan.as_str(),
            plan_name: u.plan.display_name(),
        }
    }
}

/// A management API key as the app API shows it: never the key or its hash, except `key` in the
/// answer to its creation.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppKey {
    /// The key's record id: a UUID (not the key itself).
    pub id: String,
    /// The key's label.
    #[schema(example = "CI")]
    pub name: String,
    /// `production` or `sandbox`.
    #[schema(example = "production")]
    pub environment: &'static str,
    /// The key's first characters, to recognise it.
    #[schema(example = "vox_mgmt_AbC1")]
    pub prefix: String,
    /// When it was created: RFC 3339, UTC, with milliseconds.
    #[schema(example = "2024-03-15T10:30:00.000Z")]
    pub created_at: String,
    /// When it was last used (written at most once a minute by default, so approximate), or
    /// `null` if never. RFC 3339, UTC, with milliseconds.
    pub last_used_at: Option<String>,
    /// When it was revoked, or `null` while it is valid. RFC 3339, UTC, with milliseconds.
    pub revoked_at: Option<String>,
    /// The whole key: only in the 201 of its creation, never again.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "vox_mgmt_AbC1dEf2gHi3jKl4mNo5pQr6sTu7vWx8")]
    pub key: Option<String>,
}

impl From<&ApiKey> for AppKey {
    fn from(k: &ApiKey) -> Self {
        Self {
            id: k.id.to_string(),
            name: k.name.as_str().to_owned(),
            environment: k.environment.as_str(),
            prefix: k.prefix.clone(),
            created_at: rfc3339_millis(k.created_at),
            last_used_at: k.last_used_at.map(rfc3339_millis),
            revoked_at: k.revoked_at.map(rfc3339_millis),
            key: None,
        }
    }
}

/// The body of `POST /api/keys` (documentation).
#[derive(Debug, Serialize, ToSchema)]
pub struct AppKeyRequest {
    /// 1–100 characters; `API key` when absent.
    #[schema(example = "CI", min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// `production` when absent.
    #[schema(example = "production")]
    pub environment: Option<String>,
}
