//! Management API authentication: the `X-API-Key` header, and the key's rate limit.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest, dev, web};
use clientele_domain::{ApiKey, Client, ClientId};
use clientele_ports::{AccountError, Caller, Store};

use crate::error::ApiError;
use crate::rate_limit::{RateClass, check, key_bucket};
use crate::state::AppState;
use crate::surface::Surface;

/// The header carrying the management API key.
pub const API_KEY_HEADER: &str = "x-api-key";

/// An authenticated management API caller, already counted against its key's rate limit.
///
/// An actix extractor: take it as a handler argument. It reads the [`API_KEY_HEADER`] (trimmed)
/// and resolves the key through `AccountService::resolve_api_key` of the state's services.
/// Answers 401 `unauthorized` for a missing, malformed, unknown or revoked key, 429 past the
/// key's allowance (`POST /v1/clients` draws on the create allowance, the rest on the general
/// one), 503 when the database cannot be reached, and 500 `internal` when no
/// `web::Data<AppState<S>>` is registered (see [`crate::configure`]).
pub struct ApiKeyAuth<S> {
    /// The caller to hand to the use cases: `Caller::ApiKey` of [`Self::key`].
    pub caller: Caller,
    /// The key's record (never the secret), as resolved for this request.
    pub key: ApiKey,
    _store: PhantomData<fn() -> S>,
}

impl<S> std::fmt::Debug for ApiKeyAuth<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeyAuth")
            .field("key_id", &self.key.id)
            .finish_non_exhaustive()
    }
}

impl<S: Store> ApiKeyAuth<S> {
    /// Authenticates `req` and reads the client `id` of the key's organization in the same
    /// database round trip (`GET /v1/clients/{id}`): `None` when the organization has no such
    /// client. Answers as the extractor does; the key's general allowance is counted.
    pub(crate) async fn reading(
        req: &HttpRequest,
        id: &ClientId,
    ) -> Result<(Self, Option<Client>), ApiError> {
        let (state, presented) = presented::<S>(req)?;
        let (caller, client) = state
            .services
            .accounts
            .resolve_api_key_reading(&presented, id)
            .await
            .map_err(refused)?;
        let auth = Self::counted(&state, req, caller, RateClass::Other).await?;
        Ok((auth, client))
    }

    /// The authenticated caller, once counted against its key's `class` allowance.
    async fn counted(
        state: &AppState<S>,
        req: &HttpRequest,
        caller: Caller,
        class: RateClass,
    ) -> Result<Self, ApiError> {
        let Caller::ApiKey(key) = &caller else {
            return Err(ApiError::Unauthorized);
        };
        let key = key.clone();
        check(state, req, class, &key_bucket(key.id, class)).await?;
        Ok(Self {
            caller,
            key,
            _store: PhantomData,
        })
    }
}

/// The state and the presented key (trimmed), or why there is none.
fn presented<S: Store>(req: &HttpRequest) -> Result<(web::Data<AppState<S>>, String), ApiError> {
    let state = req
        .app_data::<web::Data<AppState<S>>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal("application state is missing".into()))?;
    let presented = req
        .headers()
        .get(API_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
        .ok_or(ApiError::Unauthorized)?;
    Ok((state, presented))
}

/// A refused or failed key resolution, as the management API answers it.
fn refused(e: AccountError) -> ApiError {
    match e {
        AccountError::Unauthorized => ApiError::Unauthorized,
        other => ApiError::account(Surface::Management, other),
    }
}

impl<S: Store> FromRequest for ApiKeyAuth<S> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut dev::Payload) -> Self::Future {
        let req = req.clone();
        let class = if req.method() == Method::POST
            && req.match_pattern().as_deref() == Some("/v1/clients")
        {
            RateClass::Create
        } else {
            RateClass::Other
        };
        Box::pin(async move {
            let (state, presented) = presented::<S>(&req)?;
            let caller = state
                .services
                .accounts
                .resolve_api_key(&presented)
                .await
                .map_err(refused)?;
            Self::counted(&state, &req, caller, class).await
        })
    }
}
