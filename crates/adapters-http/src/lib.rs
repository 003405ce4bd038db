//! Clientele's HTTP surfaces on actix-web 4, for embedding in an actix-web application.
//!
//! # What it owns
//!
//! - [`management`]: the management API (`/v1`): `X-API-Key` authentication
//!   ([`auth::ApiKeyAuth`], with per-key rate limits from [`rate_limit`]), snake_case bodies in a
//!   `{"data": ...}` envelope, the idempotent create (`Idempotency-Key`);
//! - [`app`](mod@app): the app API (`/api`), the web app's backend: session cookie
//!   ([`app::SessionAuth`]) and the `Origin` check on writes, camelCase bodies, the email
//!   verification gate on creates;
//! - [`ops`]: `/health`, `/ready`, `/metrics`, `/openapi.json` (the document is built by
//!   [`openapi::openapi`]);
//! - [`webapp`]: the web app for people (`/`, `/login`, `/clients`, ...) and the API reference
//!   (`/docs`), from assets built into the binary;
//! - [`error::ApiError`]: the one error type, rendered as `{"error", "code", ...}` JSON for
//!   either [`Surface`];
//! - [`body::JsonBody`]: the JSON body of every write (415 / 413 / 400 `invalid_json`);
//! - [`telemetry`]: request ids, the request span, Prometheus metrics.
//!
//! It knows the use cases of `clientele-ports` and the rules of `clientele-domain`, never a
//! database: every handler is generic over the storage adapter, `S: clientele_ports::Store`, and
//! reaches it only through the [`AppState<S>`]'s `Services<S>`.
//!
//! # Mounting it
//!
//! Build an [`AppState`] from the use cases ([`clientele_ports::Services`]) and the
//! [`HttpSettings`], then either
//!
//! - serve [`app(state)`](app()): the whole `App`, every route plus the telemetry middleware; or
//! - call [`configure`] in your own `App` (routes, state, extractor settings, the JSON 404) and
//!   wrap it in [`telemetry::observe`] with the state's [`metrics`](AppState::metrics), so that
//!   `/metrics` counts the requests and every response carries `X-Request-Id`.
//!
//! Mount it at the root of the `App`, not inside a `web::scope`: the routes are absolute paths
//! (the create rate limit matches the pattern `/v1/clients`, the web app loads `/assets/...` and
//! calls `/api/...`).
//!
//! The example below serves everything over the in-memory store of `clientele-ports`' `testing`
//! feature (a dev-dependency of this crate), with its fake password hasher and in-memory mailer;
//! a real program passes a storage adapter's store, a real hasher and a real mailer instead.
//!
//! ```no_run
//! use std::sync::Arc;
//!
//! use actix_web::HttpServer;
//! use clientele_adapters_http::{AppState, HttpSettings};
//! use clientele_ports::memory::{FakeHasher, MemoryMailer, MemoryStore};
//! use clientele_ports::{Config, RandomIds, Services, SystemClock};
//!
//! #[actix_web::main]
//! async fn main() -> std::io::Result<()> {
//!     let services = Services::new(
//!         MemoryStore::new(),
//!         Arc::new(SystemClock),
//!         Arc::new(RandomIds),
//!         Arc::new(FakeHasher),
//!         Arc::new(MemoryMailer::default()),
//!         Config::default(),
//!     );
//!     let settings = HttpSettings {
//!         // Browsers send `Origin` on writes: the web app's own origin must be allowed.
//!         allowed_origins: vec!["http://127.0.0.1:8080".into(), "http://localhost:8080".into()],
//!         ..HttpSettings::default()
//!     };
//!     let state = AppState::new(Arc::new(services), settings);
//!     HttpServer::new(move || clientele_adapters_http::app(state.clone()))
//!         .bind(("127.0.0.1", 8080))?
//!         .run()
//!         .await
//! }
//! ```
//!
//! The same, in your own `App` (here with a route of your own next to Clientele's):
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use clientele_ports::memory::MemoryStore;
//! use actix_web::dev::ServiceRequest;
//! use actix_web::middleware::{Next, from_fn};
//! use actix_web::{App, HttpResponse, HttpServer, web};
//! use clientele_adapters_http::{AppState, configure, telemetry};
//!
//! # async fn serve(state: AppState<MemoryStore>) -> std::io::Result<()> {
//! // `state`: an `AppState<MemoryStore>`, built as above.
//! HttpServer::new(move || {
//!     let metrics = Arc::clone(&state.metrics);
//!     let state = state.clone();
//!     App::new()
//!         .wrap(from_fn(move |req: ServiceRequest, next: Next<_>| {
//!             telemetry::observe(Arc::clone(&metrics), req, next)
//!         }))
//!         .route("/hello", web::get().to(|| async { HttpResponse::Ok().body("hello") }))
//!         .configure(move |cfg| configure(cfg, state))
//! })
//! .bind(("127.0.0.1", 8080))?
//! .run()
//! .await
//! # }
//! ```

#![warn(missing_docs)]

pub mod app;
pub mod auth;
pub mod body;
pub mod error;
pub mod management;
pub mod openapi;
mod openapi_app;
mod openapi_patterns;
pub mod ops;
pub mod rate_limit;
pub(crate) mod respond;
pub mod state;
pub mod surface;
pub mod telemetry;
pub mod time_fmt;
pub mod webapp;

