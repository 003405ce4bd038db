//! Clientele's HTTP surfaces on actix-web.
//!
//! - [`management`]: the management API (`/v1`, `X-API-Key`, snake_case, `{"data": ...}`);
//! - [`app`]: the app API (`/api`, session cookie, camelCase, the access gate);
//! - [`ops`]: `/health`, `/ready`, `/metrics`, `/openapi.json`;
//! - [`webapp`]: the web app for people (`/`, `/login`, `/clients`, ...) and the API reference
//!   (`/docs`), from assets built into the binary;
//! - [`error::ApiError`]: the one error type, rendered per contract §3 for either [`Surface`];
//! - [`body::JsonBody`]: the JSON body of every write (415 / 413 / 400 `invalid_json`);
//! - [`auth::ApiKeyAuth`]: API-key authentication and per-key rate limits;
//! - [`telemetry`]: request ids, the request span, Prometheus metrics.
//!
//! Handlers are generic over the storage adapter `S: Store`; this crate knows the ports and the
//! domain, never diesel. Build the application with [`app`] (or [`configure`] plus
//! [`telemetry::observe`] in your own `App`).

pub mod app;
pub mod auth;
pub mod body;
pub mod error;
pub mod management;
pub mod openapi;
mod openapi_app;
pub mod ops;
pub mod rate_limit;
pub mod respond;
pub mod state;
pub mod surface;
pub mod telemetry;
pub mod time_fmt;
pub mod webapp;

use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, HttpResponse, web};
use clientele_ports::Store;

pub use error::ApiError;
pub use rate_limit::{RateLimiter, RateLimits};
pub use state::{AppState, HttpSettings};
pub use surface::Surface;

/// Registers every route, the application state, contract-shaped errors for actix's own
/// extractors (`Json`, `Query`, `Path`), and the JSON 404 for unknown routes.
pub fn configure<S: Store>(cfg: &mut web::ServiceConfig, state: AppState<S>) {
    let limit = state.settings.body_limit;
    cfg.app_data(web::Data::new(state))
        .app_data(
            web::JsonConfig::default()
                .limit(limit)
                .error_handler(|e, _| ApiError::from(e).into()),
        )
        .app_data(web::PayloadConfig::default().limit(limit))
        .app_data(web::QueryConfig::default().error_handler(|_, _| {
            ApiError::validation(
                Surface::App,
                clientele_domain::ValidationErrors::single(
                    clientele_domain::Issue::invalid_string(
                        clientele_domain::Field::Query,
                        clientele_domain::StringCheck::Regex,
                        "Invalid query string",
                    ),
                ),
            )
            .into()
        }))
        .app_data(
            web::PathConfig::default().error_handler(|_, _| ApiError::NotFound("Not found").into()),
        )
        .configure(ops::routes::<S>)
        .configure(management::routes::<S>)
        .configure(app::routes::<S>)
        .configure(webapp::routes)
        .default_service(web::to(not_found));
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound("Not found"))
}

/// The complete application: [`configure`] wrapped in the telemetry middleware.
pub fn app<S: Store>(
    state: AppState<S>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<BoxBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let metrics = Arc::clone(&state.metrics);
    App::new()
        .wrap(from_fn(move |req: ServiceRequest, next: Next<_>| {
            telemetry_mw(Arc::clone(&metrics), req, next)
        }))
        .configure(move |cfg| configure(cfg, state))
}

async fn telemetry_mw<B: MessageBody + 'static>(
    metrics: Arc<telemetry::Metrics>,
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    telemetry::observe(metrics, req, next).await
}
