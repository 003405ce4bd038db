//! The organization's management API keys and its plan usage, as the web app sees them.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use clientele_domain::{ApiKeyId, Field, NewApiKey};
use clientele_ports::Store;

use super::session::SessionAuth;
use super::{AppKey, AppUsage, SURFACE, account_error};
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::respond::json;
use crate::state::AppState;

const KEY_NOT_FOUND: &str = "API key not found";

/// `GET /api/usage`.
pub(super) async fn usage<S: Store>(
    state: web::Data<AppState<S>>,
    auth: SessionAuth<S>,
) -> Result<HttpResponse, ApiError> {
    let usage = state
        .services
        .clients
        .usage(&auth.caller())
        .await
        .map_err(|e| ApiError::client(SURFACE, e, crate::error::CLIENT_NOT_FOUND))?;
    json(StatusCode::OK, &AppUsage::from(&usage))
}

/// `GET /api/keys`: newest first.
pub(super) async fn list_keys<S: Store>(
    state: web::Data<AppState<S>>,
    auth: SessionAuth<S>,
) -> Result<HttpResponse, ApiError> {
    let keys = state
        .services
        .accounts
        .list_api_keys(auth.user.organization_id)
        .await
        .map_err(account_error)?;
    let keys: Vec<AppKey> = keys.iter().rev().map(AppKey::from).collect();
    json(StatusCode::OK, &keys)
}

/// `POST /api/keys`: the key is in this answer and never again. The access gate applies.
pub(super) async fn create_key<S: Store>(
    state: web::Data<AppState<S>>,
    auth: SessionAuth<S>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    // The contract's order, as for a client: 401 (extractor), the access gate, then the body.
    let accounts = &state.services.accounts;
    let grant = accounts
        .authorize_api_key(&auth.caller())
        .map_err(account_error)?;
    let mut body = body.object(&state.settings).await?;
    let new = NewApiKey::parse(
        body.take(SURFACE.field_name(Field::Name)),
        body.take(SURFACE.field_name(Field::Environment)),
    )
    .map_err(|e| ApiError::validation(SURFACE, e))?;
    let (key, secret) = accounts
        .create_api_key_for(grant, &new)
        .await
        .map_err(account_error)?;
    let mut shown = AppKey::from(&key);
    shown.key = Some(secret.expose().to_owned());
    json(StatusCode::CREATED, &shown)
}

/// `DELETE /api/keys/{id}`: revoked from the next request on; revoking again keeps the first
/// `revokedAt`; another organization's key is 404.
pub(super) async fn revoke_key<S: Store>(
    state: web::Data<AppState<S>>,
    auth: SessionAuth<S>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id: ApiKeyId = req
        .match_info()
        .get("id")
        .and_then(|id| id.parse().ok())
        .ok_or(ApiError::NotFound(KEY_NOT_FOUND))?;
    let key = state
        .services
        .accounts
        .revoke_api_key_of(auth.user.organization_id, id)
        .await
        .map_err(|e| match e {
            clientele_ports::AccountError::NotFound => ApiError::NotFound(KEY_NOT_FOUND),
            other => account_error(other),
        })?;
    json(StatusCode::OK, &AppKey::from(&key))
}