use std::sync::Arc;

use actix_web::HttpMessage as _;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, HttpResponse, web};
use clientele_ports::Store;

pub use error::ApiError;
pub use rate_limit::{RateClass, RateLimits};
pub use state::{AppState, HttpSettings};
pub use surface::Surface;
pub use telemetry::MetricsSource;

/// Registers every route, the application state, contract-shaped errors for actix's own
/// extractors (`Json`, `Query`, `Path`), and the JSON 404 for unknown routes.
///
/// What it registers applies to the whole `App` it is given, your own routes included: the
/// `web::Data<AppState<S>>` (which [`auth::ApiKeyAuth`] and [`app::SessionAuth`] look up), the
/// body limit of [`HttpSettings::body_limit`] for actix's `Json`, `Bytes` and `String`
/// extractors, the 400 / 404 answers of
/// malformed `Query` / `Path` values, and the default service (a JSON 404 `not_found`). It adds
/// no middleware: wrap the `App` in [`telemetry::observe`] yourself, or use [`app()`].
/// See the [crate documentation](crate#mounting-it) for an example.
pub fn configure<S: Store>(cfg: &mut web::ServiceConfig, state: AppState<S>) {
    let limit = state.settings.body_limit;
    let serve_metrics = state.settings.serve_metrics;
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
        .configure(|cfg| ops::routes::<S>(cfg, serve_metrics))
        .configure(management::routes::<S>)
        .configure(app::routes::<S>)
        .configure(webapp::routes)
        .default_service(web::to(not_found));
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound("Not found"))
}

/// The complete application: [`configure`] wrapped in the telemetry middleware
/// ([`telemetry::observe`], recording into the state's [`metrics`](AppState::metrics)).
///
/// Call it in the factory closure of `actix_web::HttpServer::new`, with a clone of one
/// [`AppState`] per worker, so that every worker shares the rate limiter and the metrics; see the
/// [crate documentation](crate#mounting-it).
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
    let settings = state.settings.clone();
    App::new()
        .wrap(cors(settings))
        .wrap(from_fn(move |req: ServiceRequest, next: Next<_>| {
            telemetry_mw(Arc::clone(&metrics), req, next)
        }))
        .configure(move |cfg| configure(cfg, state))
}

/// CORS for the allowed origins only (`HttpSettings::allowed_origins`): a web front end served
/// from one of them may call both APIs with credentials; its preflight is answered. Requests
/// from any other origin get no CORS headers (and their cookie writes stay 403 `forbidden`).
pub fn cors(settings: std::sync::Arc<HttpSettings>) -> actix_cors::Cors {
    actix_cors::Cors::default()
        .allowed_origin_fn(move |origin, _| {
            origin
                .to_str()
                .is_ok_and(|origin| settings.allows_origin(origin))
        })
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            actix_web::http::header::CONTENT_TYPE,
            actix_web::http::header::HeaderName::from_static("x-api-key"),
            actix_web::http::header::HeaderName::from_static("idempotency-key"),
            actix_web::http::header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            "x-total-count",
            "x-next-cursor",
            "x-request-id",
            "retry-after",
            "ratelimit-limit",
            "ratelimit-remaining",
            "ratelimit-reset",
            "idempotent-replayed",
        ])
        .supports_credentials()
        .max_age(600)
}

async fn telemetry_mw<B: MessageBody + 'static>(
    metrics: Arc<telemetry::Metrics>,
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let mut res = telemetry::observe(metrics, req, next).await?;
    let res_origin_allowed = res
        .headers()
        .contains_key(actix_web::http::header::ACCESS_CONTROL_ALLOW_ORIGIN);
    if !res_origin_allowed {
        // Another origin gets no CORS headers at all (actix-cors leaves some on), and a preflight
        // it sends is refused with the contract's error body, not actix-cors's plain text.
        let is_preflight = res.request().method() == actix_web::http::Method::OPTIONS
            && res
                .request()
                .headers()
                .contains_key("access-control-request-method");
        if is_preflight && res.status() == actix_web::http::StatusCode::BAD_REQUEST {
            let (req, _) = res.into_parts();
            res = ServiceResponse::new(
                req,
                actix_web::ResponseError::error_response(&ApiError::Forbidden),
            );
        }
        let cors_headers: Vec<_> = res
            .headers()
            .keys()
            .filter(|name| name.as_str().starts_with("access-control-"))
            .cloned()
            .collect();
        for name in cors_headers {
            res.headers_mut().remove(name);
        }
    }
    let decision = res
        .request()
        .extensions()
        .get::<clientele_ports::RateDecision>()
        .copied();
    if let Some(decision) = decision {
        rate_limit::add_headers(res.headers_mut(), &decision);
    }
    Ok(res)
}

/// An application serving only `GET /metrics` of `state` (and 404 elsewhere), for a server that
/// exposes its metrics on an address of its own (`HttpSettings::serve_metrics` off on the main
/// one).
pub fn metrics_app<S: Store>(
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
    App::new()
        .app_data(web::Data::new(state))
        .configure(ops::metrics_route::<S>)
        .default_service(web::to(not_found))
}
