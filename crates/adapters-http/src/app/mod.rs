//! The app API (`/api`): the web app's backend. A session cookie authenticates; bodies are flat
//! camelCase JSON; validation errors are zod issues; clients are gated by email verification and
//! capped by the plan (contract §5).
//!
//! Faults of the seed's product that this surface does not repeat: the plan limit is decided by
//! the database in the insert transaction (no race); the verification gate reads only the stored
//! user (no request field or cookie can skip it); malformed JSON is a 400; bare domains are
//! accepted; no OAuth token ever appears in a client object.

mod accounts;
mod bodies;
mod clients;
mod keys;
mod session;

use actix_web::web;
use clientele_ports::{AccountError, Store};

pub use bodies::{
    AppClient, AppClientRequest, AppClientUpdateRequest, AppClientUsage, AppKey, AppKeyRequest,
    AppUsage, AppUser, Credentials, LoginRequest, MessageBody, SessionBody, UserEnvelope,
    VerifyEmailRequest,
};
pub use session::{SECURE_SESSION_COOKIE, SESSION_COOKIE, SessionAuth};

use crate::error::ApiError;
use crate::respond::method_not_allowed;
use crate::surface::Surface;

const SURFACE: Surface = Surface::App;

pub use crate::webapp::VERIFY_EMAIL_PATH;

/// Registers the `/api` routes.
///
/// [`configure`](crate::configure) registers them, with the `web::Data<AppState<S>>` they need.
pub fn routes<S: Store>(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/auth/signup")
            .route(web::post().to(accounts::sign_up::<S>))
            .default_service(method_not_allowed("POST")),
    )
    .service(
        web::resource("/api/auth/login")
            .route(web::post().to(accounts::log_in::<S>))
            .default_service(method_not_allowed("POST")),
    )
    .service(
        web::resource("/api/auth/logout")
            .route(web::post().to(accounts::log_out::<S>))
            .default_service(method_not_allowed("POST")),
    )
    .service(
        web::resource("/api/auth/session")
            .route(web::get().to(accounts::session::<S>))
            .default_service(method_not_allowed("GET")),
    )
    .service(
        web::resource("/api/auth/resend-verification")
            .route(web::post().to(accounts::resend_verification::<S>))
            .default_service(method_not_allowed("POST")),
    )
    .service(
        web::resource("/api/auth/verify-email")
            .route(web::post().to(accounts::verify_email::<S>))
            .default_service(method_not_allowed("POST")),
    )
    .service(
        web::resource("/api/clients")
            .route(web::post().to(clients::create_client::<S>))
            .route(web::get().to(clients::list_clients::<S>))
            .default_service(method_not_allowed("GET, POST")),
    )
    .service(
        web::resource("/api/clients/{id}")
            .route(web::get().to(clients::get_client::<S>))
            .route(web::put().to(clients::update_client::<S>))
            .route(web::delete().to(clients::delete_client::<S>))
            .default_service(method_not_allowed("GET, PUT, DELETE")),
    )
    .service(
        web::resource("/api/usage")
            .route(web::get().to(keys::usage::<S>))
            .default_service(method_not_allowed("GET")),
    )
    .service(
        web::resource("/api/keys")
            .route(web::get().to(keys::list_keys::<S>))
            .route(web::post().to(keys::create_key::<S>))
            .default_service(method_not_allowed("GET, POST")),
    )
    .service(
        web::resource("/api/keys/{id}")
            .route(web::delete().to(keys::revoke_key::<S>))
            .default_service(method_not_allowed("DELETE")),
    );
}

fn account_error(e: AccountError) -> ApiError {
    ApiError::account(SURFACE, e)
}
