//! Small pieces both surfaces' handlers share: JSON responses, path ids, query pairs, 405s.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use clientele_domain::ClientId;
use serde::Serialize;

use crate::error::ApiError;

/// `body` as an `application/json` response with `status`.
///
/// # Errors
/// [`ApiError::Internal`] if the body cannot be serialised.
pub fn json(status: StatusCode, body: &impl Serialize) -> Result<HttpResponse, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(|e| ApiError::Internal(Box::new(e)))?;
    Ok(HttpResponse::build(status)
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ))
        .body(bytes))
}

/// The `{id}` of the path as a client id; one that is not a UUID or a CUID2 cannot name a client,
/// so it is `not_found` (with the surface's message) like an unknown one.
///
/// # Errors
/// [`ApiError::NotFound`].
pub fn client_id(req: &HttpRequest, not_found: &'static str) -> Result<ClientId, ApiError> {
    req.match_info()
        .get("id")
        .and_then(|id| id.parse().ok())
        .ok_or(ApiError::NotFound(not_found))
}

/// The decoded `key=value` pairs of a query string, in order (malformed percent-encoding is
/// decoded lossily; an unparsable query string has no pairs).
#[must_use]
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    web::Query::<Vec<(String, String)>>::from_query(query)
        .map(web::Query::into_inner)
        .unwrap_or_default()
}

/// A resource's fallback for other methods: 405 with the methods it allows.
pub fn method_not_allowed(allow: &'static str) -> actix_web::Route {
    web::to(move || async move { Err::<HttpResponse, _>(ApiError::MethodNotAllowed(allow)) })
}
