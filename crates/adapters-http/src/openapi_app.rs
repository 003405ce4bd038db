//! The app API's part of the OpenAPI document (documentation stubs, like the management API's).

#![allow(dead_code)]

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::app::{
    AppClient, AppClientRequest, AppClientUpdateRequest, AppClientUsage, AppKey, AppKeyRequest,
    AppUsage, AppUser, Credentials, LoginRequest, MessageBody, SessionBody, UserEnvelope,
    VerifyEmailRequest,
};
use crate::error::{
    AppForbiddenBody, AppPlanLimitBody, BadRequestBody, ErrorBody, VerificationRequiredBody,
};

#[derive(OpenApi)]
#[openapi(
    paths(app_sign_up, app_log_in, app_log_out, app_session, app_verify_email, app_resend_verification, app_verify_email_page, app_create_client, app_list_clients, app_get_client,
          app_update_client, app_delete_client, app_usage, app_list_keys, app_create_key, app_revoke_key),
    components(schemas(AppUser, UserEnvelope, SessionBody, AppClient, AppClientRequest, AppClientUpdateRequest,
                        AppForbiddenBody, MessageBody,
                        Credentials, LoginRequest, VerifyEmailRequest, AppPlanLimitBody, VerificationRequiredBody,
                        AppUsage, AppClientUsage, AppKey, AppKeyRequest)),
    modifiers(&SessionScheme),
    tags((name = "app", description = "App API (the web app's backend, session cookie, camelCase)"))
)]
pub(crate) struct AppDoc;

struct SessionScheme;

impl Modify for SessionScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "next-auth.session-token",
                "The session cookie set by sign-up and login (`__Secure-next-auth.session-token` is \
                 accepted too).",
            ))),
        );
    }
}

#[utoipa::path(post, path = "/api/auth/signup", tag = "app",
    request_body(content = Credentials, content_type = "application/json",
        description = "`email`, `password` (8–128), optional `name`. Creates a new organization on \
                       the free plan and sends a verification email."),
    responses(
        (status = 201, description = "Signed up; sets the session cookie", body = UserEnvelope),
        (status = 400, description = "`invalid_json` or `validation_error`", body = BadRequestBody),
        (status = 403, description = "`forbidden` (Origin not allowed)", body = ErrorBody),
        (status = 409, description = "`email_taken`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 503, description = "`unavailable`", body = ErrorBody)))]
fn app_sign_up() {}

#[utoipa::path(post, path = "/api/auth/login", tag = "app",
    request_body(content = LoginRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Logged in; sets the session cookie", body = UserEnvelope),
        (status = 400, description = "`invalid_json` or `validation_error`", body = BadRequestBody),
        (status = 401, description = "`invalid_credentials` (unknown email or wrong password alike)", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 503, description = "`unavailable`", body = ErrorBody)))]
fn app_log_in() {}

#[utoipa::path(post, path = "/api/auth/logout", tag = "app",
    security((), ("session" = [])),
    responses(
        (status = 204, description = "The session is deleted server-side and the cookie cleared"),
        (status = 403, description = "`forbidden`", body = ErrorBody)))]
fn app_log_out() {}

#[utoipa::path(get, path = "/api/auth/session", tag = "app",
    security(("session" = [])),
    responses(
        (status = 200, description = "The signed-in user and when the session expires", body = SessionBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody)))]
fn app_session() {}

#[utoipa::path(post, path = "/api/auth/verify-email", tag = "app",
    request_body(content = VerifyEmailRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Verified", body = UserEnvelope),
        (status = 400, description = "`invalid_token` (unknown, used or expired), `invalid_json` or `validation_error`", body = BadRequestBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 503, description = "`unavailable`", body = ErrorBody)))]
fn app_verify_email() {}

#[utoipa::path(post, path = "/api/auth/resend-verification", tag = "app",
    security(("session" = [])),
    responses(
        (status = 202, description = "A new verification link was mailed", body = MessageBody),
        (status = 200, description = "The email is already verified; nothing was sent", body = MessageBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 503, description = "`unavailable`: the mail transport or the database", body = ErrorBody)))]
fn app_resend_verification() {}

#[utoipa::path(get, path = "/verify-email", tag = "app",
    params(("token" = Option<String>, Query, description = "The token of the verification email's link (without one the page says the link is incomplete)")),
    responses((status = 200, description = "An HTML page whose button posts the token (read by the browser, never echoed by the server) to `POST /api/auth/verify-email`", content_type = "text/html", body = String)))]
fn app_verify_email_page() {}

