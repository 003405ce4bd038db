//! Operational endpoints: `/health`, `/ready`, `/metrics`, `/openapi.json`.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};
use clientele_ports::Store;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;

/// `{"status": "ok"}` / `{"status": "ready"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusBody {
    /// `ok` (`/health`) or `ready` (`/ready`).
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Registers the operational routes.
///
/// [`configure`](crate::configure) registers them, with the `web::Data<AppState<S>>` they need.
pub fn routes<S: Store>(cfg: &mut web::ServiceConfig, serve_metrics: bool) {
    if serve_metrics {
        metrics_route::<S>(cfg);
    }
    cfg.service(
        web::resource("/health")
            .route(web::get().to(health))
            .default_service(get_only()),
    )
    .service(
        web::resource("/ready")
            .route(web::get().to(ready::<S>))
            .default_service(get_only()),
    )
    .service(
        web::resource("/openapi.json")
            .route(web::get().to(openapi))
            .default_service(get_only()),
    );
}

fn get_only() -> actix_web::Route {
    web::to(|| async { Err::<HttpResponse, _>(ApiError::MethodNotAllowed("GET")) })
}

/// Registers `GET /metrics` (on the main application, or alone on the metrics address).
pub fn metrics_route<S: Store>(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/metrics")
            .route(web::get().to(metrics::<S>))
            .default_service(get_only()),
    );
}

/// The process answers; nothing else is checked.
async fn health() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ))
        .body(r#"{"status":"ok"}"#)
}

/// The database answers and the server is not shutting down: 200, else 503 `unavailable`.
async fn ready<S: Store>(state: web::Data<AppState<S>>) -> Result<HttpResponse, ApiError> {
    if state.draining.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(ApiError::Unavailable("shutting down".into()));
    }
    state
        .services
        .ping()
        .await
        .map_err(|e| ApiError::Unavailable(Box::new(e)))?;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ))
        .body(r#"{"status":"ready"}"#))
}

async fn metrics<S: Store>(state: web::Data<AppState<S>>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        ))
        .body(state.metrics.render())
}

async fn openapi() -> Result<HttpResponse, ApiError> {
    let json = crate::openapi::openapi()
        .to_json()
        .map_err(|e| ApiError::Internal(Box::new(e)))?;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ))
        .body(json))
}
