//! The organization's clients, as the web app sees them.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use clientele_domain::{ClientPatch, ClientQuery, ClientSchema, NewClient};
use clientele_ports::{ClientError, Store};

use super::session::SessionAuth;
use super::{AppClient, MessageBody, SURFACE};
use crate::body::JsonBody;
use crate::error::{ApiError, CLIENT_NOT_FOUND, CLIENT_NOT_FOUND_OR_UNAUTHORIZED};
use crate::respond::{client_id, json};
use crate::state::AppState;

pub(super) async fn create_client<S: Store>(
    state: web::Data<AppState<S>>,
    auth: SessionAuth<S>,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    // The contract's order: 401 (extractor), the access gate, then the body.
    let clients = &state.services.clients;
    let grant = clients
        .authorize_create(&auth.caller())
        .map_err(not_found(CLIENT_NOT_FOUND))?;
    let mut body = body.object(&state.settings).await?;
    let new = NewClient::parse(SURFACE.client_input(&mut body), &ClientSchema::APP)
        .map_err(|e| ApiError::validation(SURFACE, e))?;
    let client = clients
        .create(grant, new)
        .await
        .map_err(not_found(CLIENT_NOT_FOUND))?;
    json(StatusCode::CREATED, &AppClient::from(&client))
}

pub(super) async fn list_clients<S: Store>(
    state: web::Data<AppState<S>>,
    auth: SessionAuth<S>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let input = SURFACE.query_input(req.query_string());
    let query = ClientQuery::parse(input).map_err(|e| ApiError::validation(SURFACE, e))?;
    let page = state
        .services
        .clients
        .list_clients(&auth.caller(), &query)
        .await
        .map_err(not_found(CLIENT_NOT_FOUND))?;
    let clients: Vec<AppClient> = page.clients.iter().map(AppClient::from).collect();
    let mut response = json(StatusCode::OK, &clients)?;
    let headers = response.headers_mut();
    headers.insert(
        header::HeaderName::from_static("x-total-count"),
        HeaderValue::from(page.total),
    );
    if let Some(next) = &page.next_cursor {
        // Hex: always a valid header value.
        let value =
            HeaderValue::from_str(&next.encode()).map_err(|e| ApiError::Internal(Box::new(e)))?;
        headers.insert(header::HeaderName::from_static("x-next-cursor"), value);
    }
    Ok(response)
}

pub(super) async fn get_client<S: Store>(
    state: web::Data<AppState<S>>,
    auth: SessionAuth<S>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = client_id(&req, CLIENT_NOT_FOUND)?;
    let client = state
        .services
        .clients
        .get_client(&auth.caller(), &id)
        .await
        .map_err(not_found(CLIENT_NOT_FOUND))?;
    json(StatusCode::OK, &AppClient::from(&client))
}

pub(super) async fn update_client<S: Store>(
    state: web::Data<AppState<S>>,
    auth: SessionAuth<S>,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = client_id(&req, CLIENT_NOT_FOUND_OR_UNAUTHORIZED)?;
    let mut body = body.object(&state.settings).await?;
    let patch = ClientPatch::parse(SURFACE.client_input(&mut body), &ClientSchema::APP)
        .map_err(|e| ApiError::validation(SURFACE, e))?;
    let client = state
        .services
        .clients
        .update_client(&auth.caller(), &id, patch)
        .await
        .map_err(not_found(CLIENT_NOT_FOUND_OR_UNAUTHORIZED))?;
    json(StatusCode::OK, &AppClient::from(&client))
}

pub(super) async fn delete_client<S: Store>(
    state: web::Data<AppState<S>>,
    auth: SessionAuth<S>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = client_id(&req, CLIENT_NOT_FOUND_OR_UNAUTHORIZED)?;
    state
        .services
        .clients
        .delete_client(&auth.caller(), &id)
        .await
        .map_err(not_found(CLIENT_NOT_FOUND_OR_UNAUTHORIZED))?;
    json(
        StatusCode::OK,
        &MessageBody {
            message: "Client deleted successfully",
        },
    )
}

/// The client use cases' errors, with `message` for a 404.
fn not_found(message: &'static str) -> impl Fn(ClientError) -> ApiError {
    move |e| ApiError::client(SURFACE, e, message)
}