#[utoipa::path(post, path = "/api/clients", tag = "app",
    security(("session" = [])),
    request_body(content = AppClientRequest, content_type = "application/json",
        description = "`name` (2+ characters) and `domain` required"),
    responses(
        (status = 201, description = "Created", body = AppClient),
        (status = 400, description = "`invalid_json` or `validation_error`", body = BadRequestBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`verification_required`, `plan_limit_reached` or `forbidden`", body = AppForbiddenBody),
        (status = 409, description = "`name_taken`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 503, description = "`unavailable`", body = ErrorBody)))]
fn app_create_client() {}

#[utoipa::path(get, path = "/api/clients", tag = "app",
    security(("session" = [])),
    params(
        ("q" = Option<String>, Query, description = "Case-insensitive substring of the name or display name (no control characters; empty: no filter)"),
        ("limit" = Option<u32>, Query, description = "The page size, default the largest page"),
        ("offset" = Option<u64>, Query, minimum = 0, description = "≥ 0, default 0; not with `cursor`"),
        ("cursor" = Option<String>, Query, description = "The `X-Next-Cursor` header of the previous page (opaque); send `q` again")),
    responses(
        (status = 200, description = "The organization's clients, newest first", body = [AppClient],
            headers(
                ("X-Total-Count" = u64, description = "Clients matching `q`, in all"),
                ("X-Next-Cursor" = String, description = "The `cursor` of the next page; absent on the last page"))),
        (status = 400, description = "`validation_error`", body = BadRequestBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody)))]
fn app_list_clients() {}

#[utoipa::path(get, path = "/api/clients/{id}", tag = "app",
    security(("session" = [])),
    params(("id" = String, Path, description = "CUID2 or UUID")),
    responses(
        (status = 200, description = "The client", body = AppClient),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`: Client not found", body = ErrorBody)))]
fn app_get_client() {}

#[utoipa::path(put, path = "/api/clients/{id}", tag = "app",
    security(("session" = [])),
    params(("id" = String, Path, description = "CUID2 or UUID")),
    request_body(content = AppClientUpdateRequest, content_type = "application/json",
        description = "Any subset of the four fields; `null` clears `contactName` / `contactEmail`"),
    responses(
        (status = 200, description = "The updated client", body = AppClient),
        (status = 400, description = "`invalid_json` or `validation_error`", body = BadRequestBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`: Client not found or unauthorized", body = ErrorBody),
        (status = 409, description = "`name_taken`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody)))]
fn app_update_client() {}

#[utoipa::path(delete, path = "/api/clients/{id}", tag = "app",
    security(("session" = [])),
    params(("id" = String, Path, description = "CUID2 or UUID")),
    responses(
        (status = 200, description = "Deleted", body = MessageBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`: Client not found or unauthorized", body = ErrorBody)))]
fn app_delete_client() {}

#[utoipa::path(get, path = "/api/usage", tag = "app",
    security(("session" = [])),
    responses(
        (status = 200, description = "How much of its plan the organization uses (the plan that applies to the user: an expired trial is `free`)", body = AppUsage),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 503, description = "`unavailable`", body = ErrorBody)))]
fn app_usage() {}

#[utoipa::path(get, path = "/api/keys", tag = "app",
    security(("session" = [])),
    responses(
        (status = 200, description = "The organization's management API keys, newest first (never the key itself)", body = [AppKey]),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 503, description = "`unavailable`", body = ErrorBody)))]
fn app_list_keys() {}

#[utoipa::path(post, path = "/api/keys", tag = "app",
    security(("session" = [])),
    request_body(content = AppKeyRequest, content_type = "application/json",
        description = "Optional `name` (1–100, default `API key`) and `environment` (`production` or `sandbox`, default `production`)"),
    responses(
        (status = 201, description = "Created; `key` is shown this once", body = AppKey),
        (status = 400, description = "`invalid_json` or `validation_error`", body = BadRequestBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`verification_required`, `trial_ended` (an expired trial takes no key) or `forbidden`", body = AppForbiddenBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 503, description = "`unavailable`", body = ErrorBody)))]
fn app_create_key() {}

#[utoipa::path(delete, path = "/api/keys/{id}", tag = "app",
    security(("session" = [])),
    params(("id" = String, Path, description = "The key's UUID")),
    responses(
        (status = 200, description = "Revoked from the next request on (revoking again keeps the first `revokedAt`)", body = AppKey),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`: API key not found (also another organization's)", body = ErrorBody),
        (status = 503, description = "`unavailable`", body = ErrorBody)))]
fn app_revoke_key() {}
